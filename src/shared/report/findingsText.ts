/** A check's findings as text for a person: a summary line, then one block per finding with its fix. */
import type { Finding } from '../checks/finding';
import { findingsToJson } from '../checks/formatFindings';
import type { ProbeFacts } from '../checks/probeFacts';
import { IMPACT_WORDS, summarizeNextBackup } from '../checks/summarizeNextBackup';
import { terminalLine } from './terminalText';

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
