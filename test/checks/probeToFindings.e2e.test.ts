/**
 * End to end, as an operator runs it: `iris-backup-guard check --root <dir> --json` runs the real vm/probe.sh against
 * a temp VM root (with the simulated `iris` on PATH), and the finding the root was built to trigger must be named.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeIrisInstance, irisSimEnv, type IrisInstanceSpec } from '../../sandbox/vm-bin/irisSimState';
import { main } from '../../src/cli/main';
import type { CheckReport } from '../../src/shared/checks/formatFindings';
import { captureIo } from '../cli/cliIo';
import { makeRoot, removeRoot, type RootFile } from './support/fsRoot';

const VM = path.join(__dirname, '../../vm');
const CONFIG = '/etc/azure/VMSnapshotScriptPluginConfig.json';
const PRE = '/etc/azure/iris-pre.sh';
const POST = '/etc/azure/iris-post.sh';
const shipped = (name: string): string => fs.readFileSync(path.join(VM, name), 'utf8');
const configWith = (over: Record<string, unknown>): string =>
  JSON.stringify({ ...(JSON.parse(shipped('VMSnapshotScriptPluginConfig.json')) as object), ...over }, null, 2);

function healthyFiles(): Record<string, RootFile> {
  return {
    [CONFIG]: { content: shipped('VMSnapshotScriptPluginConfig.json'), mode: 0o600 },
    [PRE]: { content: shipped('iris-pre.sh'), mode: 0o700 },
    [POST]: { content: shipped('iris-post.sh'), mode: 0o700 },
    '/etc/azure/workload.conf': { content: '', mode: 0o644 },
    '/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0': { dir: true, mode: 0o755 },
  };
}
const RUNNING: IrisInstanceSpec = { name: 'IRIS', product: 'IRIS', status: 'running' };

const NAIVE_PRE = '#!/bin/bash\niris session IRIS -U%SYS "##Class(Backup.General).ExternalFreeze()"\nexit $?\n';
const BASH_PRE =
  '#!/bin/bash\ninstances=(IRIS)\necho "freezing"\niris session IRIS -U%SYS "##Class(Backup.General).ExternalFreeze()"\nif [ $? -eq 5 ]; then exit 0; fi\nexit 1\n';

type Edit = (files: Record<string, RootFile>) => void;
const rows: [string, Edit, IrisInstanceSpec[], string[]][] = [
  ['JSON missing', (f) => delete f[CONFIG], [RUNNING], ['PluginConfigNotFound']],
  ['JSON mode 644', (f) => (f[CONFIG] = { ...f[CONFIG], mode: 0o644 }), [RUNNING], ['PluginConfigPermissionError']],
  [
    'JSON owned by nobody',
    (f) => (f[CONFIG] = { ...f[CONFIG], owner: 'nobody' }),
    [RUNNING],
    ['PluginConfigPermissionError'],
  ],
  [
    'JSON with a BOM',
    (f) => (f[CONFIG] = { content: `\ufeff${shipped('VMSnapshotScriptPluginConfig.json')}`, mode: 0o600 }),
    [RUNNING],
    ['IncorrectJSONConfigFile'],
  ],
  [
    'string timeoutInSeconds',
    (f) => (f[CONFIG] = { content: configWith({ timeoutInSeconds: '300' }), mode: 0o600 }),
    [RUNNING],
    ['PluginConfigTypeError'],
  ],
  [
    'continueBackupOnFailure "false"',
    (f) => (f[CONFIG] = { content: configWith({ continueBackupOnFailure: 'false' }), mode: 0o600 }),
    [RUNNING],
    ['ContinueBackupOnFailureIsString'],
  ],
  [
    'the Microsoft template',
    (f) =>
      (f[CONFIG] = {
        content: configWith({ preScriptLocation: '', postScriptLocation: '', preScriptParams: ['', ''] }),
        mode: 0o600,
      }),
    [RUNNING],
    ['Pre-ScriptNotFound', 'Post-ScriptNotFound', 'ScriptParamsEmptyStrings'],
  ],
  [
    'pre-script mode 755',
    (f) => (f[PRE] = { ...f[PRE], mode: 0o755 }),
    [RUNNING],
    ['InsufficientPermissionforPre-Script'],
  ],
  [
    'post-script owned by nobody',
    (f) => (f[POST] = { ...f[POST], owner: 'nobody' }),
    [RUNNING],
    ['InsufficientPermissionforPost-Script'],
  ],
  ['pre-script a dangling symlink', (f) => (f[PRE] = { symlinkTo: '/opt/gone.sh' }), [RUNNING], ['Pre-ScriptNotFound']],
  ['post-script missing', (f) => delete f[POST], [RUNNING], ['Post-ScriptNotFound']],
  [
    'host conf mode 666',
    (f) =>
      (f['/etc/azure/VMSnapshotPluginHost.conf'] = {
        content:
          '[pre_post]\ntimeoutInSeconds: 1800\nnumberOfPlugins: 1\npluginName0: ScriptRunner\npluginPath0: /etc/azure\npluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json\n',
        mode: 0o666,
      }),
    [RUNNING],
    ['IncorrectPluginhostFile'],
  ],
  [
    'workload.conf names oracle',
    (f) => (f['/etc/azure/workload.conf'] = { content: '[workload]\nworkload_name = oracle\n', mode: 0o644 }),
    [RUNNING],
    ['WorkloadConfOverridesScripts'],
  ],
  [
    'a pre-script that passes exit 5 through',
    (f) => (f[PRE] = { content: NAIVE_PRE, mode: 0o700 }),
    [RUNNING],
    ['ScriptExitsFiveOnSuccess'],
  ],
  [
    'a pre-script with CRLF endings',
    (f) => (f[PRE] = { content: shipped('iris-pre.sh').replace(/\n/g, '\r\n'), mode: 0o700 }),
    [RUNNING],
    ['ScriptCrlfLineEndings'],
  ],
  [
    'a bash pre-script that echoes',
    (f) => (f[PRE] = { content: BASH_PRE, mode: 0o700 }),
    [RUNNING],
    ['ScriptNotPosixSh', 'ScriptWritesStdout'],
  ],
  ['IRIS frozen right now', () => undefined, [{ ...RUNNING, frozen: true }], ['IrisAlreadyFrozen']],
  ['IRIS down', () => undefined, [{ ...RUNNING, status: 'down' }], ['IrisInstanceDown']],
  [
    'IRIS is the mirror primary',
    () => undefined,
    [{ ...RUNNING, mirror: { type: 'Failover', status: 'Primary' } }],
    ['IrisMirrorPrimary'],
  ],
  ['no IRIS on the VM', () => undefined, [], ['IrisNotFound']],
];

describe('iris-backup-guard check --root: probe.sh → parseProbeOutput → checkSetup', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach(removeRoot));

  async function check(edit: Edit, instances: IrisInstanceSpec[]) {
    const files = healthyFiles();
    edit(files);
    const root = makeRoot({ files });
    roots.push(root);
    for (const spec of instances) writeIrisInstance(root, spec);
    const io = captureIo({ ...process.env, ...irisSimEnv(root) });
    const exitCode = await main(['check', '--root', root, '--json'], io);
    const report = JSON.parse(io.stdout()) as CheckReport & { probeProblems: string[] };
    return { findings: report.findings, problems: report.probeProblems, exitCode };
  }

  it('finds nothing on a VM set up with our scripts and config', async () => {
    const { findings, problems, exitCode } = await check(() => undefined, [RUNNING]);
    expect(problems).toEqual([]);
    expect(findings).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it.each(rows)('%s', async (_name, edit, instances, codes) => {
    const { findings } = await check(edit, instances);
    expect(findings.map((f) => f.code)).toEqual(expect.arrayContaining(codes));
  });
});
