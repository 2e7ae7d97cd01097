/**
 * The fleet page: counts, targets, one row per VM (status in words and colour, last backup, last drill, measured RPO
 * and RTO against the targets, open alerts), then the open alerts that are not about one VM. Lean on purpose (one
 * table, no per-row drawing, no script): it must be ready in a browser in under a second for 500 VMs.
 */
import { scrollTable } from './scrollTable';
import { html, type Html } from '../htmlText';
import type { FleetStatus, VmStatus } from '../../evidence/fleetStatus';
import { openAlertList } from './alertList';
import { duration, utcMinute } from './format';
import type { DashboardLinks } from './links';
import { renderPage, type RenderedPage } from './page';
import { ragBadge } from './ragBadge';

const backupCell = (vm: VmStatus, links: DashboardLinks): Html => {
  const b = vm.lastBackup;
  if (b === undefined) return html`<span class="muted">none</span>`;
  const what = b.irisLeftFrozen ? 'IRIS left frozen' : (b.consistency ?? b.jobStatus ?? b.stage);
  return html`<a href="${links.run(b.runId)}">${b.night}</a> ${what}`;
};

const drillCell = (vm: VmStatus, links: DashboardLinks): Html => {
  const d = vm.lastDrill;
  if (d === undefined) return html`<span class="muted">none</span>`;
  return html`<a href="${links.run(d.runId)}">${d.night}</a>
    ${d.verdict}${d.failedStage === undefined ? '' : html` at ${d.failedStage}`}`;
};

const row = (vm: VmStatus, links: DashboardLinks): Html =>
  html`<tr>
    <th scope="row"><a href="${links.vm(vm.vmKey)}">${vm.vmName}</a></th>
    <td>${ragBadge(vm.rag)}</td>
    <td>${backupCell(vm, links)}</td>
    <td>${drillCell(vm, links)}</td>
    <td class="num">
      ${ragBadge(vm.rpo)} ${vm.measuredRpoMs === undefined ? 'none verified' : duration(vm.measuredRpoMs)}
    </td>
    <td class="num">
      ${ragBadge(vm.rto)} ${vm.measuredRtoMs === undefined ? 'none measured' : duration(vm.measuredRtoMs)}
    </td>
    <td class="num">${vm.openAlerts.length}</td>
  </tr> `;

export function renderFleetPage(fleet: FleetStatus, links: DashboardLinks): RenderedPage {
  const { counts, targets } = fleet;
  const body = html`<h1>Fleet</h1>
    <ul class="summary" aria-label="VMs by status">
      <li>${ragBadge('green')} ${counts.green}</li>
      <li>${ragBadge('amber')} ${counts.amber}</li>
      <li>${ragBadge('red')} ${counts.red}</li>
    </ul>
    <p>
      Targets: RPO ${targets.rpoHours} h (age of the newest recovery point that passed a restore drill), RTO
      ${targets.rtoMinutes} min (the last passed drill's restore-to-integrity time). Amber above three quarters of a
      target, red above it. As of ${utcMinute(fleet.generatedAt)}.
    </p>
    ${
      fleet.vms.length === 0
        ? html`<p>No VM has been backed up by IRIS Backup Guard yet.</p>`
        : scrollTable(
            'VMs',
            'fleet',
            [
              { title: 'VM' },
              { title: 'Status' },
              { title: 'Last backup' },
              { title: 'Last drill' },
              { title: `RPO (target ${targets.rpoHours} h)`, numeric: true },
              { title: `RTO (target ${targets.rtoMinutes} min)`, numeric: true },
              { title: 'Open alerts', numeric: true },
            ],
            html`${fleet.vms.map((vm) => row(vm, links))}`,
            html`${fleet.vms.length} VMs, the ones that need attention first`,
          )
    }
    <h2>Other open alerts</h2>
    ${openAlertList(fleet.otherAlerts, links)}`;
  return renderPage({ title: 'Fleet', links, body });
}
