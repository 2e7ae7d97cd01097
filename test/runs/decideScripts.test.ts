/**
 * Scripts on the VM as asynchronous Run Commands (phases/vmScript.ts): queued, started in a slot, read once per
 * tick, deleted when done, and every way one can end without a result (Azure's time-out, skipped for parallelism,
 * gone from the VM, a stopped VM, still running past its limit).
 */
import type { RunScriptResult } from '../../src/shared/azure/vmCommandGateway';
import { PROBE_MARKER } from '../../src/shared/checks/probeFacts';
import { decide } from '../../src/shared/runs/decide';
import { MAX_DELETE_FAILURES, SCRIPT_OVERRUN_MS } from '../../src/shared/runs/phases/vmScript';
import type { Run } from '../../src/shared/runs/run';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import { grantScriptSlots } from '../../src/shared/runs/scriptSlots';
import { factsWith, healthyFacts } from '../checks/support/probeFactsBuilder';
import { POLICY, SUB, TARGET, at, fresh, inAssessing, play, withPoint } from './runSamples';

const types = (cs: RunCommand[]): string[] => cs.map((c) => c.type);
const alertCodes = (cs: RunCommand[]): string[] => cs.flatMap((c) => (c.type === 'Alert' ? [c.code] : []));
const probeOutput = (facts: unknown = healthyFacts()): string => `noise\n${PROBE_MARKER} ${JSON.stringify(facts)}\n`;
const ended = (over: Partial<RunScriptResult> = {}): RunScriptResult => ({
  executionState: 'Succeeded',
  exitCode: 0,
  output: probeOutput(),
  error: '',
  ...over,
});

/** A fresh run whose preflight script was granted a slot (and so started) at minute 1. */
const started = (): Run => play(fresh(), [{ type: 'ScriptSlotGranted', at: at(1) }]);
const nameOf = (run: Run): string => run.script?.name ?? '';
const observe = (run: Run, minute: number, result?: RunScriptResult): RunEvent => ({
  type: 'ScriptObserved',
  at: at(minute),
  name: nameOf(run),
  ...(result === undefined ? {} : { result }),
});

describe('scripts: start and read', () => {
  it('a new run queues its probe; a slot starts it under the name written before the PUT', () => {
    const run = fresh();
    expect(run.script).toEqual(expect.objectContaining({ purpose: 'preflight', attempt: 1 }));
    expect(run.script?.name).toMatch(/^ibg-preflight-2026-03-10-[0-9a-z]+-1$/);
    expect(decide(run, { type: 'Tick', at: at(1) }, POLICY).commands).toEqual([]);

    const d = decide(run, { type: 'ScriptSlotGranted', at: at(1) }, POLICY);
    expect(d.commands).toEqual([
      expect.objectContaining({ type: 'StartScript', name: nameOf(run), purpose: 'preflight' }),
    ]);
    expect(d.run.script?.startedAt).toBe(at(1));
    // A second grant (two ticks racing) does not start it twice.
    expect(decide(d.run, { type: 'ScriptSlotGranted', at: at(2) }, POLICY).commands).toEqual([]);
  });

  it('each tick reads a started script once, and a script still running changes nothing', () => {
    const run = started();
    const tick = decide(run, { type: 'Tick', at: at(6) }, POLICY);
    expect(tick.commands).toEqual([expect.objectContaining({ type: 'ReadScript', name: nameOf(run) })]);
    expect(tick.run).toBe(run);
    const running = decide(run, observe(run, 6, ended({ executionState: 'Running', exitCode: undefined })), POLICY);
    expect(running.run).toBe(run);
    expect(running.commands).toEqual([]);
  });

  it('a result with probe output completes the preflight, deletes the Run Command and looks for a job', () => {
    const run = started();
    const d = decide(
      run,
      observe(
        run,
        6,
        ended({
          output: probeOutput(factsWith((f) => (f.config = { path: f.config.path, exists: false, isFile: false }))),
        }),
      ),
      POLICY,
    );
    expect(d.run.stage).toBe('triggering');
    expect(d.run.script).toBeUndefined();
    expect(d.run.preflight?.findings.map((f) => f.code)).toContain('PluginConfigNotFound');
    expect(d.run.scriptsToDelete).toEqual([{ name: nameOf(run), failures: 0 }]);
    expect(types(d.commands)).toEqual(['DeleteScript', 'FindInProgressJob']);
  });

  it('an observation of another (older) Run Command is ignored', () => {
    const run = started();
    const d = decide(run, { type: 'ScriptObserved', at: at(6), name: 'ibg-preflight-old-1', result: ended() }, POLICY);
    expect(d.run).toBe(run);
  });

  it('the logs script is queued with its start time, starts in a slot, and its output gives the verdict', () => {
    const queued = decide(inAssessing(), { type: 'RecoveryPointObserved', at: at(31), point: null }, POLICY).run;
    expect(queued.script).toEqual(expect.objectContaining({ purpose: 'logs', since: at(3 - 10) }));
    const granted = decide(queued, { type: 'ScriptSlotGranted', at: at(35) }, POLICY);
    expect(granted.commands).toEqual([
      expect.objectContaining({ type: 'StartScript', purpose: 'logs', since: at(3 - 10) }),
    ]);
    const d = decide(granted.run, observe(granted.run, 40, ended({ output: 'no probe line' })), POLICY);
    expect(d.run.stage).toBe('done');
    expect(d.run.verdict?.consistency).toBe('unknown');
    expect(types(d.commands)).toEqual(['Alert', 'DeleteScript']);
  });
});

