/**
 * The dashboard in a real browser: Debian's chromium, driven by playwright-core, against a local node:http server
 * that serves the real renderers over the fixture fleet (dashboardFleet.ts). It follows a VM's row to its page and
 * a history row to a run, checks the chart and the timeline drew, that text from a VM stays text and no script
 * runs, that a phone-sized screen has no sideways scrolling, and that axe finds nothing serious or critical.
 * Screenshots are kept in test-artifacts/dashboard/.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { renderFleetPage } from '../../src/shared/report/dashboard/fleetPage';
import { dashboardLinks } from '../../src/shared/report/dashboard/links';
import { renderNotFoundPage } from '../../src/shared/report/dashboard/notFoundPage';
import type { RenderedPage } from '../../src/shared/report/dashboard/page';
import { renderRunPage } from '../../src/shared/report/dashboard/runPage';
import { renderVmPage } from '../../src/shared/report/dashboard/vmPage';
import { launchBrowser, seriousViolations, shot, type TestBrowser } from './browser';
import { EVIL_VM, NOW, dashboardFixture } from './dashboardFleet';

jest.setTimeout(60_000);

const BASE = '/api/dashboard';
const CODE = 'test-key';
const fixture = dashboardFixture();

/** The dashboard's routes, as the app serves them: `${base}`, `${base}/vms/{vmKey}`, `${base}/runs/{night}/{rest}`. */
function route(pathname: string, code: string | null): RenderedPage {
  const links = dashboardLinks(BASE, code ?? undefined);
  const rest = pathname.slice(BASE.length).split('/').filter(Boolean).map(decodeURIComponent);
  if (rest.length === 0) return renderFleetPage(fixture.fleet, links);
  if (rest[0] === 'vms' && rest.length === 2) {
    const vm = fixture.fleet.vms.find((v) => v.vmKey === rest[1]);
    if (vm) return renderVmPage(vm, fixture.history.get(vm.vmKey) ?? [], fixture.fleet.targets, links, NOW);
  }
  if (rest[0] === 'runs' && rest.length === 3) {
    const id = `${rest[1]}/${rest[2]}`;
    const run = fixture.runs.get(id);
    if (run) return renderRunPage(run, fixture.alerts.get(id) ?? [], links, NOW);
  }
  return renderNotFoundPage(`Nothing at ${pathname}`, links);
}

