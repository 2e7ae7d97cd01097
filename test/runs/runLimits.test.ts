/**
 * What a run keeps is capped, so every run can be written and can therefore end (DESIGN.md safety invariant 6):
 * whatever Azure or a VM sends, a run's JSON stays under RUN_MAX_JSON_CHARS, far inside what the store can write,
 * and capping changes no decision of the state machine.
 */
import fc from 'fast-check';
import type { JobErrorDetail } from '../../src/shared/azure/backupGateway';
import { decide } from '../../src/shared/runs/decide';
import type { CompactFinding, Run, StageTransition } from '../../src/shared/runs/run';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import {
  boundRun,
  capHistory,
  capRun,
  capText,
  ID_CHARS,
  RUN_LIMITS,
  RUN_MAX_JSON_CHARS,
  runJsonChars,
  TIGHT_RUN_LIMITS,
} from '../../src/shared/runs/runLimits';
import { CHUNK_CHARS, MAX_CHUNKS, splitIntoChunks } from '../../src/shared/store/recordChunks';
import { at, fresh, play, POLICY, SAMPLE_RUNS, worstCaseRun } from './runSamples';

/** Text from outside: mostly short, sometimes hundreds of thousands of characters (any code points). */
const text = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }), fc.integer({ min: 1, max: 20_000 }))
        .map(([s, n]) => s.repeat(n)),
    },
  );
const texts = (maxLength: number): fc.Arbitrary<string[]> => fc.array(text(), { maxLength });

const finding: fc.Arbitrary<CompactFinding> = fc.record({
  code: text(),
  severity: fc.constantFrom('critical', 'error', 'warning', 'info'),
  impact: fc.constantFrom('no-snapshot', 'iris-left-frozen', 'file-system-consistent', 'none'),
}) as fc.Arbitrary<CompactFinding>;

const errorDetail: fc.Arbitrary<JobErrorDetail> = fc.record({
  code: fc.integer({ min: 0, max: 500_000 }),
  title: text(),
  message: text(),
  recommendations: texts(40),
});

const status = fc.constantFrom('InProgress', 'Completed', 'CompletedWithWarnings', 'Failed', 'Cancelled');

/** Any event, with `at` filled in by position (time only moves forward). */
const event: fc.Arbitrary<(at: string) => RunEvent> = fc.oneof(
  fc
    .array(finding, { maxLength: 120 })
    .map((findings) => (t: string) => ({ type: 'PreflightCompleted', at: t, findings })),
  text().map((reason) => (t: string) => ({ type: 'PreflightFailed', at: t, reason })),
  fc.constant((t: string) => ({ type: 'NoInProgressJob', at: t })),
  fc.constant((t: string) => ({ type: 'InProgressJobFound', at: t, jobId: 'job-1' })),
  fc.constant((t: string) => ({ type: 'BackupTriggered', at: t, operationId: 'op-1' })),
  text().map((reason) => (t: string) => ({ type: 'BackupTriggerFailed', at: t, reason })),
  fc
    .tuple(fc.constantFrom('InProgress', 'Succeeded', 'Failed'), text())
    .map(([s, error]) => (t: string) => ({ type: 'OperationObserved', at: t, status: s, error })),
  fc.tuple(status, fc.array(errorDetail, { maxLength: 60 })).map(([s, errorDetails]) => (t: string) => ({
    type: 'JobObserved',
    at: t,
    job: {
      jobId: 'job-1',
      vaultId: 'v',
      entityName: 'iris-1',
      operation: 'Backup',
      status: s,
      startTime: at(1),
      errorDetails,
    },
  })),
  fc.boolean().map(
    (none) => (t: string) =>
      ({
        type: 'RecoveryPointObserved',
        at: t,
        point: none ? null : { id: 'rp-id', name: 'rp1', time: at(2), type: 'AppConsistent' },
      }) as RunEvent,
  ),
  texts(200).map((problems) => (t: string) => ({ type: 'LogsCollected', at: t, problems })),
  fc
    .tuple(fc.constantFrom('StartScript', 'FindRecoveryPoint', 'ReadScript'), text())
    .map(([command, reason]) => (t: string) => ({ type: 'CommandFailed', at: t, command, reason })),
  fc.integer({ min: 0, max: 3 }).map(() => (t: string) => ({ type: 'Tick', at: t })),
) as fc.Arbitrary<(at: string) => RunEvent>;

