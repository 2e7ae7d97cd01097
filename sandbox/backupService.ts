/**
 * The simulated Recovery Services vault: protected items, on-demand backups (running the simulated extension),
 * jobs that follow the sandbox clock, recovery points, and restores that create a VM from a recovery point.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerNameOf, protectedItemNameOf, resourceKey } from './armIds';
import { ArmError, notFound } from './armError';
import type { SandboxClock } from './clock';
import type { ExtensionOutcome } from './extension/extensionRules';
import { runExtension } from './extension/extensionRun';
import type { FaultSpec, MinutesRange, Scenario } from './scenario';
import { bootRestoredIris, type RestoredIrisFaults } from './irisInstances';
import {
  RESTORE_JOB_ERRORS,
  type RestoreCheckFailure,
  type RestoreTarget,
  checkRestoreTarget,
  parseRestoreRequest,
  strictRestoreValidation,
} from './restoreRequest';
import { copyTree, copyTreeSync } from './treeCopy';
import type { VmProcessRunner } from './vmProcess';
import type { VaultRecord, VmRecord, World } from './world';

const DEFAULT_BACKUP_MINUTES = 15;
/** Azure's "Transfer data to vault" takes hours; an hour keeps scenarios that do not care short. */
const DEFAULT_TRANSFER_MINUTES = 60;
/** How long a job accepted during another backup takes to fail (collision 'failJob'). */
const COLLISION_JOB_MS = 60_000;
/** AzureIaaSVMErrorInfo.errorCode is numeric; the service's string code travels in errorTitle (as in the sandbox's other errors). */
export const BACKUP_IN_PROGRESS_CODE = 'UserErrorBackupOperationInProgress';
/** A restore from the snapshot tier (Instant Restore) is faster than one from the vault tier. */
const DEFAULT_RESTORE_FROM_SNAPSHOT_MINUTES = 10;
const DEFAULT_RESTORE_FROM_VAULT_MINUTES = 60;
const DEFAULT_RESTORED_VM_BOOT_MINUTES = 2;
const DEFAULT_RESTORED_VM_AGENT_MINUTES = 3;
/** A restore job whose target fails Azure's checks fails this soon after it starts. */
const RESTORE_CHECK_FAIL_MS = 60_000;

/** A minutes value, or a per-VM draw in a range: uniform in [min, max], deterministic by a hash of the VM name. */
export function minutesFor(value: number | MinutesRange, vmName: string, salt: string): number {
  if (typeof value === 'number') return value;
  const lo = Math.min(value.min, value.max);
  const hi = Math.max(value.min, value.max);
  return lo + (hi - lo) * unitHash(`${salt}:${vmName.toLowerCase()}`);
}

/** FNV-1a of the text, finalized, mapped to [0, 1]. */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finalizer, so names differing in their last character land far apart.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0xffffffff;
}

export interface ProtectedItemRecord {
  vault: VaultRecord;
  vm: VmRecord;
  containerName: string;
  itemName: string;
}

export interface RecoveryPointRecord {
  name: string;
  itemKey: string;
  vmName: string;
  timeMs: number;
  type: 'AppConsistent' | 'FileSystemConsistent' | 'CrashConsistent';
  dir: string;
  vmSize: string;
  /** Set when the job's transfer to the vault completed: the point then has a vault tier (HardenedRP) too. */
  hardened?: boolean;
  /** false: the snapshot tier (InstantRP) is gone and only the vault copy remains. Default true. */
  snapshotTier?: boolean;
}

export type TerminalJobStatus = 'Completed' | 'CompletedWithWarnings' | 'Failed';

export interface JobErrorInfo {
  errorCode: number;
  errorTitle: string;
  errorString: string;
  recommendations: string[];
}

