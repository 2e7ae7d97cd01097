/**
 * Under a root (`check --root`, an image), the probe resolves symlinks inside the root as a chroot would: a link
 * to an absolute path or one climbing with `..` never reads the host's own file. Each host file here carries a
 * marker that must never appear in the output; the link itself is reported (isLink, linkTarget).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseProbeOutput } from '../../src/shared/checks/parseProbeOutput';
import type { ProbeFacts } from '../../src/shared/checks/probeFacts';
import { vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { makeRoot, removeRoots, runDash, writeFile } from './vmRoot';

const PROBE = vmScriptPath('probe');
const CONFIG = '/etc/azure/VMSnapshotScriptPluginConfig.json';
const HOST_CONF = '/etc/azure/VMSnapshotPluginHost.conf';
const MESSAGES = '/usr/irissys/mgr/messages.log';
const MARKER = 'HOST-ONLY-MARKER-7f3a';

let hostDir: string;
let hostFile: string;

beforeAll(() => {
  hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-host-'));
  hostFile = path.join(hostDir, 'secret.conf');
  // Looks like a valid config and a messages.log freeze line, so only where it is read from decides.
  fs.writeFileSync(
    hostFile,
    `{"preScriptLocation": "/${MARKER}.sh"}\n11/21/26-01:00:00:000 (1) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended ${MARKER}\n`,
  );
  fs.writeFileSync(path.join(hostDir, 'VMSnapshotScriptPluginConfig.json'), `{"x": "${MARKER}"}\n`);
});

afterAll(() => {
  removeRoots();
  fs.rmSync(hostDir, { recursive: true, force: true });
});

function link(root: string, vmPath: string, target: string): void {
  const file = path.join(root, vmPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.symlinkSync(target, file);
}

function probe(root: string, env: Record<string, string> = {}): { facts: ProbeFacts; stdout: string } {
  const run = runDash(root, PROBE, [], env);
  expect(run.status).toBe(0);
  const { facts, problems } = parseProbeOutput(run.stdout);
  expect(problems).toEqual([]);
  if (!facts) throw new Error('no facts');
  return { facts, stdout: run.stdout };
}

describe('vm/probe.sh under a root: symlinks stay inside it', () => {
  it('an absolute link to a host file is looked up inside the root, and reported', () => {
    const root = makeRoot();
    link(root, CONFIG, hostFile);
    const { facts, stdout } = probe(root);
    expect(stdout).not.toContain(MARKER);
    expect(facts.config).toMatchObject({ exists: false, isFile: false, isLink: true, linkTarget: hostFile });
    expect(facts.pre).toBeUndefined();
  });

  it('the same absolute target inside the root is what a chroot sees: that file is read', () => {
    const root = makeRoot();
    link(root, CONFIG, '/etc/other/config.json');
    writeFile(root, '/etc/other/config.json', '{"preScriptLocation": "/etc/azure/inside.sh"}\n');
    const { facts } = probe(root);
    expect(facts.config).toMatchObject({
      exists: true,
      isFile: true,
      isLink: true,
      linkTarget: '/etc/other/config.json',
    });
    expect(facts.config.text).toContain('/etc/azure/inside.sh');
    expect(facts.pre).toMatchObject({ path: '/etc/azure/inside.sh', exists: false });
  });

  it('a relative link climbing out with .. stops at the root', () => {
    const root = makeRoot();
    const climb = `${'../'.repeat(12)}${hostFile.slice(1)}`;
    link(root, HOST_CONF, climb);
    link(root, CONFIG, `../../../..${hostFile}`);
    const { facts, stdout } = probe(root);
    expect(stdout).not.toContain(MARKER);
    expect(facts.hostConf).toMatchObject({ exists: false, isLink: true, linkTarget: climb });
    expect(facts.config).toMatchObject({ exists: false, isLink: true });
  });

  it('a linked directory on the way (/etc/azure -> a host directory) is resolved inside the root too', () => {
    const root = makeRoot();
    link(root, '/etc/azure', hostDir);
    const { facts, stdout } = probe(root);
    expect(stdout).not.toContain(MARKER);
    expect(facts.config).toMatchObject({ exists: false, isFile: false });
  });

  it('a pre-script and messages.log linked to host files are never read (logs mode)', () => {
    const root = makeRoot();
    writeFile(root, CONFIG, '{"preScriptLocation": "/etc/azure/pre.sh", "postScriptLocation": "/etc/azure/post.sh"}\n');
    link(root, '/etc/azure/pre.sh', hostFile);
    link(root, MESSAGES, hostFile);
    const check = probe(root);
    expect(check.stdout).not.toContain(MARKER);
    expect(check.facts.pre).toMatchObject({ exists: false, isLink: true, linkTarget: hostFile });
    const logs = probe(root, { IBG_PROBE_MODE: 'logs', IBG_PROBE_SINCE: '2026-11-21T00:00:00Z' });
    expect(logs.stdout).not.toContain(MARKER);
    expect(logs.facts.logs.messages).toMatchObject({ path: MESSAGES, exists: false, lines: [] });
  });

  it('a link loop is a missing file, not a hang', () => {
    const root = makeRoot();
    link(root, CONFIG, '/etc/azure/b.json');
    link(root, '/etc/azure/b.json', '/etc/azure/VMSnapshotScriptPluginConfig.json');
    const { facts } = probe(root);
    expect(facts.config).toMatchObject({ exists: false, isLink: true, linkTarget: '/etc/azure/b.json' });
  });

  it('links into the root by host path (as the sandbox makes them) still work', () => {
    const root = makeRoot();
    writeFile(root, '/opt/cfg/config.json', '{"preScriptLocation": "/etc/azure/p.sh"}\n');
    link(root, CONFIG, path.join(root, '/opt/cfg/config.json'));
    const { facts } = probe(root);
    expect(facts.config).toMatchObject({
      exists: true,
      isFile: true,
      isLink: true,
      linkTarget: '/opt/cfg/config.json',
    });
    expect(facts.pre?.path).toBe('/etc/azure/p.sh');
  });
});
