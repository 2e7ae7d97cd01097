/** Preflight findings, worst first, each with its fix. */
import { html, type Html } from '../htmlText';
import type { Severity } from '../../checks/finding';
import { fixText } from './fixText';

export interface ShownFinding {
  code: string;
  severity: Severity;
  fix?: string;
}

export function findingList(findings: readonly ShownFinding[]): Html {
  if (findings.length === 0) return html`<p class="muted">No findings.</p>`;
  return html`<ul class="findings">
    ${findings.map(
      (f) =>
        html`<li>
          <strong>${f.severity}</strong> ${f.code}${f.fix === undefined ? '' : html`<br />Fix: ${fixText(f.fix)}`}
        </li>`,
    )}
  </ul>`;
}