export interface JobRecord {
  id: string;
  vaultKey: string;
  vaultId: string;
  operation: 'Backup' | 'Restore';
  vmName: string;
  vmResourceGroup: string;
  itemKey: string;
  startMs: number;
  /** Backup: the snapshot phase; restore: the whole job. */
  durationMs: number;
  /** Backup: the "Transfer data to vault" phase after a good snapshot (0: none, e.g. restores). */
  transferMs: number;
  /** Backup: the transfer fails with this error after a good snapshot. */
  transferFailure?: JobErrorInfo;
  activityId: string;
  /** Set when the work is done (extension finished, restore copied); the job is terminal once the clock allows. */
  result?: { status: TerminalJobStatus; errors: JobErrorInfo[]; dynamicErrorMessage?: string };
  /** For restores: the VM to create. */
  restoreTarget?: RestoreTarget;
  /** Restore: the VM creation fails at the end of the job, leaving its disks (fault restoreVmCreationFails). */
  vmCreationFails?: boolean;
  recoveryPoint?: RecoveryPointRecord;
  /** Backup: the recovery point to publish at completion. */
  pendingRecoveryPoint?: RecoveryPointRecord;
  /** Backup: sandbox time of the simulated snapshot, and of the end of the extension run. */
  snapshotMs?: number;
  workDoneMs?: number;
  /** The snapshot's recovery point is listed (set when the snapshot phase ends). */
  snapshotPublished: boolean;
  finalized: boolean;
  restoredVmId?: string;
  /** A backup the vault's policy ran on its schedule (not on demand): AdHocOrScheduledJob 'Scheduled' in the logs. */
  scheduled?: boolean;
}

/** A policy backup the app did not start, already ended (addScheduledJob). */
export interface ScheduledJobSpec {
  vm: string;
  status: TerminalJobStatus;
  /** How long before now it started. */
  startedMinutesAgo: number;
  /** Default 30. */
  durationMinutes?: number;
  /** The job's error, for Failed and CompletedWithWarnings (default: a generic title). */
  errorTitle?: string;
}

/** A protected item as the vault's CoreAzureBackup diagnostics report it. */
export interface BackupItemReport {
  itemKey: string;
  vmName: string;
  vaultId: string;
  vaultName: string;
  latestRecoveryPointMs?: number;
}

export interface BackupOperation {
  id: string;
  jobId: string;
  startMs: number;
  /** Status polls answered InProgress before Succeeded (restore: 1, as Azure shows; backup: 0). */
  inProgressPolls: number;
  polls: number;
}

export interface JobView {
  status: 'InProgress' | TerminalJobStatus;
  /** Backup: 'snapshot' until the snapshot phase ends, then 'transfer' while data goes to the vault. */
  phase: 'snapshot' | 'transfer' | 'done';
  /** When the snapshot phase ended (backup jobs past it). */
  snapshotEndMs?: number;
  endMs?: number;
  /** The terminal status and errors (a failed transfer changes the extension's result). */
  errors: JobErrorInfo[];
}

export class BackupService {
  readonly jobs = new Map<string, JobRecord>();
  readonly recoveryPoints = new Map<string, RecoveryPointRecord[]>();
  readonly operations = new Map<string, BackupOperation>();
  private readonly pending = new Set<Promise<void>>();
  private rpSeq = 0;

  constructor(
    private readonly world: World,
    private readonly clock: SandboxClock,
    private readonly processes: VmProcessRunner,
    private readonly scenario: Scenario,
  ) {
    clock.onAdvance(() => this.settle());
  }

  private fault<K extends FaultSpec['kind']>(kind: K, vmName: string): Extract<FaultSpec, { kind: K }> | undefined {
    return (this.scenario.faults ?? []).find(
      (f): f is Extract<FaultSpec, { kind: K }> =>
        f.kind === kind && 'vm' in f && f.vm.toLowerCase() === vmName.toLowerCase(),
    );
  }

  protectedItems(vault: VaultRecord): ProtectedItemRecord[] {
    const key = resourceKey(vault.id);
    return [...this.world.vms.values()]
      .filter((vm) => vm.protectedBy === key)
      .map((vm) => ({
        vault,
        vm,
        containerName: containerNameOf(vm.resourceGroup, vm.name),
        itemName: protectedItemNameOf(vm.resourceGroup, vm.name),
      }));
  }

