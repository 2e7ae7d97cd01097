/**
 * The remediation track, through `decide`: a verdict that may leave IRIS frozen starts the read-only check at once;
 * a frozen IRIS is thawed only with auto-thaw, never during a snapshot, only under the VM's lease, and always
 * checked again; every step is in the run's history; it goes on after the run has ended.
 */
import { decide } from '../../src/shared/runs/decide';
import type { Run } from '../../src/shared/runs/run';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import type { RunPolicy } from '../../src/shared/runs/runPolicy';
import type { RunScriptResult } from '../../src/shared/azure/vmCommandGateway';
import { POLICY, at, inAssessing, recordAlerts } from './runSamples';

const THAW: RunPolicy = { ...POLICY, remediation: { ...POLICY.remediation, autoThaw: true } };

const probe = (wd: { instance: string; rc: number }[], command: 'iris' | 'ccontrol' = 'iris'): RunScriptResult => ({
  executionState: 'Succeeded',
  exitCode: 0,
  output: `IBG_PROBE_V1 ${JSON.stringify({
    v: 1,
    mode: 'frozen',
    iris: {
      present: true,
      command,
      qlist: wd
        .map(
          (w) =>
            `${w.instance}^/usr/irissys^2024.1.0^running, since Mon Mar 10 01:00:00 2026^iris.cpf^1972^52773^0^ok^IRIS^^^/usr/irissys`,
        )
        .join('\n'),
      wd,
    },
  })}\n`,
  error: '',
});
const FROZEN = probe([{ instance: 'IRIS', rc: 5 }]);
const RUNNING = probe([{ instance: 'IRIS', rc: 3 }]);
/** A check whose Run Command ended without running (skipped, refused): no answer. */
const SKIPPED: RunScriptResult = { executionState: 'Failed', output: '', error: '' };
const THAW_OUT: RunScriptResult = {
  executionState: 'Succeeded',
  exitCode: 0,
  output:
    'IBG_THAW_V1 instance=IRIS before=frozen action=thawed after=running\nIBG_THAW_V1 result=thawed instances=1\n',
  error: '',
};

const types = (cs: RunCommand[]): string[] => cs.map((c) => c.type);
const ofType = <T extends RunCommand['type']>(cs: RunCommand[], t: T): Extract<RunCommand, { type: T }>[] =>
  cs.filter((c): c is Extract<RunCommand, { type: T }> => c.type === t);
const alertCodes = (run: Run): string[] => (run.alerts ?? []).map((a) => `${a.kind ?? 'problem'}:${a.code}`);

/** Assessed with logs saying the post-script failed and IRIS stayed frozen: the check starts at once. */
function assessedFrozen(policy: RunPolicy = POLICY): { run: Run; commands: RunCommand[] } {
  const base = inAssessing();
  const withJob: Run = {
    ...base,
    backup: { ...base.backup, jobStatus: 'CompletedWithWarnings', errorDetails: [{ code: 301, recommendations: [] }] },
  };
  const point = { id: 'rp-id', name: 'rp1', time: at(4), type: 'FileSystemConsistent', tiers: ['InstantRP'] };
  const pointed = decide(withJob, { type: 'RecoveryPointObserved', at: at(31), point }, policy).run;
  return decide(pointed, { type: 'LogsCollected', at: at(32), problems: ['no output'] }, policy);
}

/** Feeds one event; the alerts the decision made are recorded (they leave the outbox) after being checked. */
function step(run: Run, event: RunEvent, policy: RunPolicy): { run: Run; commands: RunCommand[]; alerts: string[] } {
  const d = decide(run, event, policy);
  return { run: recordAlerts(d, policy), commands: d.commands, alerts: alertCodes(d.run) };
}

const observed = (run: Run, result: RunScriptResult, minute: number): RunEvent => ({
  type: 'ScriptObserved',
  at: at(minute),
  name: run.remediation?.script?.name ?? '(none)',
  result,
});

