/** `iris-backup-guard evidence` through main(), against the sandbox (ARM emulator) and Azurite. */
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableServiceClient } from '@azure/data-tables';
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import { main } from '../../src/cli/main';
import type { EvidenceManifest } from '../../src/shared/evidence/evidenceFiles';
import type { EvidencePack } from '../../src/shared/evidence/evidencePack';
import { runSummaryOf, type RunSummary } from '../../src/shared/evidence/runSummary';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { settle, tonight } from '../protection/cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';
import { captureIo } from './cliIo';
import { startDrilledPair } from './drilledPair';

const ENROLLED = ['iris-a', 'iris-b', 'iris-noconfig'];
const FILES = ['backups.csv', 'drills.csv', 'evidence.json', 'manifest.json', 'report.html'];

const tempDirs: string[] = [];
const freshDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'ibg-evidence-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

/** The expected fields the summary has: a row leaves out what the summary lacks. */
const present = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const readPack = async (dir: string): Promise<EvidencePack> =>
  JSON.parse(await readFile(join(dir, 'evidence.json'), 'utf8')) as EvidencePack;

async function storedSummaries(w: ProtectionWorld, night: string): Promise<Map<string, RunSummary>> {
  const byId = new Map<string, RunSummary>();
  for (const stored of await w.deps.store.list(night)) byId.set(stored.run.id, runSummaryOf(stored.run));
  return byId;
}

