/**
 * How a restore drill reads to a person: the milestones while it runs (one line each), the result block at the end
 * (verdict, failed stage and reason, notes, RTO by phase, integrity per database, evidence blob), and the status
 * line per VM. Pure. Reasons, notes, database paths and blob names come from Azure and the drill VM: every line is
 * escaped by the one terminal-text policy.
 */
import type { DrillPhaseTimes, DrillRecord } from '../drills/drillRecord';
import type { RunDrill } from '../drills/drillState';
import { isTerminalStage, type Run } from '../runs/run';
import { textTable } from './textTable';
import { terminalLine } from './terminalText';

export interface DrillMilestone {
  /** Stable per milestone, so a follower prints each once. */
  key: string;
  text: string;
}

/** Whitespace runs fold to one space (reasons quote multi-line VM and Azure text); the caller escapes. */
const folded = (text: string): string => text.replace(/[ \t\r\n]+/g, ' ').trim();
const oneLine = (text: string): string => terminalLine(folded(text));

/** "12 min 5 s", "3.2 s", "2 h 4 min": a duration as an operator reads it. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** What the drill has reached so far, in order. */
export function drillMilestones(run: Run): DrillMilestone[] {
  const d: RunDrill | undefined = run.drill;
  if (d === undefined) return [];
  const out: DrillMilestone[] = [];
  const add = (key: string, text: string): void => {
    out.push({ key, text: oneLine(text) });
  };
  if (d.restoreRequestedAt !== undefined) {
    const p = d.point;
    const point = p === undefined ? '' : ` of point ${p.name} (${p.time}, ${p.type}, ${p.tier} tier)`;
    add('restore-requested', `Restore requested${point} as ${d.vmName}.`);
  }
  if (d.restoreJobId !== undefined) add('restore-job', `Restore job ${d.restoreJobId} running.`);
  if (d.restoreJobEnd !== undefined && d.restoreJobStatus !== undefined)
    add('restore-job-end', `Restore job ${d.restoreJobStatus}.`);
  if (d.vmRunningAt !== undefined) add('vm-running', `Drill VM ${d.vmName} running.`);
  if (d.agentReadyAt !== undefined) add('agent-ready', 'VM agent ready.');
  const verifier = run.script?.purpose === 'verify' ? run.script : undefined;
  if (d.verifier !== undefined || verifier?.startedAt !== undefined)
    add('verifier', `Verifier started${verifier ? ` (Run Command ${verifier.name})` : ''}.`);
  const o = d.outcome;
  if (o !== undefined)
    add(
      'verdict',
      o.verdict === 'passed'
        ? 'Verdict: passed.'
        : `Verdict: ${o.verdict}${o.stage === undefined ? '' : ` at ${o.stage}`}: ${o.reason}`,
    );
  if (o !== undefined && (run.stage === 'cleaning-up' || isTerminalStage(run.stage)))
    add('cleanup', 'Cleaning up the drill resources.');
  if (d.cleanup.keptUntil !== undefined && d.cleanup.claimed.length > 0)
    add('kept', `Drill resources kept for investigation until ${d.cleanup.keptUntil}.`);
  if (d.cleanup.deletedAt !== undefined) add('deleted', 'Drill resources deleted.');
  return out;
}

const PHASES: [keyof DrillPhaseTimes, string][] = [
  ['restoreJob', 'restore job'],
  ['vmBoot', 'VM boot'],
  ['agentReady', 'agent ready'],
  ['irisUp', 'IRIS up'],
  ['integrity', 'integrity'],
];

/** "restore job 15 min, VM boot 3 min, …, total 22 min"; a phase not reached shows "-". */
export function formatRtoPhases(record: Pick<DrillRecord, 'phasesMs' | 'rtoMs'>): string {
  const parts = PHASES.map(([key, label]) => {
    const ms = record.phasesMs[key];
    return `${label} ${ms === undefined ? '-' : formatDuration(ms)}`;
  });
  const total = record.rtoMs ?? Object.values(record.phasesMs).reduce((a, b) => a + b, 0);
  parts.push(
    `total ${record.rtoMs === undefined ? `${formatDuration(total)} (not a recovery)` : formatDuration(total)}`,
  );
  return parts.join(', ');
}

