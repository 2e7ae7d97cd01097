/**
 * Issue 7, "IRIS must never be left frozen", as a property of iris-pre.sh + iris-post.sh under dash.
 *
 * A recording run traces every call the scripts make that can fail: the IRIS calls (through the simulator) and the
 * external commands (through sandbox/vm-bin/fault-shim). The matrix is generated from that trace: each call fails,
 * hangs or is killed, each signal hits the pre-script during each call, each command fails persistently, and each
 * unusable or unsafe path is set up before the pre-script or between the scripts. A fast-check property then
 * combines up to two arbitrary faults. After every case the same invariants are checked (see `violations`).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  type FaultAction,
  type FaultRule,
  type FaultTraceEntry,
  faultShimBinDir,
  faultTargetPidFile,
  irisSimEnv,
  readFaultTrace,
  readIrisCalls,
  readIrisInstance,
  setFaults,
  writeIrisInstance,
} from '../../sandbox/vm-bin/irisSimState';
import { vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { makeRoot, removeRoots, scriptWithConstants } from './vmRoot';

/** External commands the freeze/thaw scripts run (IRIS calls are traced by the simulator itself). */
const COMMANDS = ['date', 'mv', 'sed', 'mkdir', 'id', 'ls', 'rm', 'head', 'tail', 'awk', 'sleep', 'timeout'] as const;
const IRIS_KEYS = new Set(['qlist', 'IsWDSuspendedExt', 'ExternalFreeze', 'ExternalThaw']);
const SIGNALS = ['TERM', 'INT', 'HUP', 'KILL'] as const;
/** Documented exit codes (vm/README.md); the pre-script also ends 128+n after signal n (trapped, then thawed). */
const PRE_CODES = new Set([0, 69, 70, 71, 72, 73, 76, 77, 129, 130, 143]);
const POST_CODES = new Set([0, 69, 73, 74, 75, 76, 77]);
/** Post-script codes that say "IRIS may still be frozen": the only ones allowed with an instance left frozen. */
const MAY_BE_FROZEN = new Set([73, 75]);

/** The instances the pre-script is asked to freeze (IBG_INSTANCES); the matrix uses one, the property varies it. */
const TARGETS = ['IRIS'];
/** Frozen by someone else before the backup: it must stay frozen and never be thawed, even when named. */
const BYSTANDER = 'OTHER';
const LOG_DIR = 'var/log/iris-backup-guard';
const STATE_DIR = 'var/lib/iris-backup-guard';

type PathCondition =
  | 'log-dir-missing'
  | 'log-parent-file'
  | 'log-dir-file'
  | 'log-dir-symlink'
  | 'log-dir-nobody'
  | 'log-dir-777'
  | 'log-file-symlink'
  | 'log-file-dir'
  | 'out-file-symlink'
  | 'state-dir-file'
  | 'state-dir-symlink'
  | 'state-dir-nobody'
  | 'state-dir-777'
  | 'state-file-symlink'
  | 'state-file-dir';

interface Case {
  label: string;
  rules: FaultRule[];
  targets?: string[];
  /** No IBG_INSTANCES: the pre-script discovers its instances with `iris qlist` (the bystander is then a frozen Caché
   * instance, which `iris` does not list). */
  discover?: boolean;
  path?: { condition: PathCondition; when: 'before-pre' | 'between' };
}

interface Outcome {
  pre: { code: number | null; signal: string | null };
  post: { code: number | null; signal: string | null };
  frozenAfterPre: string[];
  frozenAfterPost: string[];
  bystanderFrozen: boolean;
  bystanderCalls: string[];
  freezeCalls: number;
  elsewhere: string;
  elsewhereBefore: string;
}

let workDir = '';
let pre = '';
let post = '';

beforeAll(() => {
  workDir = makeRoot();
  // Short bounds so hangs cost seconds, not minutes; the logic under test is the same.
  pre = scriptWithConstants(workDir, vmScriptPath('iris-pre'), {
    FREEZE_ATTEMPT_TIMEOUT: 2,
    STATUS_TIMEOUT: 2,
    THAW_TIMEOUT: 2,
    KILL_AFTER: 1,
  });
  post = scriptWithConstants(workDir, vmScriptPath('iris-post'), {
    STATUS_TIMEOUT: 2,
    THAW_TIMEOUT: 2,
    KILL_AFTER: 1,
    PRE_WAIT: 15,
  });
});
afterAll(removeRoots);

