/**
 * A run is one nightly backup of one VM and everything after it. It is plain JSON (persisted in Table Storage with
 * its ETag); `decide` is the only code that changes it.
 */
import type { BackupImpact, Finding, Severity } from '../checks/finding';
import { parseVmId } from '../azure/armResourceId';
import { runCommandName } from './runCommandName';
import type { JobErrorDetail, JobStatus, RecoveryPointType } from '../azure/backupGateway';
import type { BackupVerdict } from './backupVerdict';
import type { RunDrill } from '../drills/drillState';
import type { RunRemediation } from '../remediation/remediationState';
import type { AlertSeverity } from '../alerts/alert';

export const RUN_SCHEMA_VERSION = 1;

export const ACTIVE_STAGES = [
  'preflight',
  'triggering',
  'backup-running',
  'assessing',
  /**
   * Assessed at the snapshot (its recovery point is listed) while the job still transfers data to the vault, which
   * takes hours: the run only waits for the job's final status, read from the per-vault job list each tick.
   */
  'transfer-running',
  'restore-running',
  'verifying',
  'cleaning-up',
] as const;
export const TERMINAL_STAGES = ['done', 'failed', 'timed-out'] as const;

export type ActiveStage = (typeof ACTIVE_STAGES)[number];
export type TerminalStage = (typeof TERMINAL_STAGES)[number];
export type RunStage = ActiveStage | TerminalStage;

export const isTerminalStage = (stage: RunStage): stage is TerminalStage =>
  (TERMINAL_STAGES as readonly string[]).includes(stage);

/** The part of a finding a run keeps: enough to explain a skip or a verdict, small enough for a table row. */
export interface CompactFinding {
  code: string;
  severity: Severity;
  impact: BackupImpact;
  extensionStatusCode?: number;
  /** What to do about it (capped: MAX_COMPACT_FIX_CHARS), shown with the finding on the dashboard. */
  fix?: string;
}

export interface StageTransition {
  from: RunStage;
  to: RunStage;
  at: string;
  reason?: string;
}

/** Where the protected item lives, so later ticks can address it without listing the vault again. */
export interface RunTarget {
  vmId: string;
  vmName: string;
  vaultId: string;
  containerName: string;
  protectedItemName: string;
}

export interface RunBackup {
  /** Set when this run asked Azure for a backup; never set twice (DESIGN.md safety invariant 5). */
  triggerRequestedAt?: string;
  /**
   * Set when the run asked once more because the first request left no trace: no operation id was recorded and,
   * after RETRIGGER_GRACE_MS, the vault listed no backup job for the VM since the request (the instance died
   * between writing the request and the POST). At most once, so at most one job per VM and night.
   */
  retriggeredAt?: string;
  operationId?: string;
  /** The job was already running for this VM when the run looked (triggered elsewhere or by an earlier attempt). */
  adopted?: boolean;
  jobId?: string;
  jobStatus?: JobStatus;
  jobStartTime?: string;
  jobEndTime?: string;
  durationInMs?: number;
  errorDetails?: JobErrorDetail[];
  /** Error details left out to keep the run small (runLimits.ts). */
  errorDetailsDropped?: number;
  /**
   * Jobs Azure accepted and then failed with UserErrorBackupOperationInProgress because another backup of the VM
   * was running; the run adopted that other job instead. Never this run's job again.
   */
  collidedJobIds?: string[];
  /** The job failed in its transfer to the vault after a good snapshot (the snapshot-tier point stays usable). */
  transferFailed?: boolean;
  /**
   * Someone else asked for this backup (an ARM event showed the request): the run only follows the job that request
   * made, from `triggerRequestedAt`, and never asks for a backup itself.
   */
  external?: boolean;
}

export interface RunRecoveryPoint {
  id: string;
  name: string;
  time: string;
  type: RecoveryPointType;
  /** Tiers holding the point when it was found (InstantRP at the snapshot; HardenedRP once in the vault). */
  tiers?: string[];
}

/**
 * What a script is for: the preflight check and the logs that decide the backup's verdict (on the run's VM), the
 * drill's verifier (on the drill VM), and the remediation's read-only frozen check and its thaw (the only writing
 * script a production VM receives from a run, and only with IBG_AUTO_THAW).
 */
export type ScriptPurpose = 'preflight' | 'logs' | 'verify' | 'frozen-check' | 'thaw';

/**
 * The script the run is waiting for on its VM: a managed Run Command started with asyncExecution and read once per
 * tick. Its name is written here before the PUT, so an instance that dies after the PUT leaves a name that a later
 * tick reads instead of starting a second script.
 */
export interface RunScript {
  purpose: ScriptPurpose;
  /** The Run Command's resource name on the VM (app prefix `ibg-`). */
  name: string;
  /** 1 for the first start; a skipped or vanished Run Command is started again under a new name. */
  attempt: number;
  /** When the run asked for it: waiting for a slot in the subscription's Run Command budget until `startedAt`. */
  queuedAt: string;
  /** When the PUT was sent. */
  startedAt?: string;
  /** logs: the earliest log time wanted (ISO 8601). */
  since?: string;
  /** When a tick first found the stage past its limit with this script started: the read asked then decides. */
  overdueAt?: string;
  /** The VM it runs on when not the run's own (the drill VM). */
  vmId?: string;
}

/** A Run Command the run has finished with and deletes; a failed delete is retried on later ticks. */
export interface ScriptToDelete {
  name: string;
  /** Failed deletes so far. */
  failures: number;
  lastError?: string;
  /** The VM it is on when not the run's own (the drill VM). */
  vmId?: string;
}