/** The result block the `drill` command prints at the end. */
export function formatDrillResult(run: Run, record: DrillRecord | undefined): string {
  const o = run.drill?.outcome;
  const lines: string[] = [];
  if (o === undefined || record === undefined) {
    lines.push(`The drill ended without a verdict (run ${run.stage}${run.reason ? `: ${folded(run.reason)}` : ''}).`);
    return lines.map(terminalLine).join('\n');
  }
  lines.push(`Drill of ${record.vmName}: ${o.verdict.toUpperCase()}`);
  if (o.stage !== undefined) lines.push(`Failed stage: ${o.stage}`);
  if (o.verdict !== 'passed') lines.push(`Reason: ${folded(o.reason)}`);
  if (o.verdict === 'inconclusive')
    lines.push('Inconclusive: the drill could not prove the backup either way; fix the cause above and drill again.');
  const p = record.recoveryPoint;
  if (p !== undefined)
    lines.push(`Recovery point: ${p.name}, ${p.type} at ${p.time} (${p.tier} tier, ${p.ageHoursAtRestore} h old)`);
  for (const note of o.notes) lines.push(`Note: ${folded(note)}`);
  lines.push(`RTO by phase: ${formatRtoPhases(record)}`);
  const integrity = record.integrity;
  if (integrity !== undefined) {
    lines.push(
      `Integrity: ${integrity.status} (${integrity.errorCount} global(s) not OK, from the ${integrity.source === 'evidence' ? 'whole output' : 'summary'})`,
    );
    for (const db of integrity.databases) {
      const globals = db.globals !== undefined && db.globals.length > 0 ? `: ${db.globals.join(', ')}` : '';
      lines.push(`  ${folded(db.directory)}  ${db.status}${folded(globals)}`);
    }
    if ((integrity.databasesOmitted ?? 0) > 0) lines.push(`  … and ${integrity.databasesOmitted} more`);
  }
  const kept = run.drill?.cleanup.keptUntil;
  if (kept !== undefined && (run.drill?.cleanup.claimed.length ?? 0) > 0)
    lines.push(`Drill resources kept until ${kept} (IBG_DRILL_KEEP_HOURS); the daily sweep deletes them then.`);
  lines.push(`Evidence: ${record.evidenceBlob ?? 'none (the verifier did not run or left no output)'}`);
  lines.push(`Run: ${run.id} (${run.stage})`);
  return lines.map(terminalLine).join('\n');
}

/** The drill columns of `status`: the last drill of one VM. */
export interface DrillStatusRow {
  vm: string;
  night: string;
  verdict: string;
  /** Stage and reason, short; "-" for a pass. */
  why: string;
  rto: string;
  /** Age of the newest point that passed a drill, or "none". */
  verifiedRpo: string;
}

const MAX_WHY_CHARS = 80;
const capped = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function drillStatusRow(record: DrillRecord, verifiedRpoMs: number | undefined): DrillStatusRow {
  const why =
    record.verdict === 'passed'
      ? '-'
      : capped(oneLine(`${record.failedStage ?? ''}${record.failedStage ? ': ' : ''}${record.reason}`), MAX_WHY_CHARS);
  return {
    vm: oneLine(record.vmName),
    night: record.night,
    verdict: record.verdict,
    why,
    rto: record.rtoMs === undefined ? '-' : formatDuration(record.rtoMs),
    verifiedRpo: verifiedRpoMs === undefined ? 'none' : formatDuration(verifiedRpoMs),
  };
}

const DRILL_COLUMNS: [keyof DrillStatusRow, string][] = [
  ['vm', 'VM'],
  ['night', 'LAST DRILL'],
  ['verdict', 'VERDICT'],
  ['rto', 'RTO'],
  ['verifiedRpo', 'VERIFIED RPO'],
  ['why', 'STAGE / REASON'],
];

/** A plain-text table; the last column (stage / reason) is not padded. textTable escapes every cell. */
export function formatDrillStatusTable(rows: readonly DrillStatusRow[]): string {
  return textTable(
    DRILL_COLUMNS.map(([, title]) => title),
    rows.map((r) => DRILL_COLUMNS.map(([key]) => r[key])),
  ).join('\n');
}
