/**
 * The demo's answer to "which VMs will give an IRIS-consistent backup tonight, and what do I fix": one line per VM
 * of the fleet with tonight's outcome and the first fix. The whole findings and runs are in `--json`, and
 * `iris-backup-guard check --vm` / `status` show them for one VM or night.
 */
import type { CheckReport } from '../../src/shared/checks/formatFindings';
import { drillRecordOf, type DrillRecord } from '../../src/shared/drills/drillRecord';
import { formatDuration, formatRtoPhases } from '../../src/shared/report/drillReport';
import { terminalLine } from '../../src/shared/report/terminalText';
import type { Run } from '../../src/shared/runs/run';
import { frozenIrisSection, type DemoFrozenIris } from './frozenIrisSection';

export const DEMO_SCHEMA = 'iris-backup-guard/demo@1';

/** One VM of the fleet as the report shows it; also in --json as `vms`. */
export interface DemoVmLine {
  vm: string;
  /** IRIS-consistent, file-system-consistent (with the extension's reason), failed, no backup tonight, … */
  outcome: string;
  /**
   * IRIS's freeze window ("0.3 s"); "STILL FROZEN" when IRIS was left frozen, "LEFT FROZEN, thawed by the app" (or
   * "…, running again") once a check after the thaw found it running; or "-".
   */
  frozen: string;
  /** The one thing to do first, with its command where there is one; "nothing to fix" on a good VM. */
  firstFix: string;
  /** The finding code the first fix is for, if it is one. */
  firstFixCode?: string;
  /** Every distinct finding code of the setup check, worst first (each once). */
  findingCodes: string[];
}

/** One restore drill of the night as the report shows it; also in --json as `drills`. */
export interface DemoDrillLine {
  vm: string;
  verdict: DrillRecord['verdict'];
  /** The failed stage and reason, else the notes of the pass (e.g. crash recovery ran), else "-". */
  why: string;
  /** "restore job 15 min, VM boot 3 min, …, total 20 min". */
  phases: string;
  rtoMs?: number;
  record: DrillRecord;
}

export interface DemoSummary {
  schema: typeof DEMO_SCHEMA;
  scenario: string;
  night: string;
  sandboxTime: string;
  vms: DemoVmLine[];
  /** Tagged VMs that no configured vault protects: no backup tonight. */
  notProtected: string[];
  alerts: { severity: string; code: string }[];
  checks: CheckReport[];
  runs: Run[];
  /** The night's restore drills, in the order of `runs`. */
  drills: DemoDrillLine[];
  /**
   * Each run with a remediation (a frozen-IRIS check): the critical alert and the recovery as each notification
   * target received them, the steps, and the time from the job's snapshot to their delivery (added in @1).
   */
  frozenIris: DemoFrozenIris[];
  /** What the drill resource group still holds at the end (kind and name); empty when every drill cleaned up. */
  drillResourcesLeft: string[];
  /** The drill resource group the demo restores into. */
  drillResourceGroup: string;
  /** The evidence export of the night (files as `iris-backup-guard evidence` writes them; added in @1). */
  evidence: { dir: string; files: { name: string; bytes: number; sha256: string }[] };
  armRequests: number;
  /** The app's log warnings and errors other than alerts. */
  warnings: string[];
}

const THAW_FIRST = 'thaw IRIS now (README, "When IRIS is frozen"), then fix the post-script';
const PROTECT_FIRST = 'enable Azure Backup for it in a vault of IBG_VAULT_IDS, or remove its enrolment tag';

/** One timestamp format in the whole report: ISO 8601 UTC to the second. */
export const reportTime = (iso: string): string => `${iso.slice(0, 19)}Z`;

const distinct = (codes: readonly string[]): string[] => [...new Set(codes)];

