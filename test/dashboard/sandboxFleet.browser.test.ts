/**
 * The dashboard for real, in chromium: a sandbox world with drills on runs its nights through the real app
 * (nightly protection, then the advance timer until every run has ended), the real HTTP server serves the router over
 * the evidence source the app reads, and the browser follows the fleet to a VM and the VM to a run. What the pages
 * show is checked against the JSON the same server answers (GET /api/fleet, /api/vms/<key>), not against numbers
 * written here. Screenshots are kept in test-artifacts/dashboard/sandbox-*.png.
 */
import type { Page, Response } from 'playwright-core';
import { startDashboardServer, type DashboardServer } from '../../src/cli/dashboardServer';
import { createEvidenceSource } from '../../src/composition/composition';
import type { FleetStatus } from '../../src/shared/evidence/fleetStatus';
import type { RunSummary } from '../../src/shared/evidence/runSummary';
import { nightOf } from '../../src/shared/protection/night';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { isTerminalStage } from '../../src/shared/runs/run';
import { drillEnv, drillScenario } from '../drills/drillWorld';
import { MINUTE, runOf, tick } from '../protection/cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';
import { launchBrowser, seriousViolations, shot, type TestBrowser } from './browser';

jest.setTimeout(120_000);

const VMS = ['iris-a', 'iris-b', 'iris-c'];
const DAY = 24 * 60 * MINUTE;
/** The drill's own phases as the run page's timeline names them. */
const DRILL_PHASES = ['restore', 'VM boot', 'agent ready', 'IRIS start', 'integrity', 'cleanup'];
/** Drills take many ticks (restore, boot, agent, IRIS, integrity, cleanup): as drillHarness.untilEnded allows. */
const MAX_TICKS = 60;

let w: ProtectionWorld | undefined;
let server: DashboardServer | undefined;
let browser: TestBrowser | undefined;
const nights: string[] = [];

/** Runs one night through the app and ticks every 5 min of sandbox time until all its runs have ended. */
async function protectNight(world: ProtectionWorld, night: string): Promise<void> {
  await runNightlyProtection(world.deps, night);
  for (let i = 0; i < MAX_TICKS; i += 1) {
    const runs = await Promise.all(VMS.map((n) => runOf(world, night, n)));
    if (runs.every((r) => r !== undefined && isTerminalStage(r.stage))) return;
    await tick(world, world.deps, 5 * MINUTE);
  }
  const stages = await Promise.all(VMS.map(async (n) => `${n}: ${(await runOf(world, night, n))?.stage}`));
  throw new Error(`the runs of ${night} did not end: ${stages.join(', ')}`);
}

