/**
 * A run's page: what it was (VM, night, stage, the backup's verdict and why), its timeline, how its stages went, its
 * findings with their fixes, the drill's outcome with the messages.log lines that prove it (from the VM: untrusted,
 * shown as text), and the alerts it raised.
 */
import { scrollTable } from './scrollTable';
import { html, type Html } from '../htmlText';
import type { AlertRecord } from '../../alerts/alertRecord';
import { drillRecordOf } from '../../drills/drillRecord';
import { runTimelineOf } from '../../evidence/runTimeline';
import { isTerminalStage, type Run } from '../../runs/run';
import { fixText } from './fixText';
import { findingList } from './findingList';
import { ago, duration, utcMinute, utcSecond } from './format';
import type { DashboardLinks } from './links';
import { renderPage, type RenderedPage } from './page';
import { timelineBars } from './timelineBars';

const logLines = (lines: readonly string[], label: string): Html =>
  lines.length === 0
    ? html`<p class="muted">No lines.</p>`
    : html`<ol class="log" aria-label="${label}">
        ${lines.map((l) => html`<li>${l}</li>`)}
      </ol>`;

function verdictPart(run: Run): Html {
  const v = run.verdict;
  if (v === undefined) return html`<p class="muted">Not assessed yet.</p>`;
  return html`<dl class="facts">
      <dt>Consistency</dt>
      <dd>${v.consistency}${v.irisLeftFrozen ? html` — <strong>IRIS may have been left frozen</strong>` : ''}</dd>
      ${
        v.freezeWindowMs === undefined
          ? ''
          : html`<dt>Frozen for</dt>
              <dd>${duration(v.freezeWindowMs)} (${utcSecond(v.frozenAt)} to ${utcSecond(v.thawedAt)})</dd>`
      }
      ${
        v.troubleshootingName === undefined
          ? ''
          : html`<dt>Azure's name</dt>
              <dd>${v.troubleshootingName}${v.extensionCode === undefined ? '' : html` (${v.extensionCode})`}</dd>`
      }
      ${
        v.failedScript === undefined
          ? ''
          : html`<dt>Failed script</dt>
              <dd>${v.failedScript}${v.scriptExitCode === undefined ? '' : html`, exit code ${v.scriptExitCode}`}</dd>`
      }
      ${
        v.missing.length === 0
          ? ''
          : html`<dt>Missing</dt>
              <dd>${v.missing.join(', ')}</dd>`
      }
    </dl>
    <ul class="reasons">
      ${v.reasons.map((r) => html`<li>${r}</li>`)}
    </ul>`;
}

function drillPart(run: Run): Html {
  const d = run.drill;
  if (d === undefined) return html`<p class="muted">This run did not drill its recovery point.</p>`;
  const record = drillRecordOf(run);
  const facts = html`<dl class="facts">
    <dt>Drill VM</dt>
    <dd>${d.vmName}</dd>
    ${
      d.point === undefined
        ? ''
        : html`<dt>Recovery point</dt>
            <dd>
              ${utcMinute(d.point.time)} (${d.point.type}, ${d.point.tier}
              tier${d.point.sampled ? ', sampled older point' : ''})
            </dd>`
    }
    ${
      d.restoreJobId === undefined
        ? ''
        : html`<dt>Restore job</dt>
            <dd><code>${d.restoreJobId}</code></dd>`
    }
    ${
      d.evidenceBlob === undefined
        ? ''
        : html`<dt>Evidence</dt>
            <dd><code>${d.evidenceBlob}</code></dd>`
    }
    <dt>Cleaned up</dt>
    <dd>
      ${d.cleanup.deletedAt === undefined ? (d.cleanup.keptUntil === undefined ? 'not yet' : html`kept until ${utcMinute(d.cleanup.keptUntil)}`) : utcMinute(d.cleanup.deletedAt)}
    </dd>
  </dl>`;
  if (record === undefined)
    return html`<p>Under way (queued ${utcMinute(d.queuedAt)}).</p>
      ${facts}`;
  const integrity = d.integrity;
  return html`<p id="drill-outcome">
      <strong>${record.verdict}</strong>${record.failedStage === undefined ? '' : html` at ${record.failedStage}`}:
      ${record.reason}
    </p>
    ${
      record.notes.length === 0
        ? ''
        : html`<ul class="reasons">
            ${record.notes.map((n) => html`<li>${n}</li>`)}
          </ul>`
    }
    ${record.rtoMs === undefined ? '' : html`<p>Measured recovery time: <strong>${duration(record.rtoMs)}</strong> (restore request to the end of the integrity check).</p>`}
    ${facts}
    ${
      integrity === undefined
        ? ''
        : html`<h3>Integrity: ${integrity.status}</h3>
            <ul>
              ${integrity.databases.map((db) => html`<li>${db.status} <code>${db.directory}</code></li>`)}${integrity.databasesOmitted ? html`<li>and ${integrity.databasesOmitted} more</li>` : ''}
            </ul>
            ${integrity.messages.length === 0 ? '' : logLines(integrity.messages, 'Integrity check messages')}`
    }
    <h3>Evidence from messages.log</h3>
    ${logLines(record.evidence, 'Evidence lines from the restored VM')}`;
}