const outcomeOf = (run: Run | undefined, notProtected: boolean): string => {
  if (notProtected) return 'no backup tonight (tagged, but no vault protects it)';
  if (!run) return 'no backup tonight (not enrolled)';
  const v = run.verdict;
  if (!v) return `no verdict (run ${run.stage})`;
  if (v.consistency === 'iris-consistent') return 'IRIS-consistent';
  const why = [v.troubleshootingName, v.extensionCode].filter((x) => x !== undefined).join(' ');
  const outcome = v.consistency === 'failed' ? 'failed, no recovery point' : v.consistency;
  return why === '' ? outcome : `${outcome} (${why})`;
};

/** Whether a check after the backup found IRIS running again (thawed by the app, by hand or by its own limit). */
const runningAgain = (run: Run | undefined): boolean => {
  const outcome = run?.remediation?.outcome;
  return outcome === 'thawed' || outcome === 'thawed-elsewhere' || outcome === 'not-frozen';
};

const frozenOf = (run: Run | undefined): string => {
  const v = run?.verdict;
  if (v?.irisLeftFrozen) {
    if (run?.remediation?.outcome === 'thawed') return 'LEFT FROZEN, thawed by the app';
    return runningAgain(run) ? 'LEFT FROZEN, running again' : 'STILL FROZEN';
  }
  return v?.freezeWindowMs === undefined ? '-' : `${(v.freezeWindowMs / 1000).toFixed(1)} s`;
};

type FirstFix = Pick<DemoVmLine, 'firstFix' | 'firstFixCode'>;

const firstFixOf = (check: CheckReport | undefined, run: Run | undefined, notProtected: boolean): FirstFix => {
  // A frozen IRIS is an outage in progress: it comes before any setup fix.
  // Once a check found it running again, the post-script (the setup finding behind it) comes first.
  if (run?.verdict?.irisLeftFrozen && !runningAgain(run)) return { firstFix: THAW_FIRST };
  if (notProtected) return { firstFix: PROTECT_FIRST };
  const first = check?.findings.find((f) => f.severity === 'critical' || f.severity === 'error');
  if (first) return { firstFix: `${first.code}: ${first.fix}`, firstFixCode: first.code };
  if (run?.verdict && run.verdict.consistency !== 'iris-consistent') {
    const why = run.verdict.reasons[0] ?? 'no reason recorded';
    return { firstFix: `see \`iris-backup-guard status --night ${run.night}\`: ${why}` };
  }
  return { firstFix: 'nothing to fix' };
};

/** The per-VM lines, in the fleet's order. */
export function demoVmLines(
  vms: readonly { name: string; id: string }[],
  checks: readonly CheckReport[],
  runs: readonly Run[],
  notProtectedIds: readonly string[],
): DemoVmLine[] {
  const unprotected = new Set(notProtectedIds.map((id) => id.toLowerCase()));
  return vms.map(({ name, id }) => {
    const check = checks.find((c) => c.vm === name);
    const run = runs.find((r) => r.target.vmId.toLowerCase() === id.toLowerCase());
    const notProtected = unprotected.has(id.toLowerCase());
    return {
      vm: name,
      outcome: outcomeOf(run, notProtected),
      frozen: frozenOf(run),
      ...firstFixOf(check, run, notProtected),
      findingCodes: distinct(check?.findings.map((f) => f.code) ?? []),
    };
  });
}

const folded = (text: string): string => text.replace(/[ \t\r\n]+/g, ' ').trim();

/** The drill lines, one per run that drilled, in the order of `runs`. */
export function demoDrillLines(runs: readonly Run[]): DemoDrillLine[] {
  return runs.flatMap((run) => {
    const record = drillRecordOf(run);
    if (record === undefined) return [];
    const why =
      record.verdict === 'passed'
        ? record.notes.join('; ') || '-'
        : `${record.failedStage === undefined ? '' : `${record.failedStage}: `}${record.reason}`;
    return [
      {
        vm: record.vmName,
        verdict: record.verdict,
        why: folded(why),
        phases: formatRtoPhases(record),
        ...(record.rtoMs === undefined ? {} : { rtoMs: record.rtoMs }),
        record,
      },
    ];
  });
}

