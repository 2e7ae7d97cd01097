import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  faultTargetPidFile,
  irisSimEnv,
  setFaults,
  irisMessagesLogPath,
  readIrisCalls,
  readIrisInstance,
  type IrisInstanceSpec,
  writeIrisInstance,
} from '../../sandbox/vm-bin/irisSimState';
import { parseScriptLog } from '../../src/shared/parsers/scriptLog';
import { vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { makeIrisRoot, readIfExists, removeRoots, runDash, scriptWithConstants } from './vmRoot';

const PRE = vmScriptPath('iris-pre');
const POST = vmScriptPath('iris-post');
const iris = (over: Partial<IrisInstanceSpec> = {}): IrisInstanceSpec => ({
  name: 'IRIS',
  product: 'IRIS',
  status: 'running',
  ...over,
});
const logOf = (root: string): string => readIfExists(path.join(root, 'var/log/iris-backup-guard/freeze-thaw.log'));
const stateOf = (root: string): string => readIfExists(path.join(root, 'var/lib/iris-backup-guard/freeze-state'));
const frozen = (root: string, name = 'IRIS'): boolean | undefined => readIrisInstance(root, name)?.frozen;
const freezeCalls = (root: string): string[] => readIrisCalls(root).filter((c) => c.includes('ExternalFreeze'));

afterAll(removeRoots);

describe('iris-pre.sh and iris-post.sh under dash', () => {
  it('freezes, records the journal, then thaws; nothing on stdout or stderr', () => {
    const root = makeIrisRoot(iris());
    const pre = runDash(root, PRE, ['', '']);
    expect(pre).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(frozen(root)).toBe(true);
    expect(logOf(root)).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ level=info script=pre event=frozen run=\S+ instance=IRIS journal=\/usr\/irissys\/mgr\/journal\/\d{8}\.\d{3}$/m,
    );
    expect(stateOf(root)).toMatch(/^phase=frozen$/m);
    expect(freezeCalls(root)[0]).toContain('ExternalFreeze("",,,,,,600,,,300)');

    const post = runDash(root, POST);
    expect(post).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(frozen(root)).toBe(false);
    expect(logOf(root)).toMatch(/level=info script=post event=thawed run=\S+ instance=IRIS rc=5/);
    const messages = readIfExists(irisMessagesLogPath(root, readIrisInstance(root, 'IRIS')!));
    expect(messages).toMatch(
      /^\d\d\/\d\d\/\d\d-\d\d:\d\d:\d\d:\d{3} \(\d+\) 0 \[Utility\.Event\] Backup\.General\.ExternalFreeze: Suspending system$/m,
    );
    expect(messages).toMatch(/^Journaling switched to: \/usr\/irissys\/mgr\/journal\//m);
    expect(messages).toContain('Backup.General.ExternalThaw: System resumed');
  });

  it.each([
    ['IRIS says the freeze failed (3)', 3, 70],
    ['the session fails (1)', 1, 70],
  ])('fails without leaving anything frozen when %s', (_label, freezeRc, exit) => {
    const root = makeIrisRoot(iris({ knobs: { freezeRc } }));
    expect(runDash(root, PRE).status).toBe(exit);
    expect(frozen(root)).toBe(false);
    expect(logOf(root)).toContain(`event=freeze-failed run=`);
    expect(stateOf(root)).toMatch(/^phase=pre-failed$/m);
    // The post-script that follows a failed pre-script has nothing to thaw and succeeds.
    expect(runDash(root, POST).status).toBe(0);
    expect(logOf(root)).toMatch(/script=post event=skip .*reason=nothing-frozen/);
  });

  it('post-script fails and keeps the instance on record when the thaw fails', () => {
    const root = makeIrisRoot(iris({ knobs: { thawRc: 3 } }));
    expect(runDash(root, PRE).status).toBe(0);
    expect(runDash(root, POST).status).toBe(73);
    expect(frozen(root)).toBe(true);
    expect(logOf(root)).toMatch(/level=error script=post event=thaw-failed .*instance=IRIS rc=3/);
    expect(stateOf(root)).toMatch(/^phase=post-failed$/m);
    expect(stateOf(root)).toMatch(/^frozen=IRIS$/m);
  });

  it('post-script reports an auto-thaw before it ran as a failure', () => {
    const root = makeIrisRoot(iris());
    expect(runDash(root, PRE).status).toBe(0);
    writeIrisInstance(root, iris({ frozen: false })); // as if WDSuspendLimit had resumed it
    expect(runDash(root, POST).status).toBe(74);
    expect(logOf(root)).toMatch(/level=error script=post event=auto-thawed .*instance=IRIS/);
    expect(readIrisCalls(root).filter((c) => c.includes('ExternalThaw'))).toEqual([]);
  });

  it('post-script without any pre-script state succeeds and calls nothing', () => {
    const root = makeIrisRoot(iris({ frozen: true }));
    expect(runDash(root, POST).status).toBe(0);
    expect(frozen(root)).toBe(true);
    expect(readIrisCalls(root)).toEqual([]);
  });

  it.each([
    ['discovered from qlist', {}, 69, 'event=no-running-instance'],
    ['named in IBG_INSTANCES', { IBG_INSTANCES: 'IRIS' }, 72, 'event=status-failed'],
  ])('fails when the instance is down (%s)', (_label, env, exit, event) => {
    const root = makeIrisRoot(iris({ status: 'down' }));
    expect(runDash(root, PRE, [], env).status).toBe(exit);
    expect(logOf(root)).toContain(event);
    expect(freezeCalls(root)).toEqual([]);
  });

  it('freezes two instances', () => {
    const root = makeIrisRoot(iris(), iris({ name: 'IRIS2' }));
    expect(runDash(root, PRE).status).toBe(0);
    expect([frozen(root), frozen(root, 'IRIS2')]).toEqual([true, true]);
    expect(stateOf(root)).toMatch(/^frozen=IRIS IRIS2$/m);
    expect(runDash(root, POST).status).toBe(0);
    expect([frozen(root), frozen(root, 'IRIS2')]).toEqual([false, false]);
  });

  it('thaws the first instance when the second fails to freeze', () => {
    const root = makeIrisRoot(iris(), iris({ name: 'IRIS2', knobs: { freezeRc: 3 } }));
    expect(runDash(root, PRE, [], { IBG_INSTANCES: 'IRIS,IRIS2' }).status).toBe(70);
    expect([frozen(root), frozen(root, 'IRIS2')]).toEqual([false, false]);
    expect(logOf(root)).toMatch(/script=pre event=thawed .*instance=IRIS rc=5/);
  });

  it('refuses an instance that is already frozen and leaves it as it was', () => {
    const root = makeIrisRoot(iris({ frozen: true }));
    expect(runDash(root, PRE).status).toBe(71);
    expect(frozen(root)).toBe(true);
    expect(freezeCalls(root)).toEqual([]);
    expect(readIrisCalls(root).filter((c) => c.includes('ExternalThaw'))).toEqual([]);
    expect(logOf(root)).toMatch(/level=error script=pre event=already-frozen .*instance=IRIS/);
  });

  it('uses ccontrol and csession for Caché', () => {
    const root = makeIrisRoot(iris({ name: 'CACHE', product: 'Cache' }));
    expect(runDash(root, PRE).status).toBe(0);
    expect(frozen(root, 'CACHE')).toBe(true);
    expect(readIrisCalls(root)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^csession CACHE -U%SYS .*ExternalFreeze/)]),
    );
    expect(logOf(root)).toMatch(/event=instances .*flavour=cache names=CACHE/);
    expect(runDash(root, POST).status).toBe(0);
    expect(frozen(root, 'CACHE')).toBe(false);
    const cconsole = readIfExists(path.join(root, 'usr/cachesys/mgr/cconsole.log'));
    expect(cconsole).toContain('Backup.General.ExternalThaw: System resumed');
  });

  it('fails without iris or ccontrol on PATH', () => {
    const root = makeIrisRoot();
    expect(runDash(root, PRE).status).toBe(69);
    expect(logOf(root)).toContain('event=no-iris-command');
  });

  it('bounds a hung freeze with timeout and thaws what the hung call froze', () => {
    const root = makeIrisRoot(iris({ knobs: { freezeHangSeconds: 5 } }));
    const pre = scriptWithConstants(root, PRE, { FREEZE_ATTEMPT_TIMEOUT: 1, STATUS_TIMEOUT: 3, KILL_AFTER: 1 });
    expect(runDash(root, pre).status).toBe(70);
    expect(logOf(root)).toMatch(/event=freeze-failed .*instance=IRIS rc=124/);
    expect(frozen(root)).toBe(false);
  });

  it('bounds a hung thaw and reports the instance as still frozen', () => {
    const root = makeIrisRoot(iris({ knobs: { thawHangSeconds: 5 } }));
    expect(runDash(root, PRE).status).toBe(0);
    const post = scriptWithConstants(root, POST, { THAW_TIMEOUT: 1, STATUS_TIMEOUT: 3, KILL_AFTER: 1 });
    expect(runDash(root, post).status).toBe(73);
    expect(logOf(root)).toMatch(/event=thaw-failed .*instance=IRIS rc=124/);
    expect(frozen(root)).toBe(true);
  });

  it('records the attempt before ExternalFreeze and the outcome after it (state format)', () => {
    const root = makeIrisRoot(iris());
    expect(runDash(root, PRE).status).toBe(0);
    expect(stateOf(root)).toMatch(
      /^phase=frozen\nrun=\d{8}T\d{6}Z-\d+\npid=\d+\nattempted=IRIS\nfrozen=IRIS\nattempt_until=\n$/,
    );
    expect(logOf(root)).toMatch(/level=info script=pre event=freeze-attempt run=\S+ instance=IRIS until=\d+\n/);
    expect(runDash(root, POST).status).toBe(0);
    expect(stateOf(root)).toMatch(/^phase=thawed\n(?:.*\n){2}attempted=\nfrozen=\n/);
  });

  // Issue 7, case 1: the log directory became a file between the scripts; dash used to end the post-script (exit 2).
  it('the post-script thaws without a usable log directory and reports it with 77', () => {
    const root = makeIrisRoot(iris());
    expect(runDash(root, PRE).status).toBe(0);
    const logDir = path.join(root, 'var/log/iris-backup-guard');
    fs.rmSync(logDir, { recursive: true });
    fs.writeFileSync(logDir, 'not a directory');
    expect(runDash(root, POST)).toEqual({ status: 77, stdout: '', stderr: '' });
    expect(frozen(root)).toBe(false);
    expect(stateOf(root)).toMatch(/^phase=thawed$/m);
  });

  // Issue 7, case 2.
  it('the pre-script refuses to freeze when it cannot record state (76), and says why in its log', () => {
    const root = makeIrisRoot(iris());
    fs.mkdirSync(path.join(root, 'var/lib'), { recursive: true });
    fs.writeFileSync(path.join(root, 'var/lib/iris-backup-guard'), 'not a directory');
    expect(runDash(root, PRE).status).toBe(76);
    expect(freezeCalls(root)).toEqual([]);
    expect(frozen(root)).toBe(false);
    expect(logOf(root)).toMatch(/level=error script=pre event=state-write-failed .*file=\S+freeze-state/);
  });

  it('the pre-script refuses to freeze into a log directory someone else owns (77), writing nothing there', () => {
    const root = makeIrisRoot(iris());
    const logDir = path.join(root, 'var/log/iris-backup-guard');
    fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
    fs.chownSync(logDir, 65534, 65534);
    expect(runDash(root, PRE).status).toBe(77);
    expect(fs.readdirSync(logDir)).toEqual([]);
    expect(freezeCalls(root)).toEqual([]);
    expect(runDash(root, POST).status).toBe(77);
  });

  // Issue 7, case 3: KILL while ExternalFreeze is in flight; the freeze lands after the pre-script died.
  it('the post-script thaws a freeze that landed after the pre-script was killed during the call', () => {
    const root = makeIrisRoot(iris());
    setFaults(root, [{ phase: 'pre', key: 'ExternalFreeze', n: 1, action: 'sig:KILL' }]);
    const env = { ...irisSimEnv(root, { PATH: '/usr/local/bin:/usr/bin:/bin' }), IBG_FAULT_PHASE: 'pre' };
    // Short bounds: the post-script waits until the orphaned call must have ended (attempt_until).
    const shortPre = scriptWithConstants(root, PRE, { FREEZE_ATTEMPT_TIMEOUT: 1, KILL_AFTER: 1 });
    const pre = spawnSync(
      'dash',
      ['-c', 'printf "%s\\n" "$$" >"$0"; exec dash "$1"', faultTargetPidFile(root), shortPre],
      {
        env,
        encoding: 'utf8',
      },
    );
    expect(pre.signal).toBe('SIGKILL');
    expect(stateOf(root)).toMatch(/^phase=pre-running\n(?:.*\n){2}attempted=IRIS\nfrozen=\nattempt_until=\d+$/m);
    const post = runDash(root, POST);
    expect(post.status).toBe(0);
    expect(frozen(root)).toBe(false);
    expect(readIrisCalls(root).filter((c) => c.includes('ExternalThaw'))).toHaveLength(1);
    expect(logOf(root)).toMatch(/level=warn script=post event=waiting-for-freeze-call .*until=\d+/);
  });

  it('the post-script retries a failed thaw once', () => {
    const root = makeIrisRoot(iris());
    expect(runDash(root, PRE).status).toBe(0);
    setFaults(root, [{ phase: 'post', key: 'ExternalThaw', n: 1, action: 'fail:3' }]);
    expect(runDash(root, POST, [], { IBG_FAULT_PHASE: 'post' }).status).toBe(0);
    expect(frozen(root)).toBe(false);
    expect(logOf(root)).toMatch(/level=warn script=post event=thaw-retry .*instance=IRIS rc=3 status=5/);
  });

  it('the pre-script never writes through a symlinked state file', () => {
    const root = makeIrisRoot(iris());
    const target = path.join(root, 'elsewhere');
    fs.writeFileSync(target, 'untouched\n');
    fs.mkdirSync(path.join(root, 'var/lib/iris-backup-guard'), { recursive: true, mode: 0o700 });
    fs.symlinkSync(target, path.join(root, 'var/lib/iris-backup-guard/freeze-state'));
    expect(runDash(root, PRE).status).toBe(76);
    expect(fs.readFileSync(target, 'utf8')).toBe('untouched\n');
    expect(freezeCalls(root)).toEqual([]);
  });

  it('logs only lines the scriptLog parser reads, the new events included', () => {
    const root = makeIrisRoot(iris(), iris({ name: 'IRIS2', knobs: { freezeRc: 3 } }));
    expect(runDash(root, PRE, [], { IBG_INSTANCES: 'IRIS,IRIS2' }).status).toBe(70);
    expect(runDash(root, POST).status).toBe(0);
    const parsed = parseScriptLog(logOf(root));
    expect(parsed.problems).toEqual([]);
    expect(parsed.value.map((e) => [e.type, e.name, e.instance])).toEqual([
      ['freeze-start', 'start', undefined],
      ['freeze-start', 'freeze-attempt', 'IRIS'],
      ['frozen', 'frozen', 'IRIS'],
      ['freeze-start', 'freeze-attempt', 'IRIS2'],
      ['freeze-failed', 'freeze-failed', 'IRIS2'],
      ['thawed', 'thawed', 'IRIS'],
      ['error', 'finished', undefined],
      ['thaw-start', 'start', undefined],
      ['skipped', 'skip', undefined],
    ]);
  });

  it('the next pre-script thaws what an earlier post-script could not (its state still lists it)', () => {
    const root = makeIrisRoot(iris({ knobs: { thawRc: 3 } }));
    expect(runDash(root, PRE).status).toBe(0);
    expect(runDash(root, POST).status).toBe(73);
    expect(frozen(root)).toBe(true);
    writeIrisInstance(root, iris({ frozen: true })); // the thaw works again; still frozen by us
    expect(runDash(root, PRE).status).toBe(71);
    expect(frozen(root)).toBe(false);
    expect(logOf(root)).toMatch(/level=warn script=pre event=leftover .*instances=IRIS/);
    expect(freezeCalls(root)).toHaveLength(1);
    expect(runDash(root, PRE).status).toBe(0);
    expect(runDash(root, POST).status).toBe(0);
    expect(frozen(root)).toBe(false);
  });

  it('an early refusal still checks leftovers with IRIS before exiting (76, not 73)', () => {
    const root = makeIrisRoot(iris());
    const stateDir = path.join(root, 'var/lib/iris-backup-guard');
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(stateDir, 'freeze-state'), 'phase=post-failed\nattempted=IRIS\nfrozen=IRIS\n');
    fs.chownSync(stateDir, 65534, 65534);
    expect(runDash(root, PRE).status).toBe(76);
    expect(logOf(root)).toMatch(/script=pre event=not-suspended .*instance=IRIS/);
    expect(freezeCalls(root)).toEqual([]);
  });

  it.each([
    ['still running', true, 75],
    ['gone, its pid reused by another process', false, 0],
  ])('the post-script after a pre-script that is %s', (_label, preRuns, exit) => {
    const root = makeIrisRoot(iris({ frozen: true }));
    // A process whose command line names iris-pre stands for a running pre-script; otherwise the pid is this test's.
    const other = spawn('sh', ['-c', 'sleep 5', 'iris-pre.sh'], { stdio: 'ignore' });
    try {
      const pid = preRuns ? other.pid : process.pid;
      const state = `phase=pre-running\nrun=r\npid=${String(pid)}\nattempted=IRIS\nfrozen=\nattempt_until=\n`;
      fs.mkdirSync(path.join(root, 'var/lib/iris-backup-guard'), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(root, 'var/lib/iris-backup-guard/freeze-state'), state);
      const post = scriptWithConstants(root, POST, { PRE_WAIT: 2 });
      expect(runDash(root, post).status).toBe(exit);
      // Waiting out a running pre-script leaves its freeze (and its state) to it; a dead one's freeze is thawed.
      expect(frozen(root)).toBe(preRuns);
      expect(stateOf(root)).toMatch(preRuns ? /^phase=pre-running$/m : /^phase=thawed$/m);
    } finally {
      other.kill();
    }
  });

  // On RHEL-like VMs the extension's `sh` is bash in POSIX mode: the same guarantees must hold there.
  it('under bash --posix too: freeze and thaw, a killed pre-script, a log directory turned into a file', () => {
    const bash = (root: string, script: string, phase: string): { status: number | null; signal: string | null } => {
      const env = { ...irisSimEnv(root, { PATH: '/usr/local/bin:/usr/bin:/bin' }), IBG_FAULT_PHASE: phase };
      const run = spawnSync(
        'bash',
        ['--norc', '-c', 'printf "%s\\n" "$$" >"$0"; exec bash --norc --posix "$1"', faultTargetPidFile(root), script],
        {
          env,
          encoding: 'utf8',
          timeout: 30000,
        },
      );
      expect([run.stdout, run.stderr]).toEqual(['', '']);
      return { status: run.status, signal: run.signal };
    };
    const plain = makeIrisRoot(iris());
    expect(bash(plain, PRE, 'pre').status).toBe(0);
    expect(frozen(plain)).toBe(true);
    expect(bash(plain, POST, 'post').status).toBe(0);
    expect(frozen(plain)).toBe(false);

    const killed = makeIrisRoot(iris());
    setFaults(killed, [{ phase: 'pre', key: 'ExternalFreeze', n: 1, action: 'sig:KILL' }]);
    const shortPre = scriptWithConstants(killed, PRE, { FREEZE_ATTEMPT_TIMEOUT: 1, KILL_AFTER: 1 });
    expect(bash(killed, shortPre, 'pre').signal).toBe('SIGKILL');
    expect(bash(killed, POST, 'post').status).toBe(0);
    expect(frozen(killed)).toBe(false);

    const noLog = makeIrisRoot(iris());
    expect(bash(noLog, PRE, 'pre').status).toBe(0);
    const logDir = path.join(noLog, 'var/log/iris-backup-guard');
    fs.rmSync(logDir, { recursive: true });
    fs.writeFileSync(logDir, 'not a directory');
    expect(bash(noLog, POST, 'post').status).toBe(77);
    expect(frozen(noLog)).toBe(false);
  });
});
