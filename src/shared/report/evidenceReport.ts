/**
 * The printable evidence report (report.html): one A4 landscape page that states per VM the tests done and their
 * results against the targets, maps them to the controls, lists the drills' evidence blobs and says how to check the
 * pack against manifest.json. Self-contained: no script, no external resource, one <style> element allowed by its
 * hash in the page's own Content-Security-Policy. Names, reasons and blob paths came from VMs or Azure: they reach
 * the page only through `html`, which escapes them.
 */
import { createHash } from 'node:crypto';
import type { ControlStatus, FleetControl } from '../evidence/controlMapping';
import type { DrillRow, EvidencePack, VmEvidence } from '../evidence/evidencePack';
import { html, joinHtml, raw, type Html } from './htmlText';

const CSS = `
@page { size: A4 landscape; margin: 8mm; }
* { box-sizing: border-box; }
body { font: 8pt/1.25 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 0 auto; max-width: 281mm; }
h1 { font-size: 12pt; margin: 0 0 1.5mm; }
h2 { font-size: 9.5pt; margin: 3mm 0 1mm; }
p { margin: 0.8mm 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.3mm solid #bbb; padding: 0.5mm 1.2mm; text-align: left; vertical-align: top; }
th { background: #eee; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.num { text-align: right; white-space: nowrap; }
.met { color: #05600f; font-weight: 600; }
.exception { color: #8a5a00; font-weight: 600; }
.not-met, .fail { color: #a00000; font-weight: 600; }
.pass { color: #05600f; }
.meta { color: #333; }
.blobs { columns: 2; font-size: 7pt; padding-left: 4mm; margin: 0; }
.blobs li { break-inside: avoid; word-break: break-all; }
.small { font-size: 7pt; color: #333; }
.vm { min-width: 30mm; overflow-wrap: anywhere; }
.ctl { width: 34mm; }
.st { width: 44mm; }
@media print { body { max-width: none; } a { color: inherit; text-decoration: none; } }
`;

// Built as one constant, so the element's text is exactly CSS and the hash in the policy matches it.
const STYLE = raw(`<style>${CSS}</style>`);
const CSS_HASH = createHash('sha256').update(CSS, 'utf8').digest('base64');
/** The page's policy; a server may send it as the Content-Security-Policy header too. */
export const EVIDENCE_REPORT_CSP = `default-src 'none'; style-src 'sha256-${CSS_HASH}'; img-src 'none'; base-uri 'none'; form-action 'none'`;

/** How many VM names a control's row shows before "and n more" (the JSON has them all). */
const MAX_NAMES = 12;

const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;
const hours = (ms: number): string => `${(ms / 3_600_000).toFixed(1)} h`;

