/** `iris-backup-guard status` through main(), against the sandbox (ARM emulator) and Azurite. */
import { TableServiceClient } from '@azure/data-tables';
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import { main } from '../../src/cli/main';
import { nightsEndingWith, type VmDrillStatus } from '../../src/cli/commands/statusCommand';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { targetOf } from '../../src/shared/protection/protectedItemOf';
import { newRun, type Run } from '../../src/shared/runs/run';
import { settle, tonight } from '../protection/cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';
import { drillEnv } from '../drills/drillWorld';
import { captureIo } from './cliIo';
import { startDrilledPair } from './drilledPair';

const ENROLLED = ['iris-a', 'iris-b', 'iris-noconfig'];

describe('nightsEndingWith', () => {
  it.each([
    ['2026-03-10', 3, ['2026-03-10', '2026-03-09', '2026-03-08']],
    ['2026-03-01', 2, ['2026-03-01', '2026-02-28']],
    ['2024-03-01', 2, ['2024-03-01', '2024-02-29']],
    ['2026-01-01', 2, ['2026-01-01', '2025-12-31']],
  ])('%s, %i nights', (last, count, nights) => {
    expect(nightsEndingWith(last, count)).toEqual(nights);
  });
});

describe('iris-backup-guard status (sandbox)', () => {
  let w: ProtectionWorld;
  let night: string;
  let earlier: string;
  beforeAll(async () => {
    w = await startProtectionWorld();
    night = tonight(w);
    earlier = nightsEndingWith(night, 3)[2] as string;
    await runNightlyProtection(w.deps, night);
    await settle(w, w.deps, night, ENROLLED);
    // A run two nights ago that never got further than its preflight.
    const [item] = await (async () => {
      const items = [];
      for await (const i of w.deps.gateways.backup.listProtectedVms(w.deps.settings.vaults[0]!)) items.push(i);
      return items.filter((i) => i.vmName === 'iris-b');
    })();
    await w.deps.store.create(
      newRun(earlier, targetOf(item!), new Date(Date.parse(`${earlier}T01:00:00Z`)).toISOString()),
    );
  });
  afterAll(async () => w?.stop());

  const io = () => captureIo(w.env, { credential: w.sandbox.credential, clock: w.sandbox.clock });

  it('lists the last seven nights, newest night first, one row per run', async () => {
    const out = io();
    // The seven nights end with the sandbox clock's night when status runs: the settling above moved the clock on by
    // up to two hours, past midnight when the suite runs late in the (UTC) evening.
    const shown = tonight(w);
    expect(await main(['status'], out)).toBe(0);
    const lines = out.stdout().split('\n');
    expect(lines[0]).toBe(`Runs for nights ${nightsEndingWith(shown, 7)[6]} to ${shown}:`);
    expect(lines[1]).toMatch(/^NIGHT\s+VM\s+STAGE\s+JOB\s+RECOVERY POINT\s+VERDICT\s+REASON$/);
    const blank = lines.indexOf('');
    const rows = lines.slice(2, blank).map((l) => l.split(/\s{2,}/));
    // Drills are off in this world: status says so after the runs.
    expect(lines.slice(blank + 1)).toEqual(['Restore drills: no drills recorded (drills are off: IBG_DRILL_ENABLED).']);
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      [night, 'iris-a', 'done'],
      [night, 'iris-b', 'done'],
      [night, 'iris-noconfig', 'done'],
      [earlier, 'iris-b', 'preflight'],
    ]);
    const noconfig = rows[2] ?? [];
    expect(noconfig.slice(3, 5)).toEqual(['Completed', 'FileSystemConsistent']);
    expect(noconfig[5]).toBe('file-system-consistent');
    expect(noconfig[6]).toMatch(/316|file-system/i);
    expect(rows[3]?.slice(3, 6)).toEqual(['-', '-', '-']);
  });

  it('--night picks one night; --json gives the runs whole', async () => {
    const out = io();
    expect(await main(['status', '--night', night, '--json'], out)).toBe(0);
    const report = JSON.parse(out.stdout()) as { schema: string; nights: string[]; tableExists: boolean; runs: Run[] };
    expect(report.schema).toBe('iris-backup-guard/status@1');
    expect(report.tableExists).toBe(true);
    expect(report.nights).toEqual([night]);
    expect(report.runs.map((r) => r.target.vmName)).toEqual(ENROLLED);
    expect(report.runs.every((r) => r.verdict !== undefined && r.backup.jobId !== undefined)).toBe(true);
  });

  it('a night without runs says so', async () => {
    const out = io();
    expect(await main(['status', '--night', '2020-01-01'], out)).toBe(0);
    expect(out.stdout().split('\n')[0]).toBe('No runs for night 2020-01-01.');
  });

  it.each([['2026-02-30'], ['yesterday'], ['2026-3-1']])('--night %s is a usage error', async (value) => {
    const out = io();
    expect(await main(['status', '--night', value], out)).toBe(2);
    expect(out.stderr()).toContain(`--night "${value}" is not a date YYYY-MM-DD`);
  });
});

