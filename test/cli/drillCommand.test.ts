/** `iris-backup-guard drill` through main(), against the sandbox (ARM emulator) and Azurite, drills on. */
import { main } from '../../src/cli/main';
import { commandHelp } from '../../src/cli/main';
import { drillCommand } from '../../src/cli/commands/drillCommand';
import type { DrillRecord } from '../../src/shared/drills/drillRecord';
import type { Run } from '../../src/shared/runs/run';
import { MINUTE, tonight } from '../protection/cycleHelpers';
import { protectionVm, type ProtectionWorld } from '../protection/protectionWorld';
import { DRILL_RG_ID, drillEnv, drillScenario, startDrillWorld } from '../drills/drillWorld';
import { captureIo, type CapturedIo } from './cliIo';

const POINTS = [
  { ageHours: 30, type: 'AppConsistent' as const },
  { ageHours: 6, type: 'AppConsistent' as const },
];

describe('iris-backup-guard drill (sandbox)', () => {
  let w: ProtectionWorld;
  beforeAll(async () => {
    const scenario = drillScenario([]);
    scenario.vms = [
      protectionVm('iris-a', { existingRecoveryPoints: POINTS }),
      protectionVm('iris-bad', { existingRecoveryPoints: POINTS }),
      protectionVm('iris-unprotected', { protectedBy: undefined }),
    ];
    scenario.faults = [{ kind: 'restoredIntegrityErrors', vm: 'iris-bad' }];
    w = await startDrillWorld(scenario);
  });
  afterAll(async () => w?.stop());

  /** Each poll lets the simulated VM work finish, then moves the sandbox clock on instead of sleeping. */
  const io = (env: Record<string, string | undefined> = w.env): CapturedIo & { waits: number[] } => {
    const waits: number[] = [];
    const captured = captureIo(env, {
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

  const drillGroup = async (): Promise<string[]> => {
    const out: string[] = [];
    for await (const r of w.deps.gateways.drills?.listResources(DRILL_RG_ID) ?? []) out.push(r.name);
    return out;
  };
  const nightRuns = async (): Promise<Run[]> => (await w.deps.store.list(tonight(w))).map((s) => s.run);

  it('--help lists the exit codes', () => {
    const help = commandHelp(drillCommand);
    for (const code of ['0', '1', '2', '3']) expect(help).toMatch(new RegExp(`^  ${code}  `, 'm'));
    expect(help).toContain('--recovery-point');
  });

  it('drills the newest point: one line per phase, the verdict, RTO by phase, integrity and evidence; exit 0', async () => {
    const out = io();
    const code = await main(['drill', '--vm', w.vmId('iris-a')], out);
    const text = out.stdout();
    expect(out.stderr()).toBe('');
    expect(code).toBe(0);
    const lines = text.split('\n');
    const order = [
      /^Started drill \d{4}-\d{2}-\d{2}\/\S+~drill-1: iris-a → ibg-drill-iris-a-/,
      /^Restore requested of point \S+ \(.*AppConsistent, snapshot tier\) as ibg-drill-iris-a-/,
      /^Restore job \S+ running\.$/,
      /^Drill VM ibg-drill-iris-a-\S+ running\.$/,
      /^VM agent ready\.$/,
      /^Verifier started \(Run Command \S+\)\.$/,
      /^Verdict: passed\.$/,
      /^Cleaning up the drill resources\.$/,
      /^Drill of iris-a: PASSED$/,
    ];
    let at = -1;
    for (const re of order) {
      const i = lines.findIndex((l) => re.test(l));
      expect({ re: String(re), found: i > at }).toEqual({ re: String(re), found: true });
      at = i;
    }
    expect(text).toMatch(
      /^RTO by phase: restore job \d+ min( \d+ s)?, VM boot [\d.]+ (s|min)[^,]*, agent ready [^,]+, IRIS up [\d.]+ s, integrity [\d.]+ s, total .+$/m,
    );
    expect(text).toMatch(/^Integrity: clean \(0 global\(s\) not OK, from the whole output\)$/m);
    expect(text).toMatch(/^ {2}\S+ {2}ok$/m);
    expect(text).toMatch(/^Evidence: drills\/\d{4}-\d{2}-\d{2}\/ibg-drill-iris-a-\S+\.log$/m);
    expect(out.waits.length).toBeGreaterThan(1);
    // Recorded, and nothing left in the drill group.
    const records: DrillRecord[] = [];
    for await (const r of w.deps.drillRecords?.list() ?? []) records.push(r);
    expect(records).toEqual([expect.objectContaining({ vmName: 'iris-a', verdict: 'passed' })]);
    expect(await drillGroup()).toEqual([]);
  }, 120_000);

  it('a second drill the same night gets its own run and drill VM; --recovery-point picks the older point', async () => {
    const points: string[] = [];
    const item = await (async () => {
      for await (const i of w.deps.gateways.backup.listProtectedVms(w.deps.settings.vaults[0]!))
        if (i.vmName === 'iris-a') return i;
      return undefined;
    })();
    const listed = [];
    for await (const p of w.deps.gateways.backup.listRecoveryPoints(item!)) listed.push(p);
    const oldest = [...listed].sort((a, b) => Date.parse(a.time) - Date.parse(b.time))[0]!;
    points.push(oldest.name);
    const out = io();
    const code = await main(['drill', '--vm', w.vmId('iris-a'), '--recovery-point', oldest.name, '--json'], out);
    expect(code).toBe(0);
    const record = JSON.parse(out.stdout()) as DrillRecord & { runStage: string };
    expect(record.schema).toBe('iris-backup-guard/drill@1');
    expect(record.runStage).toBe('done');
    // Numbered per VM and night: the second of the night is ~drill-2, unless the clock passed midnight (UTC)
    // since the first drill, which makes it the first of a new night.
    const firstNight = (await w.deps.store.list(record.night)).some(
      (s) => s.run.id.endsWith('~drill-1') && s.run.id !== record.runId,
    );
    expect(record.runId).toMatch(firstNight ? /~drill-2$/ : /~drill-1$/);
    expect(record.recoveryPoint?.name).toBe(oldest.name);
    expect(record.phasesMs.restoreJob).toBeGreaterThan(0);
    // Progress goes to stderr with --json.
    expect(out.stderr()).toContain('Verdict: passed.');
    const runs = [
      ...new Map(
        [...(await w.deps.store.list(record.night)), ...(await w.deps.store.list(record.startedAt.slice(0, 10)))]
          .map((x) => x.run)
          .filter((r) => r.target.vmName === 'iris-a' && r.drill !== undefined)
          .map((r) => [r.id, r]),
      ).values(),
    ];
    expect(runs.map((r) => r.id).sort()).toContain(record.runId);
    expect(runs.filter((r) => r.night === record.night).map((r) => r.id.replace(/^.*~/, '~'))).toEqual(
      firstNight ? ['~drill-1', '~drill-2'] : ['~drill-1'],
    );
    expect(new Set(runs.map((r) => r.drill?.vmName)).size).toBe(runs.length);
    expect(runs.every((r) => r.verdict === undefined && r.backup.jobId === undefined)).toBe(true);
  }, 120_000);

  it('a restored copy with integrity errors: failed at integrity, the database named, exit 1', async () => {
    const out = io();
    const code = await main(['drill', '--vm', w.vmId('iris-bad')], out);
    expect(code).toBe(1);
    const text = out.stdout();
    expect(text).toMatch(/^Drill of iris-bad: FAILED$/m);
    expect(text).toMatch(/^Failed stage: integrity$/m);
    expect(text).toMatch(/^Integrity: errors /m);
    expect(text).toMatch(/^ {2}\S+ {2}errors/m);
    expect(await drillGroup()).toEqual([]);
  }, 120_000);

  it('--recovery-point that does not exist: exit 2, the newest points listed, nothing created', async () => {
    const before = (await nightRuns()).length;
    const out = io();
    const code = await main(['drill', '--vm', w.vmId('iris-a'), '--recovery-point', 'no-such-point'], out);
    expect(code).toBe(2);
    expect(out.stderr()).toMatch(/--recovery-point "no-such-point" is not a recovery point of iris-a/);
    expect(out.stderr()).toMatch(/Its newest 2 points are/);
    expect(
      out
        .stderr()
        .split('\n')
        .filter((l) => /^ {2}\S+ \(\d{4}-.*AppConsistent\)$/.test(l)),
    ).toHaveLength(2);
    expect((await nightRuns()).length).toBe(before);
    expect(out.waits).toEqual([]);
  });

  it('refuses when drills are off, naming the IBG_DRILL_* settings: exit 2, nothing created', async () => {
    const before = (await nightRuns()).length;
    const env = { ...w.env, IBG_DRILL_ENABLED: 'false' };
    const out = io(env);
    const code = await main(['drill', '--vm', w.vmId('iris-a')], out);
    expect(code).toBe(2);
    const err = out.stderr();
    expect(err).toMatch(/^Restore drills are not configured:/);
    for (const s of [
      'IBG_DRILL_ENABLED',
      'IBG_DRILL_RESOURCE_GROUP_ID',
      'IBG_DRILL_SUBNET_ID',
      'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    ])
      expect(err).toContain(s);
    expect((await nightRuns()).length).toBe(before);
  });

  it('refuses a half-configured drill (no drill subnet) with the setting named: exit 2', async () => {
    const { IBG_DRILL_SUBNET_ID: _omit, ...env } = { ...w.env, ...drillEnv() };
    const out = io(env);
    expect(await main(['drill', '--vm', w.vmId('iris-a')], out)).toBe(2);
    expect(out.stderr()).toContain('IBG_DRILL_SUBNET_ID');
  });

  it('refuses drills without an evidence container (no table connection string to fall back on): exit 2', async () => {
    const out = io({
      ...w.env,
      IBG_RUNS_TABLE_CONNECTION_STRING: undefined,
      IBG_RUNS_TABLE_ENDPOINT: 'https://example.table.core.windows.net',
    });
    expect(await main(['drill', '--vm', w.vmId('iris-a')], out)).toBe(2);
    expect(out.stderr()).toContain('IBG_EVIDENCE_CONTAINER_URL');
  });

  it('refuses a VM no configured vault protects: exit 2, the vaults checked named', async () => {
    const out = io();
    expect(await main(['drill', '--vm', w.vmId('iris-unprotected')], out)).toBe(2);
    expect(out.stderr()).toMatch(/not protected by any configured vault \(checked 1: .*vault-1\)/);
  });

  it('usage errors exit 2', async () => {
    const out = io();
    expect(await main(['drill'], out)).toBe(2);
    expect(await main(['drill', '--vm', w.vmId('iris-a'), '--bogus'], out)).toBe(2);
  });
});
