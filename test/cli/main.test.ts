import { COMMANDS, main } from '../../src/cli/main';
import { captureIo } from './cliIo';

describe('iris-backup-guard main', () => {
  it('--help lists every command', async () => {
    const io = captureIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const c of COMMANDS) expect(io.stdout()).toContain(`  ${c.name}`);
  });

  it('no command prints help and exits 2', async () => {
    const io = captureIo();
    expect(await main([], io)).toBe(2);
    expect(io.stdout()).toContain('Usage: iris-backup-guard <command>');
  });

  it('unknown command', async () => {
    const io = captureIo();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.stderr()).toContain('Unknown command "frobnicate"');
  });

  it.each([
    [['check'], 'give exactly one of --vm and --root'],
    [['check', '--vm', 'vm1'], '--vm "vm1" is not a virtual machine resource id. Example: /subscriptions/'],
    [['check', '--root'], '--root needs a value'],
    [['check', '--colour'], 'unknown option --colour'],
    [['parse', 'qlist'], 'parse needs a kind and a file'],
    [
      ['parse', 'syslog', 'x.log'],
      'unknown kind "syslog"; use one of script-log, extension-log, messages-log, qlist, integrity',
    ],
    [['install'], '--vm <resourceId> is required'],
  ])('usage error %j', async (argv, message) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.stderr()).toContain(message);
    expect(io.stderr()).toContain('Usage: iris-backup-guard');
  });

  it('a command that needs Azure names the missing settings', async () => {
    const io = captureIo({});
    const vm =
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1';
    expect(await main(['check', '--vm', vm], io)).toBe(3);
    expect(io.stderr()).toMatch(/^CONFIG_INVALID: .*IBG_VAULT_IDS/s);
  });
});
