import { createHash } from 'node:crypto';
import { renderFleetPage } from '../../src/shared/report/dashboard/fleetPage';
import { ago, duration, utcMinute } from '../../src/shared/report/dashboard/format';
import { dashboardLinks } from '../../src/shared/report/dashboard/links';
import { renderNotFoundPage } from '../../src/shared/report/dashboard/notFoundPage';
import type { RenderedPage } from '../../src/shared/report/dashboard/page';
import type { AlertRecord } from '../../src/shared/alerts/alertRecord';
import { renderRunPage, shownAlerts } from '../../src/shared/report/dashboard/runPage';
import { renderVmPage } from '../../src/shared/report/dashboard/vmPage';
import type { VmStatus } from '../../src/shared/evidence/fleetStatus';
import type { Run } from '../../src/shared/runs/run';
import { boundRun } from '../../src/shared/runs/runLimits';
import { SAMPLE_RUNS, worstCaseRun } from '../runs/runSamples';
import { EVIL_VM, HOSTILE, NOW, dashboardFixture } from './dashboardFleet';
import { elementById, hrefs, norm, startTags, withClass } from './markup';

const f = dashboardFixture();
const links = dashboardLinks('/api/dashboard', 'key&1');
const vmNamed = (name: string): VmStatus => {
  const vm = f.fleet.vms.find((v) => v.vmName === name);
  if (vm === undefined) throw new Error(`no VM ${name}`);
  return vm;
};
const vmPage = (vm: VmStatus): RenderedPage =>
  renderVmPage(vm, f.history.get(vm.vmKey) ?? [], f.fleet.targets, links, NOW);
const runOf = (vmName: string, night: string): Run => {
  const run = [...f.runs.values()].find((r) => r.target.vmName === vmName && r.night === night);
  if (run === undefined) throw new Error(`no run ${vmName} ${night}`);
  return run;
};
const runPage = (run: Run): RenderedPage => renderRunPage(run, f.alerts.get(run.id) ?? [], links, NOW);

const allPages = (): [string, RenderedPage][] => [
  ['fleet', renderFleetPage(f.fleet, links)],
  ...f.fleet.vms.map((vm): [string, RenderedPage] => [`vm ${vm.vmKey}`, vmPage(vm)]),
  ...[...f.runs.values()].map((r): [string, RenderedPage] => [`run ${r.id}`, runPage(r)]),
  ['not found', renderNotFoundPage(`No VM ${HOSTILE}`, links)],
];

describe('dashboardLinks', () => {
  it('routes under the base, the key on every link, each segment encoded, the run id’s slash kept', () => {
    const l = dashboardLinks('/api/dashboard/', 'a/b+c&d=');
    expect(l.fleet()).toBe('/api/dashboard?code=a%2Fb%2Bc%26d%3D');
    expect(l.vm('sub~rg~vm 1?#/x')).toBe('/api/dashboard/vms/sub~rg~vm%201%3F%23%2Fx?code=a%2Fb%2Bc%26d%3D');
    expect(l.run('2026-03-10/sub~rg~vm/x~drill-1')).toBe(
      '/api/dashboard/runs/2026-03-10/sub~rg~vm%2Fx~drill-1?code=a%2Fb%2Bc%26d%3D',
    );
  });

  it('without a key: plain links', () => {
    const l = dashboardLinks('/api/dashboard');
    expect(l.fleet()).toBe('/api/dashboard');
    expect(l.run('2026-03-10/k')).toBe('/api/dashboard/runs/2026-03-10/k');
  });
});

describe('format', () => {
  it.each([
    [1500, '1.5 s'],
    [52_000, '52 s'],
    [29 * 60_000 + 6_000, '29 min'],
    [185 * 60_000, '3 h 5 min'],
    [120 * 60_000, '2 h'],
    [58.4 * 3_600_000, '2 d 10 h'],
    [undefined, '—'],
  ])('duration(%p) = %p', (ms, text) => expect(duration(ms)).toBe(text));

  it('times are UTC to the minute; ago is measured from the given now', () => {
    expect(utcMinute('2026-12-03T01:14:27.123Z')).toBe('2026-12-03 01:14Z');
    expect(ago('2026-03-10T09:00:00.000Z', NOW)).toBe('3 h ago');
  });
});