describe('scripts: ending without a result', () => {
  const preflightUnavailable = (d: { run: Run; commands: RunCommand[] }, reason: RegExp): void => {
    expect(d.run.stage).toBe('triggering');
    expect(d.run.preflight?.error).toMatch(reason);
    expect(alertCodes(d.commands)).toEqual(['PreflightUnavailable']);
  };

  it("Azure's time-out (Failed, exit -1, read back as TimedOut) ends the preflight; the backup goes ahead", () => {
    const run = started();
    const d = decide(
      run,
      observe(run, 6, ended({ executionState: 'TimedOut', exitCode: undefined, output: '' })),
      POLICY,
    );
    preflightUnavailable(d, /did not finish within its time-out/);
    expect(types(d.commands)).toContain('DeleteScript');
  });

  it('a script that exits non-zero without a probe line reports its exit code', () => {
    const run = started();
    const d = decide(run, observe(run, 6, ended({ executionState: 'Failed', exitCode: 3, output: '' })), POLICY);
    preflightUnavailable(d, /Run Command ended Failed \(exit 3\)/);
  });

  it('skipped for parallelism: deleted and started again under a new name, up to the attempts allowed', () => {
    let run = started();
    const names: string[] = [];
    for (let attempt = 1; attempt < POLICY.scriptAttempts; attempt += 1) {
      names.push(nameOf(run));
      const d = decide(
        run,
        observe(run, 5 * attempt, ended({ executionState: 'Skipped', exitCode: undefined })),
        POLICY,
      );
      expect(types(d.commands)).toEqual(['DeleteScript']);
      expect(d.run.stage).toBe('preflight');
      expect(d.run.script).toEqual(expect.objectContaining({ attempt: attempt + 1 }));
      expect(d.run.script?.startedAt).toBeUndefined();
      run = play(d.run, [{ type: 'ScriptSlotGranted', at: at(5 * attempt + 1) }]);
    }
    names.push(nameOf(run));
    expect(new Set(names).size).toBe(POLICY.scriptAttempts);
    const last = decide(run, observe(run, 30, ended({ executionState: 'Skipped', exitCode: undefined })), POLICY);
    preflightUnavailable(last, new RegExp(`skipped.*\\(${POLICY.scriptAttempts} attempts\\)`));
  });

  it('gone from the VM (the PUT never happened: the instance died after writing the name) starts it again', () => {
    const run = started();
    const d = decide(run, observe(run, 6), POLICY);
    expect(d.commands).toEqual([]);
    expect(d.run.script).toEqual(expect.objectContaining({ attempt: 2 }));
    expect(d.run.scriptsToDelete).toBeUndefined();
  });

  it('a stopped VM (409 on the PUT) is its own outcome: no preflight, the backup goes ahead, marked', () => {
    const run = started();
    const d = decide(
      run,
      {
        type: 'ScriptStartFailed',
        at: at(1),
        name: nameOf(run),
        reason: 'VM not running: stopped',
        vmNotRunning: true,
      },
      POLICY,
    );
    expect(d.run.stage).toBe('triggering');
    expect(d.run.preflight).toEqual(expect.objectContaining({ vmNotRunning: true, findings: [] }));
    expect(alertCodes(d.commands)).toEqual(['VmNotRunning']);
    expect(types(d.commands)).not.toContain('DeleteScript');
  });

  it('still running past its own time-out: deleted (which stops it), and the preflight gives up', () => {
    const run = started();
    const running = ended({ executionState: 'Running', exitCode: undefined });
    const within = (POLICY.scriptTimeoutMs + SCRIPT_OVERRUN_MS) / 60_000;
    expect(decide(run, observe(run, 1 + within, running), POLICY).run).toBe(run);
    const d = decide(run, observe(run, 2 + within, running), POLICY);
    preflightUnavailable(d, /still Running \d+ s after it started/);
    expect(types(d.commands)).toContain('DeleteScript');
  });

  it('a preflight that waits past its limit (no slot, or no result) gives up on the script, not on the backup', () => {
    const limit = POLICY.stageLimitsMs.preflight / 60_000;
    const queued = fresh();
    const d = decide(queued, { type: 'Tick', at: at(limit + 1) }, POLICY);
    preflightUnavailable(d, /waited for a Run Command slot/);
    expect(types(d.commands)).not.toContain('DeleteScript');

    // A started one is read first, however late the tick; it is given up only when no read answers for a while.
    const run = started();
    const read = decide(run, { type: 'Tick', at: at(limit + 1) }, POLICY);
    expect(types(read.commands)).toEqual(['ReadScript']);
    expect(read.run.stage).toBe('preflight');
    const retryMinutes = POLICY.retryAfterMs / 60_000;
    expect(types(decide(read.run, { type: 'Tick', at: at(limit + retryMinutes) }, POLICY).commands)).toEqual([
      'ReadScript',
    ]);
    const late = decide(read.run, { type: 'Tick', at: at(limit + 1 + retryMinutes) }, POLICY);
    preflightUnavailable(late, /gave no result/);
    expect(types(late.commands)).toContain('DeleteScript');
  });

  it('an assessment past its limit takes the verdict without the logs instead of timing out', () => {
    const queued = decide(withPoint(), { type: 'ScriptSlotGranted', at: at(32) }, POLICY).run;
    const limit = POLICY.stageLimitsMs.assessing / 60_000;
    const read = decide(queued, { type: 'Tick', at: at(30 + limit + 1) }, POLICY);
    expect(types(read.commands)).toEqual(['ReadScript']);
    const d = decide(read.run, { type: 'Tick', at: at(30 + limit + 1 + POLICY.retryAfterMs / 60_000) }, POLICY);
    expect(d.run.stage).toBe('done');
    expect(d.run.verdict?.consistency).toBe('unknown');
    expect(types(d.commands)).toEqual(['Alert', 'DeleteScript']);
  });
});

