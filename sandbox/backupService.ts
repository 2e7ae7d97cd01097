/**
 * The simulated Recovery Services vault: protected items, on-demand backups (running the simulated extension),
 * jobs that follow the sandbox clock, recovery points, and restores that create a VM from a recovery point.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerNameOf, parseResourceGroupId, parseResourceId, protectedItemNameOf, resourceKey } from './armIds';
import { ArmError, badRequest, conflict, notFound } from './armError';
import type { SandboxClock } from './clock';
import type { ExtensionOutcome } from './extension/extensionRules';
import { runExtension } from './extension/extensionRun';
import type { FaultSpec, Scenario } from './scenario';
import { bootRestoredIris } from './irisInstances';
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
const DEFAULT_RESTORE_MINUTES = 20;

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
  restoreTarget?: { subscriptionId: string; resourceGroup: string; name: string; subnetId?: string; location: string };
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
    const minutes =
      p.vm.spec.backup?.durationMinutes ?? this.scenario.backup?.durationMinutes ?? DEFAULT_BACKUP_MINUTES;
    const job = this.newJob(p, 'Backup', minutes);
    const transferMinutes =
      p.vm.spec.backup?.transferMinutes ?? this.scenario.backup?.transferMinutes ?? DEFAULT_TRANSFER_MINUTES;
    job.transferMs = Math.max(0, transferMinutes) * 60_000;
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

  triggerRestore(p: ProtectedItemRecord, rpName: string, body: unknown): BackupOperation {
    const rp = this.pointsOf(p).find((r) => r.name.toLowerCase() === rpName.toLowerCase());
    if (!rp) throw notFound(`Recovery point '${rpName}'`);
    const props = (body as { properties?: Record<string, unknown> } | null)?.properties;
    if (typeof props !== 'object' || props === null) throw badRequest('Request body must have "properties".');
    if (props.objectType !== 'IaasVMRestoreRequest' && props.objectType !== 'IaasVMRestoreWithRehydrationRequest') {
      throw badRequest(`properties.objectType '${String(props.objectType)}' is not an IaaS VM restore request.`);
    }
    if (props.recoveryType !== 'AlternateLocation') {
      throw badRequest(
        `recoveryType '${String(props.recoveryType)}' is not supported by the sandbox (use AlternateLocation).`,
      );
    }
    const target =
      typeof props.targetVirtualMachineId === 'string' ? parseResourceId(props.targetVirtualMachineId) : undefined;
    const targetRg =
      typeof props.targetResourceGroupId === 'string' ? parseResourceGroupId(props.targetResourceGroupId) : undefined;
    if (!target || target.type.toLowerCase() !== 'microsoft.compute/virtualmachines') {
      throw badRequest('properties.targetVirtualMachineId must be a virtual machine resource id.');
    }
    if (!targetRg || targetRg.resourceGroup.toLowerCase() !== target.resourceGroup.toLowerCase()) {
      throw badRequest('properties.targetResourceGroupId must be the resource group of targetVirtualMachineId.');
    }
    if (this.world.vm(target.subscriptionId, target.resourceGroup, target.name)) {
      throw conflict(`Virtual machine '${target.name}' already exists in '${target.resourceGroup}'.`);
    }
    const minutes = this.scenario.backup?.restoreDurationMinutes ?? DEFAULT_RESTORE_MINUTES;
    const job = this.newJob(p, 'Restore', minutes);
    job.recoveryPoint = rp;
    job.restoreTarget = {
      subscriptionId: target.subscriptionId,
      resourceGroup: target.resourceGroup,
      name: target.name,
      subnetId: typeof props.subnetId === 'string' ? props.subnetId : undefined,
      location: typeof props.region === 'string' && props.region !== '' ? props.region : p.vm.location,
    };
    const failure = this.fault('restoreFailure', p.vm.name);
    job.result = failure
      ? {
          status: 'Failed',
          errors: [
            {
              errorCode: failure.errorCode ?? 400090,
              errorTitle: 'UserErrorRestoreFailed',
              errorString: failure.errorString ?? 'Restore failed (simulated fault).',
              recommendations: ['Retry the restore operation.'],
            },
          ],
        }
      : { status: 'Completed', errors: [] };
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
      if (job.operation === 'Restore' && job.result?.status === 'Completed' && job.restoreTarget && job.recoveryPoint) {
        this.createRestoredVm(job, job.restoreTarget, job.recoveryPoint);
      }
    }
  }

  private createRestoredVm(
    job: JobRecord,
    target: NonNullable<JobRecord['restoreTarget']>,
    rp: RecoveryPointRecord,
  ): void {
    if (this.world.vm(target.subscriptionId, target.resourceGroup, target.name)) {
      job.result = {
        status: 'Failed',
        errors: [
          {
            errorCode: 400091,
            errorTitle: 'UserErrorVmExists',
            errorString: `VM ${target.name} already exists.`,
            recommendations: [],
          },
        ],
      };
      return;
    }
    const source = [...this.world.vms.values()].find((vm) => vm.name === rp.vmName);
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
      },
      subnetId: target.subnetId,
    });
    copyTreeSync(rp.dir, vm.root);
    bootRestoredIris(vm.root);
    job.restoredVmId = vm.id;
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
