/**
 * The fleet index: per VM the summaries the fleet view needs (its newest run, its newest finished drill, and the run
 * whose drill passed with the newest recovery point), kept up to date as runs are written, so that the fleet page
 * reads one partition of one row per VM instead of months of nights. Pure: `foldIntoVmIndex` decides.
 */
import type { RunSummary } from './runSummary';

export const VM_INDEX_SCHEMA = 'iris-backup-guard/vm-index@1';

export interface VmIndexEntry {
  schema: typeof VM_INDEX_SCHEMA;
  vmKey: string;
  vmId: string;
  vmName: string;
  /** The newest run of the VM that is about a backup (nightly or external; drill-only and check runs are not). */
  latest?: RunSummary;
  /** The newest run whose drill has a verdict. */
  lastDrill?: RunSummary;
  /** The passed drill whose restored recovery point is the newest: the measured RPO is that point's age. */
  lastPassed?: RunSummary;
}

/** Newer: a later night, then a later creation (two runs of one night: a drill-only run after the nightly one). */
const newer = (a: RunSummary, b: RunSummary | undefined): boolean =>
  b === undefined || a.night > b.night || (a.night === b.night && a.createdAt >= b.createdAt);

const sameRun = (a: RunSummary, b: RunSummary | undefined): boolean => b !== undefined && a.runId === b.runId;

const pointTime = (s: RunSummary | undefined): number => {
  const t = s?.drill?.recoveryPointTime === undefined ? Number.NaN : Date.parse(s.drill.recoveryPointTime);
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
};

/**
 * The entry with `summary` folded in, or undefined when nothing changes (so the caller writes nothing). A summary of
 * the same run always replaces the older one (the run moved on); another run replaces it only when it is newer.
 */
export function foldIntoVmIndex(entry: VmIndexEntry | undefined, summary: RunSummary): VmIndexEntry | undefined {
  const next: VmIndexEntry = entry ?? {
    schema: VM_INDEX_SCHEMA,
    vmKey: summary.vmKey,
    vmId: summary.vmId,
    vmName: summary.vmName,
  };
  let changed = entry === undefined;
  const take = (slot: 'latest' | 'lastDrill' | 'lastPassed'): void => {
    const current = next[slot];
    if (sameRun(summary, current) ? JSON.stringify(current) !== JSON.stringify(summary) : newer(summary, current)) {
      next[slot] = summary;
      changed = true;
    }
  };
  const aboutBackup = summary.kind === 'nightly' || summary.kind === 'external';
  if (aboutBackup) take('latest');
  if (summary.drill?.verdict !== undefined) take('lastDrill');
  if (summary.drill?.verdict === 'passed') {
    const current = next.lastPassed;
    if (sameRun(summary, current) || pointTime(summary) > pointTime(current)) {
      if (JSON.stringify(current) !== JSON.stringify(summary)) {
        next.lastPassed = summary;
        changed = true;
      }
    }
  }
  if (next.vmName !== summary.vmName && aboutBackup && sameRun(summary, next.latest)) {
    next.vmName = summary.vmName;
    changed = true;
  }
  return changed ? { ...next } : undefined;
}

export const isVmIndexEntry = (value: unknown): value is VmIndexEntry =>
  typeof value === 'object' &&
  value !== null &&
  (value as { schema?: unknown }).schema === VM_INDEX_SCHEMA &&
  typeof (value as { vmKey?: unknown }).vmKey === 'string';
