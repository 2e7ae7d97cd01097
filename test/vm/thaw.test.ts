/**
 * vm/thaw.sh under dash against simulated VM roots: the runbook's thaw (ExternalThaw, then `iris stat -W` only when
 * the thaw fails or hangs), never an action on an instance IRIS does not report as suspended, and a report that
 * thawReportOf reads. The matrix at the end judges the script by its worst path: every IRIS call it makes fails,
 * hangs or is killed, every external command fails, and the same invariants must hold.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type FaultRule,
  faultShimBinDir,
  faultTargetPidFile,
  irisMessagesLogPath,
  irisSimEnv,
  type IrisInstanceSpec,
  readFaultTrace,
  readIrisCalls,
  readIrisInstance,
  setFaults,
  writeIrisInstance,
} from '../../sandbox/vm-bin/irisSimState';
import type { RunScriptResult } from '../../src/shared/azure/vmCommandGateway';
import { thawReportOf } from '../../src/shared/remediation/thawReport';
import { describeSetting } from '../../src/shared/config/settingsCatalogue';
import { readVmScript, vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import {
  makeIrisRoot,
  makeRoot,
  readIfExists,
  removeRoots,
  runDash,
  type ScriptRun,
  scriptWithConstants,
} from './vmRoot';

const iris = (over: Partial<IrisInstanceSpec> = {}): IrisInstanceSpec => ({
  name: 'IRIS',
  product: 'IRIS',
  status: 'running',
  ...over,
});
const logOf = (root: string): string => readIfExists(path.join(root, 'var/log/iris-backup-guard/freeze-thaw.log'));
const frozen = (root: string, name = 'IRIS'): boolean | undefined => readIrisInstance(root, name)?.frozen;
/** The calls that change an instance: ExternalThaw and irisstat -W. */
const writingCalls = (root: string, name: string): string[] =>
  readIrisCalls(root).filter(
    (c) => (c.includes(` ${name} `) || c.endsWith(` ${name}`)) && /ExternalThaw|ExternalFreeze| stat /.test(c),
  );
const asResult = (run: ScriptRun): RunScriptResult => ({
  executionState: run.status === 0 ? 'Succeeded' : 'Failed',
  ...(run.status === null ? {} : { exitCode: run.status }),
  output: run.stdout,
  error: run.stderr,
});

let script = '';
beforeAll(() => {
  // Short bounds so a hang costs seconds; the logic is the same.
  script = scriptWithConstants(makeRoot(), vmScriptPath('thaw'), {
    STATUS_TIMEOUT: 2,
    THAW_TIMEOUT: 2,
    STAT_TIMEOUT: 2,
    KILL_AFTER: 1,
  });
});
afterAll(removeRoots);