function backupsCell(vm: VmEvidence): Html {
  const b = vm.backups;
  const consistent = b.byConsistency['iris-consistent'] ?? 0;
  const others = Object.entries(b.byConsistency)
    .filter(([k, n]) => k !== 'iris-consistent' && n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return html`${consistent} / ${b.total}${others === '' ? '' : html`<br /><span class="small">${others}</span>`}`;
}

function drillsCell(vm: VmEvidence): Html {
  const d = vm.drills;
  const last = vm.lastDrill;
  const lastText =
    last === undefined || last.verdict === 'passed' || last.verdict === 'in-progress'
      ? undefined
      : `last (${last.night}): ${last.verdict}${last.failedStage === undefined ? '' : ` at ${last.failedStage}`}${last.reason === undefined ? '' : `: ${last.reason}`}`;
  const notes = [d.inProgress > 0 ? `${d.inProgress} in progress` : undefined, lastText].filter(
    (n): n is string => n !== undefined,
  );
  return html`${d.passed} / ${d.failed} /
  ${d.inconclusive}${notes.map((n) => html`<br /><span class="small">${n}</span>`)}`;
}

function rtoCell(vm: VmEvidence, targetMinutes: number): Html {
  const r = vm.lastRto;
  if (r === undefined) return html`<span class="not-met">none measured</span>`;
  return html`<span class="${r.vsTarget}">${minutes(r.rtoMs)} ${r.vsTarget}</span><br /><span class="small"
      >target ${targetMinutes} min${vm.bestRtoMs === undefined ? '' : `; best ${minutes(vm.bestRtoMs)}`}</span
    >`;
}

function rpoCell(vm: VmEvidence, targetHours: number): Html {
  const r = vm.rpo;
  if (r === undefined) return html`<span class="not-met">no verified point</span>`;
  return html`<span class="${r.vsTarget}">${hours(r.ageMs)} ${r.vsTarget}</span><br /><span class="small"
      >target ${targetHours} h; point ${r.recoveryPointTime}</span
    >`;
}

function controlsCell(vm: VmEvidence): Html {
  const met = vm.controls.filter((c) => c.status === 'met').length;
  const open = vm.controls.filter((c) => c.status !== 'met');
  const cls: ControlStatus = open.length === 0 ? 'met' : met === 0 ? 'not-met' : 'exception';
  // One sentence per distinct reason: the restore-testing controls usually share theirs.
  const notes = [...new Set(open.map((c) => c.note))];
  return html`<span class="${cls}">${met} of ${vm.controls.length}</span
    >${notes.length === 0 ? '' : html`<br /><span class="small">${notes.join('; ')}</span>`}`;
}

const vmRow = (vm: VmEvidence, pack: EvidencePack): Html =>
  html`<tr>
    <td class="vm">${vm.vmName}</td>
    <td class="num">${backupsCell(vm)}</td>
    <td>${drillsCell(vm)}</td>
    <td>${rtoCell(vm, pack.targets.rtoTargetMinutes)}</td>
    <td>${rpoCell(vm, pack.targets.rpoTargetHours)}</td>
    <td>${controlsCell(vm)}</td>
  </tr>`;

function names(list: readonly string[]): string {
  const shown = list.slice(0, MAX_NAMES).join(', ');
  return list.length > MAX_NAMES ? `${shown} and ${list.length - MAX_NAMES} more` : shown;
}

function controlStatusCell(c: FleetControl): Html {
  if (c.vms === 0) return html`<span class="not-met">no VM had a run in the period</span>`;
  const cls: ControlStatus = c.met === c.vms ? 'met' : c.met === 0 ? 'not-met' : 'exception';
  return html`<span class="${cls}">${c.met} of ${c.vms} VMs met</span>${
      c.exceptions.length > 0 ? html`<br /><span class="small">exception: ${names(c.exceptions)}</span>` : ''
    }${c.notMetVms.length > 0 ? html`<br /><span class="small">not met: ${names(c.notMetVms)}</span>` : ''}`;
}

const controlRow = (c: FleetControl): Html =>
  html`<tr>
    <td>${c.framework} <b>${c.control}</b></td>
    <td>“${c.requirement}”</td>
    <td>${c.evidence}</td>
    <td>${controlStatusCell(c)}</td>
  </tr>`;

/** Up to this many blobs are listed one by one; beyond it, each VM's latest (drills.csv has them all). */
const MAX_BLOBS = 50;

function blobList(pack: EvidencePack): Html {
  const withBlob = pack.drills.filter((d) => d.evidenceBlob !== undefined);
  if (withBlob.length === 0) return html`<p>No drill in the period left an evidence blob.</p>`;
  const item = (d: DrillRow): Html => html`<li>${d.night} ${d.vmName} (${d.verdict}): ${d.evidenceBlob}</li>`;
  if (withBlob.length <= MAX_BLOBS)
    return html`<ol class="blobs">
      ${joinHtml(withBlob.map(item))}
    </ol>`;
  // Rows are in night order, so the last one seen per VM is its latest.
  const latest = new Map<string, DrillRow>();
  for (const d of withBlob) latest.set(d.vmId.toLowerCase(), d);
  const shown = [...latest.values()].sort((a, b) => (a.vmName < b.vmName ? -1 : a.vmName > b.vmName ? 1 : 0));
  return html`<p class="small">
      ${withBlob.length} drills left an evidence blob; each VM's latest is
      listed${shown.length > MAX_BLOBS ? ` (the first ${MAX_BLOBS} VMs)` : ''}. Every blob is in drills.csv and
      evidence.json (evidenceBlob).
    </p>
    <ol class="blobs">
      ${joinHtml(shown.slice(0, MAX_BLOBS).map(item))}
    </ol>`;
}

export function renderEvidenceReport(pack: EvidencePack): string {
  const t = pack.totals;
  const p = pack.period;
  const page = html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="${EVIDENCE_REPORT_CSP}" />
        <meta name="referrer" content="no-referrer" />
        <title>IRIS backup and restore test evidence ${p.from} to ${p.to}</title>
        ${STYLE}
      </head>
      <body>
        <h1>IRIS backup and restore test evidence</h1>
        <p class="meta">
          Period: nights ${p.from} to ${p.to} (${p.nights} nights; RPO measured at ${p.endsAt}). Generated at
          ${pack.generatedAt} by IRIS Backup Guard (${pack.schema}).
        </p>
        <p class="meta">
          Targets: RPO ${pack.targets.rpoTargetHours} h, RTO ${pack.targets.rtoTargetMinutes} min. Runs: ${t.runs}; VMs:
          ${t.vms}; backups: ${t.backups}; restore drills: ${t.drills} (${t.drillsPassed} passed). Only a drill that
          passed counts as a verified restore; drills in progress, failed or inconclusive do not.
        </p>
        <h2>Tests done and results, per VM</h2>
        <table>
          <thead>
            <tr>
              <th>VM</th>
              <th class="num">Backups IRIS-consistent / all</th>
              <th>Drills: passed / failed / inconclusive</th>
              <th>Last RTO vs target</th>
              <th>RPO at end vs target</th>
              <th>Controls met</th>
            </tr>
          </thead>
          <tbody>
            ${
              pack.vms.length === 0
                ? html`<tr>
                    <td colspan="6">No run recorded in the period.</td>
                  </tr>`
                : joinHtml(pack.vms.map((vm) => vmRow(vm, pack)))
            }
          </tbody>
        </table>
        <h2>Control mapping</h2>
        <table>
          <thead>
            <tr>
              <th class="ctl">Control</th>
              <th>Requirement</th>
              <th>Evidence in this pack</th>
              <th class="st">Status across the fleet</th>
            </tr>
          </thead>
          <tbody>
            ${joinHtml(pack.controls.map(controlRow))}
          </tbody>
        </table>
        <h2>Drill evidence blobs referenced</h2>
        ${blobList(pack)}
        <p class="small">
          How to verify: manifest.json lists the SHA-256 of evidence.json, backups.csv, drills.csv and this report;
          compare each with <code>sha256sum &lt;file&gt;</code> (or <code>Get-FileHash &lt;file&gt;</code>), and keep
          manifest.json's own hash with the audit record. Every row of backups.csv and drills.csv carries its run id.
        </p>
      </body>
    </html> `;
  return page.markup;
}
