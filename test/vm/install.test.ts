import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildInstallScript, readVmScript, vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { makeRoot, removeRoots, runDash, writeFile } from './vmRoot';

afterAll(removeRoots);

const installed = (root: string, name: string): fs.Stats => fs.statSync(path.join(root, 'etc/azure', name));
const modeOf = (st: fs.Stats): string => (st.mode & 0o7777).toString(8);

/** The same checks for vm/install.sh run from its directory and for the self-contained Run Command script. */
const variants: [string, (root: string) => string][] = [
  ['vm/install.sh', () => vmScriptPath('install')],
  [
    'buildInstallScript()',
    (root) => {
      const file = path.join(root, 'install-bundle.sh');
      fs.writeFileSync(file, buildInstallScript(), { mode: 0o700 });
      return file;
    },
  ],
];

describe.each(variants)('%s', (_label, scriptFor) => {
  it('installs root-owned 700 scripts and a 600 config, then changes nothing on a second run', () => {
    const root = makeRoot();
    const script = scriptFor(root);
    const first = runDash(root, script);
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(
      'RESULT status=installed changed=iris-pre.sh,iris-post.sh,VMSnapshotScriptPluginConfig.json backups=none hostconf=ok\n',
    );
    for (const [name, mode] of [
      ['iris-pre.sh', '700'],
      ['iris-post.sh', '700'],
      ['VMSnapshotScriptPluginConfig.json', '600'],
    ] as const) {
      const st = installed(root, name);
      expect([modeOf(st), st.uid, st.gid]).toEqual([mode, 0, 0]);
    }
    expect(fs.readFileSync(path.join(root, 'etc/azure/iris-pre.sh'), 'utf8')).toBe(readVmScript('iris-pre'));
    expect(fs.readFileSync(path.join(root, 'etc/azure/VMSnapshotScriptPluginConfig.json'), 'utf8')).toBe(
      readVmScript('config'),
    );
    const second = runDash(root, script);
    expect(second).toMatchObject({
      status: 0,
      stdout: 'RESULT status=unchanged changed=none backups=none hostconf=ok\n',
    });
  });

  it('backs up a different existing config, repairs modes and reports a redirecting host conf', () => {
    const root = makeRoot();
    const script = scriptFor(root);
    writeFile(root, '/etc/azure/VMSnapshotScriptPluginConfig.json', '{"old":true}', 0o644);
    writeFile(root, '/etc/azure/VMSnapshotPluginHost.conf', '[pre_post]\npluginConfigPath0: /etc/azure/x.json\n');
    expect(runDash(root, script).status).toBe(0);
    fs.chmodSync(path.join(root, 'etc/azure/iris-post.sh'), 0o755);
    const run = runDash(root, script);
    expect(run.stdout).toBe(
      'RESULT status=installed changed=iris-post.sh backups=none hostconf=redirects-to:/etc/azure/x.json\n',
    );
    expect(modeOf(installed(root, 'iris-post.sh'))).toBe('700');
    const backups = fs.readdirSync(path.join(root, 'etc/azure')).filter((f) => f.includes('.bak-'));
    expect(backups).toEqual([expect.stringMatching(/^VMSnapshotScriptPluginConfig\.json\.bak-\d{8}T\d{6}Z$/)]);
    expect(fs.readFileSync(path.join(root, 'etc/azure', backups[0] ?? ''), 'utf8')).toBe('{"old":true}');
  });
});