describe('remediation: the frozen check', () => {
  it('a verdict that may leave IRIS frozen starts the read-only check at once, in its own slot', () => {
    const d = assessedFrozen();
    expect(d.run.verdict?.irisLeftFrozen).toBe(true);
    const start = ofType(d.commands, 'StartScript');
    expect(start.map((s) => s.purpose)).toContain('frozen-check');
    expect(d.run.remediation).toMatchObject({ step: 'checking', source: 'verdict' });
    expect(d.run.remediation?.script?.startedAt).toBe(at(32));
    expect(d.run.history.some((h) => h.reason?.startsWith('Remediation: checking'))).toBe(true);
  });

  it('not frozen: announces the recovery of the frozen alerts and ends, without any thaw', () => {
    const s0 = assessedFrozen(THAW);
    const s1 = step(recordAlerts(s0, THAW), observed(s0.run, RUNNING, 33), THAW);
    expect(s1.run.remediation).toMatchObject({ step: 'done', outcome: 'not-frozen' });
    expect(s1.alerts).toEqual([
      'recovery:IrisLeftFrozen',
      'recovery:IrisFrozen',
      'recovery:AutoThawFailed',
      'recovery:AutoThawRefused',
    ]);
    expect(ofType(s1.commands, 'StartScript')).toEqual([]);
  });

  it('auto-thaw off: a frozen IRIS is a critical alert with the exact commands, then watched, never thawed', () => {
    const s0 = assessedFrozen(POLICY);
    const s1 = step(recordAlerts(s0, POLICY), observed(s0.run, FROZEN, 33), POLICY);
    expect(s1.alerts).toEqual(['problem:IrisFrozen']);
    const alert = decide(recordAlerts(s0, POLICY), observed(s0.run, FROZEN, 33), POLICY).run.alerts?.[0];
    expect(alert?.severity).toBe('critical');
    expect(alert?.fix).toContain('ExternalThaw');
    expect(alert?.classification).toBe('IrisStillFrozen');
    expect(s1.run.remediation?.step).toBe('watching');
    expect(types(s1.commands)).not.toContain('FindSnapshotInProgress');
    // Ten minutes on, it looks again (read-only); the thaw by hand is announced as a recovery.
    const t = step(s1.run, { type: 'Tick', at: at(44) }, POLICY);
    expect(ofType(t.commands, 'StartScript').map((c) => c.purpose)).toEqual(['frozen-check']);
    const back = step(t.run, observed(t.run, RUNNING, 45), POLICY);
    expect(back.run.remediation).toMatchObject({ step: 'done', outcome: 'thawed-elsewhere' });
    expect(back.alerts).toContain('recovery:IrisFrozen');
    // Nothing in the whole path asked for a thaw.
    expect(
      [...s1.commands, ...t.commands, ...back.commands].some((c) => c.type === 'StartScript' && c.purpose === 'thaw'),
    ).toBe(false);
  });

  it('auto-thaw on: snapshot check, lease, thaw, check again, recovery, lease released; every step in the history', () => {
    const s0 = assessedFrozen(THAW);
    const s1 = step(recordAlerts(s0, THAW), observed(s0.run, FROZEN, 33), THAW);
    expect(types(s1.commands)).toContain('FindSnapshotInProgress');
    expect(s1.run.remediation?.step).toBe('awaiting-thaw');
    const s2 = step(s1.run, { type: 'SnapshotPhaseObserved', at: at(33), inSnapshot: false }, THAW);
    expect(types(s2.commands)).toEqual(['AcquireRemediationLease']);
    const s3 = step(s2.run, { type: 'RemediationLeaseAcquired', at: at(33), until: at(60) }, THAW);
    expect(ofType(s3.commands, 'StartScript').map((c) => c.purpose)).toEqual(['thaw']);
    expect(s3.run.remediation).toMatchObject({ step: 'thawing', leaseUntil: at(60) });
    const s4 = step(s3.run, observed(s3.run, THAW_OUT, 34), THAW);
    expect(ofType(s4.commands, 'StartScript').map((c) => c.purpose)).toEqual(['frozen-check']);
    expect(s4.run.remediation?.thawSummary).toContain('IRIS: frozen → thawed → running');
    const s5 = step(s4.run, observed(s4.run, RUNNING, 35), THAW);
    expect(s5.run.remediation).toMatchObject({ step: 'done', outcome: 'thawed' });
    expect(types(s5.commands)).toContain('ReleaseRemediationLease');
    expect(s5.alerts).toEqual([
      'recovery:IrisLeftFrozen',
      'recovery:IrisFrozen',
      'recovery:AutoThawFailed',
      'recovery:AutoThawRefused',
    ]);
    const notes = s5.run.history.flatMap((h) => (h.reason?.startsWith('Remediation:') ? [h.reason] : []));
    expect(notes).toHaveLength(5);
  });

  it('refuses to thaw while a snapshot of the VM is in progress, and thaws once it is over', () => {
    const s0 = assessedFrozen(THAW);
    const s1 = step(recordAlerts(s0, THAW), observed(s0.run, FROZEN, 33), THAW);
    const busy = step(s1.run, { type: 'SnapshotPhaseObserved', at: at(33), inSnapshot: true, detail: 'job j2' }, THAW);
    expect(types(busy.commands)).toEqual([]);
    expect(busy.run.remediation?.waitingFor).toContain('snapshot phase');
    const tick = step(busy.run, { type: 'Tick', at: at(38) }, THAW);
    expect(types(tick.commands)).toContain('FindSnapshotInProgress');
    const free = step(tick.run, { type: 'SnapshotPhaseObserved', at: at(38), inSnapshot: false }, THAW);
    expect(types(free.commands)).toEqual(['AcquireRemediationLease']);
  });

  it('never two remediations at once: a busy lease defers the thaw; past the wait it is refused with the commands and watched', () => {
    const s0 = assessedFrozen(THAW);
    const s1 = step(recordAlerts(s0, THAW), observed(s0.run, FROZEN, 33), THAW);
    const s2 = step(s1.run, { type: 'SnapshotPhaseObserved', at: at(33), inSnapshot: false }, THAW);
    const busy = step(s2.run, { type: 'RemediationLeaseBusy', at: at(33), holder: 'other-run', until: at(50) }, THAW);
    expect(types(busy.commands)).toEqual([]);
    expect(busy.run.remediation?.waitingFor).toContain('other-run');
    const late = step(busy.run, { type: 'Tick', at: at(33 + 61) }, THAW);
    // Given up: the alert with the commands, then read-only watching so a thaw by hand is announced.
    expect(late.run.remediation?.step).toBe('watching');
    expect(late.alerts).toEqual(['problem:AutoThawRefused']);
    expect(ofType(late.commands, 'StartScript')).toEqual([]);
  });

  it('a thaw that does not work: a critical alert, the lease goes back, and it is watched until thawed by hand', () => {
    const s0 = assessedFrozen(THAW);
    let r = step(recordAlerts(s0, THAW), observed(s0.run, FROZEN, 33), THAW).run;
    r = step(r, { type: 'SnapshotPhaseObserved', at: at(33), inSnapshot: false }, THAW).run;
    r = step(r, { type: 'RemediationLeaseAcquired', at: at(33), until: at(60) }, THAW).run;
    r = step(
      r,
      observed(r, { ...THAW_OUT, exitCode: 1, output: 'IBG_THAW_V1 result=failed instances=1\n' }, 34),
      THAW,
    ).run;
    const end = step(r, observed(r, FROZEN, 35), THAW);
    expect(end.run.remediation?.step).toBe('watching');
    expect(end.run.remediation?.leaseUntil).toBeUndefined();
    expect(end.alerts).toEqual(['problem:AutoThawFailed']);
    expect(types(end.commands)).toContain('ReleaseRemediationLease');
    // Watched read-only from then on; a thaw by hand ends it, and AutoThawFailed is resolved with the rest.
    const tick = step(end.run, { type: 'Tick', at: at(46) }, THAW);
    expect(ofType(tick.commands, 'StartScript').map((c) => c.purpose)).toEqual(['frozen-check']);
    const back = step(tick.run, observed(tick.run, RUNNING, 47), THAW);
    expect(back.run.remediation).toMatchObject({ step: 'done', outcome: 'thawed-elsewhere' });
    expect(back.alerts).toContain('recovery:AutoThawFailed');
  });

  it('goes on after the run has ended, and a second request while it runs joins it', () => {
    const s0 = assessedFrozen(THAW);
    // The backup itself is over (done or failed); the check is not.
    expect(['done', 'failed', 'transfer-running']).toContain(s0.run.stage);
    const ended: Run = { ...recordAlerts(s0, THAW), stage: 'failed' };
    const again = step(
      ended,
      { type: 'FrozenCheckRequested', at: at(33), reason: 'a Monitor alert', source: 'monitor-alert' },
      THAW,
    );
    expect(again.run).toBe(ended);
    const tick = step(ended, { type: 'Tick', at: at(34) }, THAW);
    expect(ofType(tick.commands, 'ReadScript')).toHaveLength(1);
    const seen = step(ended, observed(ended, RUNNING, 34), THAW);
    expect(seen.run.remediation?.outcome).toBe('not-frozen');
  });

  it('a check that gives no answer is an alert saying how to check by hand, never a guess', () => {
    const s0 = assessedFrozen(THAW);
    const garbled: RunScriptResult = {
      executionState: 'Succeeded',
      exitCode: 0,
      output: 'IBG_PROBE_V1 {"v":1,"mo',
      error: '',
    };
    const d = step(recordAlerts(s0, THAW), observed(s0.run, garbled, 33), THAW);
    expect(d.run.remediation).toMatchObject({ step: 'watching' });
    expect(d.alerts).toEqual(['problem:IrisFreezeCheckFailed']);
    expect(ofType(d.commands, 'StartScript')).toEqual([]);
  });

  it('after checks that gave no answer, the first that finds IRIS frozen leads to the thaw (auto-thaw on)', () => {
    const s0 = assessedFrozen(THAW);
    let r = step(recordAlerts(s0, THAW), observed(s0.run, SKIPPED, 33), THAW).run;
    expect(r.remediation?.step).toBe('watching');
    // Ten minutes on it checks again; this one gives no answer either, and it goes on.
    let t = step(r, { type: 'Tick', at: at(44) }, THAW);
    expect(ofType(t.commands, 'StartScript').map((c) => c.purpose)).toEqual(['frozen-check']);
    r = step(t.run, observed(t.run, SKIPPED, 45), THAW).run;
    expect(r.remediation?.step).toBe('watching');
    t = step(r, { type: 'Tick', at: at(56) }, THAW);
    const found = step(t.run, observed(t.run, FROZEN, 57), THAW);
    expect(found.alerts).toEqual(['problem:IrisFrozen']);
    expect(found.run.remediation?.step).toBe('awaiting-thaw');
    expect(types(found.commands)).toContain('FindSnapshotInProgress');
  });

  it('after checks that gave no answer, IRIS found running ends it as not frozen; none answering for 6 h gives up', () => {
    const s0 = assessedFrozen(THAW);
    const r = step(recordAlerts(s0, THAW), observed(s0.run, SKIPPED, 33), THAW).run;
    const t = step(r, { type: 'Tick', at: at(44) }, THAW);
    const running = step(t.run, observed(t.run, RUNNING, 45), THAW);
    expect(running.run.remediation).toMatchObject({ step: 'done', outcome: 'not-frozen' });
    const late = step(r, { type: 'Tick', at: at(32 + 6 * 60 + 1) }, THAW);
    expect(late.run.remediation).toMatchObject({ step: 'done', outcome: 'check-failed' });
    expect(late.alerts).toEqual([]);
  });

  it('auto-thaw off: after checks that gave no answer, IRIS found frozen is watched, never thawed', () => {
    const s0 = assessedFrozen(POLICY);
    const r = step(recordAlerts(s0, POLICY), observed(s0.run, SKIPPED, 33), POLICY).run;
    const t = step(r, { type: 'Tick', at: at(44) }, POLICY);
    const found = step(t.run, observed(t.run, FROZEN, 45), POLICY);
    expect(found.run.remediation?.step).toBe('watching');
    expect(types(found.commands)).not.toContain('FindSnapshotInProgress');
  });

  it("gives Caché's own commands for a frozen Caché instance (csession, ccontrol stat -W), never iris's", () => {
    const s0 = assessedFrozen(POLICY);
    const cache = probe([{ instance: 'CACHE', rc: 5 }], 'ccontrol');
    const d = decide(recordAlerts(s0, POLICY), observed(s0.run, cache, 33), POLICY);
    const fix = d.run.alerts?.find((a) => a.code === 'IrisFrozen')?.fix ?? '';
    expect(fix).toContain('csession CACHE -U%SYS "##Class(Backup.General).ExternalThaw()"');
    expect(fix).toContain('ccontrol stat CACHE -W');
    expect(fix).not.toContain('iris session');
    expect(d.run.remediation?.product).toBe('cache');
  });
});