/** A script queued at `at`; the name is unique per VM (one run per VM and night), purpose, time and attempt. */
export const newRunScript = (
  purpose: ScriptPurpose,
  night: string,
  at: string,
  attempt = 1,
  since?: string,
  vmId?: string,
): RunScript => ({
  purpose,
  name: `${runCommandName(purpose, new Date(at), night)}-${attempt}`,
  attempt,
  queuedAt: at,
  ...(since === undefined ? {} : { since }),
  ...(vmId === undefined ? {} : { vmId }),
});

/** An alert a run decided, as it waits in the run for the alert store (ids are fixed when decided). */
export interface PendingAlert {
  id: string;
  severity: AlertSeverity;
  code: string;
  message: string;
  at: string;
  classification?: string;
  evidence?: string[];
  fix?: string;
  kind?: 'problem' | 'recovery';
}

export interface Run {
  schemaVersion: typeof RUN_SCHEMA_VERSION;
  /**
   * `${night}/${vmKey}`: one run per VM and night, which is what makes a second nightly trigger a no-op. An
   * operator's drill-only run adds `~drill-<n>` (runs/drillRun.ts).
   */
  id: string;
  night: string;
  vmKey: string;
  target: RunTarget;
  stage: RunStage;
  createdAt: string;
  updatedAt: string;
  stageStartedAt: string;
  finishedAt?: string;
  /** When the shell last started a command that has not reported yet; a stale value lets a later tick retry it. */
  pendingSince?: string;
  /**
   * `findingsDropped`: findings left out to keep the run small (runLimits.ts). `vmNotRunning`: the VM was stopped,
   * so no script could run on it.
   */
  preflight?: {
    findings: CompactFinding[];
    blocking: string[];
    error?: string;
    findingsDropped?: number;
    vmNotRunning?: boolean;
  };
  script?: RunScript;
  /** Run Commands to delete from the VM; what is left when the run ends is removed by the nightly sweep. */
  scriptsToDelete?: ScriptToDelete[];
  backup: RunBackup;
  /** null: looked for and none found. */
  recoveryPoint?: RunRecoveryPoint | null;
  verdict?: BackupVerdict;
  /** The restore drill of the run's recovery point, once the run chose to drill it. */
  drill?: RunDrill;
  /**
   * The frozen-IRIS check (and thaw) of the run's VM: a track of its own beside the stages, which may outlive them
   * (a failed backup is exactly when IRIS may be left frozen).
   */
  remediation?: RunRemediation;
  /**
   * Alerts decided and not yet recorded in the alert store (the outbox): written with the state that decided them,
   * so an instance that dies before recording one leaves it here for the next tick (phases/alertOutbox.ts).
   */
  alerts?: PendingAlert[];
  /** Alerts this run has decided so far: the next one's id is `<run id>#<alertSeq + 1>`. */
  alertSeq?: number;
  /** Why the run ended (or the last error while it is still active). */
  reason?: string;
  history: StageTransition[];
  /** Transitions left out of the middle of `history` to keep the run small (runLimits.ts). */
  historyDropped?: number;
}

const YMD = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A stable, readable key for a VM: subscription, resource group and name, lower-cased (ARM names are
 * case-insensitive). `~` cannot occur in any of them, so the key is unambiguous.
 */
export function vmKeyOf(vmId: string): string {
  const ref = parseVmId(vmId);
  if (!ref) throw new TypeError(`Not a virtual machine resource id: '${vmId}'`);
  return `${ref.subscriptionId}~${ref.resourceGroup}~${ref.name}`.toLowerCase();
}

/**
 * A finished run that still has work on a track beside its stages (an alert not yet recorded, a remediation under
 * way): the advance timer keeps ticking it.
 */
export const hasOpenTracks = (run: Run): boolean =>
  (run.alerts?.length ?? 0) > 0 || (run.remediation !== undefined && run.remediation.step !== 'done');

export const runIdOf = (night: string, vmKey: string): string => `${night}/${vmKey}`;

/** `n` of a numbered run's id `<prefix><n>` (`~drill-<n>`, `~ext-<n>`, `~check-<n>`), else undefined. */
export function runNumber(runId: string, prefix: string): number | undefined {
  if (!runId.startsWith(prefix)) return undefined;
  const n = Number(runId.slice(prefix.length));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A fix longer than this is cut: the whole of it is in `iris-backup-guard check`. */
export const MAX_COMPACT_FIX_CHARS = 300;

export const compactFinding = (f: Finding): CompactFinding => {
  const compact: CompactFinding = { code: f.code, severity: f.severity, impact: f.impact };
  if (f.extensionStatusCode !== undefined) compact.extensionStatusCode = f.extensionStatusCode;
  if (f.fix !== '') {
    compact.fix = f.fix.length > MAX_COMPACT_FIX_CHARS ? `${f.fix.slice(0, MAX_COMPACT_FIX_CHARS - 1)}…` : f.fix;
  }
  return compact;
};

/**
 * A new run, in preflight, its probe queued: it starts when the subscription's Run Command budget grants it a slot
 * (ScriptSlotGranted; nightly protection grants them at once, up to the budget).
 */
export function newRun(night: string, target: RunTarget, at: string): Run {
  if (!YMD.test(night)) throw new TypeError(`night must be YYYY-MM-DD, got '${night}'`);
  const vmKey = vmKeyOf(target.vmId);
  return {
    schemaVersion: RUN_SCHEMA_VERSION,
    id: runIdOf(night, vmKey),
    night,
    vmKey,
    target,
    stage: 'preflight',
    createdAt: at,
    updatedAt: at,
    stageStartedAt: at,
    script: newRunScript('preflight', night, at),
    backup: {},
    history: [],
  };
}