/**
 * The alerts worth a reader's time: a recovery that was not announced (its problem never was) only closed a state
 * silently, and a good backup records one for each problem it could have ended, so those are left out.
 */
export const shownAlerts = (alerts: readonly AlertRecord[]): AlertRecord[] =>
  alerts.filter((r) => !(r.alert.kind === 'recovery' && r.suppressed === true));

const alertsPart = (all: readonly AlertRecord[]): Html => {
  const alerts = shownAlerts(all);
  return alerts.length === 0
    ? html`<p class="muted">This run raised no alerts.</p>`
    : html`<ul class="alerts">
        ${alerts.map(({ alert: a, decidedAt, suppressed }) => html`<li><strong>${a.severity}</strong> ${a.code}${a.kind === 'recovery' ? ' (recovered)' : ''}: ${a.message} <span class="muted">(${utcMinute(a.at ?? decidedAt)}${suppressed ? ', a repeat not sent' : ''})</span>${a.classification === undefined ? '' : html`<br />Classification: ${a.classification}`}${a.fix === undefined ? '' : html`<br />Fix: ${fixText(a.fix)}`}${a.evidence === undefined || a.evidence.length === 0 ? '' : logLines(a.evidence, `Evidence of ${a.code}`)}</li>`)}
      </ul>`;
};

export function renderRunPage(
  run: Run,
  alerts: readonly AlertRecord[],
  links: DashboardLinks,
  now: Date,
): RenderedPage {
  const b = run.backup;
  const p = run.preflight;
  const body = html`<h1>${run.target.vmName}, ${run.night}</h1>
    <dl class="facts">
      <dt>VM</dt>
      <dd><a href="${links.vm(run.vmKey)}">${run.target.vmName}</a></dd>
      <dt>Run</dt>
      <dd><code>${run.id}</code></dd>
      <dt>Stage</dt>
      <dd>
        ${run.stage}${isTerminalStage(run.stage) ? html` (ended ${utcMinute(run.finishedAt ?? run.updatedAt)}, ${ago(run.finishedAt ?? run.updatedAt, now)})` : html` since ${utcMinute(run.stageStartedAt)} (${ago(run.stageStartedAt, now)})`}
      </dd>
      <dt>Verdict</dt>
      <dd>${run.verdict?.consistency ?? 'not assessed'}</dd>
      ${
        run.reason === undefined
          ? ''
          : html`<dt>Reason</dt>
              <dd>${run.reason}</dd>`
      }
      <dt>Backup job</dt>
      <dd>
        ${b.jobId === undefined ? 'none' : html`<code>${b.jobId}</code> ${b.jobStatus ?? ''}${b.jobStartTime === undefined ? '' : html`, ${utcMinute(b.jobStartTime)}`}${b.jobEndTime === undefined ? '' : html` to ${utcMinute(b.jobEndTime)}`}`}
      </dd>
      ${
        run.recoveryPoint
          ? html`<dt>Recovery point</dt>
              <dd>${utcMinute(run.recoveryPoint.time)} (${run.recoveryPoint.type})</dd>`
          : ''
      }
    </dl>
    <h2>Timeline</h2>
    ${timelineBars(runTimelineOf(run))}
    <h2>Backup verdict</h2>
    ${verdictPart(run)}
    ${
      (b.errorDetails ?? []).length === 0
        ? ''
        : html`<ul class="reasons">
            ${(b.errorDetails ?? []).map((e) => html`<li>${e.code ?? ''} ${e.title ?? ''} ${e.message ?? ''}</li>`)}
          </ul>`
    }
    <h2>Findings</h2>
    ${p?.error === undefined ? '' : html`<p>The preflight check failed: ${p.error}</p>`}
    ${p === undefined ? html`<p class="muted">No preflight check recorded.</p>` : findingList(p.findings)}
    <h2>Restore drill</h2>
    ${drillPart(run)}
    <h2>Alerts</h2>
    ${alertsPart(alerts)}
    <h2>Stage history</h2>
    ${scrollTable(
      'Stage history',
      'stages',
      [{ title: 'At' }, { title: 'From' }, { title: 'To' }, { title: 'Why' }],
      html`<tr>
          <td class="nowrap">${utcSecond(run.createdAt)}</td>
          <td>—</td>
          <td>preflight</td>
          <td>created</td>
        </tr>
        ${run.history.map(
          (t) =>
            html`<tr>
              <td class="nowrap">${utcSecond(t.at)}</td>
              <td>${t.from}</td>
              <td>${t.to}</td>
              <td>${t.reason ?? ''}</td>
            </tr> `,
        )}`,
    )}
    ${run.historyDropped ? html`<p class="muted">${run.historyDropped} transitions in the middle were left out to keep the run small.</p>` : ''}`;
  return renderPage({ title: `${run.target.vmName} ${run.night}`, links, body });
}
