/** Sample runs in every stage, and sample events, for the state machine tests. */
import type { BackupJob } from '../../src/shared/azure/backupGateway';
import { decide } from '../../src/shared/runs/decide';
import { newRun, type Run, type RunTarget } from '../../src/shared/runs/run';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import { DEFAULT_RUN_POLICY, type RunPolicy } from '../../src/shared/runs/runPolicy';

export const SUB = '00000000-0000-0000-0000-000000000001';
export const TARGET: RunTarget = {
  vmId: `/subscriptions/${SUB}/resourceGroups/iris-rg/providers/Microsoft.Compute/virtualMachines/iris-1`,
  vmName: 'iris-1',
  vaultId: `/subscriptions/${SUB}/resourceGroups/backup-rg/providers/Microsoft.RecoveryServices/vaults/vault-1`,
  containerName: 'IaasVMContainer;iaasvmcontainerv2;iris-rg;iris-1',
  protectedItemName: 'VM;iaasvmcontainerv2;iris-rg;iris-1',
};
export const T0 = '2026-03-10T01:30:00.000Z';
export const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
export const POLICY: RunPolicy = DEFAULT_RUN_POLICY;
const DRILL_RG = `/subscriptions/${SUB}/resourceGroups/rg-drill`;
/** Drills on for every backup, into an isolated network of their own. */
export const DRILL_POLICY: RunPolicy = {
  ...DEFAULT_RUN_POLICY,
  drill: {
    schedule: { kind: 'every' },
    target: {
      resourceGroupId: DRILL_RG,
      subnetId: `${DRILL_RG}/providers/Microsoft.Network/virtualNetworks/drill-vnet/subnets/drill`,
      stagingStorageAccountId: `${DRILL_RG}/providers/Microsoft.Storage/storageAccounts/staging`,
    },
    keepFailedMs: 0,
    perSubscription: 5,
    verifyTimeoutMs: 60 * 60_000,
    irisUpSeconds: 600,
    olderPointEvery: 0,
    staleAfterDays: 8,
  },
};

export const job = (status: string, extra: Partial<BackupJob> = {}): BackupJob => ({
  jobId: 'job-1',
  vaultId: TARGET.vaultId,
  entityName: 'iris-1',
  operation: 'Backup',
  status,
  startTime: at(3),
  errorDetails: [],
  ...extra,
});

/** Applies events in order, ignoring commands except Alert, whose recording (AlertRecorded) it applies as the shell does. */
export function play(run: Run, events: RunEvent[], policy: RunPolicy = POLICY): Run {
  return events.reduce((r, e) => recordAlerts(decide(r, e, policy), policy), run);
}

/** The decision's run after the shell recorded the alerts it decided (they leave the run's outbox). */
export function recordAlerts(d: { run: Run; commands: RunCommand[] }, policy: RunPolicy = POLICY): Run {
  return d.commands
    .filter((c) => c.type === 'Alert')
    .reduce((r, c) => decide(r, { type: 'AlertRecorded', at: r.updatedAt, id: c.alertId }, policy).run, d.run);
}

export const fresh = (): Run => newRun('2026-03-10', TARGET, T0);
export const inTriggering = (): Run => play(fresh(), [{ type: 'PreflightCompleted', at: at(1), findings: [] }]);
export const triggerRequested = (): Run => play(inTriggering(), [{ type: 'NoInProgressJob', at: at(2) }]);
/** The first request left no job (the instance died before the POST): asked once more after the grace period. */
export const retriggered = (): Run =>
  play(triggerRequested(), [{ type: 'NoJobSinceRequest', at: at(12), since: at(2) }]);
export const inBackupRunning = (): Run =>
  play(triggerRequested(), [
    { type: 'BackupTriggered', at: at(2), operationId: 'op-1' },
    { type: 'OperationObserved', at: at(2), status: 'InProgress', jobId: 'job-1' },
  ]);
/** The job's snapshot point was listed while it still ran: assessed, now waiting for the transfer to the vault. */
export const inTransfer = (): Run =>
  play(inBackupRunning(), [
    { type: 'JobObserved', at: at(10), job: job('InProgress') },
    {
      type: 'RecoveryPointObserved',
      at: at(15),
      point: { id: 'rp-id', name: 'rp1', time: at(4), type: 'AppConsistent', tiers: ['InstantRP'] },
    },
    { type: 'LogsCollected', at: at(16), problems: ['no output'] },
  ]);
export const inAssessing = (): Run =>
  play(inBackupRunning(), [{ type: 'JobObserved', at: at(30), job: job('Completed') }]);
export const withPoint = (): Run =>
  play(inAssessing(), [
    {
      type: 'RecoveryPointObserved',
      at: at(31),
      point: { id: 'rp-id', name: 'rp1', time: at(4), type: 'AppConsistent', tiers: ['InstantRP', 'HardenedRP'] },
    },
  ]);
export const done = (): Run => play(withPoint(), [{ type: 'LogsCollected', at: at(32), problems: ['no output'] }]);
export const failed = (): Run =>
  play(triggerRequested(), [{ type: 'BackupTriggerFailed', at: at(2), reason: 'HTTP 400' }]);
