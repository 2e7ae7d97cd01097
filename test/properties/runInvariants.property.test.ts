/**
 * The DESIGN.md invariants that hold within one run, over random event sequences through the whole life of a run.
 * What test/runs already covers is not repeated: decide.test.ts checks each sample state × event once and every
 * path of four events (breadth-first); decideDrill.test.ts has random sequences that start at restore-running. This
 * file plays long random sequences from every sample state, nightly and drill policy alike, and checks across the
 * whole sequence: the backup asked at most twice (its first request time written once), the restore asked at most
 * twice (its request time written once), script commands only to the run's VM or its drill VM (the verifier only to
 * the drill VM), terminal stages kept, and ticks past every limit ending the run (invariants 3, 5 and 6).
 */
import fc from 'fast-check';
import { decide } from '../../src/shared/runs/decide';
import { isTerminalStage, type Run } from '../../src/shared/runs/run';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import type { RunPolicy } from '../../src/shared/runs/runPolicy';
import {
  CLAIMED,
  queued,
  restoreJob,
  restoring,
  RESTORE_JOB,
  verifierEnded,
  verifierOutput,
  verifierQueued,
} from '../runs/drillSamples';
import { at, DRILL_POLICY, job, POLICY, SAMPLE_RUNS, sampleEvents, TARGET } from '../runs/runSamples';

const MIN = 60_000;

/** The nightly vocabulary (runSamples) and the drill's, at time `t`, for the run as it stands. */
const eventsAt = (t: string, run: Run): RunEvent[] => [
  ...sampleEvents(t),
  { type: 'DrillSlotGranted', at: t },
  { type: 'RestoreTriggered', at: t, operationId: 'op-r' },
  { type: 'RestoreTriggerFailed', at: t, reason: 'HTTP 500' },
  { type: 'RestoreTriggerFailed', at: t, reason: 'refused', refusedBy: 'azure' },
  { type: 'OperationObserved', at: t, status: 'InProgress', jobId: RESTORE_JOB },
  { type: 'RestoreJobObserved', at: t, job: restoreJob('InProgress') },
  { type: 'RestoreJobObserved', at: t, job: restoreJob('Completed') },
  { type: 'RestoreJobObserved', at: t, job: restoreJob('Failed') },
  { type: 'NoRestoreJobSinceRequest', at: t, since: run.drill?.restoreRequestedAt ?? t },
  { type: 'DrillResourcesClaimed', at: t, resourceIds: [run.drill?.vmId ?? '', ...CLAIMED] },
  { type: 'DrillVmObserved', at: t, exists: true, powerState: 'running', agentReady: true },
  { ...verifierEnded(run, 0, verifierOutput()), at: t },
  { type: 'EvidenceUnavailable', at: t, reason: 'gone' },
  { type: 'DrillRecorded', at: t },
  { type: 'DrillCleanupFailed', at: t, reason: '409', remaining: CLAIMED },
  { type: 'DrillResourcesDeleted', at: t, deleted: CLAIMED },
  { type: 'JobObserved', at: t, job: job('Completed') },
  { type: 'CommandFailed', at: t, command: 'ReadDrillVm', reason: 'throttled' },
];
const EVENT_COUNT = eventsAt(at(0), queued()).length;

const STARTS: [string, () => Run][] = [
  ...SAMPLE_RUNS,
  ['drill queued', queued],
  ['drill restoring', restoring],
  ['drill verifier queued', verifierQueued],
];

const scenario = fc.record({
  start: fc.constantFrom(...STARTS),
  policy: fc.constantFrom<[string, RunPolicy]>(['nightly', POLICY], ['drill', DRILL_POLICY]),
  // Event index and minutes since the previous event: mostly minutes, so a run gets far; sometimes up to 3 hours, so
  // grace periods and limits pass.
  steps: fc.array(
    fc.tuple(
      fc.nat(EVENT_COUNT - 1),
      fc.oneof({ weight: 4, arbitrary: fc.nat(15) }, { weight: 1, arbitrary: fc.nat(180) }),
    ),
    { minLength: 1, maxLength: 60 },
  ),
});

const index = (type: RunEvent['type']): number => eventsAt(at(0), queued()).findIndex((e) => e.type === type);
const startNamed = (name: string): [string, () => Run] => {
  const found = STARTS.find(([n]) => n === name);
  if (!found) throw new Error(`no start ${name}`);
  return found;
};
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;
/** Sequences that surely ask for a backup, a restore and the verifier, besides the random ones. */
const EXAMPLES: [Scenario][] = [
  [{ start: startNamed('triggering'), policy: ['nightly', POLICY], steps: [[index('NoInProgressJob'), 1]] }],
  [{ start: startNamed('drill queued'), policy: ['drill', DRILL_POLICY], steps: [[index('DrillSlotGranted'), 1]] }],
  [
    {
      start: startNamed('drill verifier queued'),
      policy: ['drill', DRILL_POLICY],
      steps: [[index('ScriptSlotGranted'), 1]],
    },
  ],
];