const events = fc.array(event, { maxLength: 25 }).map((fs) => fs.map((f, i) => f(at(i))));

const transition = (i: number, reason?: string): StageTransition =>
  reason === undefined
    ? { from: 'triggering', to: 'backup-running', at: at(i) }
    : { from: 'triggering', to: 'backup-running', at: at(i), reason };

/** A run of any shape the store could hold, with outside text and lists of any size in every place they occur. */
const anyRun: fc.Arbitrary<Run> = fc
  .record({
    base: fc.constantFrom(...SAMPLE_RUNS.map(([, make]) => make)),
    target: fc.record({
      vmId: text(),
      vmName: text(),
      vaultId: text(),
      containerName: text(),
      protectedItemName: text(),
    }),
    history: fc.array(fc.option(text(), { nil: undefined }), { maxLength: 3_000 }),
    reason: text(),
    findings: fc.array(finding, { maxLength: 300 }),
    blocking: texts(300),
    preflightError: text(),
    ids: fc.record({ operationId: text(), jobId: text(), jobStatus: text(), jobStartTime: text() }),
    errorDetails: fc.array(errorDetail, { maxLength: 100 }),
    point: fc.record({ id: text(), name: text(), time: text(), type: text() }),
    reasons: texts(300),
    missing: texts(300),
    troubleshootingName: text(),
  })
  .map((r) => ({
    ...r.base(),
    target: r.target,
    history: r.history.map((reason, i) => transition(i, reason)),
    reason: r.reason,
    preflight: { findings: r.findings, blocking: r.blocking, error: r.preflightError },
    backup: { ...r.ids, errorDetails: r.errorDetails },
    recoveryPoint: r.point,
    verdict: {
      consistency: 'unknown',
      reasons: r.reasons,
      missing: r.missing,
      troubleshootingName: r.troubleshootingName,
      irisLeftFrozen: false,
    },
  }));

const storable = (run: Run): boolean => splitIntoChunks(JSON.stringify(run)) !== undefined;

const run0 = (n: number): Run => ({
  ...fresh(),
  verdict: {
    consistency: 'unknown',
    reasons: Array.from({ length: n }, (_, i) => `r${i}`),
    missing: [],
    irisLeftFrozen: false,
  },
});

