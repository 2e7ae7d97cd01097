import type { Finding } from './finding';
import type { ProbeFacts } from './probeFacts';
import { IMPACT_WORDS, summarizeNextBackup } from './summarizeNextBackup';
import { terminalLine } from '../report/terminalText';

export const CHECK_REPORT_SCHEMA = 'iris-backup-guard/check@1';

/**
 * The JSON the CLI prints with `--json` and the API returns. Stable: fields are only ever added.
 *
 * {
 *   schema: 'iris-backup-guard/check@1',
 *   vm: string,                      // the label the caller gave (VM name or resource id)
 *   checkedAt?: string,              // the VM's clock when the probe ran (ISO 8601), if known
 *   nextBackup: BackupImpact,        // summarizeNextBackup(findings)
 *   counts: { critical, error, warning, info },
 *   findings: [{ code, extensionStatusCode?, severity, impact, message, fix, subject? }]  // sorted, worst first
 * }
 */
export interface CheckReport {
  schema: typeof CHECK_REPORT_SCHEMA;
  vm: string;
  checkedAt?: string;
  nextBackup: ReturnType<typeof summarizeNextBackup>;
  counts: Record<Finding['severity'], number>;
  findings: Finding[];
}

export function findingsToJson(vmLabel: string, findings: readonly Finding[], facts?: ProbeFacts): CheckReport {
  const counts = { critical: 0, error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  const report: CheckReport = {
    schema: CHECK_REPORT_SCHEMA,
    vm: vmLabel,
    nextBackup: summarizeNextBackup(findings),
    counts,
    // A fixed key order keeps the output diffable.
    findings: findings.map((f) => ({
      code: f.code,
      ...(f.extensionStatusCode === undefined ? {} : { extensionStatusCode: f.extensionStatusCode }),
      severity: f.severity,
      impact: f.impact,
      message: f.message,
      fix: f.fix,
      ...(f.subject === undefined ? {} : { subject: f.subject }),
    })),
  };
  if (facts?.at) report.checkedAt = facts.at;
  return report;
}

/** Human-readable report: a summary line, then one block per finding. */
const IMPACT_SENTENCES: Readonly<Record<Finding['impact'], string>> = {
  'app-consistent': 'none on consistency',
  unknown: 'cannot be predicted',
  'file-system-fallback': 'the backup falls back to file-system-consistent',
  'no-snapshot': 'the backup takes no snapshot',
  'iris-left-frozen': 'IRIS may stay frozen',
};

/**
 * Paths and values in messages come from the VM: each line goes through the one terminal-text policy, so a control
 * sequence cannot reach the operator's screen and a line break inside a message cannot forge another finding.
 */
const render = (lines: readonly string[]): string => `${lines.map(terminalLine).join('\n')}\n`;

export function formatFindingsText(vmLabel: string, findings: readonly Finding[], facts?: ProbeFacts): string {
  const next = summarizeNextBackup(findings);
  const lines = [`${vmLabel}: Next backup: ${IMPACT_WORDS[next]}`];
  if (facts?.at) lines.push(`Checked at ${facts.at} (VM clock).`);
  if (findings.length === 0) {
    lines.push('No findings: the script setup passes every check.');
    return render(lines);
  }
  const counts = findingsToJson(vmLabel, findings).counts;
  lines.push(
    `${findings.length} finding(s): ${(['critical', 'error', 'warning', 'info'] as const)
      .filter((s) => counts[s] > 0)
      .map((s) => `${counts[s]} ${s}`)
      .join(', ')}`,
  );
  for (const f of findings) {
    const ext = f.extensionStatusCode === undefined ? '' : ` (extension code ${f.extensionStatusCode})`;
    lines.push('', `[${f.severity.toUpperCase()}] ${f.code}${ext}`);
    lines.push(`  Impact: ${IMPACT_SENTENCES[f.impact]}`);
    lines.push(`  ${f.message}`);
    lines.push(`  Fix: ${f.fix}`);
  }
  return render(lines);
}
