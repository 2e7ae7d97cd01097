/**
 * `check --root` runs the probe here, and the probe runs this host's `iris`: neither may see the operator's
 * credentials. A fake `iris` first on PATH writes the environment it was given to a file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { makeRoot, removeRoot } from '../checks/support/fsRoot';
import { captureIo } from './cliIo';

const SECRET_VALUE = 'dummy-not-a-secret';

describe('check --root: the probe and the host iris get a minimal environment', () => {
  let bin: string;
  let dump: string;
  let root: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-env-'));
    dump = path.join(bin, 'iris.env');
    // `env -0` keeps variables whose values hold newlines apart.
    fs.writeFileSync(path.join(bin, 'iris'), `#!/bin/sh\nenv -0 > '${dump}'\nexit 0\n`, { mode: 0o755 });
    root = makeRoot({ files: { '/etc/azure/VMSnapshotScriptPluginConfig.json': { content: '{}', mode: 0o600 } } });
    env = {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: os.homedir(),
      AZURE_CLIENT_SECRET: SECRET_VALUE,
      IBG_TEST_TOKEN: `token-${SECRET_VALUE}`,
      TZ: 'Asia/Tokyo',
      IBG_PROBE_MODE: 'logs',
    };
    await main(['check', '--root', root, '--json'], captureIo(env));
  }, 60_000);

  afterAll(() => {
    removeRoot(root);
    fs.rmSync(bin, { recursive: true, force: true });
  });

  const dumped = (): Map<string, string> =>
    new Map(
      fs
        .readFileSync(dump, 'utf8')
        .split('\0')
        .filter((kv) => kv !== '')
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );

  it('the host iris ran, with the PATH and the probe parameters', () => {
    const vars = dumped();
    expect(vars.get('PATH')).toBe(env.PATH);
    expect(vars.get('IBG_ROOT')).toBe(fs.realpathSync(root));
    // The caller's IBG_PROBE_MODE does not override the command's own.
    expect(vars.get('IBG_PROBE_MODE')).toBe('check');
  });

  it('no secret-looking variable, and nothing else of the caller, reaches it', () => {
    const text = fs.readFileSync(dump, 'utf8');
    expect(text).not.toContain(SECRET_VALUE);
    const vars = dumped();
    expect(vars.has('AZURE_CLIENT_SECRET')).toBe(false);
    expect(vars.has('HOME')).toBe(false);
    expect(vars.has('TZ')).toBe(false);
    // Only what the CLI sets, plus what sh itself adds (PWD, SHLVL, `_`).
    const shellOwn = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);
    expect([...vars.keys()].filter((k) => !shellOwn.has(k)).sort()).toEqual([
      'IBG_PROBE_MODE',
      'IBG_ROOT',
      'LC_ALL',
      'PATH',
    ]);
  });
});