  vault(subscriptionId: string, resourceGroup: string, name: string): VaultRecord {
    const vault = [...this.world.vaults.values()].find(
      (v) =>
        v.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        v.resourceGroup.toLowerCase() === resourceGroup.toLowerCase() &&
        v.name.toLowerCase() === name.toLowerCase(),
    );
    if (!vault) throw notFound(`Recovery Services vault '${name}' in resource group '${resourceGroup}'`);
    return vault;
  }

  protectedItem(vault: VaultRecord, fabric: string, container: string, item: string): ProtectedItemRecord {
    if (fabric.toLowerCase() !== 'azure') throw notFound(`Backup fabric '${fabric}'`);
    const found = this.protectedItems(vault).find(
      (p) =>
        p.containerName.toLowerCase() === container.toLowerCase() && p.itemName.toLowerCase() === item.toLowerCase(),
    );
    if (!found) {
      throw new ArmError(
        404,
        'BMSUserErrorItemNotFound',
        `Protected item '${item}' in container '${container}' was not found.`,
      );
    }
    return found;
  }

  private itemKey(p: ProtectedItemRecord): string {
    return resourceKey(p.vault.id, p.itemName);
  }

  /** Recovery points of an item, newest first; only those of completed jobs and the scenario's existing ones. */
  pointsOf(p: ProtectedItemRecord): RecoveryPointRecord[] {
    this.settle();
    return [...(this.recoveryPoints.get(this.itemKey(p)) ?? [])].sort((a, b) => b.timeMs - a.timeMs);
  }

  private nextRecoveryPointName(): string {
    this.rpSeq += 1;
    return String(Math.floor(this.clock.nowMs() / 1000) * 1000 + this.rpSeq);
  }

  private snapshotDir(name: string): string {
    return path.join(this.world.stateDir, 'recovery-points', name);
  }

  /** Recovery points a scenario says already exist: snapshots of the VM's initial root. */
  async seedRecoveryPoints(): Promise<void> {
    for (const vault of this.world.vaults.values()) {
      for (const p of this.protectedItems(vault)) {
        for (const rp of p.vm.spec.existingRecoveryPoints ?? []) {
          const name = this.nextRecoveryPointName();
          const dir = this.snapshotDir(name);
          await copyTree(p.vm.root, dir);
          this.addPoint({
            name,
            itemKey: this.itemKey(p),
            vmName: p.vm.name,
            // Ages count from the scenario's start, not from whenever seeding ran (the clock runs).
            timeMs: this.clock.startMs - rp.ageHours * 3600_000,
            type: rp.type,
            dir,
            vmSize: p.vm.vmSize,
            ...(rp.tiers?.includes('HardenedRP') ? { hardened: true } : {}),
            ...(rp.tiers && !rp.tiers.includes('InstantRP') ? { snapshotTier: false } : {}),
          });
        }
      }
    }
  }

  private addPoint(rp: RecoveryPointRecord): void {
    const list = this.recoveryPoints.get(rp.itemKey) ?? [];
    list.push(rp);
    this.recoveryPoints.set(rp.itemKey, list);
  }

  private newOperation(jobId: string, inProgressPolls: number): BackupOperation {
    const op: BackupOperation = { id: randomUUID(), jobId, startMs: this.clock.nowMs(), inProgressPolls, polls: 0 };
    this.operations.set(op.id.toLowerCase(), op);
    return op;
  }

  operation(id: string): BackupOperation {
    const op = this.operations.get(id.toLowerCase());
    if (!op) throw notFound(`Operation '${id}'`);
    return op;
  }