let server: Server;
let origin = '';
let browser: TestBrowser | undefined;
let context: BrowserContext;
let dialogs: string[] = [];
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const page = url.pathname.startsWith(BASE)
      ? route(url.pathname, url.searchParams.get('code'))
      : renderNotFoundPage('Not the dashboard', dashboardLinks(BASE));
    res.writeHead(page.status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': page.contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(page.html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Any alert(), confirm() or prompt() would be a script that ran: recorded, and the test fails on it.
  browser = await launchBrowser();
  ({ context, dialogs, requests } = browser);
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const open = async (path: string): Promise<Page> => {
  const page = await context.newPage();
  const response = await page.goto(`${origin}${path}`);
  expect(response?.status()).toBe(200);
  return page;
};

/** Laid out on a phone: the page itself never scrolls sideways (wide tables scroll in their own region). */
async function fitsPhone(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

const noScript = async (page: Page): Promise<void> => {
  expect(await page.locator('script').count()).toBe(0);
  expect(dialogs).toEqual([]);
};

describe('the dashboard in chromium', () => {
  it('the fleet: a row per VM with its status in words; a VM’s row leads to its chart, a history row to its run', async () => {
    const page = await open(`${BASE}?code=${CODE}`);
    const rows = page.locator('table#fleet tbody tr');
    expect(await rows.count()).toBe(fixture.fleet.vms.length);
    for (const [i, vm] of fixture.fleet.vms.entries()) {
      const status = rows.nth(i).locator('td').first();
      expect((await status.innerText()).trim().toLowerCase()).toBe(vm.rag);
      expect(await status.locator(`.rag-${vm.rag}`).count()).toBe(1);
    }
    await shot(page, 'fleet');
    expect(await seriousViolations(page)).toEqual([]);
    await fitsPhone(page, 'fleet');

    // A VM's row → its page: the RTO chart drew one point per passed drill.
    const vm = fixture.fleet.vms.find((v) => v.vmName === 'iris-prod-1');
    if (vm === undefined) throw new Error('fixture');
    await Promise.all([page.waitForURL(/\/vms\//), page.locator('table#fleet a', { hasText: 'iris-prod-1' }).click()]);
    expect(new URL(page.url()).searchParams.get('code')).toBe(CODE);
    const chart = page.locator('svg#rto-chart');
    await chart.waitFor();
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(50);
    const points = chart.locator('circle.point');
    expect(await points.count()).toBe(fixture.passedDrills.get(vm.vmKey));
    expect(fixture.passedDrills.get(vm.vmKey)).toBe(3);
    for (let i = 0; i < 3; i++) expect(await points.nth(i).isVisible()).toBe(true);
    expect(await chart.getAttribute('aria-label')).toMatch(/Measured RTO of 3 passed drills/);
    await shot(page, 'vm');
    expect(await seriousViolations(page)).toEqual([]);
    await fitsPhone(page, 'vm');

    // A history row → the run: the timeline drew its bars, and the table lists every phase.
    await Promise.all([page.waitForURL(/\/runs\//), page.locator('table#history tbody a').first().click()]);
    expect(new URL(page.url()).searchParams.get('code')).toBe(CODE);
    expect(await page.locator('svg#timeline rect.bar').count()).toBeGreaterThanOrEqual(7);
    const phases = await page.locator('table#timeline-table tbody th').allInnerTexts();
    expect(phases).toEqual(
      expect.arrayContaining([
        'freeze window',
        'snapshot',
        'transfer',
        'restore',
        'IRIS start',
        'integrity',
        'cleanup',
      ]),
    );
    expect((await page.locator('#drill-outcome').innerText()).startsWith('passed')).toBe(true);
    await shot(page, 'run');
    expect(await seriousViolations(page)).toEqual([]);
    await fitsPhone(page, 'run');
    await noScript(page);
    await page.close();
  });

  it('a VM whose name, reasons and log lines hold markup: shown as text, and nothing runs', async () => {
    const page = await open(`${BASE}?code=${CODE}`);
    await Promise.all([page.waitForURL(/\/vms\//), page.locator('table#fleet a', { hasText: 'iris-evil' }).click()]);
    expect(await page.locator('h1').innerText()).toContain(EVIL_VM.replace('\u202e', '\\u202e'));
    await Promise.all([page.waitForURL(/\/runs\//), page.locator('table#history tbody a').first().click()]);
    const line = await page.locator('ol.log li').first().innerText();
    expect(line).toContain('<script>alert("log")</script>');
    expect(line).toContain('\\u202e');
    expect(await page.locator('ol.log li').count()).toBeGreaterThanOrEqual(2);
    // The fix keeps its line break and its markup as text.
    expect(await page.locator('ul.findings code').first().innerText()).toMatch(/^chmod 700 <script>.*\nsecond line$/s);
    await page.hover('h1');
    await noScript(page);
    await shot(page, 'run-hostile');
    expect(await seriousViolations(page)).toEqual([]);
    await fitsPhone(page, 'run-hostile');
    await page.close();
  });

  it('an unknown run: 404 with a way back; nothing was fetched from anywhere but the dashboard', async () => {
    const page = await context.newPage();
    const response = await page.goto(`${origin}${BASE}/runs/2026-01-01/nobody?code=${CODE}`);
    expect(response?.status()).toBe(404);
    await Promise.all([page.waitForURL(/\/api\/dashboard\?code=/), page.locator('main a').click()]);
    expect(await page.locator('table#fleet').count()).toBe(1);
    expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);
    await page.close();
  });

  it('the dialog check itself works: a script run from outside the page (the test’s own) is noticed', async () => {
    const page = await open(`${BASE}?code=${CODE}`);
    // Run through the DevTools protocol, which the page's policy does not govern: only to prove the check can fail.
    await page.evaluate('alert("probe")');
    expect(dialogs.splice(0)).toEqual(['probe']);
    await page.close();
  });
});