/** A `cp` that runs out of space writing into /etc/azure: it writes the first 100 bytes, then lies (0) or fails (1). */
function diskFullBin(root: string, exitCode: 0 | 1, command: 'cp' | 'cat' = 'cp'): string {
  const dir = path.join(root, 'disk-full-bin');
  fs.mkdirSync(dir, { recursive: true });
  const body =
    command === 'cp'
      ? `if [ "$#" -eq 2 ]; then case "$2" in */etc/azure/*) head -c 100 "$1" >"$2"; exit ${exitCode} ;; esac; fi\nexec /bin/cp "$@"\n`
      : // The embedded installer stages with \`cat >file <<EOF\`: only the staged iris-post.sh comes out short.
        `case "$(readlink /proc/$$/fd/1)" in */iris-post.sh) head -c 100; exit ${exitCode} ;; esac\nexec /bin/cat "$@"\n`;
  fs.writeFileSync(path.join(dir, command), `#!/bin/sh\n${body}`, { mode: 0o755 });
  return dir;
}

const listAzure = (root: string): string[] => fs.readdirSync(path.join(root, 'etc/azure')).sort();

describe.each(variants)('%s when a write fails', (_label, scriptFor) => {
  it.each([
    ['cp runs out of space and says so', 1 as const, 'write'],
    ['cp runs out of space and says nothing', 0 as const, 'verify'],
  ])('keeps the old files when %s, and exits 70', (_case, exitCode, reason) => {
    const root = makeRoot();
    const script = scriptFor(root);
    const old = writeFile(root, '/etc/azure/iris-pre.sh', '#!/bin/sh\nexit 0\n', 0o700);
    writeFile(root, '/etc/azure/VMSnapshotScriptPluginConfig.json', '{"old":true}', 0o600);
    const before = listAzure(root);
    const run = runDash(root, script, [], {
      PATH: `${diskFullBin(root, exitCode)}:/usr/local/bin:/usr/bin:/bin`,
    });
    expect(run.status).toBe(70);
    expect(run.stdout).toBe(`RESULT status=failed reason=${reason}-of-iris-pre.sh\n`);
    expect(fs.readFileSync(old, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect(fs.readFileSync(path.join(root, 'etc/azure/VMSnapshotScriptPluginConfig.json'), 'utf8')).toBe(
      '{"old":true}',
    );
    // No temporary file and no backup left behind: nothing was replaced.
    expect(listAzure(root)).toEqual(before);
  });

  it('keeps everything as it was when a backup copy fails', () => {
    const root = makeRoot();
    const script = scriptFor(root);
    writeFile(root, '/etc/azure/iris-pre.sh', '#!/bin/sh\nexit 0\n', 0o700);
    writeFile(root, '/etc/azure/VMSnapshotScriptPluginConfig.json', '{"old":true}', 0o600);
    const before = listAzure(root);
    const bin = path.join(root, 'cp-p-fails');
    fs.mkdirSync(bin);
    // The config's backup copy (`cp -p`) writes a short file and fails, as on a full disk; the script's backup, made
    // just before, must go too.
    fs.writeFileSync(
      path.join(bin, 'cp'),
      '#!/bin/sh\ncase "$1 $2" in "-p "*.json) head -c 3 "$2" >"$3"; exit 1 ;; esac\nexec /bin/cp "$@"\n',
      { mode: 0o755 },
    );
    const run = runDash(root, script, [], { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` });
    expect(run).toMatchObject({
      status: 70,
      stdout: 'RESULT status=failed reason=backup-of-VMSnapshotScriptPluginConfig.json\n',
    });
    expect(listAzure(root)).toEqual(before);
    expect(fs.readFileSync(path.join(root, 'etc/azure/iris-pre.sh'), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
  });

  it('never overwrites an earlier backup made in the same second', () => {
    const root = makeRoot();
    const script = scriptFor(root);
    writeFile(root, '/etc/azure/VMSnapshotScriptPluginConfig.json', '{"theirs":true}', 0o600);
    const bin = path.join(root, 'fixed-date');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'date'), '#!/bin/sh\necho 20261203T120000Z\n', { mode: 0o755 });
    const env = { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` };
    expect(runDash(root, script, [], env).status).toBe(0);
    writeFile(root, '/etc/azure/VMSnapshotScriptPluginConfig.json', '{"changed":true}', 0o600);
    expect(runDash(root, script, [], env).stdout).toMatch(
      /backups=\/etc\/azure\/VMSnapshotScriptPluginConfig\.json\.bak-20261203T120000Z-\d+ /,
    );
    const config = path.join(root, 'etc/azure/VMSnapshotScriptPluginConfig.json');
    expect(fs.readFileSync(`${config}.bak-20261203T120000Z`, 'utf8')).toBe('{"theirs":true}');
  });

  it('refuses to install into an /etc/azure that is a symlink or that another user owns', () => {
    const root = makeRoot();
    const script = scriptFor(root);
    const elsewhere = path.join(root, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.mkdirSync(path.join(root, 'etc'));
    fs.symlinkSync(elsewhere, path.join(root, 'etc/azure'));
    const linked = runDash(root, script);
    expect(linked).toMatchObject({ status: 70, stdout: 'RESULT status=failed reason=unsafe-dir-/etc/azure\n' });
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    fs.unlinkSync(path.join(root, 'etc/azure'));
    fs.mkdirSync(path.join(root, 'etc/azure'));
    fs.chownSync(path.join(root, 'etc/azure'), 65534, 65534);
    expect(runDash(root, script).stdout).toBe('RESULT status=failed reason=unsafe-dir-/etc/azure\n');
    expect(fs.readdirSync(path.join(root, 'etc/azure'))).toEqual([]);
  });
});

describe('buildInstallScript() when staging fails', () => {
  it('stops before touching /etc/azure when an embedded file comes out short', () => {
    const root = makeRoot();
    const file = path.join(root, 'install-bundle.sh');
    fs.writeFileSync(file, buildInstallScript(), { mode: 0o700 });
    const run = runDash(root, file, [], { PATH: `${diskFullBin(root, 0, 'cat')}:/usr/local/bin:/usr/bin:/bin` });
    expect(run).toMatchObject({ status: 70, stdout: 'RESULT status=failed reason=verify-staged-iris-post.sh\n' });
    expect(fs.existsSync(path.join(root, 'etc/azure/iris-pre.sh'))).toBe(false);
  });
});

describe.each(variants)('%s --uninstall', (_label, scriptFor) => {
  it('removes our files and puts back the configuration the VM had before', () => {
    const root = makeRoot();
    const script = scriptFor(root);
    writeFile(root, '/etc/azure/VMSnapshotScriptPluginConfig.json', '{"theirs":true}', 0o600);
    expect(runDash(root, script).status).toBe(0);
    // An upgrade with a changed config keeps our older config too; uninstall must skip it and restore theirs.
    const config = path.join(root, 'etc/azure/VMSnapshotScriptPluginConfig.json');
    fs.writeFileSync(config, `${readVmScript('config').trimEnd()}\n\n`);
    fs.renameSync(config, `${config}.bak-29991231T000000Z`);
    fs.writeFileSync(config, readVmScript('config'));
    const run = runDash(root, script, ['--uninstall']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^RESULT status=uninstalled removed=iris-pre\.sh,iris-post\.sh restored=\/etc\/azure\/VMSnapshotScriptPluginConfig\.json<-VMSnapshotScriptPluginConfig\.json\.bak-\d{8}T\d{6}Z kept=none\n$/,
    );
    expect(fs.readFileSync(config, 'utf8')).toBe('{"theirs":true}');
    expect(listAzure(root)).toEqual([
      'VMSnapshotScriptPluginConfig.json',
      'VMSnapshotScriptPluginConfig.json.bak-29991231T000000Z',
    ]);
    expect(runDash(root, script, ['--uninstall']).stdout).toBe(
      'RESULT status=uninstalled removed=none restored=none kept=VMSnapshotScriptPluginConfig.json\n',
    );
  });

  it('rejects unknown arguments', () => {
    const root = makeRoot();
    expect(runDash(root, scriptFor(root), ['--frobnicate'])).toMatchObject({ status: 64 });
  });
});
