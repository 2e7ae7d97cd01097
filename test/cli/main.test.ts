import * as fs from 'node:fs';
import * as path from 'node:path';
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

  it('a command that needs the app settings names the missing ones', async () => {
    const io = captureIo({});
    const vm =
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1';
    expect(await main(['backup', '--vm', vm], io)).toBe(3);
    expect(io.stderr()).toMatch(/^CONFIG_INVALID: .*IBG_VAULT_IDS/s);
  });

  it('check --vm needs none of the app settings, only valid VM access ones when set', async () => {
    const io = captureIo({ IBG_RUN_COMMAND_TIMEOUT_SECONDS: '5' });
    const vm =
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1';
    expect(await main(['check', '--vm', vm], io)).toBe(3);
    expect(io.stderr()).toMatch(/^CONFIG_INVALID: IBG_RUN_COMMAND_TIMEOUT_SECONDS: "5" is not a whole number from 30/);
    expect(io.stderr()).not.toContain('IBG_VAULT_IDS');
  });

  it('--version prints the package version', async () => {
    const io = captureIo();
    expect(await main(['--version'], io)).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(io.stdout()).toBe(`iris-backup-guard ${pkg.version}`);
  });

  it.each(COMMANDS.map((c) => [c.name]))('%s --help lists its exit codes, 0 and 2 among them', async (name) => {
    const io = captureIo();
    expect(await main([name, '--help'], io)).toBe(0);
    const help = io.stdout();
    expect(help).toContain(`Usage: iris-backup-guard ${name}`);
    const codes = help
      .slice(help.indexOf('Exit codes:'))
      .split('\n')
      .slice(1)
      .map((l) => /^ {2}(\d) {2}\S/.exec(l)?.[1]);
    expect(codes).toEqual(expect.arrayContaining(['0', '2']));
    expect(codes.every((c) => c !== undefined)).toBe(true);
  });

  it.each([['2026-13-45'], ['2026-02-30'], ['2026-00-10']])(
    'status --night %s is a usage error that says what a good value is',
    async (night) => {
      const io = captureIo({});
      expect(await main(['status', '--night', night], io)).toBe(2);
      expect(io.stderr()).toContain(`--night "${night}" is not a date YYYY-MM-DD; give a real calendar date, e.g.`);
      expect(io.stderr()).toContain('Usage: iris-backup-guard status');
    },
  );

  it('--verbose is accepted by every command and changes nothing else', async () => {
    const io = captureIo();
    expect(await main(['status', '--verbose', '--night', 'x'], io)).toBe(2);
    expect(io.stderr()).toContain('--night "x" is not a date');
  });
});