describe('runLimits', () => {
  it('capText cuts with an ellipsis, never inside a surrogate pair', () => {
    expect(capText('abcdef', 4)).toBe('abc…');
    expect(capText('abcd', 4)).toBe('abcd');
    expect(capText('ab😀cd', 4)).toBe('ab…');
  });

  it('capHistory keeps the first and last transitions and counts the dropped ones, across calls', () => {
    const limits = { ...RUN_LIMITS, historyHead: 2, historyTail: 3 };
    const first = capHistory(
      Array.from({ length: 10 }, (_, i) => transition(i)),
      0,
      limits,
    );
    expect([first.history.map((t) => t.at), first.dropped]).toEqual([[at(0), at(1), at(7), at(8), at(9)], 5]);
    const again = capHistory([...first.history, transition(10)], first.dropped, limits);
    expect([again.history.map((t) => t.at), again.dropped]).toEqual([[at(0), at(1), at(8), at(9), at(10)], 6]);
  });

  it('a list that is cut says how many items went', () => {
    const run = capRun(
      {
        ...fresh(),
        verdict: {
          consistency: 'unknown',
          reasons: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
          missing: [],
          irisLeftFrozen: false,
        },
      },
      TIGHT_RUN_LIMITS,
    );
    expect(run.verdict?.reasons).toEqual(['a', 'b', 'c', 'd', '… 3 more']);
    // A second, tighter cut counts the items the first one dropped.
    const twice = capRun(capRun(run0(40), RUN_LIMITS), TIGHT_RUN_LIMITS);
    expect(twice.verdict?.reasons).toEqual(['r0', 'r1', 'r2', 'r3', '… 36 more']);
  });

  it('the worst case: every text and list at any size, all control characters, stays under the bound', () => {
    const run = worstCaseRun();
    const bounded = boundRun(run);
    expect(runJsonChars(bounded)).toBeLessThanOrEqual(RUN_MAX_JSON_CHARS);
    expect(runJsonChars(bounded)).toBeGreaterThan(RUN_MAX_JSON_CHARS / 2);
  });

  it('the store could not write an uncapped run of this size, and bounds it', () => {
    const huge: Run = { ...fresh(), history: Array.from({ length: 5_000 }, (_, i) => transition(i, 'x'.repeat(200))) };
    expect(storable(huge)).toBe(false);
    const bounded = boundRun(huge);
    expect(runJsonChars(bounded)).toBeLessThanOrEqual(RUN_MAX_JSON_CHARS);
    expect(bounded.historyDropped).toBe(5_000 - RUN_LIMITS.historyHead - RUN_LIMITS.historyTail);
  });

  it('RUN_MAX_JSON_CHARS leaves the store room', () =>
    expect(RUN_MAX_JSON_CHARS * 2).toBeLessThan(MAX_CHUNKS * CHUNK_CHARS));

  it('any run, bounded, is under RUN_MAX_JSON_CHARS and storable; bounding twice changes nothing', () => {
    fc.assert(
      fc.property(anyRun, (run) => {
        const bounded = boundRun(run);
        expect(runJsonChars(bounded)).toBeLessThanOrEqual(RUN_MAX_JSON_CHARS);
        expect(storable(bounded)).toBe(true);
        expect(boundRun(bounded)).toEqual(bounded);
        expect(bounded.stage).toBe(run.stage);
      }),
      { numRuns: 60 },
    );
  });

  it('whatever events a run is fed, every run decide returns stays bounded', () => {
    fc.assert(
      fc.property(events, (evs) => {
        let run = fresh();
        for (const e of evs) {
          run = decide(run, e, POLICY).run;
          expect(runJsonChars(run)).toBeLessThanOrEqual(RUN_MAX_JSON_CHARS);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('capping changes no decision: same stage and the same commands, whatever the event', () => {
    // Outside text in every place decide does not read; identifiers and times stay as decide wrote them.
    const inflate = (run: Run): Run => ({
      ...run,
      reason: 'r'.repeat(300_000),
      history: [...run.history, ...Array.from({ length: 2_000 }, (_, i) => transition(i, 'h'.repeat(100)))],
      ...(run.preflight ? { preflight: { ...run.preflight, error: 'e'.repeat(100_000) } } : {}),
    });
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLE_RUNS), event, fc.integer({ min: 0, max: 600 }), ([, make], e, minute) => {
        const big = inflate(make());
        const ev = e(at(minute));
        const full = decide(big, ev, POLICY);
        const capped = decide(capRun(big, TIGHT_RUN_LIMITS), ev, POLICY);
        const shape = (d: typeof full) => ({
          stage: d.run.stage,
          backup: { ...d.run.backup, errorDetails: undefined, errorDetailsDropped: undefined },
          pendingSince: d.run.pendingSince,
          commands: d.commands.map((c) => (c.type === 'Alert' ? { type: c.type, code: c.code } : c)),
        });
        expect(shape(capped)).toEqual(shape(full));
      }),
      { numRuns: 300 },
    );
  });

  it('identifiers and times are only cut far beyond any real one', () => {
    const run = play(fresh(), [{ type: 'PreflightCompleted', at: at(1), findings: [] }]);
    expect(capRun(run, TIGHT_RUN_LIMITS).target).toEqual(run.target);
    expect(ID_CHARS).toBeGreaterThan(run.target.vmId.length * 4);
  });
});
