import * as path from 'node:path';
import {
  irisMessagesLogPath,
  readIrisCalls,
  readIrisInstance,
  type IrisInstanceSpec,
  writeIrisInstance,
} from '../../sandbox/vm-bin/irisSimState';
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
});
