/** The check report as data (the --json form); its text form is src/shared/report/findingsText.ts. */
import type { Finding } from './finding';
import type { ProbeFacts } from './probeFacts';
import { summarizeNextBackup } from './summarizeNextBackup';

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
