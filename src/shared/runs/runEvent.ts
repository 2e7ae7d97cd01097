/** What the shells observe and feed into `decide`. Every event carries the time it was observed (`at`, ISO 8601). */
import type { ProbeFacts } from '../checks/probeFacts';
import type { BackupJob, OperationStatusValue, RecoveryPoint } from '../azure/backupGateway';
import type { RunScriptResult } from '../azure/vmCommandGateway';
import { ACTIVE_STAGES, TERMINAL_STAGES, type CompactFinding, type RunStage } from './run';
import type { RunCommand } from './runCommand';
import type { IntegrityVerdict } from '../drills/integrityVerdict';

const ALL_STAGES = [...ACTIVE_STAGES, ...TERMINAL_STAGES] as const;

export type RunEvent =
  /** The subscription's Run Command budget has room: the run's queued script may start. */
  | { type: 'ScriptSlotGranted'; at: string }
  /** Azure refused the script's PUT for good (a stopped VM, a missing role); a transient failure is CommandFailed. */
  | { type: 'ScriptStartFailed'; at: string; name: string; reason: string; vmNotRunning: boolean }
  /** One read of the Run Command's instance view; `result` undefined: the VM has no Run Command of that name. */
  | { type: 'ScriptObserved'; at: string; name: string; result?: RunScriptResult }
  | { type: 'ScriptDeleted'; at: string; name: string }
  | { type: 'ScriptDeleteFailed'; at: string; name: string; reason: string }
  /** The preflight probe's findings (derived from its script's output by the preflight phase). */
  | { type: 'PreflightCompleted'; at: string; findings: CompactFinding[] }
  /** The probe could not run or its output could not be read. */
  | { type: 'PreflightFailed'; at: string; reason: string; vmNotRunning?: boolean }
  /** A backup job for this VM is already in progress (triggered elsewhere, or by an earlier attempt of this run). */
  | { type: 'InProgressJobFound'; at: string; jobId: string }
  | { type: 'NoInProgressJob'; at: string }
  /**
   * The vault's job list, read at `at`, shows no backup job for this VM since `since` (the backup request): the
   * request never reached Azure.
   */
  | { type: 'NoJobSinceRequest'; at: string; since: string }
  | { type: 'BackupTriggered'; at: string; operationId: string }
  | { type: 'BackupTriggerFailed'; at: string; reason: string }
  | { type: 'OperationObserved'; at: string; status: OperationStatusValue; jobId?: string; error?: string }
  | { type: 'JobObserved'; at: string; job: BackupJob }
  /**
   * The run's job failed with UserErrorBackupOperationInProgress: Azure accepted the request while another backup of
   * the VM ran. `runningJobId`: that other job (from the vault's job list), which is tonight's backup.
   */
  | { type: 'JobCollided'; at: string; failedJobId: string; runningJobId?: string }
  /** `point: null`: the recovery points were listed and none is newer than the job start. */
  | { type: 'RecoveryPointObserved'; at: string; point: RecoveryPoint | null }
  /** The probe in logs mode: its facts when it ran and printed a readable line, and what went wrong otherwise. */
  | { type: 'LogsCollected'; at: string; facts?: ProbeFacts; problems: string[] }
  /** A read command failed (throttled, network); the run keeps its stage and a later tick retries. */
  | { type: 'CommandFailed'; at: string; command: RunCommand['type']; reason: string }
  /** The subscription's drill budget has room: the run's queued drill may start its restore. */
  | { type: 'DrillSlotGranted'; at: string }
  /** The VM's recovery points, for a drill that samples an older one. */
  | { type: 'DrillPointsListed'; at: string; points: RecoveryPoint[] }
  /** `productionAddresses`: the source VM's private `ip:port`s the drill VM must not reach (read for the checks). */
  | { type: 'RestoreTriggered'; at: string; operationId: string; productionAddresses?: string[]; region?: string }
  /**
   * The restore was not sent, or Azure refused it. `refusedBy`: for good, nothing was created — the drill target
   * failed the app's checks, or Azure answered 4xx. Absent: transient, and the request may or may not have arrived.
   */
  | { type: 'RestoreTriggerFailed'; at: string; reason: string; refusedBy?: 'checks' | 'azure' }
  /** The drill's restore job, from the vault's restore job list (or read by id). */
  | { type: 'RestoreJobObserved'; at: string; job: BackupJob }
  /** The vault lists no restore job for the VM since `since` (the restore request): it never reached Azure. */
  | { type: 'NoRestoreJobSinceRequest'; at: string; since: string }
  /** The drill VM as read: absent, or its power state and whether its agent is ready. */
  | { type: 'DrillVmObserved'; at: string; exists: boolean; powerState?: string; agentReady: boolean }
  /** The drill's resources found and tagged as the app's (VM, disks, NICs; or disks a failed creation left). */
  | { type: 'DrillResourcesClaimed'; at: string; resourceIds: string[] }
  /** The verifier's whole output, read from the evidence blob and parsed. */
  | { type: 'EvidenceRead'; at: string; integrity: IntegrityVerdict }
  | { type: 'EvidenceUnavailable'; at: string; reason: string }
  | { type: 'DrillRecorded'; at: string }
  /** Every claimed resource is gone (deleted now or before). */
  | { type: 'DrillResourcesDeleted'; at: string; deleted: string[] }
  | { type: 'DrillCleanupFailed'; at: string; reason: string; remaining: string[] }
  /** The alert store holds the run's pending alert `id` (recorded now, or before a crash). */
  | { type: 'AlertRecorded'; at: string; id: string }
  /** Someone outside the run's own flow asks for the frozen-IRIS check of its VM (requestFrozenCheck.ts). */
  | { type: 'FrozenCheckRequested'; at: string; reason: string; source: 'monitor-alert' | 'event' | 'operator' }
  /** `inSnapshot`: a backup job of the VM is in progress and its snapshot is not listed yet. */
  | { type: 'SnapshotPhaseObserved'; at: string; inSnapshot: boolean; detail?: string }
  | { type: 'RemediationLeaseAcquired'; at: string; until: string }
  | { type: 'RemediationLeaseBusy'; at: string; holder: string; until: string }
  | { type: 'Tick'; at: string };

