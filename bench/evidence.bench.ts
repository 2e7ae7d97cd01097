/**
 * The evidence views at fleet scale: 500 VMs with 90 nights of history in Azurite, served by the same router as the
 * app (through the CLI's local server, over HTTP). Prints:
 * - the fleet API's answer time and size (target: under 300 ms and under 1 MB),
 * - the fleet page ready in Debian's chromium (target: under 1 s),
 * - the evidence export of the 90 days (target: under 5 s),
 * - the history API's first page and a VM page, for comparison.
 * IBG_BENCH_VMS and IBG_BENCH_NIGHTS change the size.
 */
import { chromium } from 'playwright-core';
import { startAzurite } from '../sandbox/azurite';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../sandbox/chromium';
import { startDashboardServer } from '../src/cli/dashboardServer';
import { createEvidenceSource } from '../src/composition/composition';
import { loadSettings } from '../src/shared/config/settings';
import { fmt, runBenchmark, verdictOf } from './benchSupport';
import { seedHistory } from './evidenceHistory';
import { evidenceFilesOf } from '../src/shared/evidence/evidenceFiles';
import { evidencePackOf } from '../src/shared/evidence/evidencePack';
import { readPeriodSummaries } from '../src/shared/evidence/readPeriod';

const VMS = Number(process.env.IBG_BENCH_VMS ?? 500);
const NIGHTS = Number(process.env.IBG_BENCH_NIGHTS ?? 90);
const SAMPLES = 7;
const LAST_NIGHT = '2026-11-30';

const NAVIGATION_MS =
  '(() => { const [n] = performance.getEntriesByType("navigation"); return n ? n.loadEventEnd - n.startTime : NaN; })()';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timed(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const start = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - start, bytes: body.byteLength, status: res.status };
}

async function sample(url: string, n = SAMPLES): Promise<{ ms: number; bytes: number; status: number }> {
  await timed(url); // warm-up: the first call also opens the table clients' connections
  const runs = [];
  for (let i = 0; i < n; i += 1) runs.push(await timed(url));
  return { ms: median(runs.map((r) => r.ms)), bytes: runs[0]?.bytes ?? 0, status: runs[0]?.status ?? 0 };
}

/** The fleet page in chromium: from navigation start to the load event (no scripts: load is "ready"). */
async function pageReadyMs(url: string): Promise<number> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i += 1) {
      await page.goto(url, { waitUntil: 'load' });
      // A string, so that this file needs no DOM types: the page's own navigation timing.
      times.push(Number(await page.evaluate(NAVIGATION_MS)));
    }
    return median(times);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const table = `evbench${Date.now().toString(36)}`;
  try {
    const seedStart = performance.now();
    const seeded = await seedHistory(azurite.connectionString, table, VMS, LAST_NIGHT, NIGHTS);
    console.log(
      `Seeded ${seeded.runs} runs (${VMS} VMs × ${NIGHTS} nights, ${seeded.drills} drills) in ${fmt((performance.now() - seedStart) / 1000)} s`,
    );
    const settings = loadSettings({
      IBG_VAULT_IDS:
        '/subscriptions/00000000-0000-0000-0000-0000000000be/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1',
      IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
      IBG_RUNS_TABLE_CONNECTION_STRING: azurite.connectionString,
      IBG_RUNS_TABLE_NAME: table,
    });
    const source = createEvidenceSource(settings, { warn: () => undefined });
    const now = new Date(`${LAST_NIGHT}T08:00:00Z`);
    const server = await startDashboardServer({ context: () => ({ source, settings, now }) });
    try {
      const api = `${server.origin}/api`;
      const fleet = await sample(`${api}/fleet`);
      const runsPage = await sample(`${api}/runs?from=${LAST_NIGHT}&to=${LAST_NIGHT}&limit=100`);
      const vmPage = await sample(
        `${api}/vms/${encodeURIComponent('00000000-0000-0000-0000-0000000000be~rg-iris~iris-0007')}`,
      );
      const from = seeded.nights[0] ?? LAST_NIGHT;
      const exported = await sample(`${api}/evidence?from=${from}&to=${LAST_NIGHT}&file=evidence.json`, 3);
      const ready = await pageReadyMs(`${server.url}`);
      // The whole pack as `iris-backup-guard evidence` makes it: every file rendered and hashed (not written).
      const period = { from, to: LAST_NIGHT, nights: seeded.nights };
      const packTimes: number[] = [];
      let packBytes = 0;
      for (let i = 0; i < 3; i += 1) {
        const t = performance.now();
        const summaries = await readPeriodSummaries(source, period);
        const files = evidenceFilesOf(evidencePackOf(summaries, period, settings.reporting, now));
        packTimes.push(performance.now() - t);
        packBytes = files.reduce((n, f) => n + Buffer.byteLength(f.body), 0);
      }
      const pack = median(packTimes);
      const kb = (b: number): string => `${fmt(b / 1024, 0)} KB`;
      console.log('');
      console.log('| Figure | Result | Target | |');
      console.log('|---|---|---|---|');
      console.log(
        `| Fleet API (GET /api/fleet, ${VMS} VMs), median of ${SAMPLES} | ${fmt(fleet.ms, 0)} ms, ${kb(fleet.bytes)} | < 300 ms, < 1 MB | ${verdictOf(fleet.status === 200 && fleet.ms < 300 && fleet.bytes < 1024 * 1024)} |`,
      );
      console.log(
        `| Fleet page ready in chromium (navigation start → load) | ${fmt(ready, 0)} ms | < 1 s | ${verdictOf(ready < 1000)} |`,
      );
      console.log(
        `| Evidence export, ${NIGHTS} nights (JSON), median of 3 | ${fmt(exported.ms / 1000, 2)} s, ${kb(exported.bytes)} | < 5 s | ${verdictOf(exported.status === 200 && exported.ms < 5000)} |`,
      );
      console.log(
        `| Evidence pack, ${NIGHTS} nights, all five files rendered and hashed (what the CLI writes), median of 3 | ${fmt(pack / 1000, 2)} s, ${kb(packBytes)} | < 5 s | ${verdictOf(pack < 5000)} |`,
      );
      console.log(
        `| Runs API, one night's first page of 100 | ${fmt(runsPage.ms, 0)} ms, ${kb(runsPage.bytes)} | - | |`,
      );
      console.log(
        `| VM API (status and ${NIGHTS} nights of history) | ${fmt(vmPage.ms, 0)} ms, ${kb(vmPage.bytes)} | - | |`,
      );
      if (exported.status !== 200) console.log(`(the export answered ${exported.status})`);
    } finally {
      await server.close();
    }
  } finally {
    await azurite.stop();
  }
}

runBenchmark(main);
