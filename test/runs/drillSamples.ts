/** Drill runs at each step of restore-running, verifying and cleaning-up, and the verifier's output, for the drill tests. */
import type { BackupJob, RecoveryPoint } from '../../src/shared/azure/backupGateway';
import { decide } from '../../src/shared/runs/decide';
import type { Run } from '../../src/shared/runs/run';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import type { RunPolicy } from '../../src/shared/runs/runPolicy';
import { DRILL_POLICY, TARGET, at, inBackupRunning, job, play } from './runSamples';

export const types = (cs: RunCommand[]): string[] => cs.map((c) => c.type);
export const alertCodes = (cs: RunCommand[]): string[] => cs.flatMap((c) => (c.type === 'Alert' ? [c.code] : []));
export const ofType = <T extends RunCommand['type']>(cs: RunCommand[], type: T): Extract<RunCommand, { type: T }>[] =>
  cs.filter((c): c is Extract<RunCommand, { type: T }> => c.type === type);

/** Applies events in order, keeping every command. */
export function playAll(
  run: Run,
  events: RunEvent[],
  policy: RunPolicy = DRILL_POLICY,
): { run: Run; commands: RunCommand[] } {
  const commands: RunCommand[] = [];
  let r = run;
  for (const e of events) {
    const d = decide(r, e, policy);
    r = d.run;
    commands.push(...d.commands);
  }
  return { run: r, commands };
}

export const TONIGHT: RecoveryPoint = {
  id: 'rp-id',
  name: 'rp1',
  time: at(4),
  type: 'AppConsistent',
  tiers: ['InstantRP'],
};

/** The point seen at the snapshot while the backup job still transfers: the verdict, with `policy`. */
export const snapshotEvents: RunEvent[] = [
  { type: 'JobObserved', at: at(10), job: job('InProgress') },
  { type: 'RecoveryPointObserved', at: at(15), point: TONIGHT },
  { type: 'LogsCollected', at: at(16), problems: ['no output'] },
];
export const atSnapshot = (policy: RunPolicy = DRILL_POLICY): Run => play(inBackupRunning(), snapshotEvents, policy);

export const RESTORE_JOB = 'restore-job-1';
export const restoreJob = (status: string, extra: Partial<BackupJob> = {}): BackupJob => ({
  jobId: RESTORE_JOB,
  vaultId: TARGET.vaultId,
  entityName: TARGET.vmName,
  operation: 'Restore',
  status,
  startTime: at(18),
  errorDetails: [],
  ...extra,
});

/** Queued for a slot (minute 16). */
export const queued = (): Run => atSnapshot();
/** Slot granted and restore asked at minute 17. */
export const requested = (): Run => play(queued(), [{ type: 'DrillSlotGranted', at: at(17) }], DRILL_POLICY);
/** The restore's job known (minute 18). */
export const restoring = (): Run =>
  play(
    requested(),
    [
      { type: 'RestoreTriggered', at: at(17), operationId: 'op-restore' },
      { type: 'OperationObserved', at: at(18), status: 'InProgress', jobId: RESTORE_JOB },
      { type: 'RestoreJobObserved', at: at(20), job: restoreJob('InProgress') },
    ],
    DRILL_POLICY,
  );
/** The restore job completed at minute 39 (seen at 40): verifying. */
export const verifyingRun = (): Run =>
  play(
    restoring(),
    [{ type: 'RestoreJobObserved', at: at(40), job: restoreJob('Completed', { endTime: at(39) }) }],
    DRILL_POLICY,
  );

export const CLAIMED = ['disk-os', 'nic-1'].map(
  (n) => `/subscriptions/x/resourceGroups/rg-drill/providers/Microsoft.Compute/disks/${n}`,
);
/** Claimed at 41, VM running at 43, agent ready at 45: the verifier queued on the drill VM. */
export const verifierQueued = (): Run => {
  const r = verifyingRun();
  return play(
    r,
    [
      { type: 'Tick', at: at(41) },
      { type: 'DrillResourcesClaimed', at: at(41), resourceIds: [r.drill?.vmId ?? '', ...CLAIMED] },
      { type: 'Tick', at: at(42) },
      { type: 'DrillVmObserved', at: at(43), exists: true, powerState: 'running', agentReady: false },
      { type: 'DrillVmObserved', at: at(45), exists: true, powerState: 'running', agentReady: true },
    ],
    DRILL_POLICY,
  );
};
/** The verifier started at minute 46. */
export const verifierStarted = (): Run =>
  play(verifierQueued(), [{ type: 'ScriptSlotGranted', at: at(46) }], DRILL_POLICY);

export interface SummaryFields {
  freeze?: string;
  journal?: string;
  isolation?: string;
  reached?: string;
  iris?: string;
  irisSeconds?: number;
  recovery?: string;
  integrity?: string;
  dbs?: string[];
  errors?: number;
  integritySeconds?: number;
  lines?: string[];
  rc?: number;
}

/** The last 4 KiB of vm/drill-verify.sh's stdout, as Azure keeps it: progress lines, the integrity end, the block. */
export function verifierOutput(f: SummaryFields = {}): string {
  const dbs = f.dbs ?? ['ok /usr/irissys/mgr/', 'ok /usr/irissys/mgr/user/'];
  return [
    'No Errors were found.',
    '',
    'IBG-INTEGRITY-END',
    'ibg-drill: stopping IRIS',
    '',
    'IBG-DRILL-BEGIN v=1',
    'instance=IRIS product=IRIS',
    `freeze=${f.freeze ?? 'frozen'} journal=${f.journal ?? '/usr/irissys/mgr/journal/20260310.002'}`,
    `isolation=${f.isolation ?? 'ok'} checked=3 reached=${f.reached ?? '-'}`,
    `iris=${f.iris ?? 'up'} seconds=${f.irisSeconds ?? 14}`,
    `recovery=${f.recovery ?? 'clean'}`,
    `integrity=${f.integrity ?? 'clean'} databases=${dbs.length} errors=${f.errors ?? 0} seconds=${f.integritySeconds ?? 52}`,
    ...dbs.map((d) => `db=${d}`),
    'evidence=/var/tmp/ibg-drill/integrity.log bytes=10240',
    'stop=ok',
    ...(
      f.lines ?? ['03/10/26-01:34:00:000 (42) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended']
    ).map((l) => `line=${l}`),
    `IBG-DRILL-END rc=${f.rc ?? 0}`,
    '',
  ].join('\n');
}

/** The verifier's Run Command read as ended at `minute`. */
export const verifierEnded = (run: Run, minute: number, output: string, exitCode = 0): RunEvent => ({
  type: 'ScriptObserved',
  at: at(minute),
  name: run.script?.name ?? '',
  result: { executionState: 'Succeeded', exitCode, output, error: '' },
});
