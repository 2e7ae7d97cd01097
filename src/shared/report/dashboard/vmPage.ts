/**
 * A VM's page: its status and why, its findings with their fixes, its open alerts, the RTO of its drills over time,
 * and its history (newest first), each run linking to its own page.
 */
import { scrollTable } from './scrollTable';
import { html, type Html } from '../htmlText';
import type { FleetStatus, VmStatus } from '../../evidence/fleetStatus';
import type { RunSummary } from '../../evidence/runSummary';
import { openAlertList } from './alertList';
import { findingList } from './findingList';
import { ago, duration, utcMinute } from './format';
import type { DashboardLinks } from './links';
import { renderPage, type RenderedPage } from './page';
import { ragBadge } from './ragBadge';
import { rtoChart } from './rtoChart';

const backupOf = (s: RunSummary): Html => {
  const v = s.verdict;
  if (v?.irisLeftFrozen) return html`IRIS left frozen`;
  if (v !== undefined)
    return html`${v.consistency}${v.freezeWindowMs === undefined ? '' : html`, frozen ${duration(v.freezeWindowMs)}`}`;
  if (s.backup.jobStatus !== undefined) return html`job ${s.backup.jobStatus}`;
  return html`<span class="muted">—</span>`;
};

const drillOf = (s: RunSummary): Html => {
  const d = s.drill;
  if (d === undefined) return html`<span class="muted">—</span>`;
  if (d.verdict === undefined) return html`under way`;
  return html`${d.verdict}${d.failedStage === undefined ? '' : html` at ${d.failedStage}`}`;
};

const historyRow = (s: RunSummary, links: DashboardLinks): Html =>
  html`<tr>
    <th scope="row"><a href="${links.run(s.runId)}">${s.night}</a></th>
    <td>${s.kind}</td>
    <td>${s.stage}</td>
    <td>${backupOf(s)}</td>
    <td>${drillOf(s)}</td>
    <td class="num">${duration(s.drill?.rtoMs)}</td>
    <td>${s.reason ?? s.drill?.reason ?? s.verdict?.reason ?? ''}</td>
  </tr> `;

export function renderVmPage(
  vm: VmStatus,
  history: readonly RunSummary[],
  targets: FleetStatus['targets'],
  links: DashboardLinks,
  now: Date,
): RenderedPage {
  const b = vm.lastBackup;
  const d = vm.lastDrill;
  const body = html`<h1>${vm.vmName} ${ragBadge(vm.rag)}</h1>
    <p class="muted"><code>${vm.vmId}</code></p>
    ${
      vm.reasons.length === 0
        ? html`<p>Meets its targets: nothing needs attention.</p>`
        : html`<ul class="reasons">
            ${vm.reasons.map((r) => html`<li>${ragBadge(r.rag)} ${r.text}</li>`)}
          </ul>`
    }
    <dl class="facts">
      <dt>RPO</dt>
      <dd>
        ${ragBadge(vm.rpo)}
        ${vm.measuredRpoMs === undefined ? 'no recovery point has passed a drill' : duration(vm.measuredRpoMs)} (target
        ${targets.rpoHours} h)
      </dd>
      <dt>RTO</dt>
      <dd>
        ${ragBadge(vm.rto)} ${vm.measuredRtoMs === undefined ? 'not measured yet' : duration(vm.measuredRtoMs)} (target
        ${targets.rtoMinutes} min)
      </dd>
      <dt>Last backup</dt>
      <dd>
        ${
          b === undefined
            ? 'none'
            : html`<a href="${links.run(b.runId)}">${b.night}</a>:
                ${b.consistency ?? b.jobStatus ?? b.stage}${b.recoveryPointTime === undefined ? '' : html`, recovery point ${utcMinute(b.recoveryPointTime)} (${ago(b.recoveryPointTime, now)})`}${b.reason === undefined ? '' : html`; ${b.reason}`}`
        }
      </dd>
      <dt>Last drill</dt>
      <dd>
        ${
          d === undefined
            ? 'none'
            : html`<a href="${links.run(d.runId)}">${d.night}</a>:
                ${d.verdict}${d.finishedAt === undefined ? '' : html`, finished ${utcMinute(d.finishedAt)} (${ago(d.finishedAt, now)})`}${d.reason === undefined ? '' : html`; ${d.reason}`}`
        }
      </dd>
    </dl>
    <h2>Findings</h2>
    ${findingList(vm.findings)}
    <h2>Open alerts</h2>
    ${openAlertList(vm.openAlerts, links)}
    <h2>Recovery time over time</h2>
    ${rtoChart(history, targets.rtoMinutes)}
    <h2>History</h2>
    ${
      history.length === 0
        ? html`<p class="muted">No runs recorded.</p>`
        : scrollTable(
            'History',
            'history',
            [
              { title: 'Night' },
              { title: 'Kind' },
              { title: 'Stage' },
              { title: 'Backup' },
              { title: 'Drill' },
              { title: 'RTO', numeric: true },
              { title: 'Reason' },
            ],
            html`${history.map((s) => historyRow(s, links))}`,
          )
    }`;
  return renderPage({ title: vm.vmName, links, body });
}
