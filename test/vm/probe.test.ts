import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseProbeOutput } from '../../src/shared/checks/parseProbeOutput';
import type { ProbeFacts } from '../../src/shared/checks/probeFacts';
import { PROBE_MARKER, PROBE_OUTPUT_BUDGET_BYTES } from '../../src/shared/checks/probeFacts';
import { readVmScript, vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { makeIrisRoot, makeRoot, removeRoots, runDash, scriptWithConstants, writeFile } from './vmRoot';

const PROBE = vmScriptPath('probe');
const EXT_LOG = '/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log';
const CONFIG = '/etc/azure/VMSnapshotScriptPluginConfig.json';
const NOBODY = 65534;

afterAll(removeRoots);

/** Runs the probe and checks the invariants every run must keep: one marker line, within budget, valid JSON. */
function probe(root: string, env: Record<string, string> = {}, script = PROBE, uid?: number): ProbeFacts {
  const run = runDash(root, script, [], env, uid);
  expect(run.status).toBe(0);
  expect(run.stderr).toBe('');
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(Buffer.byteLength(run.stdout)).toBeLessThanOrEqual(PROBE_OUTPUT_BUDGET_BYTES);
  const line = lines[0] ?? '';
  expect(line.startsWith(`${PROBE_MARKER} `)).toBe(true);
  return JSON.parse(line.slice(PROBE_MARKER.length + 1)) as ProbeFacts;
}

function installOurScripts(root: string): void {
  writeFile(root, CONFIG, readVmScript('config'), 0o600);
  writeFile(root, '/etc/azure/iris-pre.sh', readVmScript('iris-pre'), 0o700);
  writeFile(root, '/etc/azure/iris-post.sh', readVmScript('iris-post'), 0o700);
}

/** A Microsoft-sample-like pre-script: bash-only constructs, CRLF endings, its own log. */
const BASH_PRE = [
  '#!/bin/bash',
  'log_path="/var/tmp/BackupScript.log"',
  'function freeze {',
  'if [[ $x == 5 ]]; then echo -e "x" |& tee -a $log_path; fi',
  'arr=(a b)',
  'source /etc/profile',
  'let n=1',
  'declare -a y',
  'echo ${PIPESTATUS[0]}',
  'diff <(ls) <(ls)',
  'if [ "$a" == "b" ]; then :; fi',
  'csession CACHE -U%SYS "##Class(Backup.General).ExternalFreeze()" >> $log_path',
  'status=$?',
  'if [ $status -eq 5 ]; then printf "SYSTEM IS FROZEN\\n" >> $log_path; fi',
  'exit $status',
  '',
].join('\r\n');

describe('vm/probe.sh', () => {
  it('reports a clean root without IRIS: nothing exists, no scripts', () => {
    const facts = probe(makeRoot());
    expect(facts).toMatchObject({
      v: 1,
      mode: 'check',
      hostConf: { path: '/etc/azure/VMSnapshotPluginHost.conf', exists: false, isFile: false },
      config: { path: CONFIG, exists: false },
      workloadConf: { exists: false },
      vmbackupConf: { exists: false },
      extension: { versions: [] },
      iris: { present: false },
      logs: { scripts: { exists: false, lines: [] }, extension: { exists: false, lines: [] } },
    });
    expect(facts.pre).toBeUndefined();
    expect(facts.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('describes our installed scripts, IRIS and the logs after a backup', () => {
    const root = makeIrisRoot({ name: 'IRIS', product: 'IRIS', status: 'running' });
    installOurScripts(root);
    fs.mkdirSync(path.join(root, 'var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0'), {
      recursive: true,
    });
    writeFile(
      root,
      EXT_LOG,
      '2026-11-21 01:30:00.000001 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Prescript for ScriptRunner successfully executed.\n' +
        '2026-11-21 01:30:01.000001 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]unrelated noise\n',
    );
    expect(runDash(root, path.join(root, 'etc/azure/iris-pre.sh')).status).toBe(0);
    expect(runDash(root, path.join(root, 'etc/azure/iris-post.sh')).status).toBe(0);

    const facts = probe(root);
    expect(facts.config).toMatchObject({ exists: true, isFile: true, owner: 'root', mode: '600', bom: false });
    expect(JSON.parse(facts.config.text ?? '')).toEqual(JSON.parse(readVmScript('config')));
    expect(facts.pre).toMatchObject({
      path: '/etc/azure/iris-pre.sh',
      owner: 'root',
      mode: '700',
      firstLine: '#!/bin/sh',
      crlf: false,
      bashisms: [],
      ibgScript: 'pre v1',
      freezeCalls: 1,
      thawCalls: 1,
      freezeAttemptTimeout: 30,
      checksFive: true,
      stdoutWrites: 0,
      setE: true,
      trap: true,
    });
    expect(facts.pre?.freezeCall).toContain('ExternalFreeze(');
    expect(facts.post).toMatchObject({ ibgScript: 'post v1', freezeCalls: 0, thawCalls: 1, stdoutWrites: 0 });
    expect(facts.extension.versions).toEqual(['Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0']);
    expect(facts.iris).toMatchObject({ present: true, command: 'iris', wd: [{ instance: 'IRIS', rc: 3 }] });
    expect(facts.iris.qlist).toMatch(/^IRIS\^\/usr\/irissys\^/);
    expect(facts.logs.extension?.lines).toEqual([expect.stringContaining('Prescript for ScriptRunner successfully')]);
    expect(facts.logs.scripts?.lines.join('\n')).toMatch(/script=pre event=frozen .*instance=IRIS/);
    expect(facts.logs.messages).toMatchObject({ path: '/usr/irissys/mgr/messages.log', exists: true });
    expect(facts.logs.messages?.lines.join('\n')).toContain('Backup.General.ExternalThaw: System resumed');
    expect(facts.logs.otherScriptLog).toBeUndefined();
  });

  it('reports a frozen instance and Caché commands', () => {
    const root = makeIrisRoot({ name: 'CACHE', product: 'Cache', status: 'running', frozen: true });
    const facts = probe(root);
    expect(facts.iris).toMatchObject({ present: true, command: 'ccontrol', wd: [{ instance: 'CACHE', rc: 5 }] });
    expect(facts.logs.messages?.path).toBe('/usr/cachesys/mgr/cconsole.log');
  });

  it('finds bashisms, CRLF and the sample script log in a Microsoft-style pre-script', () => {
    const root = makeRoot();
    writeFile(root, CONFIG, JSON.stringify({ preScriptLocation: '/etc/azure/pre.sh', postScriptLocation: '/x' }));
    writeFile(root, '/etc/azure/pre.sh', BASH_PRE, 0o755);
    writeFile(root, '/var/tmp/BackupScript.log', 'SYSTEM IS FROZEN\n');
    const facts = probe(root);
    expect(facts.pre).toMatchObject({ mode: '755', firstLine: '#!/bin/bash', crlf: true, freezeCalls: 1 });
    expect(facts.pre?.ibgScript).toBeUndefined();
    expect([...(facts.pre?.bashisms ?? [])].sort()).toEqual(
      [
        'array',
        'declare',
        'double-bracket',
        'double-equals',
        'echo-e',
        'function-keyword',
        'let',
        'pipe-ampersand',
        'pipestatus',
        'process-substitution',
        'source',
      ].sort(),
    );
    expect(facts.pre).toMatchObject({ checksFive: true, exitLines: ['exit $status'], setE: false, trap: false });
    expect(facts.pre?.stdoutWrites).toBeGreaterThanOrEqual(1);
    expect(facts.pre?.freezeCall).toMatch(/^csession CACHE -U%SYS/);
    expect(facts.post).toMatchObject({ path: '/x', exists: false });
    expect(facts.logs.otherScriptLog).toMatchObject({ path: '/var/tmp/BackupScript.log', lines: ['SYSTEM IS FROZEN'] });
  });

  it.each([
    ['`[ -z` guard, && exec /bin/bash', '[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"', true],
    ['`[ -n` guard, || exec bash --', '[ -n "${BASH_VERSION:-}" ] || exec bash -- "$0" "$@"', true],
    [
      'if/fi guard, exec /usr/bin/env bash',
      'if [ -z "$BASH_VERSION" ]; then\n  exec /usr/bin/env bash "${0}" "$@"\nfi',
      true,
    ],
    ['commented out', '# [ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"', false],
    ['exec without a BASH_VERSION guard (loops forever)', 'exec /bin/bash "$0" "$@"', false],
    ['guard without exec', '[ -z "$BASH_VERSION" ] && echo "not bash"', false],
    ['re-exec after line 20', `${'true\n'.repeat(25)}[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"`, false],
  ])('reexecsBash: %s', (_name, head, expected) => {
    const root = makeRoot();
    writeFile(root, CONFIG, JSON.stringify({ preScriptLocation: '/etc/azure/pre.sh', postScriptLocation: '/x' }));
    writeFile(root, '/etc/azure/pre.sh', `#!/bin/bash\n${head}\nif [[ -n "$x" ]]; then :; fi\nexit 0\n`, 0o700);
    const facts = probe(root);
    expect(facts.pre?.bashisms).toEqual(['double-bracket']);
    expect(facts.pre?.reexecsBash ?? false).toBe(expected);
  });

  it('follows the host conf to another JSON and sees a BOM', () => {
    const root = makeRoot();
    writeFile(root, '/etc/azure/VMSnapshotPluginHost.conf', '[pre_post]\npluginConfigPath0:\t/etc/azure/other.json\n');
    writeFile(root, '/etc/azure/other.json', '\ufeff{"preScriptLocation":"/etc/azure/a.sh"}\r\n');
    const facts = probe(root);
    expect(facts.hostConf.text).toBe('[pre_post]\npluginConfigPath0:\t/etc/azure/other.json');
    expect(facts.config).toMatchObject({ path: '/etc/azure/other.json', bom: true });
    expect(facts.config.text).toBe('\ufeff{"preScriptLocation":"/etc/azure/a.sh"}\r');
    expect(facts.pre).toMatchObject({ path: '/etc/azure/a.sh', exists: false });
  });

  it('survives binary and huge files within the budget', () => {
    const root = makeRoot();
    const binary = Buffer.concat([Buffer.from('{"a":"\u0000\u0007\u001b"}'), randomBytes(2_000_000)]);
    writeFile(root, CONFIG, binary);
    writeFile(root, '/etc/azure/workload.conf', randomBytes(5000));
    const line =
      '2026-11-21 01:30:00.000001 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Postscript for ScriptRunner "q" \\ failed.\n';
    writeFile(root, EXT_LOG, line.repeat(60_000));
    const facts = probe(root);
    expect(facts.config).toMatchObject({ size: binary.length, truncated: true });
    // eslint-disable-next-line no-control-regex -- asserting that no raw control characters survive
    expect(facts.config.text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(facts.logs.extension?.truncated).toBe(true);
    expect(facts.logs.extension?.lines.length).toBeGreaterThan(0);
    expect(facts.logs.extension?.lines[0]).toBe(line.trimEnd());
    expect(facts.dropped).toContain('logs.extension');
  });

  it('reports unreadable files as such when not run as root', () => {
    const root = makeRoot();
    fs.chmodSync(root, 0o755);
    writeFile(root, CONFIG, '{"preScriptLocation":"/etc/azure/p.sh"}', 0o600);
    writeFile(root, '/var/log/iris-backup-guard/freeze-thaw.log', 'secret\n', 0o600);
    fs.chmodSync(path.join(root, 'etc/azure'), 0o755);
    fs.chmodSync(path.join(root, 'etc'), 0o755);
    for (const dir of ['var', 'var/log', 'var/log/iris-backup-guard']) fs.chmodSync(path.join(root, dir), 0o755);
    // The checkout may sit in a directory only root can enter (CI clones into a mktemp -d): give nobody its own copy.
    const script = path.join(root, 'probe.sh');
    fs.copyFileSync(PROBE, script);
    fs.chmodSync(script, 0o644);
    const facts = probe(root, {}, script, NOBODY);
    expect(facts.config).toMatchObject({ exists: true, isFile: true, readable: false, owner: 'root', mode: '600' });
    expect(facts.config.text).toBeUndefined();
    expect(facts.pre).toBeUndefined();
    expect(facts.logs.scripts).toMatchObject({ exists: true, lines: [] });
  });

  it('keeps only lines since IBG_PROBE_SINCE in logs mode, with continuation lines', () => {
    const root = makeRoot();
    writeFile(
      root,
      '/var/log/iris-backup-guard/freeze-thaw.log',
      '2026-11-21T01:00:00Z level=info script=pre event=frozen\n2026-11-21T02:00:00Z level=info script=pre event=late\n',
    );
    writeFile(
      root,
      '/usr/irissys/mgr/messages.log',
      [
        '11/21/26-01:00:00:000 (1) 0 [Generic.Event] INTERSYSTEMS IRIS JOURNALING SYSTEM MESSAGE',
        'Journaling switched to: /j/old',
        '11/21/26-02:00:00:000 (2) 0 [Generic.Event] INTERSYSTEMS IRIS JOURNALING SYSTEM MESSAGE',
        'Journaling switched to: /j/new\t"x"',
        '',
      ].join('\n'),
    );
    const facts = probe(root, { IBG_PROBE_MODE: 'logs', IBG_PROBE_SINCE: '2026-11-21T01:30:00Z' });
    expect(facts.mode).toBe('logs');
    expect(facts.logs.scripts?.lines).toEqual(['2026-11-21T02:00:00Z level=info script=pre event=late']);
    expect(facts.logs.messages?.lines).toEqual([
      '11/21/26-02:00:00:000 (2) 0 [Generic.Event] INTERSYSTEMS IRIS JOURNALING SYSTEM MESSAGE',
      'Journaling switched to: /j/new\t"x"',
    ]);
  });

  it('stays within the budget in logs mode with every log full', () => {
    const root = makeIrisRoot({ name: 'IRIS', product: 'IRIS', status: 'running' });
    installOurScripts(root);
    const long = 'x'.repeat(400);
    writeFile(root, EXT_LOG, `2026-11-21 01:30:00.000001 [E]Prescript ${long}\n`.repeat(500));
    writeFile(
      root,
      '/var/log/iris-backup-guard/freeze-thaw.log',
      `2026-11-21T01:30:00Z level=info ${long}\n`.repeat(500),
    );
    writeFile(
      root,
      '/usr/irissys/mgr/messages.log',
      `11/21/26-01:30:00:000 (1) 0 [Utility.Event] Backup.General ${long}\n`.repeat(500),
    );
    const facts = probe(root, { IBG_PROBE_MODE: 'logs' });
    expect(facts.logs.scripts?.lines.length).toBeGreaterThan(0);
    expect(facts.logs.scripts?.lines[0]?.length).toBe(300);
    expect(facts.dropped).toEqual(expect.arrayContaining(['logs.extension', 'logs.scripts', 'logs.messages']));
    // None of these lines is one a verdict needs, so leaving some out is not a truncation.
    expect(facts.logs.scripts?.truncated).toBe(false);
    // Logs mode carries no setup details: only the minimal file facts, and IRIS's write daemon state.
    expect(facts.pre).toBeUndefined();
    expect(facts.config).toEqual({ path: CONFIG, exists: true, isFile: true });
    expect(facts.iris).toEqual({ present: true, command: 'iris', wd: [{ instance: 'IRIS', rc: 3 }] });
    expect(parseProbeOutput(`${PROBE_MARKER} ${JSON.stringify(facts)}`).problems).toEqual([]);
  });

  const PY3 = (time: string, message: string): string =>
    `2026-11-21 ${time}.000001 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]${message}`;
  const MSG = (time: string, text: string): string => `11/21/26-${time}:000 (7) 0 [Utility.Event] ${text}`;
  const OURS = (time: string, rest: string): string => `2026-11-21T${time}Z level=info ${rest}`;
  const noise = (count: number, line: (i: number) => string): string[] =>
    Array.from({ length: count }, (_, i) => line(i));

  it.each([
    [
      'extension',
      EXT_LOG,
      [
        PY3('01:30:00', 'Loading script modules now...'),
        PY3('01:30:00', 'Validate Scripts output: errorCode - 0 dobackup - True fsFreeze_on - True pollTime - 1'),
        PY3('01:30:00', 'App Consistent Consistent Backup Enabled'),
        PY3('01:30:01', 'Prescript for ScriptRunner successfully executed.'),
        PY3('01:30:01', 'T:S freeze, timeout value 60'),
        PY3('01:30:02', 'T:S thaw result 0'),
        PY3('01:30:03', 'Postscript for ScriptRunner failed with error code: 73 .'),
        PY3('01:30:03', 'PostScript failed for the plugin ScriptRunner StatusCode.FailedPrepostPostScriptFailed,'),
      ],
      noise(60, (i) => PY3('01:30:02', `Permissions of the file /etc/azure/plugin-${i}-${'p'.repeat(60)} are 600`)),
    ],
    [
      'messages',
      '/usr/irissys/mgr/messages.log',
      [
        MSG('01:30:01', 'Backup.General.ExternalFreeze: System suspended'),
        MSG('01:30:03', 'Backup.General.ExternalThaw: System resumed'),
      ],
      noise(60, (i) => `${MSG('01:30:04', 'Journal')} ${i} ${'j'.repeat(80)}`),
    ],
    [
      'scripts',
      '/var/log/iris-backup-guard/freeze-thaw.log',
      [
        OURS('01:30:01', 'script=pre event=frozen run=r1 instance=IRIS journal=/j/1'),
        OURS('01:30:03', 'script=post event=thawed run=r1 instance=IRIS rc=5'),
      ],
      noise(60, (i) => OURS('01:30:04', `script=post event=waiting-for-pre run=r1 n=${i} ${'w'.repeat(80)}`)),
    ],
  ] as const)(
    'logs mode keeps the %s lines a verdict needs and leaves out context lines first',
    (key, file, needed, context) => {
      const root = makeIrisRoot({ name: 'IRIS', product: 'IRIS', status: 'running' });
      // The needed lines are the oldest: a tail would lose them.
      writeFile(root, file, [...needed, ...context, ''].join('\n'));
      const facts = probe(root, { IBG_PROBE_MODE: 'logs', IBG_PROBE_SINCE: '2026-11-21T01:00:00Z' });
      const tail = facts.logs[key];
      expect(tail?.lines.slice(0, needed.length)).toEqual(needed);
      expect(tail?.truncated).toBe(false);
      expect(facts.dropped).toContain(`logs.${key}`);
    },
  );

  it('logs mode keeps the newest needed lines and says so when even those do not fit', () => {
    const root = makeIrisRoot({ name: 'IRIS', product: 'IRIS', status: 'running' });
    const frozen = (i: number): string => `${MSG('01:30:00', 'Backup.General.ExternalFreeze: System suspended')} ${i}`;
    writeFile(root, '/usr/irissys/mgr/messages.log', `${noise(80, frozen).join('\n')}\n`);
    const facts = probe(root, { IBG_PROBE_MODE: 'logs' });
    const lines = facts.logs.messages?.lines ?? [];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[lines.length - 1]).toBe(frozen(79));
    expect(facts.logs.messages?.truncated).toBe(true);
  });

  it('bounds a hanging IRIS with timeout', () => {
    const root = makeIrisRoot({ name: 'IRIS', product: 'IRIS', status: 'running', knobs: { statusHangSeconds: 5 } });
    const script = scriptWithConstants(root, PROBE, { IRIS_TIMEOUT: 1 });
    const facts = probe(root, {}, script);
    expect(facts.iris.wd).toEqual([{ instance: 'IRIS', rc: 124 }]);
  });
});