  triggerBackup(p: ProtectedItemRecord): BackupOperation {
    const itemKey = this.itemKey(p);
    const running = [...this.jobs.values()].find(
      (j) => j.itemKey === itemKey && j.operation === 'Backup' && this.view(j).status === 'InProgress',
    );
    if (running) {
      const message = `A backup job (${running.id}) is already in progress for ${p.vm.name}.`;
      if ((this.scenario.backup?.collision ?? 'refuse') === 'refuse') {
        throw new ArmError(400, BACKUP_IN_PROGRESS_CODE, message);
      }
      // Accepted, and the new job fails on its own: no extension run, no snapshot, no transfer.
      const refused = this.newJob(p, 'Backup', COLLISION_JOB_MS / 60_000);
      refused.workDoneMs = refused.startMs;
      refused.result = {
        status: 'Failed',
        errors: [
          {
            errorCode: 400001,
            errorTitle: BACKUP_IN_PROGRESS_CODE,
            errorString: `Taking snapshot is not possible as another backup operation is in progress. ${message}`,
            recommendations: ['Wait for the previous backup operation to complete, then retry.'],
          },
        ],
      };
      return this.newOperation(refused.id, 0);
    }
    const b = this.scenario.backup;
    const minutes =
      p.vm.spec.backup?.durationMinutes ??
      (b?.snapshotMinutes ? minutesFor(b.snapshotMinutes, p.vm.name, 'snapshot') : undefined) ??
      b?.durationMinutes ??
      DEFAULT_BACKUP_MINUTES;
    const job = this.newJob(p, 'Backup', minutes);
    const transferMinutes = minutesFor(
      p.vm.spec.backup?.transferMinutes ?? b?.transferMinutes ?? DEFAULT_TRANSFER_MINUTES,
      p.vm.name,
      'transfer',
    );
    job.transferMs = Math.round(Math.max(0, transferMinutes) * 60_000);
    const transferFailure = p.vm.spec.backup?.transferFailure;
    if (transferFailure) job.transferFailure = { ...transferFailure, recommendations: ['Retry the backup.'] };
    // The run keeps the clock of its start: an advance() while its scripts run must not land inside the freeze
    // window (a 30-minute freeze would trip IRIS's WDSuspendLimit); advances apply to everything after it.
    const clockOffsetMs = this.clock.offsetFromRealMs();
    const runNowMs = (): number => Date.now() + clockOffsetMs;
    const work = runExtension({
      root: p.vm.root,
      clockOffsetMs,
      processes: this.processes,
      takeSnapshot: async (at) => {
        // The recovery point's time is this instant: after the extension's "T:S freeze", before its "T:S thaw".
        job.snapshotMs = at.getTime();
        const name = this.nextRecoveryPointName();
        const dir = this.snapshotDir(name);
        await copyTree(p.vm.root, dir);
        return dir;
      },
      discardSnapshot: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
    })
      .then(({ outcome, snapshotDir }) => {
        job.workDoneMs = runNowMs();
        this.completeBackup(job, p, outcome, snapshotDir);
      })
      .catch((e: unknown) => {
        job.workDoneMs = runNowMs();
        job.result = {
          status: 'Failed',
          errors: [
            {
              errorCode: 2,
              errorTitle: 'ExtensionError',
              errorString: `Simulated extension crashed: ${String(e)}`,
              recommendations: [],
            },
          ],
        };
      });
    this.track(work);
    return this.newOperation(job.id, 0);
  }

  private completeBackup(
    job: JobRecord,
    p: ProtectedItemRecord,
    outcome: ExtensionOutcome,
    snapshotDir?: string,
  ): void {
    const forced = p.vm.spec.backup?.forceFailure;
    const errors: JobErrorInfo[] = [];
    if (outcome.errorDetail) errors.push({ ...outcome.errorDetail, recommendations: recommendationsFor(outcome) });
    if (forced) {
      errors.push({
        errorCode: forced.errorCode,
        errorTitle: '',
        errorString: forced.errorString,
        recommendations: [],
      });
      if (snapshotDir) fs.rmSync(snapshotDir, { recursive: true, force: true });
      job.result = { status: 'Failed', errors };
      return;
    }
    if (outcome.recoveryPointType !== undefined && snapshotDir !== undefined) {
      job.pendingRecoveryPoint = {
        name: path.basename(snapshotDir),
        itemKey: this.itemKey(p),
        vmName: p.vm.name,
        // As in Azure, the recovery point time is the snapshot's: after the pre-script, before the post-script.
        timeMs: job.snapshotMs ?? job.startMs,
        type: outcome.recoveryPointType,
        dir: snapshotDir,
        vmSize: p.vm.vmSize,
      };
    }
    job.result = { status: outcome.jobStatus, errors, dynamicErrorMessage: errors[0]?.errorString };
  }

