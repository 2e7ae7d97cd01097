import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scenarioVmId, startSandbox, type Sandbox } from '../../sandbox/index';
import { main } from '../../src/cli/main';
import { readVmScript } from '../../src/shared/vmScripts/vmScripts';
import { makeRoot, removeRoot } from '../checks/support/fsRoot';
import { captureIo } from './cliIo';

const CONFIG = '/etc/azure/VMSnapshotScriptPluginConfig.json';

/** A root with our hardened scripts installed the way install.sh installs them. */
const hardenedFiles = () => ({
  '/etc/azure/iris-pre.sh': { content: readVmScript('iris-pre'), mode: 0o700 },
  '/etc/azure/iris-post.sh': { content: readVmScript('iris-post'), mode: 0o700 },
  [CONFIG]: { content: readVmScript('config'), mode: 0o600 },
});

describe('iris-backup-guard check --root', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach(removeRoot));
  const root = (files: Parameters<typeof makeRoot>[0]['files']): string => {
    const r = makeRoot({ files });
    roots.push(r);
    return r;
  };

  it('a correct setup: no blocking findings, exit 0', async () => {
    const io = captureIo(process.env);
    const code = await main(['check', '--root', root(hardenedFiles()), '--json'], io);
    const report = JSON.parse(io.stdout()) as {
      schema: string;
      nextBackup: string;
      findings: { code: string; severity: string }[];
    };
    expect(report.schema).toBe('iris-backup-guard/check@1');
    expect(report.findings.filter((f) => f.severity === 'error' || f.severity === 'critical')).toEqual([]);
    expect(code).toBe(0);
  });

  it.each([
    ['missing config', {}, 'PluginConfigNotFound', 'falls back to file-system-consistent'],
    [
      'config with a BOM',
      { ...hardenedFiles(), [CONFIG]: { content: `\ufeff${readVmScript('config')}`, mode: 0o600 } },
      'IncorrectJSONConfigFile',
      'falls back to file-system-consistent',
    ],
    [
      'pre-script readable by others',
      { ...hardenedFiles(), '/etc/azure/iris-pre.sh': { content: readVmScript('iris-pre'), mode: 0o755 } },
      'InsufficientPermissionforPre-Script',
      '',
    ],
  ])('%s: human output names the finding and its fix, exit 1', async (_name, files, code, nextBackup) => {
    const io = captureIo(process.env);
    expect(await main(['check', '--root', root(files)], io)).toBe(1);
    expect(io.stdout()).toContain(code);
    expect(io.stdout()).toContain('Fix:');
    expect(io.stdout()).toContain(nextBackup);
  });

  it('a root that is not a directory', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-cli-')), 'f');
    fs.writeFileSync(file, 'x');
    const io = captureIo(process.env);
    expect(await main(['check', '--root', file], io)).toBe(2);
    expect(io.stderr()).toContain('is not a directory');
  });
});

describe('iris-backup-guard check --vm (sandbox)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: path.join(__dirname, '../../sandbox/scenarios/demo-fleet.json') });
  });
  afterAll(() => sandbox.stop());

  const vmId = (name: string): string => {
    const vm = sandbox.scenario.vms.find((v) => v.name === name);
    if (!vm) throw new Error(`no VM ${name} in the demo fleet`);
    return scenarioVmId(vm);
  };

  it('needs only the VM id and a credential: no vaults, enrolment or runs table in the environment', async () => {
    const env = { AZURE_ARM_ENDPOINT: sandbox.url, IBG_POLL_INTERVAL_MS: '0' };
    const io = captureIo(env, { credential: sandbox.credential, clock: sandbox.clock });
    expect(await main(['check', '--vm', vmId('iris-prod-03'), '--json'], io)).toBe(1);
    const report = JSON.parse(io.stdout()) as { schema: string; findings: { code: string }[] };
    expect(report.schema).toBe('iris-backup-guard/check@1');
    expect(report.findings.map((f) => f.code)).toContain('IncorrectJSONConfigFile');
    expect(io.stderr()).toBe('');
  });
});
