/** How a run reads to a person: one row for a status table, and a verdict block. Pure. */
import { textTable } from './textTable';
import { terminalLine } from './terminalText';
import { isTerminalStage, type Run } from '../runs/run';

export interface RunStatusRow {
  night: string;
  vm: string;
  stage: string;
  jobStatus: string;
  recoveryPointType: string;
  verdict: string;
  reason: string;
}

const NONE = '-';
/** Reasons can quote Azure error messages; a table row keeps a readable length (--json has them whole). */
const MAX_REASON_CHARS = 160;

const capped = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
// Reasons quote VM logs and Azure messages: whitespace runs fold to one space, then every other unsafe character is
// escaped by the one terminal-text policy.
const oneLine = (text: string): string => terminalLine(text.replace(/[ \t\r\n]+/g, ' ').trim());

export function runStatusRow(run: Run): RunStatusRow {
  const reason = run.verdict?.reasons.join('; ') || run.reason || '';
  return {
    night: run.night,
    vm: run.target.vmName,
    stage: run.stage,
    jobStatus: run.backup.jobStatus ?? NONE,
    recoveryPointType: run.recoveryPoint === null ? 'none' : (run.recoveryPoint?.type ?? NONE),
    verdict: run.verdict?.consistency ?? NONE,
    reason: reason === '' ? NONE : capped(oneLine(reason), MAX_REASON_CHARS),
  };
}

const COLUMNS: [keyof RunStatusRow, string][] = [
  ['night', 'NIGHT'],
  ['vm', 'VM'],
  ['stage', 'STAGE'],
  ['jobStatus', 'JOB'],
  ['recoveryPointType', 'RECOVERY POINT'],
  ['verdict', 'VERDICT'],
  ['reason', 'REASON'],
];

/** A plain-text table; the last column (the reason) is not padded. Every cell is escaped, whoever built the row. */
export function formatStatusTable(rows: readonly RunStatusRow[]): string {
  return textTable(
    COLUMNS.map(([, title]) => title),
    rows.map((r) => COLUMNS.map(([key]) => r[key])),
  ).join('\n');
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** One line of progress while a run is followed: its stage and what it waits for. */
export function runProgressLine(run: Run): string {
  const job = run.backup.jobId === undefined ? '' : ` (job ${run.backup.jobStatus ?? 'found'})`;
  return terminalLine(`${run.target.vmName} ${run.night}: ${run.stage}${job}`);
}

/** The verdict of a finished run (or where an unfinished one stands), for a person. */
export function formatRunVerdict(run: Run): string {
  const v = run.verdict;
  const lines = [`VM ${run.target.vmName}, night ${run.night}: run ${run.stage}`];
  if (v) {
    lines.push(`Consistency: ${v.consistency}${v.irisLeftFrozen ? ' (IRIS MAY STILL BE FROZEN: check now)' : ''}`);
    if (v.freezeWindowMs !== undefined) {
      lines.push(`IRIS frozen for ${seconds(v.freezeWindowMs)} (${v.frozenAt ?? '?'} to ${v.thawedAt ?? '?'})`);
    }
    if (v.extensionCode !== undefined)
      lines.push(`Extension status: ${v.extensionCode}${v.troubleshootingName ? ` ${v.troubleshootingName}` : ''}`);
    for (const r of v.reasons) lines.push(`- ${oneLine(r)}`);
    if (v.missing.length > 0) lines.push(`Missing evidence: ${v.missing.join(', ')}`);
  } else if (isTerminalStage(run.stage)) {
    lines.push('No verdict: the run ended before the backup could be assessed.');
  }
  const job = run.backup;
  if (job.jobId !== undefined) {
    const duration = job.durationInMs === undefined ? '' : `, ${seconds(job.durationInMs)}`;
    lines.push(`Backup job: ${job.jobStatus ?? 'unknown'}${duration}${job.adopted ? ' (adopted)' : ''} [${job.jobId}]`);
  } else {
    lines.push('Backup job: none');
  }
  if (run.stage === 'transfer-running') {
    lines.push('The job still transfers the snapshot to the vault; the app records its final status when it ends.');
  }
  if (run.recoveryPoint) {
    const tiers = run.recoveryPoint.tiers ?? [];
    const where = tiers.length > 0 ? ` (${tiers.join(', ')})` : '';
    lines.push(`Recovery point: ${run.recoveryPoint.type} at ${run.recoveryPoint.time}${where}`);
  } else if (run.recoveryPoint === null) lines.push('Recovery point: none');
  // A transfer that failed after the verdict is not among the verdict's reasons.
  if (run.reason !== undefined && (!v || run.backup.transferFailed === true))
    lines.push(`Reason: ${oneLine(run.reason)}`);
  // Each line is one line by construction; escaping each keeps a quoted value from forging another.
  return lines.map(terminalLine).join('\n');
}
