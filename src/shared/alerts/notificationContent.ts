/**
 * The one content every notification target renders from an alert record: what happened, where, the evidence and
 * the fix. Text from VMs and Azure is untrusted: every field here is neutralised (no control or bidi characters)
 * and capped; each renderer then escapes it for its own medium (JSON, Adaptive Card Markdown, Slack mrkdwn). Pure.
 */
import { capText } from '../runs/runLimits';
import { terminalLine, terminalText } from '../report/terminalText';
import type { AlertSeverity } from './alert';
import type { AlertRecord } from './alertRecord';

export const EVIDENCE_LINE_CHARS = 300;
export const EVIDENCE_MAX_LINES = 20;
export const EVIDENCE_TOTAL_CHARS = 4096;
const MESSAGE_CHARS = 2000;
const FIX_CHARS = 2000;
const FIELD_CHARS = 300;

export interface NotificationContent {
  alertId: string;
  kind: 'problem' | 'recovery';
  severity: AlertSeverity;
  code: string;
  classification?: string;
  /** "CRITICAL Post-ScriptExecutionFailed on iris-prod-04", or "RESOLVED …" for a recovery. */
  title: string;
  message: string;
  vmId?: string;
  vmName?: string;
  runId?: string;
  /** The vault or subscription an alert about a whole scope is about. */
  scopeId?: string;
  evidence: string[];
  /** Lines kept out of the evidence by the caps. */
  evidenceOmitted: number;
  fix?: string;
  /** When the alert was decided (ISO 8601), and when what it reports happened. */
  decidedAt: string;
  at: string;
  /** A problem told again: how many alerts were held back since last time. */
  repeats?: number;
}

/** Cut at `max` characters (never inside a surrogate pair), marking the cut: the runs' own rule. */
export const cap = capText;

const line = (text: string, max = FIELD_CHARS): string => cap(terminalLine(text), max);

const capEvidence = (lines: readonly string[]): { evidence: string[]; omitted: number } => {
  const evidence: string[] = [];
  let total = 0;
  for (const raw of lines.slice(0, EVIDENCE_MAX_LINES)) {
    const shown = line(raw, EVIDENCE_LINE_CHARS);
    if (total + shown.length > EVIDENCE_TOTAL_CHARS) break;
    evidence.push(shown);
    total += shown.length;
  }
  return { evidence, omitted: lines.length - evidence.length };
};

export function notificationContent(record: AlertRecord): NotificationContent {
  const { alert } = record;
  const kind = alert.kind ?? 'problem';
  const what = line(alert.classification ?? alert.code, 120);
  const scope = alert.scope;
  const vmId = scope.kind === 'run' || scope.kind === 'vm' ? scope.vmId : undefined;
  const vmName = alert.vmName ?? (vmId === undefined ? undefined : vmId.split('/').pop());
  const where =
    vmName !== undefined
      ? ` on ${line(vmName, 80)}`
      : scope.kind === 'vault'
        ? ` on vault ${line(scope.vaultId.split('/').pop() ?? '', 80)}`
        : scope.kind === 'subscription'
          ? ` in subscription ${line(scope.subscriptionId, 80)}`
          : '';
  const title = kind === 'recovery' ? `RESOLVED ${what}${where}` : `${alert.severity.toUpperCase()} ${what}${where}`;
  const { evidence, omitted } = capEvidence(alert.evidence ?? []);
  const content: NotificationContent = {
    alertId: line(record.id),
    kind,
    severity: alert.severity,
    code: line(alert.code, 120),
    title,
    message: cap(terminalLine(alert.message), MESSAGE_CHARS),
    evidence,
    evidenceOmitted: omitted,
    decidedAt: record.decidedAt,
    at: alert.at,
  };
  if (alert.classification !== undefined) content.classification = line(alert.classification, 120);
  if (vmId !== undefined) content.vmId = line(vmId);
  if (vmName !== undefined) content.vmName = line(vmName, 120);
  if (scope.kind === 'run') content.runId = line(scope.runId);
  if (scope.kind === 'vault') content.scopeId = line(scope.vaultId);
  if (scope.kind === 'subscription') content.scopeId = line(scope.subscriptionId);
  // The fix may hold commands on several lines: line breaks stay, every other control character is escaped.
  if (alert.fix !== undefined) content.fix = cap(terminalText(alert.fix), FIX_CHARS);
  if (record.repeats !== undefined && record.repeats > 0) content.repeats = record.repeats;
  return content;
}

/** The facts every renderer lists, in order, as label and (neutralised) value. */
export const contentFacts = (c: NotificationContent): [string, string][] => {
  const facts: [string, string][] = [['Severity', c.severity]];
  if (c.classification !== undefined) facts.push(['Classification', c.classification]);
  facts.push(['Code', c.code]);
  if (c.vmName !== undefined) facts.push(['VM', c.vmName]);
  if (c.vmId !== undefined) facts.push(['VM id', c.vmId]);
  if (c.scopeId !== undefined) facts.push(['Scope', c.scopeId]);
  if (c.runId !== undefined) facts.push(['Run', c.runId]);
  facts.push(['Alert id', c.alertId], ['Decided at', c.decidedAt]);
  if (c.repeats !== undefined) facts.push(['Repeats', `${c.repeats} more since the last notice`]);
  return facts;
};
