/**
 * The read-only frozen check: vm/probe.sh in IBG_PROBE_MODE=frozen under dash against simulated VM roots, read by
 * frozenCheckOf; and frozenCheckOf on hostile, cut and malformed output (never a guess of 'running').
 */
import { writeIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import type { RunScriptResult } from '../../src/shared/azure/vmCommandGateway';
import { frozenCheckOf } from '../../src/shared/remediation/frozenCheck';
import { vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { makeIrisRoot, makeRoot, removeRoots, runDash, type ScriptRun, scriptWithConstants, writeFile } from './vmRoot';

const PROBE = vmScriptPath('probe');
const asResult = (run: ScriptRun): RunScriptResult => ({
  executionState: run.status === 0 ? 'Succeeded' : 'Failed',
  ...(run.status === null ? {} : { exitCode: run.status }),
  output: run.stdout,
  error: run.stderr,
});
const check = (root: string, script = PROBE): ScriptRun => runDash(root, script, [], { IBG_PROBE_MODE: 'frozen' });
const ok = (output: string): RunScriptResult => ({ executionState: 'Succeeded', exitCode: 0, output, error: '' });
const line = (json: unknown): string => `IBG_PROBE_V1 ${JSON.stringify(json)}\n`;
const QLIST_IRIS =
  'IRIS^/usr/irissys^2024.1.0.267.2^running, since Sat Nov 21 01:00:00 2026^iris.cpf^1972^52773^62972^ok^IRIS^^^/usr/irissys^1972';

afterAll(removeRoots);

describe('vm/probe.sh IBG_PROBE_MODE=frozen', () => {
  it('reports a frozen and a running instance, a down one, and the freeze-state phase; nothing else', () => {
    const root = makeIrisRoot(
      { name: 'IRIS', product: 'IRIS', status: 'running', frozen: true },
      { name: 'IRIS2', product: 'IRIS', status: 'running' },
      { name: 'OLD', product: 'IRIS', status: 'down' },
    );
    writeFile(root, '/var/lib/iris-backup-guard/freeze-state', 'phase=post-failed\nrun=r1\npid=1\nattempted=IRIS\n');
    // Setup files and logs are not part of this mode's answer.
    writeFile(root, '/etc/azure/VMSnapshotScriptPluginConfig.json', '{"preScriptLocation": "/etc/azure/iris-pre.sh"}');
    writeFile(root, '/var/log/iris-backup-guard/freeze-thaw.log', '2026-11-21T01:30:00Z level=info event=frozen\n');
    const run = check(root);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2);
    const json = JSON.parse(run.stdout.slice('IBG_PROBE_V1 '.length)) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['at', 'freezeState', 'iris', 'mode', 'v']);
    expect(json).toMatchObject({ v: 1, mode: 'frozen', freezeState: { exists: true, phase: 'post-failed' } });
    expect(frozenCheckOf(asResult(run))).toEqual({
      instances: [
        { name: 'IRIS', state: 'frozen', wdRc: 5, health: 'running, since Sat Nov 21 01:00:00 2026' },
        { name: 'IRIS2', state: 'running', wdRc: 3, health: 'running, since Sat Nov 21 01:00:00 2026' },
        { name: 'OLD', state: 'down', health: 'down, last used Sat Nov 21 01:00:00 2026' },
      ],
      freezePhase: 'post-failed',
      product: 'iris',
      problems: [],
    });
  });

  it('reads Caché through ccontrol/csession; no state file means no phase', () => {
    const root = makeIrisRoot({ name: 'CACHE', product: 'Cache', status: 'running', frozen: true });
    const run = check(root);
    expect(run.stdout).toContain('"freezeState":{"exists":false}');
    expect(frozenCheckOf(asResult(run))).toMatchObject({
      instances: [{ name: 'CACHE', state: 'frozen', wdRc: 5 }],
      product: 'cache',
      problems: [],
    });
    expect(frozenCheckOf(asResult(run)).freezePhase).toBeUndefined();
  });

  it('reports a hung IsWDSuspendedExt as unknown, with a problem', () => {
    const root = makeIrisRoot({
      name: 'IRIS',
      product: 'IRIS',
      status: 'running',
      frozen: true,
      knobs: { statusHangSeconds: 30 },
    });
    const fast = scriptWithConstants(root, PROBE, { IRIS_TIMEOUT: 1 });
    const result = frozenCheckOf(asResult(check(root, fast)));
    expect(result.instances).toEqual([
      { name: 'IRIS', state: 'unknown', wdRc: 124, health: 'running, since Sat Nov 21 01:00:00 2026' },
    ]);
    expect(result.problems).toEqual(['IRIS: write daemon state unknown (the call hung and was ended)']);
  });

  it('says when there is no IRIS at all', () => {
    const result = frozenCheckOf(asResult(check(makeRoot())));
    expect(result).toEqual({
      instances: [],
      problems: ['No iris or ccontrol command was found: no instance was checked'],
    });
  });

  it('checks at most four running instances; the others are unknown, never running', () => {
    const root = makeRoot();
    for (const name of ['A1', 'A2', 'A3', 'A4', 'A5']) {
      writeIrisInstance(root, { name, product: 'IRIS', status: 'running', frozen: name === 'A5' });
    }
    const result = frozenCheckOf(asResult(check(root)));
    expect(result.instances.map((i) => `${i.name}:${i.state}`)).toEqual([
      'A1:running',
      'A2:running',
      'A3:running',
      'A4:running',
      'A5:unknown',
    ]);
    expect(result.problems).toEqual(['A5: its write daemon state was not read']);
  });

  it('ignores a freeze-state phase that is not a plain word', () => {
    const root = makeIrisRoot({ name: 'IRIS', product: 'IRIS', status: 'running' });
    writeFile(root, '/var/lib/iris-backup-guard/freeze-state', 'phase=frozen","x":"y\nrun=r1\n');
    const run = check(root);
    expect(run.stdout).toContain('"freezeState":{"exists":true}');
    expect(frozenCheckOf(asResult(run)).freezePhase).toBeUndefined();
  });
});

