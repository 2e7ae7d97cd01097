import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildInstallScript } from '../../src/shared/vmScripts/vmScripts';

const repo = path.resolve(__dirname, '../..');
const shellFiles = [
  ...fs
    .readdirSync(path.join(repo, 'vm'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => path.join(repo, 'vm', f)),
  ...['sandbox/vm-bin', 'sandbox/vm-bin/clock'].flatMap((dir) =>
    fs
      .readdirSync(path.join(repo, dir), { withFileTypes: true })
      .filter((f) => !f.isDirectory() && !f.name.endsWith('.ts'))
      .map((f) => path.join(repo, dir, f.name)),
  ),
];

function shellcheck(file: string): string {
  const run = spawnSync('shellcheck', ['--shell=dash', '--severity=style', file], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return run.status === 0 ? '' : `${run.stdout}${run.stderr}`;
}

describe('shellcheck (dash)', () => {
  it('covers the probe, the freeze/thaw scripts, the thaw remediation, the drill verifier, the installer, the simulators, the fault shim and the date shim', () => {
    expect(shellFiles.map((f) => path.basename(f)).sort()).toEqual(
      [
        'ccontrol',
        'csession',
        'date',
        'drill-verify.sh',
        'fault-shim',
        'install.sh',
        'iris',
        'iris-post.sh',
        'iris-pre.sh',
        'nc',
        'probe.sh',
        'thaw.sh',
      ].sort(),
    );
  });

  it.each(shellFiles.map((f) => [path.relative(repo, f), f]))('%s passes', (_name, file) => {
    expect(shellcheck(file)).toBe('');
  });

  it('the self-contained install script passes', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-sc-')), 'install.sh');
    fs.writeFileSync(file, buildInstallScript());
    try {
      expect(shellcheck(file)).toBe('');
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
