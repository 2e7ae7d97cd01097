/** `iris-backup-guard backup` through main(), against the sandbox (ARM emulator) and Azurite. */
import { main } from '../../src/cli/main';
import type { Run } from '../../src/shared/runs/run';
import { awayFromMidnight, backupJobsOf, MINUTE, runOf, tonight } from '../protection/cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';
import { captureIo, type CapturedIo } from './cliIo';

describe('iris-backup-guard backup (sandbox)', () => {
  let w: ProtectionWorld;
  let start: Date;
  beforeAll(async () => {
    w = await startProtectionWorld();
    // Two calls "the same night" must not straddle midnight UTC.
    awayFromMidnight(w);
    start = w.sandbox.clock.now();
  });
  afterAll(async () => w?.stop());

  /** Each poll lets the simulated extension finish, then moves the sandbox clock on instead of sleeping. */
  const io = (): CapturedIo & { waits: number[] } => {
    const waits: number[] = [];
    const captured = captureIo(w.env, {
      credential: w.sandbox.credential,
      clock: w.sandbox.clock,
      wait: async (ms) => {
        waits.push(ms);
        await w.sandbox.idle();
        w.sandbox.clock.advance(5 * MINUTE);
      },
    });
    return Object.assign(captured, { waits });
  };

  it('backs up a well set-up VM, follows the run to its verdict and exits by it', async () => {
    const out = io();
    const code = await main(['backup', '--vm', w.vmId('iris-a')], out);
    const run = await runOf(w, tonight(w), 'iris-a');
    // Following stops at the verdict, taken at the snapshot; the job still transfers to the vault.
    expect(run?.stage).toBe('transfer-running');
    expect(run?.verdict?.consistency).toBe('iris-consistent');
    expect(code).toBe(0);
    const text = out.stdout();
    expect(text).toMatch(/^Started run \d{4}-\d{2}-\d{2}\/[^\n]*iris-a\.$/m);
    expect(text).toContain('iris-a ');
    expect(text).toMatch(/: backup-running \(job (found|InProgress)\)$/m);
    expect(text).toMatch(/: transfer-running \(job InProgress\)$/m);
    expect(text).not.toMatch(/: done /m);
    expect(text).toContain('Consistency: iris-consistent');
    expect(text).toMatch(/^IRIS frozen for \d+\.\d s \(/m);
    expect(text).toMatch(/^Backup job: InProgress, [\d.]+ s \[/m);
    expect(text).toMatch(/^The job still transfers the snapshot to the vault; /m);
    expect(text).toMatch(/^Recovery point: AppConsistent at \S+ \(InstantRP\)$/m);
    expect(out.waits.length).toBeGreaterThan(1);
    expect(new Set(out.waits)).toEqual(new Set([30_000]));
    expect(await backupJobsOf(w, 'iris-a', start)).toHaveLength(1);
  });

  it('a second call the same night follows the existing run and starts no second backup', async () => {
    const out = io();
    const code = await main(['backup', '--vm', w.vmId('iris-a')], out);
    expect(out.stdout()).toMatch(/already exists .*following it\./);
    expect(out.waits).toEqual([]);
    expect(code).toBe(0);
    expect(await backupJobsOf(w, 'iris-a', start)).toHaveLength(1);
  });

  it('--json prints only the run, with its schema, on stdout; a file-system-consistent backup exits 1 and alerts on stderr', async () => {
    const out = io();
    const code = await main(['backup', '--vm', w.vmId('iris-noconfig'), '--json'], out);
    const run = JSON.parse(out.stdout()) as Run & { schema: string };
    expect(run.schema).toBe('iris-backup-guard/backup@1');
    expect(run.target.vmId).toBe(w.vmId('iris-noconfig'));
    expect(run.stage).toBe('transfer-running');
    expect(run.verdict?.consistency).toBe('file-system-consistent');
    expect(run.recoveryPoint?.type).toBe('FileSystemConsistent');
    expect(code).toBe(1);
    expect(out.stderr()).toContain('Started run');
    expect(out.stderr()).toMatch(/ALERT error BackupNotAppConsistent/);
  });

  it('a VM no configured vault protects: exit 3 and the vaults checked are named', async () => {
    const out = io();
    const code = await main(['backup', '--vm', w.vmId('iris-unprotected')], out);
    expect(code).toBe(3);
    expect(out.stderr()).toContain(
      `NOT_FOUND: VM ${w.vmId('iris-unprotected')} is not protected by any configured vault (checked 1: ${w.env.IBG_VAULT_IDS})`,
    );
    expect(await runOf(w, tonight(w), 'iris-unprotected')).toBeUndefined();
  });

  it.each([
    [['backup'], '--vm <resourceId> is required'],
    [['backup', '--vm', 'iris-a'], 'is not a virtual machine resource id'],
    [['backup', '--vm', '/x', 'extra'], 'unexpected argument "extra"'],
  ])('usage error %j', async (argv, message) => {
    const out = io();
    expect(await main(argv, out)).toBe(2);
    expect(out.stderr()).toContain(message);
  });
});