export type RunEventType = RunEvent['type'];

/** Which stages an event can change; anywhere else it is ignored (late or duplicate observations are normal). */
/**
 * Declared `as const` so that the phases can be typed by it: each stage's handler receives only the events listed for
 * that stage here (EventIn), and a new event is a compile error in the phases it reaches until they handle it.
 */
export const EVENT_STAGES = {
  ScriptSlotGranted: ['preflight', 'assessing', 'verifying'],
  ScriptStartFailed: ['preflight', 'assessing', 'verifying'],
  ScriptObserved: ['preflight', 'assessing', 'verifying'],
  // A finished script is deleted from whatever stage the run has reached by then, a terminal one too.
  ScriptDeleted: ALL_STAGES,
  ScriptDeleteFailed: ALL_STAGES,
  PreflightCompleted: ['preflight'],
  PreflightFailed: ['preflight'],
  InProgressJobFound: ['triggering'],
  NoInProgressJob: ['triggering'],
  NoJobSinceRequest: ['triggering'],
  BackupTriggered: ['triggering'],
  BackupTriggerFailed: ['triggering'],
  // In restore-running: the restore's operation, which names the restore job.
  OperationObserved: ['backup-running', 'restore-running'],
  // In the drill stages: the backup job still transferring to the vault while its snapshot is drilled.
  JobObserved: ['triggering', 'backup-running', 'transfer-running', 'restore-running', 'verifying', 'cleaning-up'],
  JobCollided: ['triggering', 'backup-running'],
  // In backup-running: a point listed while the job still runs means its snapshot task completed.
  // In transfer-running: the point read again after the transfer completed, for its tiers.
  RecoveryPointObserved: ['backup-running', 'assessing', 'transfer-running'],
  LogsCollected: ['assessing'],
  DrillSlotGranted: ['restore-running'],
  DrillPointsListed: ['restore-running'],
  RestoreTriggered: ['restore-running'],
  RestoreTriggerFailed: ['restore-running'],
  // In cleaning-up: a restore still running when its stage ran out of time, whose VM cleanup must wait for.
  RestoreJobObserved: ['restore-running', 'cleaning-up'],
  // In cleaning-up: the proof that a request whose job was never seen created nothing to clean up.
  NoRestoreJobSinceRequest: ['restore-running', 'cleaning-up'],
  DrillVmObserved: ['verifying'],
  DrillResourcesClaimed: ['verifying', 'cleaning-up'],
  EvidenceRead: ['verifying'],
  EvidenceUnavailable: ['verifying'],
  DrillRecorded: ['cleaning-up'],
  DrillResourcesDeleted: ['cleaning-up'],
  DrillCleanupFailed: ['cleaning-up'],
  CommandFailed: ACTIVE_STAGES,
  // The alert outbox and the remediation track are the same in every stage, terminal ones too (decide.ts).
  AlertRecorded: ALL_STAGES,
  FrozenCheckRequested: ALL_STAGES,
  SnapshotPhaseObserved: ALL_STAGES,
  RemediationLeaseAcquired: ALL_STAGES,
  RemediationLeaseBusy: ALL_STAGES,
  // Every active stage has a time limit, so every one of them takes the tick.
  Tick: ACTIVE_STAGES,
} as const satisfies Record<RunEventType, readonly RunStage[]>;

/** The end of a Run Command's delete: the same in every stage, so `decide` handles it before any phase does. */
export type ScriptCleanupEvent = Extract<RunEvent, { type: 'ScriptDeleted' | 'ScriptDeleteFailed' }>;

/** Events of the tracks beside the stages (the alert outbox, the remediation): `decide` handles them in any stage. */
export type TrackEvent = Extract<
  RunEvent,
  {
    type:
      | 'AlertRecorded'
      | 'FrozenCheckRequested'
      | 'SnapshotPhaseObserved'
      | 'RemediationLeaseAcquired'
      | 'RemediationLeaseBusy';
  }
>;

const TRACK_EVENTS: readonly string[] = [
  'AlertRecorded',
  'FrozenCheckRequested',
  'SnapshotPhaseObserved',
  'RemediationLeaseAcquired',
  'RemediationLeaseBusy',
];

export const isTrackEvent = (e: RunEvent): e is TrackEvent => TRACK_EVENTS.includes(e.type);

export const isScriptCleanupEvent = (e: RunEvent): e is ScriptCleanupEvent =>
  e.type === 'ScriptDeleted' || e.type === 'ScriptDeleteFailed';

/** The events `decide` hands to a phase in stage S: those whose EVENT_STAGES entry lists S. */
export type EventIn<S extends RunStage> = Extract<
  Exclude<RunEvent, ScriptCleanupEvent | TrackEvent>,
  { type: { [T in RunEventType]: S extends (typeof EVENT_STAGES)[T][number] ? T : never }[RunEventType] }
>;