describe('vm/thaw.sh', () => {
  it('bounds qlist and one frozen instance within the default Run Command time-out', () => {
    const text = readVmScript('thaw');
    const constant = (name: string): number => Number(new RegExp(`\\b${name}=(\\d+)`).exec(text)?.[1]);
    // Each bounded call ends by its time-out plus the grace before KILL.
    const call = (name: string): number => constant(name) + constant('KILL_AFTER');
    const worst = call('STATUS_TIMEOUT') + 3 * call('STATUS_TIMEOUT') + call('THAW_TIMEOUT') + call('STAT_TIMEOUT');
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(Number(describeSetting('IBG_RUN_COMMAND_TIMEOUT_SECONDS').default) - 10);
  });

  it('thaws a frozen instance with ExternalThaw and verifies it with IsWDSuspendedExt', () => {
    const root = makeIrisRoot(iris({ frozen: true }));
    const run = runDash(root, vmScriptPath('thaw'));
    expect(run).toEqual({
      status: 0,
      stdout:
        'IBG_THAW_V1 instance=IRIS before=frozen action=thawed after=running\n' +
        'IBG_THAW_V1 result=thawed instances=1\n',
      stderr: '',
    });
    expect(frozen(root)).toBe(false);
    expect(readIrisCalls(root).map((c) => c.replace(/^iris (session IRIS -U%SYS )?/, ''))).toEqual([
      'qlist',
      '##Class(Backup.General).IsWDSuspendedExt()',
      '##Class(Backup.General).ExternalThaw()',
      '##Class(Backup.General).IsWDSuspendedExt()',
    ]);
    expect(logOf(root)).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ level=warn script=thaw event=auto-thawed run=\S+ instance=IRIS method=external-thaw rc=5$/m,
    );
    expect(logOf(root)).toMatch(/level=info script=thaw event=finished .*rc=0 result=thawed still_frozen=none$/m);
    expect(readIfExists(irisMessagesLogPath(root, readIrisInstance(root, 'IRIS')!))).toContain(
      'Backup.General.ExternalThaw: System resumed',
    );
    expect(thawReportOf(asResult(run))).toEqual({
      instances: [{ name: 'IRIS', before: 'frozen', action: 'thawed', after: 'running' }],
      result: 'thawed',
      problems: [],
    });
  });

  it('leaves an instance that is not frozen untouched', () => {
    const root = makeIrisRoot(iris());
    const run = runDash(root, vmScriptPath('thaw'));
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      'IBG_THAW_V1 instance=IRIS before=running action=none after=running\n' +
        'IBG_THAW_V1 result=nothing-frozen instances=1\n',
    );
    expect(writingCalls(root, 'IRIS')).toEqual([]);
    expect(logOf(root)).toMatch(/event=not-suspended .*instance=IRIS$/m);
    expect(thawReportOf(asResult(run)).result).toBe('nothing-frozen');
  });

  it('resumes with `iris stat -W` when ExternalThaw fails, and verifies', () => {
    const root = makeIrisRoot(iris({ frozen: true, knobs: { thawRc: 3 } }));
    const run = runDash(root, vmScriptPath('thaw'));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('instance=IRIS before=frozen action=resumed-stat-w after=running\n');
    expect(frozen(root)).toBe(false);
    expect(writingCalls(root, 'IRIS')).toEqual([
      'iris session IRIS -U%SYS ##Class(Backup.General).ExternalThaw()',
      'iris stat IRIS -W',
    ]);
    expect(logOf(root)).toMatch(/level=warn script=thaw event=stat-w .*instance=IRIS rc=3 status=5$/m);
    expect(logOf(root)).toMatch(/event=auto-thawed .*instance=IRIS method=stat-w rc=0 thaw_rc=3$/m);
    expect(thawReportOf(asResult(run))).toMatchObject({ result: 'thawed', problems: [] });
  });

  it('bounds a hung ExternalThaw, then resumes with `iris stat -W`; the killed thaw never lands later', () => {
    const root = makeIrisRoot(iris({ frozen: true, knobs: { thawHangSeconds: 30 } }));
    const run = runDash(root, script);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('instance=IRIS before=frozen action=resumed-stat-w after=running\n');
    expect(logOf(root)).toMatch(/event=stat-w .*instance=IRIS rc=124 status=5$/m);
    // ExternalThaw was ended by `timeout` before it resumed anything: only irisstat's resume is in messages.log.
    const messages = readIfExists(irisMessagesLogPath(root, readIrisInstance(root, 'IRIS')!));
    expect(messages).not.toContain('ExternalThaw: System resumed');
    expect(messages).toContain('irisstat -W');
  });

  it('fails, reports the instance still frozen and exits 73 when the thaw and `stat -W` both fail', () => {
    const root = makeIrisRoot(iris({ frozen: true, knobs: { thawRc: 3, statWRc: 1 } }));
    const run = runDash(root, vmScriptPath('thaw'));
    expect(run.status).toBe(73);
    expect(run.stdout).toBe(
      'IBG_THAW_V1 instance=IRIS before=frozen action=failed after=frozen\n' +
        'IBG_THAW_V1 result=failed instances=1\n',
    );
    expect(frozen(root)).toBe(true);
    expect(logOf(root)).toMatch(/level=error script=thaw event=thaw-failed .*instance=IRIS rc=3 stat_rc=1 status=5$/m);
    expect(logOf(root)).toMatch(/event=finished .*rc=73 result=failed still_frozen=IRIS$/m);
    const report = thawReportOf(asResult(run));
    expect(report.result).toBe('failed');
    expect(report.instances).toEqual([{ name: 'IRIS', before: 'frozen', action: 'failed', after: 'frozen' }]);
  });

  it('thaws only the frozen one of two instances; a down instance is reported and not called', () => {
    const root = makeIrisRoot(
      iris({ name: 'IRIS', frozen: true }),
      iris({ name: 'IRIS2' }),
      iris({ name: 'OLD', status: 'down' }),
    );
    const run = runDash(root, vmScriptPath('thaw'));
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').sort()).toEqual(
      [
        '',
        'IBG_THAW_V1 instance=IRIS before=frozen action=thawed after=running',
        'IBG_THAW_V1 instance=IRIS2 before=running action=none after=running',
        'IBG_THAW_V1 instance=OLD before=down action=none after=down',
        'IBG_THAW_V1 result=thawed instances=3',
      ].sort(),
    );
    expect([frozen(root), frozen(root, 'IRIS2')]).toEqual([false, false]);
    expect(writingCalls(root, 'IRIS2')).toEqual([]);
    expect(readIrisCalls(root).filter((c) => c.includes('OLD'))).toEqual([]);
    expect(thawReportOf(asResult(run)).instances.map((i) => i.name)).toEqual(['OLD', 'IRIS', 'IRIS2']);
  });

  it('thaws Caché with csession, and resumes with `ccontrol stat -W` when the thaw fails', () => {
    const root = makeIrisRoot({
      name: 'CACHE',
      product: 'Cache',
      status: 'running',
      frozen: true,
      knobs: { thawRc: 1 },
    });
    const run = runDash(root, vmScriptPath('thaw'));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('instance=CACHE before=frozen action=resumed-stat-w after=running\n');
    expect(frozen(root, 'CACHE')).toBe(false);
    expect(readIrisCalls(root)).toEqual([
      'ccontrol qlist',
      'csession CACHE -U%SYS ##Class(Backup.General).IsWDSuspendedExt()',
      'csession CACHE -U%SYS ##Class(Backup.General).ExternalThaw()',
      'csession CACHE -U%SYS ##Class(Backup.General).IsWDSuspendedExt()',
      'ccontrol stat CACHE -W',
      'csession CACHE -U%SYS ##Class(Backup.General).IsWDSuspendedExt()',
    ]);
    expect(logOf(root)).toMatch(/event=instances .*flavour=cache names=CACHE$/m);
  });

  it('reports nothing frozen on a VM without IRIS', () => {
    const root = makeRoot();
    const run = runDash(root, vmScriptPath('thaw'));
    expect(run).toMatchObject({
      status: 0,
      stdout: 'IBG_THAW_V1 result=nothing-frozen instances=0 reason=no-iris-command\n',
    });
    expect(logOf(root)).toMatch(/event=no-iris-command/);
    expect(thawReportOf(asResult(run))).toEqual({
      instances: [],
      result: 'nothing-frozen',
      problems: ['No iris or ccontrol command was found on the VM'],
    });
  });

  it('takes no action on an instance whose state cannot be read, and says so (exit 72)', () => {
    const root = makeIrisRoot(iris({ frozen: true }));
    setFaults(root, [{ phase: '*', key: 'IsWDSuspendedExt', n: '*', action: 'fail:1' }]);
    const run = runDash(root, script);
    expect(run.status).toBe(72);
    expect(run.stdout).toBe(
      'IBG_THAW_V1 instance=IRIS before=unknown action=none after=unknown\n' +
        'IBG_THAW_V1 result=failed instances=1\n',
    );
    expect(writingCalls(root, 'IRIS')).toEqual([]);
    expect(frozen(root)).toBe(true);
    expect(logOf(root)).toMatch(/level=error script=thaw event=status-failed .*instance=IRIS rc=1$/m);
  });

  it('takes no action when IsWDSuspendedExt hangs', () => {
    const root = makeIrisRoot(iris({ frozen: true, knobs: { statusHangSeconds: 30 } }));
    const run = runDash(root, script);
    expect(run.status).toBe(72);
    expect(run.stdout).toContain('instance=IRIS before=unknown action=none after=unknown\n');
    expect(writingCalls(root, 'IRIS')).toEqual([]);
    expect(logOf(root)).toMatch(/event=status-failed .*instance=IRIS rc=124$/m);
  });

  it('fails (exit 70) without touching anything when qlist fails', () => {
    const root = makeIrisRoot(iris({ frozen: true }));
    setFaults(root, [{ phase: '*', key: 'qlist', n: '*', action: 'fail:1' }]);
    const run = runDash(root, script);
    expect(run).toMatchObject({ status: 70, stdout: 'IBG_THAW_V1 result=failed instances=0 reason=qlist-failed\n' });
    expect(readIrisCalls(root)).toEqual(['iris qlist']);
    expect(thawReportOf(asResult(run)).problems).toContain('The thaw could not list the IRIS instances (qlist failed)');
  });

  it('ended by TERM during the thaw, still prints a failed summary (exit 143); the thaw in flight completes', () => {
    const root = makeIrisRoot(iris({ frozen: true }));
    setFaults(root, [{ phase: '*', key: 'ExternalThaw', n: 1, action: 'sig:TERM' }]);
    // The pid file names the script's own process (exec keeps the pid) for the `sig:` fault.
    const run = spawnSync('dash', ['-c', 'printf "%s\\n" "$$" >"$IBG_PID_FILE"; exec dash "$0"', script], {
      env: { ...irisSimEnv(root, { PATH: '/usr/bin:/bin' }), IBG_PID_FILE: faultTargetPidFile(root) },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(run.status).toBe(143);
    expect(run.stdout).toBe('IBG_THAW_V1 result=failed instances=0 reason=unexpected-exit\n');
    expect(frozen(root)).toBe(false);
    expect(logOf(root)).toMatch(/event=finished .*rc=143 result=failed still_frozen=unknown reason=unexpected-exit$/m);
    expect(thawReportOf({ executionState: 'Failed', exitCode: 143, output: run.stdout, error: '' })).toMatchObject({
      result: 'failed',
      problems: ['The thaw script ended unexpectedly', 'Run Command ended Failed (exit 143)'],
    });
  });

  it('refuses while a pre-script is freezing (exit 75)', async () => {
    const root = makeIrisRoot(iris({ frozen: true }));
    // A live process whose command line names iris-pre, as the real pre-script's does.
    const pre = spawn('sh', ['-c', 'sleep 30; true', '/etc/azure/iris-pre.sh'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const state = path.join(root, 'var/lib/iris-backup-guard/freeze-state');
      fs.mkdirSync(path.dirname(state), { recursive: true, mode: 0o700 });
      fs.writeFileSync(
        state,
        `phase=pre-running\nrun=r1\npid=${String(pre.pid)}\nattempted=IRIS\nfrozen=\nattempt_until=\n`,
      );
      const run = runDash(root, vmScriptPath('thaw'));
      expect(run).toMatchObject({
        status: 75,
        stdout: 'IBG_THAW_V1 result=failed instances=0 reason=pre-script-running\n',
      });
      expect(readIrisCalls(root)).toEqual([]);
      expect(frozen(root)).toBe(true);
      // The same state with the pre-script gone is a leftover: the thaw goes ahead, and leaves the state alone.
      pre.kill('SIGKILL');
      await new Promise((r) => pre.once('exit', r));
      const before = fs.readFileSync(state, 'utf8');
      expect(runDash(root, vmScriptPath('thaw')).status).toBe(0);
      expect(frozen(root)).toBe(false);
      expect(fs.readFileSync(state, 'utf8')).toBe(before);
    } finally {
      pre.kill('SIGKILL');
    }
  });

  it('skips qlist instance names with shell metacharacters or a leading dash, and runs nothing they name', () => {
    const root = makeIrisRoot(iris({ frozen: true }));
    const marker = path.join(root, 'pwned');
    const hostile = [`X;touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, 'A B', '../IRIS', '-W', '*'];
    const line = (name: string): string =>
      `${name}^/usr/irissys^2024.1.0.267.2^running, since Sat Nov 21 01:00:00 2026^iris.cpf^1972^52773^62972^ok^IRIS^^^/usr/irissys^1972`;
    // An `iris` first on PATH whose qlist adds hostile lines; everything else goes to the simulator.
    const bin = path.join(root, 'hostile-bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'qlist.txt'), `${hostile.map(line).join('\n')}\n`);
    const sim = path.join(irisSimEnv(root).IRIS_SIM_DIR as string, 'bin', 'iris');
    fs.writeFileSync(
      path.join(bin, 'iris'),
      `#!/bin/sh\nif [ "$1" = qlist ]; then cat '${bin}/qlist.txt'; fi\nexec '${sim}' "$@"\n`,
      { mode: 0o755 },
    );
    const run = spawnSync('dash', [vmScriptPath('thaw')], {
      env: {
        ...irisSimEnv(root, { PATH: '/usr/bin:/bin' }),
        PATH: `${bin}:${irisSimEnv(root, { PATH: '/usr/bin:/bin' }).PATH ?? ''}`,
      },
      encoding: 'utf8',
      cwd: root,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      'IBG_THAW_V1 instance=IRIS before=frozen action=thawed after=running\n' +
        `IBG_THAW_V1 result=thawed instances=1 skipped=${hostile.length}\n`,
    );
    expect(fs.existsSync(marker)).toBe(false);
    // Only the real instance was ever named in a session ('A B' etc. never reached the simulator).
    expect(
      readIrisCalls(root).filter((c) => c.startsWith('iris session') && !c.startsWith('iris session IRIS ')),
    ).toEqual([]);
    expect(thawReportOf({ executionState: 'Succeeded', exitCode: 0, output: run.stdout, error: '' }).problems).toEqual([
      `${hostile.length} qlist instance name(s) with unexpected characters were not touched`,
    ]);
  });
});

// ---- the worst path ------------------------------------------------------------------------------------------

/** External commands thaw.sh runs (IRIS calls are traced by the simulator). */
const COMMANDS = ['date', 'mkdir', 'id', 'ls', 'timeout', 'grep'] as const;
const IRIS_KEYS = new Set(['qlist', 'IsWDSuspendedExt', 'ExternalThaw', 'stat']);
const CODES = new Set([0, 70, 72, 73, 75]);

interface Setup {
  label: string;
  /** IRIS is frozen; RUNNING is not and must never get a writing call. */
  frozenKnobs: IrisInstanceSpec['knobs'];
  /** The IRIS calls of the run without faults. */
  keys: string[];
}
const SETUPS: Setup[] = [
  { label: 'thaw works', frozenKnobs: {}, keys: ['qlist', 'IsWDSuspendedExt', 'ExternalThaw'] },
  { label: 'thaw fails', frozenKnobs: { thawRc: 3 }, keys: ['qlist', 'IsWDSuspendedExt', 'ExternalThaw', 'stat'] },
];

function setUp(s: Setup): string {
  const root = makeRoot();
  writeIrisInstance(root, iris({ frozen: true, knobs: s.frozenKnobs }));
  writeIrisInstance(root, iris({ name: 'RUNNING' }));
  return root;
}

function runAsync(root: string): Promise<ScriptRun> {
  const base = irisSimEnv(root, { PATH: '/usr/local/bin:/usr/bin:/bin' });
  const env = { ...base, PATH: `${faultShimBinDir(root, COMMANDS)}:${base.PATH ?? ''}`, IBG_FAULT_PHASE: 'thaw' };
  return new Promise((resolve, reject) => {
    const child = spawn('dash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** What must hold after any run, whatever failed. */
function violations(root: string, run: ScriptRun): string[] {
  const out: string[] = [];
  const stillFrozen = frozen(root) === true;
  const report = thawReportOf(asResult(run));
  if (run.status === null || !CODES.has(run.status)) out.push(`undocumented exit ${String(run.status)}`);
  if (writingCalls(root, 'RUNNING').length > 0) out.push('the running instance got a writing call');
  if (frozen(root, 'RUNNING') === true) out.push('the running instance is frozen');
  if (run.status === 0 && stillFrozen) out.push('exit 0 with IRIS still frozen');
  if (report.result === undefined) out.push(`no result line: ${run.stdout}`);
  if (stillFrozen && report.result !== 'failed') out.push(`IRIS still frozen but result ${String(report.result)}`);
  if (run.stderr !== '') out.push(`stderr: ${run.stderr}`);
  for (const i of report.instances) {
    const really = frozen(root, i.name) === true;
    if (i.after === 'running' && really) out.push(`${i.name} reported running but frozen`);
    if (i.after === 'frozen' && !really) out.push(`${i.name} reported frozen but running`);
  }
  return out;
}

async function pool<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: size }, worker));
  return results;
}

describe('vm/thaw.sh on its worst path', () => {
  it.each(SETUPS.map((s) => [s.label, s] as const))(
    'every traced call failing, hanging or killed (%s) keeps the invariants',
    async (_label, setup) => {
      // The recording run: what thaw.sh calls when nothing fails.
      const recording = setUp(setup);
      setFaults(recording, []);
      const clean = await runAsync(recording);
      expect(violations(recording, clean)).toEqual([]);
      expect(frozen(recording)).toBe(false);
      const trace = readFaultTrace(recording);
      const keys = new Set(trace.map((t) => t.key));
      expect([...keys].filter((k) => IRIS_KEYS.has(k)).sort()).toEqual([...setup.keys].sort());
      const cases: { label: string; rules: FaultRule[] }[] = [];
      for (const t of trace) {
        const rule = (action: FaultRule['action'], n: number | '*' = t.n): FaultRule => ({
          phase: 'thaw',
          key: t.key,
          n,
          action,
        });
        if (IRIS_KEYS.has(t.key)) {
          for (const action of ['fail:1', 'hang', 'hang-after', 'kill-before', 'kill-after'] as const) {
            cases.push({ label: `${t.key}#${t.n} ${action}`, rules: [rule(action)] });
          }
          if (t.key === 'ExternalThaw') cases.push({ label: `${t.key}#${t.n} fail:3`, rules: [rule('fail:3')] });
        } else {
          cases.push({ label: `${t.key}#${t.n} fail:1`, rules: [rule('fail:1')] });
        }
      }
      for (const key of keys)
        cases.push({ label: `${key} always fails`, rules: [{ phase: 'thaw', key, n: '*', action: 'fail:1' }] });
      // The thaw and irisstat both failing at every call, with the status calls failing too.
      cases.push({
        label: 'everything that writes fails',
        rules: ['ExternalThaw', 'stat'].map((key) => ({ phase: 'thaw', key, n: '*', action: 'fail:1' }) as FaultRule),
      });
      const found = await pool(cases, 6, async (c) => {
        const root = setUp(setup);
        setFaults(root, c.rules);
        const run = await runAsync(root);
        return violations(root, run).map((v) => `${c.label}: ${v}`);
      });
      expect(found.flat()).toEqual([]);
      expect(cases.length).toBeGreaterThan(20);
    },
    120000,
  );
});

describe('thawReportOf', () => {
  const ok = (output: string): RunScriptResult => ({ executionState: 'Succeeded', exitCode: 0, output, error: '' });
  const THAWED = 'IBG_THAW_V1 instance=IRIS before=frozen action=thawed after=running\n';

  it('reads a cut report (no final line) without a result', () => {
    expect(thawReportOf(ok(THAWED))).toEqual({
      instances: [{ name: 'IRIS', before: 'frozen', action: 'thawed', after: 'running' }],
      problems: ['The thaw report has no final result line (the script was cut off or its output lost)'],
    });
    expect(thawReportOf(ok(''))).toEqual({ instances: [], problems: ['The thaw printed nothing'] });
  });

  it('does not believe a success the instance lines or the exit contradict', () => {
    const leftFrozen = thawReportOf(
      ok('IBG_THAW_V1 instance=IRIS before=frozen action=failed after=frozen\nIBG_THAW_V1 result=thawed instances=1\n'),
    );
    expect(leftFrozen.result).toBe('failed');
    expect(leftFrozen.problems).toEqual(['The thaw says thawed but IRIS is not confirmed running; read as failed']);
    const failedRun = thawReportOf({
      executionState: 'Failed',
      exitCode: 73,
      output: `${THAWED}IBG_THAW_V1 result=thawed instances=1\n`,
      error: '',
    });
    expect(failedRun.result).toBe('failed');
    expect(failedRun.problems).toEqual(['Run Command ended Failed (exit 73)']);
  });

  it.each([
    ['an unknown action', 'IBG_THAW_V1 instance=IRIS before=frozen action=rebooted after=running'],
    ['a hostile name', 'IBG_THAW_V1 instance=$(reboot) before=frozen action=thawed after=running'],
    ['a leading dash', 'IBG_THAW_V1 instance=-W before=frozen action=thawed after=running'],
    ['a repeated key', 'IBG_THAW_V1 instance=IRIS before=frozen before=running action=none after=running'],
    ['a word without =', 'IBG_THAW_V1 instance=IRIS before=frozen action=none after=running extra'],
    ['an overlong line', `IBG_THAW_V1 instance=IRIS before=frozen action=none after=running x=${'a'.repeat(400)}`],
  ])('drops a line with %s, with a problem', (_label, bad) => {
    const report = thawReportOf(ok(`${bad}\nIBG_THAW_V1 result=nothing-frozen instances=0\n`));
    expect(report).toEqual({
      instances: [],
      result: 'nothing-frozen',
      problems: ['1 IBG_THAW_V1 line(s) could not be read'],
    });
  });

  it('keeps the first of two reports for one instance and checks the count', () => {
    const report = thawReportOf(
      ok(
        `${THAWED}IBG_THAW_V1 instance=IRIS before=running action=none after=running\nIBG_THAW_V1 result=thawed instances=3\n`,
      ),
    );
    expect(report.instances).toEqual([{ name: 'IRIS', before: 'frozen', action: 'thawed', after: 'running' }]);
    expect(report.problems).toEqual([
      'IRIS is reported twice; the first report is kept',
      'The thaw reported 3 instance(s) but 1 were read',
    ]);
  });

  it('reads only the end of a huge output, and caps the instances', () => {
    const many = Array.from(
      { length: 40 },
      (_v, i) => `IBG_THAW_V1 instance=I${i} before=running action=none after=running`,
    );
    const report = thawReportOf(
      ok(`${'z'.repeat(50_000)}\n${many.join('\n')}\nIBG_THAW_V1 result=nothing-frozen instances=40\n`),
    );
    expect(report.instances).toHaveLength(16);
    expect(report.problems).toContain('More than 16 instances reported; the rest were not read');
    expect(report.problems[0]).toMatch(/only its end was read/);
  });

  it('names the reason of an early stop and an unusable log, and never throws', () => {
    expect(
      thawReportOf(ok('IBG_THAW_V1 result=failed instances=0 reason=pre-script-running log=unusable\n')).problems,
    ).toEqual([
      'The thaw was refused: a pre-script is freezing IRIS right now (a backup is running)',
      "The VM's freeze-thaw.log could not be written",
    ]);
    expect(thawReportOf(ok('IBG_THAW_V1 result=failed instances=0 reason=<script>\n')).problems).toEqual([
      'The thaw stopped for a reason it does not name',
    ]);
    expect(thawReportOf({ executionState: 'Succeeded', output: 42 as unknown as string, error: '' }).problems).toEqual([
      'The thaw printed nothing',
    ]);
  });
});