function runScript(
  root: string,
  script: string,
  phase: 'pre' | 'post',
  targets: string[] = TARGETS,
  shimmed: readonly string[] = COMMANDS,
  discover = false,
): Promise<{ code: number | null; signal: string | null }> {
  const base = irisSimEnv(root, { PATH: '/usr/local/bin:/usr/bin:/bin' });
  const env = {
    ...base,
    PATH: `${faultShimBinDir(root, shimmed)}:${base.PATH ?? ''}`,
    IBG_FAULT_PHASE: phase,
    IBG_INSTANCES: discover ? '' : targets.join(','),
    IBG_PID_FILE: faultTargetPidFile(root),
  };
  return new Promise((resolve, reject) => {
    // The pid file names the script's own process (exec keeps the pid) for `sig:` faults.
    const child = spawn('dash', ['-c', 'printf "%s\\n" "$$" >"$IBG_PID_FILE"; exec dash "$0"', script], {
      env,
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

function listTree(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((f) => {
      const p = path.join(dir, f);
      const st = fs.lstatSync(p);
      return `${f}:${st.isFile() ? fs.readFileSync(p, 'utf8') : st.isDirectory() ? 'dir' : 'other'}`;
    })
    .join('\n');
}

/** Sets up one unusable or unsafe path. `elsewhere` is where symlinks point; nothing may be written there. */
function applyPath(root: string, condition: PathCondition, elsewhere: string): void {
  const log = path.join(root, LOG_DIR);
  const state = path.join(root, STATE_DIR);
  const stateFile = path.join(state, 'freeze-state');
  const nobody = 65534;
  const moveThenLink = (from: string, to: string): void => {
    if (fs.existsSync(from)) fs.renameSync(from, to);
    else if (from.endsWith('freeze-state')) fs.writeFileSync(to, '');
    else fs.mkdirSync(to, { recursive: true });
    fs.symlinkSync(to, from);
  };
  fs.mkdirSync(log, { recursive: true, mode: 0o700 });
  fs.mkdirSync(state, { recursive: true, mode: 0o700 });
  switch (condition) {
    case 'log-dir-missing':
      fs.rmSync(log, { recursive: true, force: true });
      break;
    case 'log-parent-file':
      fs.rmSync(path.dirname(log), { recursive: true, force: true });
      fs.writeFileSync(path.dirname(log), 'not a directory');
      break;
    case 'log-dir-file':
      fs.rmSync(log, { recursive: true, force: true });
      fs.writeFileSync(log, 'not a directory');
      break;
    case 'log-dir-symlink':
      moveThenLink(log, path.join(elsewhere, 'logdir'));
      break;
    case 'log-dir-nobody':
      fs.chownSync(log, nobody, nobody);
      break;
    case 'log-dir-777':
      fs.chmodSync(log, 0o777);
      break;
    case 'log-file-symlink':
      fs.writeFileSync(path.join(elsewhere, 'target.log'), 'untouched\n');
      fs.rmSync(path.join(log, 'freeze-thaw.log'), { force: true });
      fs.symlinkSync(path.join(elsewhere, 'target.log'), path.join(log, 'freeze-thaw.log'));
      break;
    case 'log-file-dir':
      fs.rmSync(path.join(log, 'freeze-thaw.log'), { force: true });
      fs.mkdirSync(path.join(log, 'freeze-thaw.log'));
      break;
    case 'out-file-symlink':
      fs.writeFileSync(path.join(elsewhere, 'target.out'), 'untouched\n');
      for (const name of ['last-externalthaw-IRIS.out', 'last-externalfreeze-IRIS.out']) {
        fs.rmSync(path.join(log, name), { force: true });
        fs.symlinkSync(path.join(elsewhere, 'target.out'), path.join(log, name));
      }
      break;
    case 'state-dir-file':
      fs.rmSync(state, { recursive: true, force: true });
      fs.writeFileSync(state, 'not a directory');
      break;
    case 'state-dir-symlink':
      moveThenLink(state, path.join(elsewhere, 'statedir'));
      break;
    case 'state-dir-nobody':
      fs.chownSync(state, nobody, nobody);
      break;
    case 'state-dir-777':
      fs.chmodSync(state, 0o777);
      break;
    case 'state-file-symlink':
      moveThenLink(stateFile, path.join(elsewhere, 'state-copy'));
      break;
    case 'state-file-dir':
      fs.rmSync(stateFile, { force: true });
      fs.mkdirSync(stateFile);
      break;
  }
}

async function runCase(c: Case): Promise<Outcome> {
  const root = makeRoot();
  const targets = c.targets ?? TARGETS;
  const ours = targets.filter((n) => n !== BYSTANDER);
  for (const name of ours) writeIrisInstance(root, { name, product: 'IRIS', status: 'running' });
  const bystanderProduct = c.discover ? 'Cache' : 'IRIS';
  writeIrisInstance(root, { name: BYSTANDER, product: bystanderProduct, status: 'running', frozen: true });
  setFaults(root, c.rules);
  const elsewhere = path.join(root, 'elsewhere');
  fs.mkdirSync(elsewhere);
  if (c.path?.when === 'before-pre') applyPath(root, c.path.condition, elsewhere);
  const elsewhereBefore = c.path?.when === 'before-pre' ? listTree(elsewhere) : '';
  // Only the commands a rule names go through the shim (it counts per command, so the numbering is the same).
  const shimmed = COMMANDS.filter((cmd) => c.rules.some((r) => r.key === cmd));
  const preRun = await runScript(root, pre, 'pre', targets, shimmed, c.discover);
  const frozenNow = (): string[] => ours.filter((n) => readIrisInstance(root, n)?.frozen === true);
  const frozenAfterPre = frozenNow();
  let before = elsewhereBefore;
  if (c.path?.when === 'between') {
    applyPath(root, c.path.condition, elsewhere);
    before = listTree(elsewhere);
  }
  const postRun = await runScript(root, post, 'post', targets, shimmed, c.discover);
  const calls = readIrisCalls(root);
  return {
    pre: preRun,
    post: postRun,
    frozenAfterPre,
    frozenAfterPost: frozenNow(),
    bystanderFrozen: readIrisInstance(root, BYSTANDER)?.frozen === true,
    bystanderCalls: calls.filter((l) => l.includes(` ${BYSTANDER} `) && /External(?:Freeze|Thaw)/.test(l)),
    freezeCalls: calls.filter((l) => l.includes('ExternalFreeze')).length,
    elsewhereBefore: before,
    elsewhere: listTree(elsewhere),
  };
}

/** Every way `o` breaks the invariants; empty when the case is fine. */
function violations(c: Case, o: Outcome): string[] {
  const v: string[] = [];
  const persistent = c.rules.some((r) => r.n === '*');
  const preKilled = o.pre.signal === 'SIGKILL';
  if (!o.bystanderFrozen) v.push('the instance frozen by someone else was thawed');
  if (o.bystanderCalls.length > 0) v.push(`called on the bystander: ${o.bystanderCalls.join('; ')}`);
  if (o.pre.signal !== null && !preKilled) v.push(`pre died of ${o.pre.signal}`);
  if (o.pre.code !== null && !PRE_CODES.has(o.pre.code)) v.push(`pre exit ${o.pre.code} is not documented`);
  if (o.post.signal !== null) v.push(`post died of ${o.post.signal}`);
  if (o.post.code === null || !POST_CODES.has(o.post.code)) v.push(`post exit ${String(o.post.code)} not documented`);
  const ours = (c.targets ?? TARGETS).filter((n) => n !== BYSTANDER);
  if (o.pre.code === 0 && o.frozenAfterPre.length !== ours.length) v.push('pre exited 0 without freezing all');
  if (c.targets?.includes(BYSTANDER) && o.pre.code === 0) v.push('pre accepted an instance frozen by someone else');
  if (!preKilled && o.pre.code !== 0 && o.pre.code !== 73 && o.frozenAfterPre.length > 0) {
    v.push(`pre failed (${String(o.pre.code)}) and left ${o.frozenAfterPre.join(',')} frozen`);
  }
  if (o.frozenAfterPost.length > 0) {
    if (!persistent) v.push(`left frozen after post (${String(o.post.code)}): ${o.frozenAfterPost.join(',')}`);
    else if (!MAY_BE_FROZEN.has(o.post.code ?? -1)) {
      v.push(`left frozen with post exit ${String(o.post.code)}: ${o.frozenAfterPost.join(',')}`);
    }
  }
  if (o.elsewhere !== o.elsewhereBefore) v.push('wrote through a symlink');
  if (c.rules.length === 0 && c.path === undefined && (o.pre.code !== 0 || o.post.code !== 0)) {
    v.push(`no fault, yet pre ${String(o.pre.code)} post ${String(o.post.code)}`);
  }
  if (c.rules.length === 0 && c.path) v.push(...pathExpectations(c.path, o));
  return v;
}

/** What each path condition must lead to, on top of the general invariants. */
function pathExpectations(p: NonNullable<Case['path']>, o: Outcome): string[] {
  const v: string[] = [];
  const harmless = ['log-dir-missing', 'out-file-symlink'].includes(p.condition);
  const isLog = p.condition.startsWith('log-');
  const expected = harmless ? 0 : isLog ? 77 : 76;
  if (p.when === 'before-pre') {
    if (o.pre.code !== expected) v.push(`pre exit ${String(o.pre.code)}, expected ${expected}`);
    if (expected !== 0 && o.freezeCalls > 0) v.push('pre froze although it could not log or record state');
  } else {
    if (o.pre.code !== 0) v.push(`pre exit ${String(o.pre.code)} before the path broke`);
    if (o.post.code !== expected) v.push(`post exit ${String(o.post.code)}, expected ${expected}`);
  }
  if (o.frozenAfterPost.length > 0) v.push('left frozen');
  return v;
}

async function runAll(cases: Case[], parallel = 3): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++];
      if (!c) return;
      const t0 = Date.now();
      const o = await runCase(c);
      if (process.env.IBG_PROPERTY_TIMES) process.stderr.write(`${Date.now() - t0}ms ${c.label}\n`);
      const v = violations(c, o);
      if (v.length > 0) failures.push(`${c.label}: ${v.join('; ')} (pre ${JSON.stringify(o.pre)})`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return failures;
}

const rule = (e: FaultTraceEntry, action: FaultAction, n: number | '*' = e.n): FaultRule => ({
  phase: e.phase,
  key: e.key,
  n,
  action,
});
const label = (rules: FaultRule[]): string => rules.map((r) => `${r.phase}:${r.key}#${r.n}=${r.action}`).join('+');

/** Honest failures of one IRIS call (IsWDSuspendedExt never lies with 3 while suspended). */
function irisActions(key: string): FaultAction[] {
  const base: FaultAction[] = ['fail:1', 'hang', 'hang-after', 'kill-before', 'kill-after'];
  return key === 'ExternalFreeze' || key === 'ExternalThaw' ? ['fail:3', ...base] : base;
}

let trace: FaultTraceEntry[] = [];

describe('IRIS is never left frozen (issue 7)', () => {
  beforeAll(async () => {
    // The recording run: no faults, only the trace of every call that could fail.
    const root = makeRoot();
    for (const name of TARGETS) writeIrisInstance(root, { name, product: 'IRIS', status: 'running' });
    writeIrisInstance(root, { name: BYSTANDER, product: 'IRIS', status: 'running', frozen: true });
    setFaults(root, []);
    await runScript(root, pre, 'pre');
    await runScript(root, post, 'post');
    trace = readFaultTrace(root);
  });

  it('the recording run traces every kind of call in both scripts', async () => {
    const kinds = new Set(trace.map((e) => `${e.phase}:${e.key}`));
    for (const k of ['IsWDSuspendedExt', 'ExternalFreeze', 'date', 'mv', 'mkdir', 'id', 'ls', 'timeout']) {
      expect(kinds).toContain(`pre:${k}`);
    }
    for (const k of ['IsWDSuspendedExt', 'ExternalThaw', 'mv', 'timeout']) expect(kinds).toContain(`post:${k}`);
    expect(
      await runAll([
        { label: 'no fault', rules: [] },
        { label: 'no fault, discovered', rules: [], targets: ['IRIS', 'IRIS2'], discover: true },
      ]),
    ).toEqual([]);
  });

  it('every IRIS call failing, hanging or killed, once or always, in either script ends thawed', async () => {
    const iris = trace.filter((e) => IRIS_KEYS.has(e.key));
    const cases: Case[] = iris.flatMap((e) => irisActions(e.key).map((a) => ({ label: '', rules: [rule(e, a)] })));
    const kinds = [...new Map(iris.map((e) => [`${e.phase}:${e.key}`, e])).values()];
    cases.push(
      ...kinds.flatMap((e) => (['fail:1', 'hang'] as const).map((a) => ({ label: '', rules: [rule(e, a, '*')] }))),
    );
    // Discovery: qlist failing, hanging or killed, once or always (the instances are then not known: nothing frozen).
    const qlist: FaultTraceEntry = { phase: 'pre', key: 'qlist', n: 1 };
    const discovery = irisActions('qlist').flatMap((a) => [rule(qlist, a), rule(qlist, a, '*')]);
    cases.push(...discovery.map((r) => ({ label: '', rules: [r], discover: true })));
    for (const c of cases) c.label = `${label(c.rules)}${c.discover ? ' (discovered)' : ''}`;
    expect(cases.length).toBeGreaterThanOrEqual(40);
    // Hangs wait on `timeout`, not on the CPU: run more at once.
    expect(await runAll(cases, 5)).toEqual([]);
  });

  it('every other command failing at each of its calls, or at all of them, ends thawed', async () => {
    const others = trace.filter((e) => !IRIS_KEYS.has(e.key));
    const cases: Case[] = others.map((e) => ({ label: '', rules: [rule(e, 'fail:1')] }));
    const kinds = [...new Map(others.map((e) => [`${e.phase}:${e.key}`, e])).values()];
    cases.push(...kinds.map((e) => ({ label: '', rules: [rule(e, 'fail:1', '*')] })));
    for (const c of cases) c.label = label(c.rules);
    expect(cases.length).toBeGreaterThan(50);
    expect(await runAll(cases)).toEqual([]);
  });

  it('TERM, INT, HUP or KILL reaching the pre-script during any of its calls ends thawed', async () => {
    const points = trace.filter((e) => e.phase === 'pre');
    const cases: Case[] = points.flatMap((e) => SIGNALS.map((s) => ({ label: '', rules: [rule(e, `sig:${s}`)] })));
    for (const c of cases) c.label = label(c.rules);
    expect(cases.length).toBe(points.length * SIGNALS.length);
    expect(points.length).toBeGreaterThan(20);
    expect(await runAll(cases, 4)).toEqual([]);
  });

  it('an unusable or unsafe log or state path, before the pre-script or between the scripts', async () => {
    const conditions: PathCondition[] = [
      'log-dir-missing',
      'log-parent-file',
      'log-dir-file',
      'log-dir-symlink',
      'log-dir-nobody',
      'log-dir-777',
      'log-file-symlink',
      'log-file-dir',
      'out-file-symlink',
      'state-dir-file',
      'state-dir-symlink',
      'state-dir-nobody',
      'state-dir-777',
      'state-file-symlink',
      'state-file-dir',
    ];
    // Between the scripts, a state that is gone (replaced by a file or a directory) cannot tell what to thaw.
    const lost = new Set<PathCondition>(['state-dir-file', 'state-file-dir']);
    const cases: Case[] = conditions.flatMap((condition) =>
      (['before-pre', 'between'] as const)
        .filter((when) => when === 'before-pre' || !lost.has(condition))
        .map((when) => ({ label: `${condition} ${when}`, rules: [], path: { condition, when } })),
    );
    expect(await runAll(cases)).toEqual([]);
  });

  it('property: one or two faults at any call, also on the clean-up paths, for one, two or a refused instance', async () => {
    // Points are drawn from every (script, key) the trace shows and every IRIS key, numbered up to two calls beyond
    // the recording, so the calls only failure paths make (the pre-script's clean-up thaw…) are hit too.
    const maxN = new Map<string, number>();
    for (const e of trace) maxN.set(`${e.phase} ${e.key}`, Math.max(maxN.get(`${e.phase} ${e.key}`) ?? 0, e.n));
    for (const phase of ['pre', 'post']) {
      for (const key of IRIS_KEYS) maxN.set(`${phase} ${key}`, maxN.get(`${phase} ${key}`) ?? 0);
    }
    const points = [...maxN.entries()];
    const signalsIn = (phase: string): FaultAction[] =>
      phase === 'pre' ? SIGNALS.map((x) => `sig:${x}` as const) : [];
    const faultArb = fc
      .constantFrom(...points)
      .chain(([k, max]) => {
        const [phase = 'pre', key = 'date'] = k.split(' ');
        const actions = IRIS_KEYS.has(key) ? irisActions(key) : (['fail:1'] as FaultAction[]);
        return fc.record({
          phase: fc.constant(phase),
          key: fc.constant(key),
          n: fc.oneof(fc.integer({ min: 1, max: max + 2 }), fc.constant<'*'>('*')),
          action: fc.constantFrom(...actions, ...signalsIn(phase)),
        });
      })
      .map((r): FaultRule => (r.n === '*' && r.action.startsWith('sig:') ? { ...r, n: 1 } : r));
    const scenario = fc.constantFrom<[string[], boolean]>(
      [['IRIS'], false],
      [['IRIS', 'IRIS2'], false],
      [['IRIS', BYSTANDER], false],
      [['IRIS', 'IRIS2'], true],
    );
    const runs = Number(process.env.IBG_PROPERTY_RUNS ?? 24);
    const samples = fc.sample(fc.tuple(fc.array(faultArb, { minLength: 1, maxLength: 2 }), scenario), {
      numRuns: runs,
      seed: Number(process.env.IBG_PROPERTY_SEED ?? 7),
    });
    const cases: Case[] = samples.map(([rules, [targets, discover]]) => ({
      label: `${label(rules)} targets=${targets.join(',')}${discover ? ' (discovered)' : ''}`,
      rules,
      targets,
      discover,
    }));
    expect(cases).toHaveLength(runs);
    expect(await runAll(cases)).toEqual([]);
  });
});