describe('every page', () => {
  it.each(allPages())('%s: no script, one style allowed by its hash in the policy', (_name, page) => {
    expect(page.html).not.toMatch(/<script/i);
    const styles = [...page.html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256')
      .update(styles[0]?.[1] ?? '', 'utf8')
      .digest('base64');
    expect(page.contentSecurityPolicy).toContain(`style-src 'sha256-${hash}'`);
    for (const directive of [
      "default-src 'none'",
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ])
      expect(page.contentSecurityPolicy).toContain(directive);
    // No resource from anywhere: every link is the dashboard's own.
    for (const href of hrefs(page.html)) expect(href.startsWith('/api/dashboard')).toBe(true);
    expect(page.html).not.toMatch(/\b(src|srcset)=/);
  });

  it.each(allPages())(
    '%s: text from a VM stays text (tags and attributes are all the dashboard’s own)',
    (_name, page) => {
      const TAGS = new Set(
        'html head meta title style body header span nav a main h1 h2 h3 p ul ol li strong code br div table caption thead tbody tr th td dl dt dd svg line text path circle g rect'.split(
          ' ',
        ),
      );
      const ATTRIBUTES = new Set(
        'lang charset name content http-equiv class href aria-label tabindex role id scope viewbox width height xmlns x y x1 x2 y1 y2 cx cy r d text-anchor transform'.split(
          ' ',
        ),
      );
      for (const tag of startTags(page.html)) {
        expect(TAGS).toContain(tag.name);
        for (const attribute of tag.attributes.keys()) expect(ATTRIBUTES).toContain(attribute);
      }
      expect(page.html.match(/<\/style>/g)).toHaveLength(1);
      // The override is shown as its escape, never as the character that would reorder the line.
      expect(page.html).not.toContain('\u202e');
    },
  );
});

describe('renderFleetPage', () => {
  const page = norm(renderFleetPage(f.fleet, links).html);
  const table = elementById(page, 'table', 'fleet') ?? '';

  it('one row per VM in the order given, each with its status in words, a link to its page and its runs', () => {
    const rows = table.split('<tr>').slice(2);
    expect(rows).toHaveLength(f.fleet.vms.length);
    f.fleet.vms.forEach((vm, i) => {
      const row = rows[i] ?? '';
      const word = vm.rag.charAt(0).toUpperCase() + vm.rag.slice(1);
      expect(row).toContain(`<td><span class="rag rag-${vm.rag}">${word}</span></td>`);
      expect(hrefs(row)[0]).toBe(links.vm(vm.vmKey));
      if (vm.lastBackup) expect(hrefs(row)).toContain(links.run(vm.lastBackup.runId));
      if (vm.lastDrill) expect(hrefs(row)).toContain(links.run(vm.lastDrill.runId));
      expect(row).toContain(`<td class="num">${vm.openAlerts.length}</td>`);
    });
  });

  it('counts, targets, measured RPO and RTO, and the alerts about no one VM', () => {
    expect(f.fleet.counts).toEqual({ green: 1, amber: 1, red: 2 });
    expect(page).toContain('<span class="rag rag-red">Red</span>2');
    expect(page).toContain('RPO (target 24 h)');
    expect(page).toContain('RTO (target 60 min)');
    const prod2 = vmNamed('iris-prod-2');
    expect(prod2.rpo).toBe('red');
    expect(table).toContain(`<span class="rag rag-red">Red</span>${duration(prod2.measuredRpoMs)}`);
    expect(page).toMatch(/Other open alerts<\/h2><ul class="alerts"><li><strong>warning<\/strong>VaultAccessDenied/);
  });

  it('lean: no drawing and no script per row, whatever the fleet’s size', () => {
    const big = dashboardFixture(50);
    const html = norm(renderFleetPage(big.fleet, links).html);
    expect(html).not.toContain('<svg');
    expect((elementById(html, 'table', 'fleet') ?? '').split('<tr>')).toHaveLength(big.fleet.vms.length + 2);
  });

  it('an empty fleet says so', () => {
    const empty = renderFleetPage(
      { ...f.fleet, vms: [], counts: { green: 0, amber: 0, red: 0 }, otherAlerts: [] },
      links,
    );
    expect(norm(empty.html)).toContain('No VM has been backed up');
    expect(norm(empty.html)).toContain('No open alerts.');
  });
});

describe('renderVmPage', () => {
  it('the RTO chart: a point per passed drill, a cross per failed one, the target dashed, labelled', () => {
    for (const vm of f.fleet.vms) {
      const svg = elementById(norm(vmPage(vm).html), 'svg', 'rto-chart') ?? '';
      const history = f.history.get(vm.vmKey) ?? [];
      expect(withClass(svg, 'circle', 'point')).toHaveLength(f.passedDrills.get(vm.vmKey) ?? -1);
      expect(withClass(svg, 'g', 'failed-drill')).toHaveLength(
        history.filter((s) => s.drill?.verdict !== undefined && s.drill.verdict !== 'passed').length,
      );
      expect(withClass(svg, 'line', 'target')).toHaveLength(1);
      expect(svg).toMatch(/^<svg id="rto-chart" role="img" aria-label="[^"]+"/);
      expect(svg).toContain('<title>');
      expect(svg).toContain('RTO (min)');
    }
  });

  it('the higher RTO is drawn higher: a point’s y falls as its RTO rises', () => {
    const vm = vmNamed('iris-prod-1');
    const history = (f.history.get(vm.vmKey) ?? []).map((s, i) =>
      s.drill ? { ...s, drill: { ...s.drill, rtoMs: (i + 1) * 20 * 60_000 } } : s,
    );
    const svg = renderVmPage(vm, history, f.fleet.targets, links, NOW).html;
    // Oldest first on the time axis: the oldest had the largest RTO here, so the y values rise left to right.
    const ys = withClass(svg, 'circle', 'point').map((c) => Number(c.attributes.get('cy')));
    expect(ys).toHaveLength(3);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(new Set(ys).size).toBe(3);
  });

  it('no passed drill: says so instead of an empty chart', () => {
    const vm = vmNamed('iris-prod-2');
    const history = (f.history.get(vm.vmKey) ?? []).filter((s) => s.drill?.verdict !== 'passed');
    const html = norm(renderVmPage(vm, history, f.fleet.targets, links, NOW).html);
    expect(html).not.toContain('id="rto-chart"');
    expect(html).toContain('No passed drill yet (2 failed or inconclusive)');
  });

  it('status, reasons, findings with fixes in code, open alerts, and a history row per run linking to it', () => {
    const vm = vmNamed(EVIL_VM);
    const html = norm(vmPage(vm).html);
    expect(html).toContain('<span class="rag rag-red">Red</span>open error alert DrillIrisDown');
    expect(html).toMatch(/Fix:<code>chmod 700 &lt;script&gt;.*<br>second line<\/code>/);
    expect(html).toMatch(/<strong>error<\/strong>DrillIrisDown: IRIS did not start &lt;script&gt;/);
    const prod1 = vmNamed('iris-prod-1');
    const history = f.history.get(prod1.vmKey) ?? [];
    const table = elementById(norm(vmPage(prod1).html), 'table', 'history') ?? '';
    expect(hrefs(table)).toEqual(history.map((s) => links.run(s.runId)));
  });
});

describe('renderRunPage', () => {
  const run = runOf('iris-prod-2', '2026-03-10');
  const html = norm(runPage(run).html);

  it('the header, the timeline as bars and as a table, and every stage transition', () => {
    expect(html).toContain(`<a href="${links.vm(run.vmKey).replace('&', '&amp;')}">iris-prod-2</a>`);
    expect(html).toContain(`<dt>Stage</dt><dd>${run.stage}`);
    const svg = elementById(html, 'svg', 'timeline') ?? '';
    expect(withClass(svg, 'rect', 'bar-failed').length).toBeGreaterThan(0);
    const table = elementById(html, 'table', 'timeline-table') ?? '';
    for (const phase of ['freeze window', 'snapshot', 'transfer', 'restore', 'IRIS start', 'integrity', 'cleanup'])
      expect(table).toContain(`<th scope="row">${phase}</th>`);
    expect(table).toContain('<th scope="row">IRIS start</th><td><span class="rag rag-red">failed</span>');
    const stages = elementById(html, 'table', 'stages') ?? '';
    expect(stages.split('<tr>')).toHaveLength(run.history.length + 3);
  });

  it('the drill’s outcome and its evidence lines, escaped, in order', () => {
    expect(html).toContain(`<p id="drill-outcome"><strong>failed</strong>at iris: `);
    const evil = norm(runPage(runOf(EVIL_VM, '2026-03-10')).html);
    expect(evil).toContain(
      '<li>03/10/26-01:34:00:000 (42) 0 &lt;script&gt;alert(&quot;log&quot;)&lt;/script&gt; &lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=&quot;alert(2)\\u202eevil&lt;/style&gt;</li><li>plain line</li>',
    );
    expect(evil).toMatch(/<strong>error<\/strong>DrillIrisDown/);
  });
});

describe('the run page leaves out recoveries that only closed a state silently', () => {
  const run = runOf('iris-prod-2', '2026-03-10');
  const record = (kind: 'problem' | 'recovery', suppressed: boolean, code: string): AlertRecord => ({
    id: `${run.id}#${code}`,
    alert: {
      severity: 'error',
      code,
      message: `${code} message`,
      scope: { kind: 'run', runId: run.id, vmId: run.target.vmId },
      at: '2026-03-10T02:00:00.000Z',
      kind,
    },
    decidedAt: '2026-03-10T02:00:00.000Z',
    dedupKey: `run:${run.target.vmId}|${code}`,
    deliveries: {},
    ...(suppressed ? { suppressed: true } : {}),
  });

  it('shows announced recoveries and held-back repeats, not silent recoveries', () => {
    const alerts = [
      record('recovery', true, 'SilentRecovery'),
      record('recovery', false, 'AnnouncedRecovery'),
      record('problem', true, 'HeldBackRepeat'),
    ];
    expect(shownAlerts(alerts).map((r) => r.alert.code)).toEqual(['AnnouncedRecovery', 'HeldBackRepeat']);
    const page = norm(renderRunPage(run, alerts, links, NOW).html);
    expect(page).not.toContain('SilentRecovery');
    expect(page).toContain('AnnouncedRecovery');
    expect(page).toContain('a repeat not sent');
  });
});

describe('renderNotFoundPage', () => {
  it('404, the message as text, a way back', () => {
    const page = renderNotFoundPage(`No run ${HOSTILE}`, links);
    expect(page.status).toBe(404);
    expect(norm(page.html)).toContain('No run &lt;script&gt;');
    expect(hrefs(page.html)).toContain(links.fleet());
  });
});

describe('every stage a run can be in', () => {
  it.each(SAMPLE_RUNS)('%s: renders, with its timeline and a row per stage transition', (_name, make) => {
    const run = make();
    const html = norm(renderRunPage(run, [], links, NOW).html);
    expect(elementById(html, 'table', 'timeline-table')).toBeDefined();
    expect((elementById(html, 'table', 'stages') ?? '').split('<tr>')).toHaveLength(run.history.length + 3);
    expect(html).toContain(`<dt>Stage</dt><dd>${run.stage}`);
  });

  it('the largest run storage keeps (every text and list at its limit, control characters): all of it escaped', () => {
    const run = boundRun(worstCaseRun());
    const page = renderRunPage(run, [], links, NOW);
    // No control character but the line breaks and tabs of the markup itself.
    const controls = [...page.html].filter((c) => c.charCodeAt(0) < 0x20 && !'\t\n\r'.includes(c));
    expect(controls).toEqual([]);
    expect(page.html.length).toBeGreaterThan(run.history.length * 20);
    for (const tag of startTags(page.html)) expect(tag.name).not.toBe('script');
  });
});