  /**
   * POST …/restore: malformed requests are refused with 400 at once (restoreRequest.ts); a target that fails Azure's
   * checks (region, staging account, network, resource group, name) fails the job a minute after it starts. A good
   * restore runs restoreFromSnapshotMinutes from a point with its snapshot tier, restoreFromVaultMinutes from the vault
   * tier only, and its VM appears when the job completes (then boots on the sandbox clock).
   */
  triggerRestore(p: ProtectedItemRecord, rpName: string, body: unknown): BackupOperation {
    const rp = this.pointsOf(p).find((r) => r.name.toLowerCase() === rpName.toLowerCase());
    if (!rp) throw new ArmError(404, 'BMSUserErrorRecoveryPointNotFound', `Recovery point '${rpName}' was not found.`);
    const strict = strictRestoreValidation(this.scenario);
    const target = parseRestoreRequest(body, p.vm, rp.name, strict);
    const b = this.scenario.backup;
    const minutes =
      rp.snapshotTier === false
        ? (b?.restoreFromVaultMinutes ?? b?.restoreDurationMinutes ?? DEFAULT_RESTORE_FROM_VAULT_MINUTES)
        : (b?.restoreFromSnapshotMinutes ?? DEFAULT_RESTORE_FROM_SNAPSHOT_MINUTES);
    const inUse = [...this.jobs.values()].some(
      (j) =>
        j.operation === 'Restore' &&
        !j.finalized &&
        j.result?.status !== 'Failed' &&
        j.restoreTarget !== undefined &&
        sameTarget(j.restoreTarget, target),
    );
    const check = checkRestoreTarget(this.world, this.scenario, p.vault, p.vm, target, strict, inUse);
    const job = this.newJob(p, 'Restore', check ? RESTORE_CHECK_FAIL_MS / 60_000 : minutes);
    job.recoveryPoint = rp;
    job.restoreTarget = target;
    const failure = this.fault('restoreFailure', p.vm.name);
    if (check) job.result = { status: 'Failed', errors: [restoreCheckError(check)] };
    else if (failure) {
      job.result = {
        status: 'Failed',
        errors: [
          {
            errorCode: failure.errorCode ?? 400090,
            errorTitle: 'UserErrorRestoreFailed',
            errorString: failure.errorString ?? 'Restore failed (simulated fault).',
            recommendations: ['Retry the restore operation.'],
          },
        ],
      };
    } else if (this.fault('restoreVmCreationFails', p.vm.name)) {
      job.vmCreationFails = true;
      job.result = {
        status: 'Failed',
        errors: [
          {
            errorCode: 400109,
            // Plausible name (not documented verbatim): the job's "Create the restored VM" task failed.
            errorTitle: 'UserErrorRestoreVmCreationFailed',
            errorString: `Restored disks were created in resource group ${target.resourceGroup} but the virtual machine ${target.name} could not be created (simulated fault). Create the VM from the restored disks or retry the restore.`,
            recommendations: ['Delete the restored disks, then retry the restore.'],
          },
        ],
      };
    } else job.result = { status: 'Completed', errors: [] };
    return this.newOperation(job.id, 1);
  }

  private newJob(p: ProtectedItemRecord, operation: 'Backup' | 'Restore', minutes: number): JobRecord {
    const job: JobRecord = {
      id: randomUUID(),
      vaultKey: resourceKey(p.vault.id),
      vaultId: p.vault.id,
      operation,
      vmName: p.vm.name,
      vmResourceGroup: p.vm.resourceGroup,
      itemKey: this.itemKey(p),
      startMs: this.clock.nowMs(),
      durationMs: Math.max(0, minutes) * 60_000,
      transferMs: 0,
      activityId: randomUUID(),
      snapshotPublished: false,
      finalized: false,
    };
    this.jobs.set(job.id.toLowerCase(), job);
    return job;
  }