beforeAll(async () => {
  w = await startProtectionWorld(drillScenario(VMS), undefined, drillEnv());
  const world = w;
  nights.push(nightOf(world.sandbox.clock.now(), 'UTC'));
  await protectNight(world, nights[0] ?? '');
  // The next night is read from the clock after it moved, never computed from the first one's date.
  world.sandbox.clock.advance(DAY);
  nights.push(nightOf(world.sandbox.clock.now(), 'UTC'));
  await protectNight(world, nights[1] ?? '');
  server = await startDashboardServer({
    context: () => ({
      source: createEvidenceSource(world.deps.settings, {
        credential: world.sandbox.credential,
        warn: () => undefined,
      }),
      settings: world.deps.settings,
      now: world.sandbox.clock.now(),
    }),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  // Each one is closed even when another could not be.
  await Promise.allSettled([browser?.close(), server?.close()]);
  await w?.stop();
});

const json = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${server?.origin ?? ''}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

const opened = async (path: string): Promise<{ page: Page; response: Response | null }> => {
  const page = await (browser as TestBrowser).context.newPage();
  const response = await page.goto(`${server?.origin ?? ''}${path}`);
  return { page, response };
};

/** The page as served: its policy header, no script element, no dialog, and nothing serious for axe. */
async function checkServedPage(page: Page, response: Response | null, name: string): Promise<void> {
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toMatch(/\S/);
  expect(await page.evaluate<number>("document.querySelectorAll('script').length")).toBe(0);
  expect(browser?.dialogs).toEqual([]);
  await shot(page, `sandbox-${name}`);
  expect(await seriousViolations(page)).toEqual([]);
}

describe('the dashboard over the sandbox fleet, in chromium', () => {
  it('the second night is read from the clock after it moved: a later night than the first', () => {
    expect(nights).toHaveLength(2);
    expect((nights[1] ?? '') > (nights[0] ?? '')).toBe(true);
  });

  it('the fleet agrees with /api/fleet; a VM’s row leads to its chart, a history row to its drill’s timeline', async () => {
    const fleet = await json<FleetStatus>('/api/fleet');
    expect(fleet.vms.map((v) => v.vmName).sort()).toEqual(VMS);

    const { page, response } = await opened('/api/dashboard');
    await checkServedPage(page, response, 'fleet');
    const rows = page.locator('table#fleet tbody tr');
    expect(await rows.count()).toBe(fleet.vms.length);
    for (const [i, vm] of fleet.vms.entries()) {
      expect((await rows.nth(i).locator('th').innerText()).trim()).toBe(vm.vmName);
      expect((await rows.nth(i).locator('td').first().innerText()).trim().toLowerCase()).toBe(vm.rag);
      expect((await rows.nth(i).locator('td').last().innerText()).trim()).toBe(String(vm.openAlerts.length));
    }
    const counts = await page.locator('ul.summary li').allInnerTexts();
    expect(counts.map((c) => c.replace(/\s+/g, ' ').trim().toLowerCase())).toEqual([
      `green ${fleet.counts.green}`,
      `amber ${fleet.counts.amber}`,
      `red ${fleet.counts.red}`,
    ]);
    expect(await page.locator('table#fleet caption').innerText()).toContain(`${fleet.vms.length} VMs`);

    // A VM's row → its page: one point per passed drill with a measured RTO in its history, as the API gives it.
    const vm = fleet.vms[0];
    if (vm === undefined) throw new Error('no VM in the fleet');
    await Promise.all([
      page.waitForURL(/\/vms\//),
      page.locator('table#fleet tbody tr').first().locator('th a').click(),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/api/dashboard/vms/${encodeURIComponent(vm.vmKey)}`);
    const { history } = await json<{ history: RunSummary[] }>(`/api/vms/${encodeURIComponent(vm.vmKey)}`);
    const passed = history.filter((s) => s.drill?.verdict === 'passed' && s.drill.rtoMs !== undefined);
    // Every night drilled this VM, and each drill passed (drills are on for every backup).
    expect(passed.map((s) => s.night).sort()).toEqual([...nights].sort());
    const chart = page.locator('svg#rto-chart');
    await chart.waitFor();
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(50);
    expect(await chart.locator('circle.point').count()).toBe(passed.length);
    expect(await page.locator('table#history tbody tr').count()).toBe(history.length);
    const vmResponse = await page.reload();
    await checkServedPage(page, vmResponse, 'vm');

    // A history row of a passed drill → its run: the timeline drew its bars and names the drill's phases.
    const drilled = passed[0];
    if (drilled === undefined) throw new Error('no passed drill');
    await Promise.all([
      page.waitForURL(/\/runs\//),
      page.locator('table#history tbody th a', { hasText: drilled.night }).first().click(),
    ]);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/api/dashboard/runs/${drilled.runId}`);
    const bars = await page.locator('svg#timeline rect.bar').count();
    const phases = await page.locator('table#timeline-table tbody th').allInnerTexts();
    expect(phases).toEqual(expect.arrayContaining(['freeze window', 'snapshot', ...DRILL_PHASES]));
    for (const phase of DRILL_PHASES) {
      const row = page.locator('table#timeline-table tbody tr', { has: page.locator('th', { hasText: phase }) });
      expect((await row.locator('td').first().innerText()).trim()).toBe('done');
    }
    expect(bars).toBeGreaterThanOrEqual(6);
    expect(bars).toBeLessThanOrEqual(phases.length);
    expect((await page.locator('#drill-outcome').innerText()).startsWith('passed')).toBe(true);
    const runResponse = await page.reload();
    await checkServedPage(page, runResponse, 'run');
    await page.close();
    // Everything came from the dashboard's own server.
    expect(browser?.requests.filter((u) => !u.startsWith(server?.origin ?? '-'))).toEqual([]);
  });

  it('opened with ?code=, every link on the page carries it', async () => {
    const { page, response } = await opened('/api/dashboard?code=abc');
    expect(response?.status()).toBe(200);
    // The VMs' rows, their last backup and drill, and the header's way back to the fleet.
    const hrefs = await Promise.all((await page.locator('a[href]').all()).map((a) => a.getAttribute('href')));
    expect(hrefs.length).toBeGreaterThan(VMS.length);
    for (const href of hrefs) expect(href).toMatch(/\?code=abc$/);
    await Promise.all([page.waitForURL(/\/vms\//), page.locator('table#fleet tbody th a').first().click()]);
    expect(new URL(page.url()).searchParams.get('code')).toBe('abc');
    // And on the VM's page, every run of its history.
    const vmHrefs = await Promise.all((await page.locator('a[href]').all()).map((a) => a.getAttribute('href')));
    expect(vmHrefs.length).toBeGreaterThanOrEqual(nights.length + 1);
    for (const href of vmHrefs) expect(href).toMatch(/\?code=abc$/);
    await page.close();
  });
});