describe('iris-backup-guard evidence (sandbox, a protected night)', () => {
  let w: ProtectionWorld;
  let night: string;
  beforeAll(async () => {
    w = await startProtectionWorld();
    night = tonight(w);
    await runNightlyProtection(w.deps, night);
    await settle(w, w.deps, night, ENROLLED);
  });
  afterAll(async () => w?.stop());

  const io = () => captureIo(w.env, { credential: w.sandbox.credential, clock: w.sandbox.clock });

  it("writes the five files; the backup rows are the stored runs' summaries, field for field", async () => {
    const dir = join(await freshDir(), 'pack');
    const out = io();
    expect(await main(['evidence', '--from', night, '--to', night, '--out', dir], out)).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(FILES);
    const pack = await readPack(dir);
    const stored = await storedSummaries(w, night);
    expect(pack.backups.map((b) => b.runId).sort()).toEqual([...stored.keys()].sort());
    for (const row of pack.backups) {
      const s = stored.get(row.runId);
      expect(s).toBeDefined();
      expect(row).toMatchObject(
        present({
          night: s?.night,
          vmName: s?.vmName,
          vmId: s?.vmId,
          stage: s?.stage,
          jobId: s?.backup.jobId,
          jobStatus: s?.backup.jobStatus,
          jobStart: s?.backup.jobStart,
          jobEnd: s?.backup.jobEnd,
          recoveryPointTime: s?.recoveryPoint?.time,
          consistency: s?.verdict?.consistency,
          irisLeftFrozen: s?.verdict?.irisLeftFrozen,
        }),
      );
      // A field the summary lacks is absent from the row, never null or empty.
      const fromSummary = {
        jobId: s?.backup.jobId,
        jobStart: s?.backup.jobStart,
        jobEnd: s?.backup.jobEnd,
        consistency: s?.verdict?.consistency,
      };
      for (const [key, value] of Object.entries(fromSummary)) expect(key in row).toBe(value !== undefined);
    }
    expect(pack.backups.map((b) => b.vmName)).toEqual(ENROLLED);
    expect(pack.backups.find((b) => b.vmName === 'iris-noconfig')?.consistency).toBe('file-system-consistent');
    // No drills in this world: no VM meets the restore-testing controls.
    expect(pack.drills).toEqual([]);
    expect(pack.controls.find((c) => c.id === 'NIST-CP-4')?.notMetVms).toEqual(ENROLLED);

    const lines = out.stdout().split('\n');
    expect(lines[0]).toBe(
      `Evidence for nights ${night} to ${night} (1 nights): 3 runs, 3 VMs, 3 backups, 0 drills (0 passed).`,
    );
    expect(lines[1]).toBe(`Written to ${dir}:`);
    for (const name of FILES) {
      const size = (await lstat(join(dir, name))).size;
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^  ${name.replace('.', '\\.')}\\s+${size} bytes$`)),
      );
    }
  });

  it('the manifest holds the hash of each file as written', async () => {
    const dir = await freshDir();
    expect(await main(['evidence', '--from', night, '--to', night, '--out', dir], io())).toBe(0);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as EvidenceManifest;
    expect(manifest.files.map((f) => f.name).sort()).toEqual(FILES.filter((f) => f !== 'manifest.json'));
    for (const f of manifest.files) {
      const bytes = await readFile(join(dir, f.name));
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(f.bytes).toBe(bytes.length);
    }
  });

  it('--json prints the period, totals and files', async () => {
    const dir = await freshDir();
    const out = io();
    expect(await main(['evidence', '--from', night, '--to', night, '--out', dir, '--json'], out)).toBe(0);
    const report = JSON.parse(out.stdout()) as {
      schema: string;
      totals: { backups: number };
      files: { name: string }[];
    };
    expect(report.schema).toBe('iris-backup-guard/evidence-export@1');
    expect(report.totals.backups).toBe(3);
    expect(report.files.map((f) => f.name).sort()).toEqual(FILES);
  });

  it('refuses a directory that already holds the pack, and changes nothing there', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'drills.csv'), 'mine');
    const out = io();
    expect(await main(['evidence', '--from', night, '--to', night, '--out', dir], out)).toBe(2);
    expect(out.stderr()).toMatch(/already holds drills\.csv; nothing was written\. .*--force/);
    expect(await readdir(dir)).toEqual(['drills.csv']);
    expect(await readFile(join(dir, 'drills.csv'), 'utf8')).toBe('mine');
  });

  it('--force replaces a symlink itself and never writes through it', async () => {
    const dir = await freshDir();
    const elsewhere = join(await freshDir(), 'precious.txt');
    await writeFile(elsewhere, 'do not touch');
    await symlink(elsewhere, join(dir, 'report.html'));
    const refused = io();
    expect(await main(['evidence', '--from', night, '--to', night, '--out', dir], refused)).toBe(2);
    expect(await readlink(join(dir, 'report.html'))).toBe(elsewhere);
    expect(await main(['evidence', '--from', night, '--to', night, '--out', dir, '--force'], io())).toBe(0);
    expect(await readFile(elsewhere, 'utf8')).toBe('do not touch');
    expect((await lstat(join(dir, 'report.html'))).isSymbolicLink()).toBe(false);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('refuses an --out that is a file', async () => {
    const file = join(await freshDir(), 'a-file');
    await writeFile(file, 'x');
    const out = io();
    expect(await main(['evidence', '--out', file], out)).toBe(2);
    expect(out.stderr()).toContain(`--out "${file}" is an existing file, not a directory`);
  });

  it.each([
    [['--from', '2026-02-30'], '--from "2026-02-30" is not a date YYYY-MM-DD'],
    [['--from', '2026-03-02', '--to', '2026-03-01'], '--from 2026-03-02 is after to 2026-03-01'],
    [['--from', '2020-01-01', '--to', '2026-01-01'], 'at most 400 per export'],
    [[], '--out <dir> is missing'],
  ])('%j is a usage error', async (args, message) => {
    const out = io();
    const dir = args.length === 0 ? [] : ['--out', await freshDir()];
    expect(await main(['evidence', ...args, ...dir], out)).toBe(2);
    expect(out.stderr()).toContain(message);
    expect(out.stderr()).toContain('Usage: iris-backup-guard evidence');
  });
});

describe('iris-backup-guard evidence with drills (sandbox)', () => {
  let w: ProtectionWorld;
  beforeAll(async () => {
    ({ w } = await startDrilledPair());
  }, 120_000);
  afterAll(async () => w?.stop());

  it("the drill rows are the stored drills' summaries, and the passed drill answers the restore-testing controls", async () => {
    const night = tonight(w);
    const dir = await freshDir();
    const out = captureIo(w.env, { credential: w.sandbox.credential, clock: w.sandbox.clock });
    expect(await main(['evidence', '--to', night, '--out', dir], out)).toBe(0);
    const pack = await readPack(dir);
    const stored = new Map<string, RunSummary>();
    for (const n of [...new Set(pack.drills.map((d) => d.night))])
      for (const [id, s] of await storedSummaries(w, n)) stored.set(id, s);
    expect(pack.drills.map((d) => [d.vmName, d.verdict])).toEqual([
      ['iris-a', 'passed'],
      ['iris-bad', 'failed'],
    ]);
    for (const row of pack.drills) {
      const d = stored.get(row.runId)?.drill;
      expect(d).toBeDefined();
      expect(row).toMatchObject(
        present({
          startedAt: d?.startedAt,
          finishedAt: d?.finishedAt,
          recoveryPointTime: d?.recoveryPointTime,
          ageHoursAtRestore: d?.ageHoursAtRestore,
          rtoMs: d?.rtoMs,
          integrity: d?.integrity,
          drillVmName: d?.drillVmName,
          restoreJobId: d?.restoreJobId,
          evidenceBlob: d?.evidenceBlob,
          cleanedUp: d?.cleanedUp,
        }),
      );
      expect('rtoMs' in row).toBe(d?.rtoMs !== undefined);
    }
    const cp4 = pack.controls.find((c) => c.id === 'NIST-CP-4');
    expect(cp4).toMatchObject({ met: 1, notMetVms: ['iris-bad'] });
    const report = await readFile(join(dir, 'report.html'), 'utf8');
    expect(report).toMatch(/last \(\d{4}-\d{2}-\d{2}\): failed at restore/);
    const passed = pack.drills.find((d) => d.verdict === 'passed');
    if (passed?.evidenceBlob !== undefined) expect(report).toContain(passed.evidenceBlob);
  });
});

describe('iris-backup-guard evidence before anything was recorded (empty Azurite)', () => {
  let azurite: AzuriteTables;
  let env: Record<string, string>;
  beforeAll(async () => {
    azurite = await startAzurite();
    env = {
      IBG_VAULT_IDS:
        '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1',
      IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
      IBG_RUNS_TABLE_CONNECTION_STRING: azurite.connectionString,
      IBG_RUNS_TABLE_NAME: 'ibgevidencenever',
    };
  });
  afterAll(async () => azurite?.stop());

  it('writes an empty pack that says so, and creates no table', async () => {
    const dir = await freshDir();
    const out = captureIo(env);
    expect(await main(['evidence', '--from', '2026-11-01', '--to', '2026-11-30', '--out', dir], out)).toBe(0);
    expect(out.stdout()).toMatch(/^Evidence for nights 2026-11-01 to 2026-11-30 \(30 nights\): 0 runs, 0 VMs/);
    expect(out.stdout()).toContain('No run was recorded in the period');
    expect((await readPack(dir)).backups).toEqual([]);
    const service = TableServiceClient.fromConnectionString(azurite.connectionString, {
      allowInsecureConnection: true,
    });
    const names: string[] = [];
    for await (const t of service.listTables()) names.push(t.name ?? '');
    expect(names.filter((n) => n.startsWith('ibgevidencenever'))).toEqual([]);
  });
});