describe('scripts: deleting what the run is done with', () => {
  const withDelete = (): Run => {
    const run = started();
    return decide(run, observe(run, 6, ended()), POLICY).run;
  };

  it('a confirmed delete clears it; a failed one is retried each tick until the sweep takes over', () => {
    const run = withDelete();
    const name = run.scriptsToDelete?.[0]?.name ?? '';
    expect(decide(run, { type: 'ScriptDeleted', at: at(6), name }, POLICY).run.scriptsToDelete).toBeUndefined();

    let failing = run;
    for (let i = 1; i <= MAX_DELETE_FAILURES; i += 1) {
      failing = decide(
        failing,
        { type: 'ScriptDeleteFailed', at: at(6 + i), name, reason: '409 Conflict' },
        POLICY,
      ).run;
      expect(failing.scriptsToDelete).toEqual([{ name, failures: i, lastError: '409 Conflict' }]);
      const tick = decide(failing, { type: 'Tick', at: at(7 + i) }, POLICY);
      expect(types(tick.commands).filter((t) => t === 'DeleteScript')).toEqual(
        i < MAX_DELETE_FAILURES ? ['DeleteScript'] : [],
      );
    }
  });

  it('a delete lost with its instance is asked for again by the next tick', () => {
    const run = withDelete();
    const tick = decide(run, { type: 'Tick', at: at(11) }, POLICY);
    expect(tick.commands).toContainEqual(
      expect.objectContaining({ type: 'DeleteScript', name: run.scriptsToDelete?.[0]?.name }),
    );
  });

  it('a delete that ends after the run is over is still recorded', () => {
    const run = play(withPoint(), [{ type: 'ScriptSlotGranted', at: at(32) }]);
    const done = decide(run, observe(run, 33, ended({ output: '' })), POLICY).run;
    expect(done.stage).toBe('done');
    const name = done.scriptsToDelete?.[0]?.name ?? '';
    expect(name).not.toBe('');
    expect(decide(done, { type: 'ScriptDeleted', at: at(34), name }, POLICY).run.scriptsToDelete).toBeUndefined();
  });
});

describe('grantScriptSlots: the Run Command budget per subscription', () => {
  const OTHER = '00000000-0000-0000-0000-000000000002';
  const runOf = (i: number, sub = SUB, queuedMinute = i): Run => {
    const vmId = TARGET.vmId.replace(SUB, sub).replace('iris-1', `iris-${i}`);
    const run = play(fresh(), []);
    return {
      ...run,
      id: `${run.night}/${sub}~${i}`,
      target: { ...TARGET, vmId },
      script: { purpose: 'preflight', name: `ibg-preflight-${i}`, attempt: 1, queuedAt: at(queuedMinute) },
    };
  };
  const startedRun = (i: number, sub = SUB): Run => {
    const r = runOf(i, sub);
    return { ...r, script: r.script && { ...r.script, startedAt: at(0) } };
  };

  it('grants the oldest queued scripts up to the budget, counting those already running', () => {
    const runs = [runOf(5), runOf(1), runOf(3), startedRun(9)];
    expect([...grantScriptSlots(runs, 3)].sort()).toEqual([runs[1]?.id, runs[2]?.id].sort());
  });

  it('keeps one budget per subscription', () => {
    const runs = [startedRun(1), runOf(2), runOf(3, OTHER), runOf(4, OTHER)];
    expect([...grantScriptSlots(runs, 1)]).toEqual([runs[2]?.id]);
  });

  it('grants nothing to runs without a queued script', () => {
    const run = runOf(1);
    delete run.script;
    expect(grantScriptSlots([run], 10).size).toBe(0);
  });
});
