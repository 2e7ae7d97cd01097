import fc from 'fast-check';
import { decideNotify, dedupKey } from '../../src/shared/alerts/alertDedup';
import type { AlertState } from '../../src/shared/alerts/alertRecord';
import { frozenAlert, VM_ID } from './alertFixtures';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-03T01:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);
const problem = frozenAlert();
const recovery = frozenAlert({ kind: 'recovery', message: 'IRIS is thawed and accepting writes' });

describe('dedupKey', () => {
  it('is the scope kind, the lower-cased VM id and the code: the same problem across runs of one VM', () => {
    expect(dedupKey(problem)).toBe(`run:${VM_ID.toLowerCase()}|IrisStillFrozen`);
    const otherRun = frozenAlert({
      scope: { kind: 'run', runId: '2026-12-04/iris-prod-04', vmId: VM_ID.toUpperCase() },
    });
    expect(dedupKey(otherRun)).toBe(dedupKey(problem));
  });

  it('tells vaults and subscriptions apart from VMs', () => {
    expect(
      dedupKey({ code: 'VaultAccessDenied', scope: { kind: 'vault', vaultId: '/Subscriptions/X/Vaults/V' } }),
    ).toBe('vault:/subscriptions/x/vaults/v|VaultAccessDenied');
    expect(dedupKey({ code: 'X', scope: { kind: 'subscription', subscriptionId: 'ABC' } })).toBe('subscription:abc|X');
  });
});

describe('decideNotify', () => {
  it('tells a new problem, holds repeats inside the interval, and tells it again after it with the count', () => {
    const first = decideNotify(undefined, problem, at(0), 6 * HOUR);
    expect(first.notify).toBe(true);
    const second = decideNotify(first.state, problem, at(HOUR), 6 * HOUR);
    const third = decideNotify(second.state, problem, at(2 * HOUR), 6 * HOUR);
    expect([second.notify, third.notify]).toEqual([false, false]);
    expect(third.state.suppressedSince).toBe(2);
    const later = decideNotify(third.state, problem, at(6 * HOUR), 6 * HOUR);
    expect(later).toMatchObject({ notify: true, repeats: 2 });
    expect(later.state.suppressedSince).toBeUndefined();
    expect(later.state.firstAt).toBe(at(0).toISOString());
  });

  it('announces a recovery once, only for a problem that was announced, and closes the state', () => {
    const open = decideNotify(undefined, problem, at(0), HOUR).state;
    const recovered = decideNotify(open, recovery, at(10_000), HOUR);
    expect(recovered.notify).toBe(true);
    expect(recovered.state.open).toBe(false);
    expect(decideNotify(recovered.state, recovery, at(20_000), HOUR).notify).toBe(false);
  });

  it('sends nothing for a recovery of a problem never announced', () => {
    expect(decideNotify(undefined, recovery, at(0), HOUR).notify).toBe(false);
    const neverTold: AlertState = {
      dedupKey: dedupKey(problem),
      open: true,
      firstAt: at(0).toISOString(),
      lastAt: at(0).toISOString(),
    };
    expect(decideNotify(neverTold, recovery, at(1), HOUR).notify).toBe(false);
  });

  it('tells a problem that comes back after its recovery at once', () => {
    const open = decideNotify(undefined, problem, at(0), 6 * HOUR).state;
    const closed = decideNotify(open, recovery, at(1000), 6 * HOUR).state;
    expect(decideNotify(closed, problem, at(2000), 6 * HOUR).notify).toBe(true);
  });

  it('never tells one open problem twice inside the interval (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 10_080 }).map((m) => m * 60_000),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 12 * HOUR }), recover: fc.boolean() }), { maxLength: 60 }),
        (renotifyMs, steps) => {
          let state: AlertState | undefined;
          let now = 0;
          let lastProblemNotice: number | undefined;
          let open = false;
          let lastNoticeWasProblem = false;
          for (const step of steps) {
            now += step.gap;
            const alert = step.recover ? recovery : problem;
            const d = decideNotify(state, alert, at(now), renotifyMs);
            if (!step.recover && d.notify) {
              // A problem already told and not recovered since may only be told again after the interval.
              if (open && lastProblemNotice !== undefined)
                expect(now - lastProblemNotice).toBeGreaterThanOrEqual(renotifyMs);
              lastProblemNotice = now;
              lastNoticeWasProblem = true;
            }
            if (step.recover && d.notify) {
              // A recovery is told only right after an announced, still open problem.
              expect(open && lastNoticeWasProblem).toBe(true);
              lastNoticeWasProblem = false;
            }
            open = !step.recover;
            state = d.state;
          }
        },
      ),
    );
  });
});
