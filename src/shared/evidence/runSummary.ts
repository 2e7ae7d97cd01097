/**
 * A run in a few hundred bytes: what the fleet view, the history API and the evidence export need of it, and no
 * more. Stored beside the run (one string property of the same entity, written with it), so every list reads one
 * night's partition of small values and never the runs themselves. Pure.
 *
 * Stable: fields are only ever added (RUN_SUMMARY_SCHEMA).
 */
import type { JobStatus, RecoveryPointType } from '../azure/backupGateway';
import type { Consistency } from '../runs/backupVerdict';
import { isTerminalStage, type Run, type RunStage } from '../runs/run';
import { drillRecordOf } from '../drills/drillRecord';
import type { DrillFailureStage, DrillVerdict } from '../drills/drillState';
import type { IntegrityStatus } from '../drills/integrityVerdict';
import type { Severity } from '../checks/finding';

export const RUN_SUMMARY_SCHEMA = 'iris-backup-guard/run-summary@1';

/**
 * What started the run: the nightly timer, an operator's drill-only run (`~drill-n`), a backup someone else asked
 * for (`~ext-n`), a frozen-IRIS check asked for by an Azure Monitor alert (`~check-n`), or `iris-backup-guard
 * backup` (a nightly-shaped run started by hand has kind nightly).
 */
export type RunKind = 'nightly' | 'drill' | 'external' | 'check';

export interface DrillSummary {
  /** absent while the drill is under way. */
  verdict?: DrillVerdict;
  failedStage?: DrillFailureStage;
  reason?: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The restored point. */
  recoveryPointTime?: string;
  recoveryPointType?: RecoveryPointType;
  /** Hours between the point and the restore request. */
  ageHoursAtRestore?: number;
  /** Measured recovery time (restore request → integrity checked), for a passed drill. */
  rtoMs?: number;
  integrity?: IntegrityStatus;
  drillVmName: string;
  restoreJobId?: string;
  /** The blob with the verifier's whole output. */
  evidenceBlob?: string;
  /** Everything the drill created is deleted. */
  cleanedUp: boolean;
}

export interface RunSummary {
  schema: typeof RUN_SUMMARY_SCHEMA;
  runId: string;
  night: string;
  vmKey: string;
  vmId: string;
  vmName: string;
  vaultId: string;
  kind: RunKind;
  stage: RunStage;
  terminal: boolean;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Why the run ended, or its last error (capped). */
  reason?: string;
  backup: {
    jobId?: string;
    jobStatus?: JobStatus;
    triggeredAt?: string;
    jobStart?: string;
    jobEnd?: string;
    transferFailed?: boolean;
  };
  /** null: looked for and none found. */
  recoveryPoint?: { time: string; type: RecoveryPointType } | null;
  /** The backup's verdict, once assessed. */
  verdict?: {
    consistency: Consistency;
    /** The first reason (capped); the run has them all. */
    reason?: string;
    freezeWindowMs?: number;
    irisLeftFrozen: boolean;
    classifications?: string[];
  };
  /** The preflight's findings: counts by severity and the codes of the worst (at most MAX_FINDING_CODES). */
  findings?: {
    counts: Record<Severity, number>;
    codes: { code: string; severity: Severity; fix?: string }[];
    blocking: string[];
  };
  drill?: DrillSummary;
  /** Alerts the run decided so far. */
  alerts: number;
  /** The frozen-IRIS remediation's last outcome, when it ran. */
  remediation?: string;
}

export const MAX_FINDING_CODES = 8;
const MAX_REASON_CHARS = 300;

const capped = (text: string | undefined): string | undefined =>
  text === undefined || text === ''
    ? undefined
    : text.length > MAX_REASON_CHARS
      ? `${text.slice(0, MAX_REASON_CHARS - 1)}…`
      : text;

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

/** The run's kind, from its id (runs/drillRun.ts, runs/trackedRun.ts). */
export function runKindOf(runId: string): RunKind {
  const tail = runId.slice(runId.indexOf('/') + 1);
  if (tail.includes('~drill-')) return 'drill';
  if (tail.includes('~ext-')) return 'external';
  if (tail.includes('~check-')) return 'check';
  return 'nightly';
}

