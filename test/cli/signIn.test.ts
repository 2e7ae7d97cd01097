/**
 * A failed sign-in is one line that says how to sign in; --verbose adds what each credential said. The real
 * DefaultAzureCredential is used, in an environment where none of its credentials can work: no AZURE_* variables,
 * an empty Azure CLI config and no `az` (or other tool) on PATH.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from './cliIo';

jest.setTimeout(60_000);

const VM =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1';

describe('sign-in failure', () => {
  const saved = { ...process.env };
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-no-az-'));
  beforeAll(() => {
    for (const name of Object.keys(process.env)) {
      if (/^(AZURE_|MSI_|IDENTITY_|IMDS_)/.test(name)) delete process.env[name];
    }
    process.env.PATH = empty;
    process.env.AZURE_CONFIG_DIR = empty;
    process.env.HOME = empty;
  });
  afterAll(() => {
    process.env = saved;
    fs.rmSync(empty, { recursive: true, force: true });
  });

  // No server is needed: the token is asked for before any request is sent.
  const env = { AZURE_ARM_ENDPOINT: 'https://127.0.0.1:9' };

  it('prints one line with the fix, and exits 3', async () => {
    const io = captureIo(env);
    expect(await main(['check', '--vm', VM], io)).toBe(3);
    const err = io.stderr();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(/^Could not sign in to Azure: run `az login`/);
    expect(err).toContain('AZURE_CLIENT_ID');
    expect(err).toContain('--verbose');
    expect(io.stdout()).toBe('');
  });

  it('--verbose adds what the credentials said', async () => {
    const io = captureIo(env);
    expect(await main(['check', '--vm', VM, '--verbose'], io)).toBe(3);
    const lines = io.stderr().split('\n');
    expect(lines[0]).toMatch(/^Could not sign in to Azure/);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).join('\n')).toMatch(/EnvironmentCredential/);
  });
});
