/** Renders the demo's summary for a person: setup findings per VM, then each backup's verdict. */
import type { CheckReport } from '../../src/shared/checks/formatFindings';
import { IMPACT_WORDS } from '../../src/shared/checks/summarizeNextBackup';
import type { Run } from '../../src/shared/runs/run';

export interface DemoSummary {
  schema: 'iris-backup-guard/demo@1';
  scenario: string;
  sandboxTime: string;
  checks: CheckReport[];
  runs: Run[];
  armRequests: number;
  warnings: string[];
}

const table = (header: string[], rows: string[][]): string[] => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
};

const minutes = (ms: number | undefined): string => (ms === undefined ? '' : `${(ms / 60_000).toFixed(1)} min`);
const seconds = (ms: number | undefined): string => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);

export function renderDemoReport(summary: DemoSummary): string {
  const out: string[] = ['', `IRIS Backup Guard demo: scenario "${summary.scenario}"`, ''];
  out.push('1. Setup checks (the real extension’s rules, from the read-only probe)', '');
  out.push(
    ...table(
      ['VM', 'Next backup', 'Findings (worst first)'],
      summary.checks.map((c) => [
        c.vm,
        IMPACT_WORDS[c.nextBackup],
        c.findings.length === 0
          ? 'none'
          : c.findings
              .slice(0, 4)
              .map((f) => f.code)
              .join(', ') + (c.findings.length > 4 ? ', …' : ''),
      ]),
    ),
  );
  out.push('', '2. Tonight’s backups and their verdicts', '');
  out.push(
    ...table(
      ['VM', 'Run', 'Job', 'Recovery point', 'Verdict', 'IRIS frozen for'],
      summary.runs.map((r) => [
        r.target.vmName,
        r.stage,
        `${r.backup.jobStatus ?? '-'} ${minutes(r.backup.durationInMs)}`.trim(),
        r.recoveryPoint?.type ?? '-',
        r.verdict?.consistency ?? '-',
        seconds(r.verdict?.freezeWindowMs),
      ]),
    ),
  );
  out.push('', 'Why:');
  for (const r of summary.runs) {
    const reasons = r.verdict?.reasons.length ? r.verdict.reasons : [r.reason ?? 'no verdict'];
    out.push(`  ${r.target.vmName}: ${reasons.join('; ')}.`);
    if (r.verdict?.irisLeftFrozen)
      out.push(`    CRITICAL: IRIS may still be frozen on ${r.target.vmName}. See README, "When IRIS is frozen".`);
  }
  if (summary.warnings.length > 0) {
    out.push(
      '',
      `Log warnings and errors (${summary.warnings.length}):`,
      ...summary.warnings.slice(0, 20).map((w) => `  ${w}`),
    );
  }
  out.push(
    '',
    `${summary.armRequests} ARM requests served by the sandbox. Sandbox time at the end: ${summary.sandboxTime}.`,
    '',
  );
  return out.join('\n');
}
