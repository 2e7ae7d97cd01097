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