/** What the sequences made the machine do, so the properties are known to have met the cases they check. */
const seen = { backupAsks: 0, restoreAsks: 0, verifierStarts: 0 };

/** Plays the steps, checking every decision against the run before it; returns the last run and the clock. */
function playChecked(run0: Run, policy: RunPolicy, steps: readonly [number, number][]): { run: Run; t: number } {
  let run = run0;
  let t = Math.max(Date.parse(at(40)), Date.parse(run.stageStartedAt ?? at(40)));
  let backupAsks = (run.backup.triggerRequestedAt ? 1 : 0) + (run.backup.retriggeredAt ? 1 : 0);
  let restoreAsks = run.drill?.restoreRequestedAt === undefined ? 0 : 1;
  for (const [k, gap] of steps) {
    t += gap * MIN;
    const event = eventsAt(new Date(t).toISOString(), run)[k] as RunEvent;
    const d = decide(run, event, policy);
    const next = d.run;

    // Invariant 5: one request, a second only on proof that the first left no job, the first time kept.
    const triggers = d.commands.filter((c) => c.type === 'TriggerBackup').length;
    expect(triggers).toBeLessThanOrEqual(1);
    backupAsks += triggers;
    expect(backupAsks).toBeLessThanOrEqual(2);
    if (triggers === 1 && run.backup.triggerRequestedAt !== undefined) {
      expect(event.type).toBe('NoJobSinceRequest');
      expect(next.backup.retriggeredAt).toBe(event.at);
    }
    if (run.backup.triggerRequestedAt !== undefined)
      expect(next.backup.triggerRequestedAt).toBe(run.backup.triggerRequestedAt);
    if (run.backup.retriggeredAt !== undefined) expect(next.backup.retriggeredAt).toBe(run.backup.retriggeredAt);

    // One restore per run (plus one re-request), its first request time kept.
    restoreAsks += d.commands.filter((c) => c.type === 'TriggerRestore').length;
    expect(restoreAsks).toBeLessThanOrEqual(2);
    if (run.drill?.restoreRequestedAt !== undefined)
      expect(next.drill?.restoreRequestedAt).toBe(run.drill.restoreRequestedAt);

    // Invariant 3: scripts go to the run's VM or its drill VM, and the verifier only to the drill VM.
    for (const c of d.commands) {
      expect(c.runId).toBe(run.id);
      if (c.type !== 'StartScript' && c.type !== 'ReadScript' && c.type !== 'DeleteScript') continue;
      const drillVm = next.drill?.vmId ?? run.drill?.vmId;
      expect([TARGET.vmId, drillVm]).toContain(c.vmId);
      if (c.type === 'StartScript' && c.purpose === 'verify') expect(c.vmId).toBe(drillVm);
      if (c.type === 'StartScript' && c.purpose !== 'verify') expect(c.vmId).toBe(TARGET.vmId);
    }

    // Terminal stages are terminal: same stage, same end, nothing asked of Azure again.
    if (isTerminalStage(run.stage)) {
      expect(next.stage).toBe(run.stage);
      expect(next.finishedAt).toBe(run.finishedAt);
      expect(d.commands.filter((c) => c.type === 'TriggerBackup' || c.type === 'TriggerRestore')).toEqual([]);
    } else if (isTerminalStage(next.stage)) {
      expect(next.finishedAt).toBe(event.at);
    }
    seen.backupAsks += triggers;
    seen.restoreAsks += d.commands.filter((c) => c.type === 'TriggerRestore').length;
    seen.verifierStarts += d.commands.filter((c) => c.type === 'StartScript' && c.purpose === 'verify').length;
    run = next;
  }
  return { run, t };
}

describe('run invariants over random event sequences (property)', () => {
  it('backup and restore asked at most twice, scripts only to the run’s VMs, terminal stages kept', () => {
    fc.assert(
      fc.property(scenario, ({ start: [, make], policy: [, policy], steps }) => {
        playChecked(make(), policy, steps);
      }),
      { numRuns: 200, examples: EXAMPLES },
    );
    expect(seen.backupAsks).toBeGreaterThan(0);
    expect(seen.restoreAsks).toBeGreaterThan(0);
    expect(seen.verifierStarts).toBeGreaterThan(0);
  });

  it('then ticks past every limit: a terminal stage (invariant 6)', () => {
    fc.assert(
      fc.property(scenario, ({ start: [, make], policy: [, policy], steps }) => {
        let { run, t } = playChecked(make(), policy, steps);
        const step = Math.max(...Object.values(policy.stageLimitsMs)) + policy.retryAfterMs + MIN;
        // Each tick can end at most one stage; a run has fewer than 12 active stages on any path.
        for (let i = 0; i < 12 && !isTerminalStage(run.stage); i += 1) {
          t += step;
          run = decide(run, { type: 'Tick', at: new Date(t).toISOString() }, policy).run;
        }
        expect(isTerminalStage(run.stage)).toBe(true);
        expect(run.finishedAt).toBeDefined();
      }),
      { numRuns: 80 },
    );
  });
});