describe('frozenCheckOf', () => {
  const iris = (over: Record<string, unknown>): Record<string, unknown> => ({
    v: 1,
    mode: 'frozen',
    at: '2026-11-21T02:00:00Z',
    iris: { present: true, command: 'iris', qlist: QLIST_IRIS, wd: [{ instance: 'IRIS', rc: 5 }], ...over },
  });

  it('reads rc 5 as frozen and 3 as running', () => {
    expect(frozenCheckOf(ok(line(iris({})))).instances[0]?.state).toBe('frozen');
    expect(frozenCheckOf(ok(line(iris({ wd: [{ instance: 'IRIS', rc: 3 }] })))).instances[0]?.state).toBe('running');
  });

  it.each([
    ['nothing', '', 'The frozen check printed nothing'],
    ['other text', 'bash: line 1: probe: not found\n', 'No IBG_PROBE_V1 line in the output'],
    ['a cut line', `${line(iris({})).slice(0, 60)}\n`, 'A IBG_PROBE_V1 line is not a JSON object (cut output?)'],
    ['a JSON array', 'IBG_PROBE_V1 [1,2]\n', 'A IBG_PROBE_V1 line is not a JSON object (cut output?)'],
    [
      'another mode',
      line({ ...iris({}), mode: 'check' }),
      'The output is not the frozen check\'s (mode is not "frozen")',
    ],
  ])('gives no instances and a problem for %s', (_label, output, problem) => {
    expect(frozenCheckOf(ok(output))).toEqual({ instances: [], problems: [problem] });
  });

  it.each([
    ['a string rc', [{ instance: 'IRIS', rc: '5' }], 'iris.wd for IRIS: no valid exit status'],
    [
      'rc 1 (session failed)',
      [{ instance: 'IRIS', rc: 1 }],
      'IRIS: write daemon state unknown (IsWDSuspendedExt exited 1)',
    ],
    ['no wd entry', [], 'IRIS: its write daemon state was not read'],
  ])('reads %s as unknown', (_label, wd, problem) => {
    const result = frozenCheckOf(ok(line(iris({ wd }))));
    expect(result.instances.map((i) => i.state)).toEqual(['unknown']);
    expect(result.problems).toContain(problem);
  });

  it('reports wd as unknown when it is not a list, and skips hostile names', () => {
    const hostile = `X;rm -rf /^/usr/irissys^2024.1^running, since x^iris.cpf^1972^52773^62972^ok^IRIS^^^/usr/irissys^1972`;
    const result = frozenCheckOf(
      ok(
        line(
          iris({
            qlist: `${QLIST_IRIS}\n${hostile}`,
            wd: [
              { instance: '-W', rc: 5 },
              { instance: 'IRIS', rc: 5 },
            ],
          }),
        ),
      ),
    );
    expect(result.instances).toEqual([
      { name: 'IRIS', state: 'frozen', wdRc: 5, health: 'running, since Sat Nov 21 01:00:00 2026' },
    ]);
    expect(result.problems).toEqual([
      'An iris.wd entry without a valid instance name was ignored',
      '1 qlist instance name(s) with unexpected characters were ignored',
    ]);
    expect(frozenCheckOf(ok(line(iris({ wd: 'IRIS=5' })))).instances[0]?.state).toBe('unknown');
  });

  it('keeps a wd answer for an instance a shortened qlist no longer shows', () => {
    const result = frozenCheckOf(ok(line({ ...iris({ qlist: '', wd: [{ instance: 'IRIS2', rc: 5 }] }) })));
    expect(result.instances).toEqual([{ name: 'IRIS2', state: 'frozen', wdRc: 5 }]);
  });

  it('caps and cleans the health text, and reads a failed Run Command with a problem', () => {
    const long = `IRIS^/usr/irissys^2024.1^running, ${'x'.repeat(500)}\u0007^iris.cpf^1972^52773^62972^ok^IRIS`;
    const result = frozenCheckOf({
      executionState: 'Failed',
      exitCode: 1,
      output: line(iris({ qlist: long })),
      error: '',
    });
    expect(result.instances[0]?.health?.length).toBeLessThanOrEqual(80);
    expect(result.instances[0]?.state).toBe('frozen');
    expect(result.problems).toEqual(['Run Command ended Failed (exit 1)']);
  });

  it('reads only the end of a huge output, and the last good line', () => {
    const noise = 'y'.repeat(100_000);
    const result = frozenCheckOf(ok(`${line(iris({ wd: [{ instance: 'IRIS', rc: 3 }] }))}${noise}\n${line(iris({}))}`));
    expect(result.instances[0]?.state).toBe('frozen');
  });

  it('never throws on a non-string output', () => {
    const result = frozenCheckOf({ executionState: 'Succeeded', output: undefined as unknown as string, error: '' });
    expect(result).toEqual({ instances: [], problems: ['The frozen check printed nothing'] });
  });

  it('keeps a valid phase and drops an odd one', () => {
    expect(frozenCheckOf(ok(line({ ...iris({}), freezeState: { exists: true, phase: 'frozen' } }))).freezePhase).toBe(
      'frozen',
    );
    const odd = frozenCheckOf(ok(line({ ...iris({}), freezeState: { exists: true, phase: '<b>x</b>' } })));
    expect(odd.freezePhase).toBeUndefined();
    expect(odd.problems).toEqual(['freezeState.phase is not a phase name; ignored']);
  });
});