const table = (header: string[], rows: string[][]): string[] => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
};

const countBy = (items: readonly string[]): string =>
  ['critical', 'error', 'warning', 'info']
    .map((s) => [s, items.filter((i) => i === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');

/** One line per drill (verdict, RTO, why) and its RTO by phase under it; indented, so no line starts with a VM name. */
function drillSection(summary: DemoSummary): string[] {
  const drills = summary.drills;
  if (drills.length === 0) return ['No restore drills ran tonight.'];
  const passed = drills.filter((d) => d.verdict === 'passed').length;
  const rows = table(
    ['VM', 'DRILL', 'RTO', 'FAILED STAGE: REASON, OR NOTES'],
    drills.map((d) => [d.vm, d.verdict, d.rtoMs === undefined ? '-' : formatDuration(d.rtoMs), d.why]),
  );
  const out = [
    `Restore drills: ${passed} of ${drills.length} passed. Each restored tonight's recovery point as a new VM in ${summary.drillResourceGroup}`,
    '(isolated network), started IRIS there and checked every database, then deleted the copy:',
    '',
    `  ${rows[0] ?? ''}`,
  ];
  drills.forEach((d, i) => out.push(`  ${rows[i + 1] ?? ''}`, `      RTO by phase: ${d.phases}`));
  out.push(
    '',
    summary.drillResourcesLeft.length === 0
      ? `Nothing is left in ${summary.drillResourceGroup}: every drill deleted what it created.`
      : `Left in ${summary.drillResourceGroup}: ${summary.drillResourcesLeft.join(', ')}`,
  );
  return out;
}

export function renderDemoReport(summary: DemoSummary): string {
  const good = summary.vms.filter((v) => v.outcome === 'IRIS-consistent').length;
  const out: string[] = [
    '',
    `IRIS Backup Guard demo: scenario "${summary.scenario}", night ${summary.night}`,
    '',
    `${good} of ${summary.vms.length} VMs get an IRIS-consistent backup tonight. What each one gets, and what to fix first:`,
    '',
    ...table(
      ['VM', 'TONIGHT’S BACKUP', 'IRIS FROZEN FOR', 'FIRST FIX'],
      summary.vms.map((v) => [v.vm, v.outcome, v.frozen, v.firstFix]),
    ),
    '',
    'Other findings (each code once; `iris-backup-guard check --vm <id>` shows them with their fixes):',
  ];
  for (const v of summary.vms) {
    const others = v.findingCodes.filter((c) => c !== v.firstFixCode);
    if (others.length > 0) out.push(`  ${v.vm}: ${others.join(', ')}`);
  }
  out.push('', ...drillSection(summary));
  const frozen = frozenIrisSection(summary.frozenIris);
  if (frozen.length > 0) out.push('', ...frozen);
  out.push('');
  if (summary.alerts.length > 0) {
    out.push(
      `Alerts raised for these: ${summary.alerts.length} (${countBy(summary.alerts.map((a) => a.severity))}), ` +
        'one log line each for Azure Monitor.',
    );
  }
  // Warnings repeat what the lines above say (e.g. the unprotected VM); errors mean the demo itself went wrong.
  const errors = summary.warnings.filter((w) => w.startsWith('error:'));
  if (errors.length > 0) {
    out.push(`The app logged ${errors.length} error(s); \`npm run demo -- --json\` lists them under "warnings".`);
  }
  out.push(
    `Evidence export of night ${summary.night} (for auditors: CSV, JSON, a printable report and a SHA-256 manifest): ${summary.evidence.dir}`,
    `  ${summary.evidence.files.map((f) => f.name).join(', ')}`,
  );
  out.push(
    `${summary.armRequests} ARM requests served by the sandbox; sandbox clock at the end: ${reportTime(summary.sandboxTime)}.`,
    '',
  );
  // VM names, codes and fixes quote what the VMs returned: one escaping policy for the whole report.
  return out.map(terminalLine).join('\n');
}