  /**
   * Records a scheduled (policy) backup of a protected VM that the app did not start, already ended with `status`.
   * It leaves no recovery point: the tests that use it look at the job, not at the points. Returns the job.
   */
  addScheduledJob(spec: ScheduledJobSpec): JobRecord {
    const vm = [...this.world.vms.values()].find((v) => v.name.toLowerCase() === spec.vm.toLowerCase());
    const vault = vm?.protectedBy === undefined ? undefined : this.world.vaults.get(vm.protectedBy);
    if (vm === undefined || vault === undefined) throw new Error(`addScheduledJob: '${spec.vm}' is not a protected VM`);
    const item = this.protectedItems(vault).find((p) => p.vm === vm);
    if (item === undefined) throw new Error(`addScheduledJob: '${spec.vm}' has no protected item`);
    const job = this.newJob(item, 'Backup', spec.durationMinutes ?? 30);
    job.startMs = this.clock.nowMs() - spec.startedMinutesAgo * 60_000;
    job.scheduled = true;
    job.snapshotPublished = true;
    job.finalized = true;
    const errors: JobErrorInfo[] =
      spec.status === 'Completed'
        ? []
        : [
            {
              errorCode: spec.status === 'Failed' ? 400001 : 400002,
              errorTitle:
                spec.errorTitle ?? (spec.status === 'Failed' ? 'UserErrorBackupFailed' : 'UserErrorPreScriptFailed'),
              errorString: 'Simulated scheduled backup outcome.',
              recommendations: [],
            },
          ];
    job.result = { status: spec.status, errors };
    return job;
  }

  /** Every protected item of every vault, with its newest recovery point (for the CoreAzureBackup table). */
  backupItems(): BackupItemReport[] {
    this.settle();
    return [...this.world.vaults.values()].flatMap((vault) =>
      this.protectedItems(vault).map((p) => {
        const newest = this.pointsOf(p)[0];
        return {
          itemKey: this.itemKey(p),
          vmName: p.vm.name,
          vaultId: vault.id,
          vaultName: vault.name,
          ...(newest === undefined ? {} : { latestRecoveryPointMs: newest.timeMs }),
        };
      }),
    );
  }

  job(vault: VaultRecord, id: string): JobRecord {
    this.settle();
    const job = this.jobs.get(id.toLowerCase());
    if (!job || job.vaultKey !== resourceKey(vault.id)) throw notFound(`Job '${id}'`);
    return job;
  }

  jobsOf(vault: VaultRecord): JobRecord[] {
    this.settle();
    const key = resourceKey(vault.id);
    return [...this.jobs.values()].filter((j) => j.vaultKey === key).sort((a, b) => b.startMs - a.startMs);
  }

  /**
   * A job's first phase (a backup's snapshot, or a whole restore) lasts until its work is done and the clock has
   * passed its duration. A backup with a snapshot then transfers data to the vault for `transferMs`, still
   * InProgress, and can fail there; one without a snapshot ends with its first phase.
   */
  view(job: JobRecord): JobView {
    const snapshotEndMs = Math.max(job.startMs + job.durationMs, job.workDoneMs ?? 0);
    const now = this.clock.nowMs();
    if (job.result === undefined || now < snapshotEndMs) return { status: 'InProgress', phase: 'snapshot', errors: [] };
    const transfers = job.operation === 'Backup' && job.pendingRecoveryPoint !== undefined;
    if (!transfers || job.result.status === 'Failed') {
      return {
        status: job.result.status,
        phase: 'done',
        snapshotEndMs,
        endMs: snapshotEndMs,
        errors: job.result.errors,
      };
    }
    const endMs = snapshotEndMs + job.transferMs;
    if (now < endMs) return { status: 'InProgress', phase: 'transfer', snapshotEndMs, errors: [] };
    if (job.transferFailure) {
      return {
        status: 'Failed',
        phase: 'done',
        snapshotEndMs,
        endMs,
        errors: [...job.result.errors, job.transferFailure],
      };
    }
    return { status: job.result.status, phase: 'done', snapshotEndMs, endMs, errors: job.result.errors };
  }