describe('iris-backup-guard status before anything was recorded (empty Azurite)', () => {
  let azurite: AzuriteTables;
  let env: Record<string, string>;
  beforeAll(async () => {
    azurite = await startAzurite();
    env = {
      IBG_VAULT_IDS:
        '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1',
      IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
      IBG_RUNS_TABLE_CONNECTION_STRING: azurite.connectionString,
      IBG_RUNS_TABLE_NAME: 'ibgneverwritten',
    };
  });
  afterAll(async () => azurite?.stop());

  const tableNames = async (): Promise<string[]> => {
    const service = TableServiceClient.fromConnectionString(azurite.connectionString, {
      allowInsecureConnection: true,
    });
    const names: string[] = [];
    for await (const t of service.listTables()) names.push(t.name ?? '');
    return names;
  };

  it('says clearly that nothing is recorded yet, and creates no table', async () => {
    const out = captureIo(env);
    expect(await main(['status'], out)).toBe(0);
    expect(out.stdout()).toMatch(/^Nothing recorded yet: the runs table "ibgneverwritten" does not exist\./);
    expect(out.stderr()).toBe('');
    const names = await tableNames();
    expect(names).not.toContain('ibgneverwritten');
    // The listing can see a table that exists: the one a previous status would have made, had it written.
    await TableServiceClient.fromConnectionString(azurite.connectionString, {
      allowInsecureConnection: true,
    }).createTable('ibgcontrol');
    expect(await tableNames()).toContain('ibgcontrol');
  });

  it('--json says the same with tableExists: false, and still creates no table', async () => {
    const out = captureIo(env);
    expect(await main(['status', '--night', '2026-11-21', '--json'], out)).toBe(0);
    expect(JSON.parse(out.stdout())).toEqual({
      schema: 'iris-backup-guard/status@1',
      nights: ['2026-11-21'],
      tableExists: false,
      runs: [],
      drills: [],
    });
    expect(await tableNames()).not.toContain('ibgneverwritten');
  });

  it('with drills on: "no drills recorded", and the drill records table is not created either', async () => {
    const out = captureIo({ ...env, ...drillEnv() });
    expect(await main(['status'], out)).toBe(0);
    expect(out.stdout()).toMatch(/\n\nRestore drills: no drills recorded\.$/);
    expect(await tableNames()).not.toContain('ibgneverwrittendrills');
  });
});

describe('iris-backup-guard status with drills (sandbox)', () => {
  let w: ProtectionWorld;
  let drillNight: string;
  beforeAll(async () => {
    ({ w, night: drillNight } = await startDrilledPair());
  }, 120_000);
  afterAll(async () => w?.stop());

  const io = () => captureIo(w.env, { credential: w.sandbox.credential, clock: w.sandbox.clock });

  it('shows per VM the last drill: night, verdict, RTO, verified RPO, and the stage and reason of a failure', async () => {
    const out = io();
    expect(await main(['status'], out)).toBe(0);
    const text = out.stdout();
    const lines = text.split('\n');
    // The drill-only runs are listed with the runs, marked as drills.
    expect(text).toMatch(/^\S+\s+iris-a\s+done\s+drill\s+AppConsistent\s+drill passed\s+-$/m);
    expect(text).toMatch(/^\S+\s+iris-bad\s+failed\s+drill\s+AppConsistent\s+drill failed\s+The restore drill failed/m);
    const at = lines.indexOf('Restore drills, the last one per VM:');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^VM\s+LAST DRILL\s+VERDICT\s+RTO\s+VERIFIED RPO\s+STAGE \/ REASON$/);
    const rows = lines.slice(at + 2).map((l) => l.split(/\s{2,}/));
    // Each drill's night is the one its run was made in (the clock may pass midnight between the two drills).
    const json = io();
    expect(await main(['status', '--json'], json)).toBe(0);
    const nights = new Map(
      (JSON.parse(json.stdout()) as { drills: VmDrillStatus[] }).drills.map((d) => [d.vmName, d.lastDrill.night]),
    );
    expect([nights.get('iris-a'), nights.get('iris-bad')].every((n) => n !== undefined && n >= drillNight)).toBe(true);
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['iris-a', nights.get('iris-a'), 'passed'],
      ['iris-bad', nights.get('iris-bad'), 'failed'],
    ]);
    expect(rows[0]?.[3]).toMatch(/^\d+ min/);
    // The point was 6 h old at the restore, and the drill took about half an hour more.
    expect(rows[0]?.[4]).toMatch(/^6 h( \d+ min)?$/);
    expect(rows[0]?.[5]).toBe('-');
    expect(rows[1]?.slice(3, 5)).toEqual(['-', 'none']);
    expect(rows[1]?.[5]).toMatch(/^restore: the restore job ended Failed/);
  });

  it('--json includes the drills: the last record per VM and the verified RPO', async () => {
    const out = io();
    expect(await main(['status', '--json'], out)).toBe(0);
    const report = JSON.parse(out.stdout()) as { drills: VmDrillStatus[] };
    expect(report.drills.map((d) => [d.vmName, d.lastDrill.verdict, d.lastDrill.schema])).toEqual([
      ['iris-a', 'passed', 'iris-backup-guard/drill@1'],
      ['iris-bad', 'failed', 'iris-backup-guard/drill@1'],
    ]);
    expect(report.drills[0]?.verifiedRpoMs).toBeGreaterThan(6 * 3_600_000 - 1);
    expect(report.drills[1]?.verifiedRpoMs).toBeUndefined();
  });
});