function drillSummaryOf(run: Run): DrillSummary | undefined {
  const d = run.drill;
  if (d === undefined) return undefined;
  const record = drillRecordOf(run);
  const s: DrillSummary = {
    queuedAt: d.queuedAt,
    drillVmName: d.vmName,
    cleanedUp: d.cleanup.deletedAt !== undefined,
  };
  if (d.startedAt !== undefined) s.startedAt = d.startedAt;
  if (d.point !== undefined) {
    s.recoveryPointTime = d.point.time;
    s.recoveryPointType = d.point.type;
  }
  if (d.restoreJobId !== undefined) s.restoreJobId = d.restoreJobId;
  if (d.evidenceBlob !== undefined) s.evidenceBlob = d.evidenceBlob;
  if (d.integrity !== undefined) s.integrity = d.integrity.status;
  if (record !== undefined) {
    s.verdict = record.verdict;
    s.finishedAt = record.finishedAt;
    const reason = capped(record.reason);
    if (reason !== undefined) s.reason = reason;
    if (record.failedStage !== undefined) s.failedStage = record.failedStage;
    if (record.rtoMs !== undefined) s.rtoMs = record.rtoMs;
    if (record.recoveryPoint !== undefined) s.ageHoursAtRestore = record.recoveryPoint.ageHoursAtRestore;
  }
  return s;
}

export function runSummaryOf(run: Run): RunSummary {
  const b = run.backup;
  const summary: RunSummary = {
    schema: RUN_SUMMARY_SCHEMA,
    runId: run.id,
    night: run.night,
    vmKey: run.vmKey,
    vmId: run.target.vmId,
    vmName: run.target.vmName,
    vaultId: run.target.vaultId,
    kind: runKindOf(run.id),
    stage: run.stage,
    terminal: isTerminalStage(run.stage),
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    backup: {},
    alerts: run.alertSeq ?? 0,
  };
  if (run.finishedAt !== undefined) summary.finishedAt = run.finishedAt;
  const reason = capped(run.reason);
  if (reason !== undefined) summary.reason = reason;
  if (b.jobId !== undefined) summary.backup.jobId = b.jobId;
  if (b.jobStatus !== undefined) summary.backup.jobStatus = b.jobStatus;
  if (b.triggerRequestedAt !== undefined) summary.backup.triggeredAt = b.triggerRequestedAt;
  if (b.jobStartTime !== undefined) summary.backup.jobStart = b.jobStartTime;
  if (b.jobEndTime !== undefined) summary.backup.jobEnd = b.jobEndTime;
  if (b.transferFailed === true) summary.backup.transferFailed = true;
  if (run.recoveryPoint === null) summary.recoveryPoint = null;
  else if (run.recoveryPoint !== undefined)
    summary.recoveryPoint = { time: run.recoveryPoint.time, type: run.recoveryPoint.type };
  const v = run.verdict;
  if (v !== undefined) {
    summary.verdict = { consistency: v.consistency, irisLeftFrozen: v.irisLeftFrozen };
    const first = capped(v.reasons[0]);
    if (first !== undefined) summary.verdict.reason = first;
    if (v.freezeWindowMs !== undefined) summary.verdict.freezeWindowMs = v.freezeWindowMs;
    if (v.classifications !== undefined && v.classifications.length > 0)
      summary.verdict.classifications = v.classifications.slice(0, MAX_FINDING_CODES);
  }
  const p = run.preflight;
  if (p !== undefined) {
    const counts: Record<Severity, number> = { critical: 0, error: 0, warning: 0, info: 0 };
    for (const f of p.findings) counts[f.severity] += 1;
    const worst = [...p.findings]
      .sort((a, b2) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b2.severity))
      .slice(0, MAX_FINDING_CODES)
      .map((f) =>
        f.fix === undefined
          ? { code: f.code, severity: f.severity }
          : { code: f.code, severity: f.severity, fix: f.fix },
      );
    summary.findings = { counts, codes: worst, blocking: p.blocking.slice(0, MAX_FINDING_CODES) };
  }
  const drill = drillSummaryOf(run);
  if (drill !== undefined) summary.drill = drill;
  const remediation = run.remediation;
  if (remediation?.outcome !== undefined) summary.remediation = remediation.outcome;
  return summary;
}

/** A stored summary of this schema (anything else, e.g. a row written before summaries existed, is skipped). */
export const isRunSummary = (value: unknown): value is RunSummary =>
  typeof value === 'object' &&
  value !== null &&
  (value as { schema?: unknown }).schema === RUN_SUMMARY_SCHEMA &&
  typeof (value as { runId?: unknown }).runId === 'string';