  /**
   * Lists a backup's recovery point as soon as its snapshot phase ends (snapshot tier, InstantRP), marks it hardened
   * when the transfer completes, and creates restored VMs for restore jobs that have become terminal.
   */
  settle(): void {
    for (const job of this.jobs.values()) {
      if (job.finalized) continue;
      const view = this.view(job);
      if (view.phase === 'snapshot') continue;
      // A job that failed in its snapshot phase leaves no recovery point.
      if (
        job.operation === 'Backup' &&
        job.pendingRecoveryPoint &&
        job.result?.status !== 'Failed' &&
        !job.snapshotPublished
      ) {
        job.snapshotPublished = true;
        this.addPoint(job.pendingRecoveryPoint);
      }
      if (view.status === 'InProgress') continue;
      job.finalized = true;
      if (job.operation === 'Backup' && job.pendingRecoveryPoint && view.status !== 'Failed') {
        job.pendingRecoveryPoint.hardened = true;
      }
      if (job.operation === 'Restore' && job.restoreTarget && job.recoveryPoint) {
        if (job.result?.status === 'Completed') {
          this.createRestoredVm(job, job.restoreTarget, job.recoveryPoint, view.endMs ?? this.clock.nowMs());
        } else if (job.vmCreationFails) {
          this.createRestoredDisks(job.restoreTarget, job.recoveryPoint);
        }
      }
    }
  }

  private sourceOf(rp: RecoveryPointRecord): VmRecord | undefined {
    return [...this.world.vms.values()].find(
      (vm) =>
        vm.protectedBy !== undefined &&
        resourceKey(vm.protectedBy, protectedItemNameOf(vm.resourceGroup, vm.name)) === rp.itemKey,
    );
  }

  /** The restored disks in the target resource group, unattached: an OS disk and one per data disk of the source. */
  private createRestoredDisks(target: RestoreTarget, rp: RecoveryPointRecord) {
    const source = this.sourceOf(rp);
    return this.world.createRestoredDisks({
      subscriptionId: target.subscriptionId,
      resourceGroup: target.resourceGroup,
      vmName: target.name,
      location: target.location,
      dataDisks: (source?.spec.dataDisks ?? []).map((d) => ({ lun: d.lun, sizeGb: d.sizeGb ?? 128 })),
    });
  }

  /**
   * The restored VM as Azure creates it when the job completes: its disks (restored into the target resource group),
   * a NIC in the given subnet with a dynamic private IP and no public IP, no tags, 'starting' for
   * restoredVmBootMinutes after the job's end, then running, its agent Ready restoredVmAgentMinutes later.
   */
  private createRestoredVm(job: JobRecord, target: RestoreTarget, rp: RecoveryPointRecord, endMs: number): void {
    if (this.world.vm(target.subscriptionId, target.resourceGroup, target.name)) {
      job.result = {
        status: 'Failed',
        errors: [restoreCheckError({ kind: 'vmNameInUse', message: `VM ${target.name} already exists.` })],
      };
      return;
    }
    const source = this.sourceOf(rp);
    const sourceName = source?.name ?? rp.vmName;
    const b = this.scenario.backup;
    const neverBoots = this.fault('restoredVmNeverBoots', sourceName) !== undefined;
    const runningAtMs = endMs + (b?.restoredVmBootMinutes ?? DEFAULT_RESTORED_VM_BOOT_MINUTES) * 60_000;
    const agentReadyAtMs = runningAtMs + (b?.restoredVmAgentMinutes ?? DEFAULT_RESTORED_VM_AGENT_MINUTES) * 60_000;
    const disks = this.createRestoredDisks(target, rp);
    const vm = this.world.createVm({
      subscriptionId: target.subscriptionId,
      resourceGroup: target.resourceGroup,
      name: target.name,
      location: target.location,
      // A restored VM keeps no tags; the app tags what it creates itself.
      tags: {},
      vmSize: rp.vmSize,
      spec: {
        ...(source?.spec ?? {
          name: target.name,
          subscriptionId: target.subscriptionId,
          resourceGroup: target.resourceGroup,
          location: target.location,
        }),
        name: target.name,
        subscriptionId: target.subscriptionId,
        resourceGroup: target.resourceGroup,
        location: target.location,
        tags: {},
        protectedBy: undefined,
      },
      subnetId: target.subnetId,
      disks,
      restored: neverBoots ? { createdMs: endMs } : { createdMs: endMs, runningAtMs, agentReadyAtMs },
    });
    if (neverBoots) {
      // The Run Command service refuses a PUT with 409 on a VM the vmNotRunning fault names (the scenario's own
      // faults list, which it holds): a VM that never boots is not running.
      this.scenario.faults?.push({ kind: 'vmNotRunning', vm: vm.name });
    }
    copyTreeSync(rp.dir, vm.root);
    bootRestoredIris(vm.root, this.restoredIrisFaults(sourceName, source));
    job.restoredVmId = vm.id;
  }