/** Triggering past its limit (a preflight past its own backs up anyway). */
export const timedOut = (): Run => play(inTriggering(), [{ type: 'Tick', at: at(200) }]);
export const inRestore = (): Run =>
  play(withPoint(), [{ type: 'LogsCollected', at: at(32), problems: ['no output'] }], DRILL_POLICY);
/** A drill run moved to a later stage as stored data (the drill tests play the whole way). */
export const inStage = (stage: 'verifying' | 'cleaning-up'): Run => ({ ...inRestore(), stage, stageStartedAt: at(40) });

export const SAMPLE_RUNS: [string, () => Run][] = [
  ['preflight', fresh],
  ['preflight (probe started)', () => play(fresh(), [{ type: 'ScriptSlotGranted', at: at(1) }])],
  ['triggering', inTriggering],
  ['triggering (backup requested)', triggerRequested],
  ['triggering (asked again)', retriggered],
  ['backup-running', inBackupRunning],
  ['assessing', inAssessing],
  ['assessing (point found)', withPoint],
  ['restore-running', inRestore],
  ['verifying', () => inStage('verifying')],
  ['cleaning-up', () => inStage('cleaning-up')],
  ['done', done],
  ['failed', failed],
  ['timed-out', timedOut],
];

export const sampleEvents = (t: string): RunEvent[] => [
  {
    type: 'PreflightCompleted',
    at: t,
    findings: [{ code: 'Pre-ScriptNotFound', severity: 'error', impact: 'no-snapshot' }],
  },
  { type: 'PreflightCompleted', at: t, findings: [] },
  { type: 'PreflightFailed', at: t, reason: 'Run Command timed out' },
  { type: 'InProgressJobFound', at: t, jobId: 'job-9' },
  { type: 'NoInProgressJob', at: t },
  { type: 'NoJobSinceRequest', at: t, since: at(2) },
  { type: 'NoJobSinceRequest', at: t, since: t },
  { type: 'BackupTriggered', at: t, operationId: 'op-2' },
  { type: 'BackupTriggerFailed', at: t, reason: 'HTTP 500' },
  { type: 'OperationObserved', at: t, status: 'InProgress' },
  { type: 'OperationObserved', at: t, status: 'Succeeded', jobId: 'job-1' },
  { type: 'OperationObserved', at: t, status: 'Failed', error: 'UserErrorX' },
  { type: 'JobObserved', at: t, job: job('InProgress') },
  { type: 'JobObserved', at: t, job: job('Completed') },
  {
    type: 'JobObserved',
    at: t,
    job: job('Failed', { errorDetails: [{ code: 400, title: 'Boom', recommendations: [] }] }),
  },
  { type: 'JobObserved', at: t, job: job('Completed', { jobId: 'other-job' }) },
  { type: 'RecoveryPointObserved', at: t, point: null },
  {
    type: 'RecoveryPointObserved',
    at: t,
    point: { id: 'x', name: 'rp', time: t, type: 'FileSystemConsistent', tiers: ['InstantRP'] },
  },
  { type: 'LogsCollected', at: t, problems: ['Run Command failed'] },
  { type: 'ScriptSlotGranted', at: t },
  { type: 'ScriptStartFailed', at: t, name: 'ibg-preflight-x-1', reason: 'VM not running', vmNotRunning: true },
  {
    type: 'ScriptObserved',
    at: t,
    name: 'ibg-logs-x-1',
    result: { executionState: 'Succeeded', exitCode: 0, output: '', error: '' },
  },
  { type: 'ScriptObserved', at: t, name: 'ibg-logs-x-1' },
  { type: 'ScriptDeleted', at: t, name: 'ibg-logs-x-1' },
  { type: 'ScriptDeleteFailed', at: t, name: 'ibg-logs-x-1', reason: '409' },
  { type: 'CommandFailed', at: t, command: 'ReadOperation', reason: 'throttled' },
  { type: 'Tick', at: t },
];

/**
 * Every text a run can hold from outside at any size, all control characters (JSON writes each in six), and every
 * list far too long: what runLimits must still bound.
 */
export function worstCaseRun(): Run {
  const huge = '\u0000'.repeat(400_000);
  const many = Array.from({ length: 2_000 }, () => huge.slice(0, 5_000));
  const base = fresh();
  return {
    ...base,
    target: { vmId: huge, vmName: huge, vaultId: huge, containerName: huge, protectedItemName: huge },
    history: Array.from({ length: 5_000 }, (_, i) => ({
      from: 'triggering',
      to: 'backup-running',
      at: at(i),
      reason: huge.slice(0, 3_000),
    })),
    reason: huge,
    preflight: {
      findings: many.map((code) => ({ code, severity: 'error', impact: 'no-snapshot' })),
      blocking: many,
      error: huge,
    },
    backup: {
      triggerRequestedAt: huge,
      retriggeredAt: huge,
      operationId: huge,
      jobId: huge,
      jobStatus: huge,
      jobStartTime: huge,
      jobEndTime: huge,
      errorDetails: Array.from({ length: 300 }, () => ({ title: huge, message: huge, recommendations: many })),
    },
    recoveryPoint: { id: huge, name: huge, time: huge, type: huge },
    verdict: {
      consistency: 'unknown',
      reasons: many,
      missing: many,
      troubleshootingName: huge,
      frozenAt: huge,
      thawedAt: huge,
      irisLeftFrozen: false,
    },
  };
}
