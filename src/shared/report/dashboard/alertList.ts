/** Open alerts: severity, code, message, since when, the run that raised it and the fix. */
import { html, type Html } from '../htmlText';
import type { OpenAlert } from '../../evidence/fleetStatus';
import { fixText } from './fixText';
import { utcMinute } from './format';
import type { DashboardLinks } from './links';

export function openAlertList(alerts: readonly (OpenAlert & { scopeId?: string })[], links: DashboardLinks): Html {
  if (alerts.length === 0) return html`<p class="muted">No open alerts.</p>`;
  return html`<ul class="alerts">
    ${alerts.map(
      (a) =>
        html`<li>
          <strong>${a.severity}</strong> ${a.code}: ${a.message}
          <span class="muted"
            >(open since ${utcMinute(a.firstAt)}, last
            ${utcMinute(a.at)}${a.scopeId === undefined ? '' : html`, about ${a.scopeId}`})</span
          >${
            a.runId === undefined ? '' : html` <a href="${links.run(a.runId)}">run ${a.runId}</a>`
          }${a.fix === undefined ? '' : html`<br />Fix: ${fixText(a.fix)}`}
        </li>`,
    )}
  </ul>`;
}