  private restoredIrisFaults(sourceName: string, source: VmRecord | undefined): RestoredIrisFaults {
    const neverStarts = this.fault('restoredIrisNeverStarts', sourceName);
    const integrity = this.fault('restoredIntegrityErrors', sourceName);
    const missing = this.fault('restoredDatabaseMissing', sourceName);
    const notIsolated = this.fault('drillNetworkNotIsolated', sourceName);
    const sourceIp = source
      ? [...this.world.nics.values()].find((n) => n.virtualMachineId?.toLowerCase() === source.id.toLowerCase())
          ?.privateIp
      : undefined;
    const reachable =
      notIsolated?.addresses ??
      (notIsolated && sourceIp ? (notIsolated.ports ?? [1972, 22]).map((p) => `${sourceIp}:${String(p)}`) : []);
    return {
      ...(reachable.length > 0 ? { reachable } : {}),
      ...(neverStarts ? { neverStarts: { instance: neverStarts.instance } } : {}),
      ...(integrity ? { integrityErrors: { instance: integrity.instance, database: integrity.database } } : {}),
      ...(missing ? { databaseMissing: { instance: missing.instance, database: missing.database } } : {}),
    };
  }

  private track(work: Promise<void>): void {
    const done = work
      .catch(() => undefined)
      .finally(() => {
        this.pending.delete(done);
        this.settle();
      });
    this.pending.add(done);
  }

  /** Resolves when no extension run is in progress. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

const sameTarget = (a: RestoreTarget, b: RestoreTarget): boolean =>
  resourceKey(a.subscriptionId, a.resourceGroup, a.name) === resourceKey(b.subscriptionId, b.resourceGroup, b.name);

const restoreCheckError = (failure: RestoreCheckFailure): JobErrorInfo => {
  const e = RESTORE_JOB_ERRORS[failure.kind];
  return {
    errorCode: e.number,
    errorTitle: e.code,
    errorString: failure.message,
    recommendations: ['Correct the restore configuration, then trigger the restore again.'],
  };
};

const recommendationsFor = (outcome: ExtensionOutcome): string[] => {
  switch (outcome.errorDetail?.errorTitle) {
    case 'Pre-ScriptExecutionFailed':
    case 'Post-ScriptExecutionFailed':
      return ['Check the script logs on the VM and make the script exit with 0 on success.'];
    case 'Pre-ScriptTimeout':
    case 'Post-ScriptTimeout':
      return ['Increase timeoutInSeconds in /etc/azure/VMSnapshotScriptPluginConfig.json (maximum 1800).'];
    default:
      return [
        'Follow https://learn.microsoft.com/azure/backup/backup-azure-linux-app-consistent to fix the configuration.',
      ];
  }
};
