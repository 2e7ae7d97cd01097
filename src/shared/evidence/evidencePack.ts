/**
 * The evidence pack of a period: one row per backup and one per drill, taken from the stored run summaries as they
 * are (ISO times and numbers unchanged, every row with its run id, so a row can be matched to its run), per VM the
 * tests done and their results against the RPO and RTO targets, and the controls they answer. Pure and linear in the
 * number of summaries (plus the sort of the rows): the summaries, period, targets and time go in.
 */
import type { RecoveryPointType, JobStatus } from '../azure/backupGateway';
import type { DrillFailureStage, DrillVerdict } from '../drills/drillState';
import type { IntegrityStatus } from '../drills/integrityVerdict';
import type { Consistency } from '../runs/backupVerdict';
import { againstTarget } from './fleetStatus';
import {
  controlVerdictsOf,
  fleetControlsOf,
  type ControlVerdict,
  type FleetControl,
  type VmTestFacts,
} from './controlMapping';
import type { EvidencePeriod } from './evidencePeriod';
import type { RunKind, RunSummary } from './runSummary';

export const EVIDENCE_SCHEMA = 'iris-backup-guard/evidence@1';

/** Measured against a target: fail when over it (fleetStatus.againstTarget's red). */
export type VsTarget = 'pass' | 'fail';

export interface EvidenceTargets {
  rpoTargetHours: number;
  rtoTargetMinutes: number;
}

/**
 * A run that is about a backup (kind nightly or external). Each field is the summary's: jobId, jobStatus, jobStart,
 * jobEnd from `backup`; recoveryPointTime/Type from `recoveryPoint`; consistency, irisLeftFrozen, freezeWindowMs from
 * `verdict`; reason is the verdict's reason, else the run's. Absent in the summary: absent here.
 */
export interface BackupRow {
  runId: string;
  night: string;
  vmName: string;
  vmId: string;
  kind: RunKind;
  jobId?: string;
  jobStatus?: JobStatus;
  jobStart?: string;
  jobEnd?: string;
  recoveryPointTime?: string;
  recoveryPointType?: RecoveryPointType;
  consistency?: Consistency;
  irisLeftFrozen?: boolean;
  freezeWindowMs?: number;
  reason?: string;
  stage: string;
}

/** A run with a drill; the fields are the summary's `drill`, verdict 'in-progress' while it has none. */
export interface DrillRow {
  runId: string;
  night: string;
  vmName: string;
  vmId: string;
  verdict: DrillVerdict | 'in-progress';
  failedStage?: DrillFailureStage;
  reason?: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  recoveryPointTime?: string;
  recoveryPointType?: RecoveryPointType;
  ageHoursAtRestore?: number;
  rtoMs?: number;
  /** rtoMs against the RTO target. */
  rtoVsTarget?: VsTarget;
  integrity?: IntegrityStatus;
  drillVmName: string;
  restoreJobId?: string;
  evidenceBlob?: string;
  cleanedUp: boolean;
}

export interface VmEvidence {
  vmKey: string;
  vmId: string;
  vmName: string;
  /** Every consistency is a key, in a fixed order, 0 when none (so the JSON does not depend on the input order). */
  backups: { total: number; byConsistency: Record<Consistency | 'not-assessed', number> };
  drills: { total: number; passed: number; failed: number; inconclusive: number; inProgress: number };
  /** The VM's last drill in the period (by night, then finish or queue time), whatever its verdict. */
  lastDrill?: Pick<DrillRow, 'runId' | 'night' | 'verdict' | 'failedStage' | 'reason'>;
  /** The shortest measured RTO of a passed drill, and the last one's (by finish time). */
  bestRtoMs?: number;
  lastRto?: { runId: string; rtoMs: number; vsTarget: VsTarget };
  /**
   * The RPO at the end of the period: the age of the newest recovery point that passed a drill in the period,
   * at the period's end (the day after `to`, 00:00 UTC, or the generation time if earlier).
   */
  rpo?: { recoveryPointTime: string; runId: string; ageMs: number; vsTarget: VsTarget };
  controls: ControlVerdict[];
}

export interface EvidencePack {
  schema: typeof EVIDENCE_SCHEMA;
  generatedAt: string;
  period: { from: string; to: string; nights: number; endsAt: string };
  targets: EvidenceTargets;
  totals: { runs: number; vms: number; backups: number; drills: number; drillsPassed: number };
  /** By VM name. */
  vms: VmEvidence[];
  controls: FleetControl[];
  /** Sorted by night, VM name, run id. */
  backups: BackupRow[];
  drills: DrillRow[];
}

const DAY_MS = 86_400_000;

/** Code-unit order, not the locale's: the same rows in the same order on every machine. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byNightVmRun = (a: { night: string; vmName: string; runId: string }, b: typeof a): number =>
  cmp(a.night, b.night) || cmp(a.vmName, b.vmName) || cmp(a.runId, b.runId);

/** The object without its undefined fields: the JSON and the in-memory rows then say the same. */
function defined<T extends object>(value: T): T {
  // A copy rather than `delete`, which would turn every row into a slow dictionary-mode object.
  const out: Partial<T> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

const isBackupRun = (s: RunSummary): boolean => s.kind === 'nightly' || s.kind === 'external';

function backupRowOf(s: RunSummary): BackupRow {
  return defined<BackupRow>({
    runId: s.runId,
    night: s.night,
    vmName: s.vmName,
    vmId: s.vmId,
    kind: s.kind,
    jobId: s.backup.jobId,
    jobStatus: s.backup.jobStatus,
    jobStart: s.backup.jobStart,
    jobEnd: s.backup.jobEnd,
    recoveryPointTime: s.recoveryPoint?.time,
    recoveryPointType: s.recoveryPoint?.type,
    consistency: s.verdict?.consistency,
    irisLeftFrozen: s.verdict?.irisLeftFrozen,
    freezeWindowMs: s.verdict?.freezeWindowMs,
    reason: s.verdict?.reason ?? s.reason,
    stage: s.stage,
  });
}

function drillRowOf(s: RunSummary, rtoTargetMs: number): DrillRow | undefined {
  const d = s.drill;
  if (d === undefined) return undefined;
  return defined<DrillRow>({
    runId: s.runId,
    night: s.night,
    vmName: s.vmName,
    vmId: s.vmId,
    verdict: d.verdict ?? 'in-progress',
    failedStage: d.failedStage,
    reason: d.reason,
    queuedAt: d.queuedAt,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    recoveryPointTime: d.recoveryPointTime,
    recoveryPointType: d.recoveryPointType,
    ageHoursAtRestore: d.ageHoursAtRestore,
    rtoMs: d.rtoMs,
    rtoVsTarget: d.rtoMs === undefined ? undefined : vsTarget(d.rtoMs, rtoTargetMs),
    integrity: d.integrity,
    drillVmName: d.drillVmName,
    restoreJobId: d.restoreJobId,
    evidenceBlob: d.evidenceBlob,
    cleanedUp: d.cleanedUp,
  });
}

const vsTarget = (measured: number, target: number): VsTarget =>
  againstTarget(measured, target) === 'red' ? 'fail' : 'pass';

/** What is folded per VM while the rows are made: one pass, constant work per summary. */
interface VmFold {
  evidence: VmEvidence;
  facts: VmTestFacts;
  lastPassed?: DrillRow;
  lastDrill?: DrillRow;
  newestPoint?: { time: string; ms: number; runId: string };
  /** The run the VM's name was taken from: the newest, so a renamed VM shows its current name. */
  namedBy: { night: string; runId: string };
}

function foldOf(s: RunSummary): VmFold {
  return {
    namedBy: { night: s.night, runId: s.runId },
    evidence: {
      vmKey: s.vmKey,
      vmId: s.vmId,
      vmName: s.vmName,
      backups: {
        total: 0,
        byConsistency: {
          'iris-consistent': 0,
          'file-system-consistent': 0,
          'crash-consistent': 0,
          failed: 0,
          unknown: 0,
          'not-assessed': 0,
        },
      },
      drills: { total: 0, passed: 0, failed: 0, inconclusive: 0, inProgress: 0 },
      controls: [],
    },
    facts: {
      backups: 0,
      irisConsistentBackups: 0,
      drillsFinished: 0,
      drillsPassed: 0,
      passedWithCleanIntegrity: 0,
      passedWithRto: 0,
    },
  };
}

function addBackup(fold: VmFold, row: BackupRow): void {
  const b = fold.evidence.backups;
  b.total += 1;
  const key = row.consistency ?? 'not-assessed';
  b.byConsistency[key] += 1;
  fold.facts.backups += 1;
  if (row.consistency === 'iris-consistent') fold.facts.irisConsistentBackups += 1;
}

const drillOrder = (a: DrillRow, b: DrillRow): number =>
  cmp(a.night, b.night) || cmp(a.finishedAt ?? a.queuedAt, b.finishedAt ?? b.queuedAt) || cmp(a.runId, b.runId);

function addDrill(fold: VmFold, row: DrillRow): void {
  const d = fold.evidence.drills;
  d.total += 1;
  if (fold.lastDrill === undefined || drillOrder(row, fold.lastDrill) > 0) fold.lastDrill = row;
  if (row.verdict === 'in-progress') {
    d.inProgress += 1;
    return;
  }
  d[row.verdict] += 1;
  fold.facts.drillsFinished += 1;
  if (row.verdict !== 'passed') return;
  fold.facts.drillsPassed += 1;
  if (row.integrity === 'clean') fold.facts.passedWithCleanIntegrity += 1;
  if (row.rtoMs !== undefined) {
    fold.facts.passedWithRto += 1;
    const best = fold.evidence.bestRtoMs;
    if (best === undefined || row.rtoMs < best) fold.evidence.bestRtoMs = row.rtoMs;
  }
  if (fold.lastPassed === undefined || drillOrder(row, fold.lastPassed) > 0) fold.lastPassed = row;
  const ms = row.recoveryPointTime === undefined ? Number.NaN : Date.parse(row.recoveryPointTime);
  if (
    row.recoveryPointTime !== undefined &&
    Number.isFinite(ms) &&
    (fold.newestPoint === undefined ||
      ms > fold.newestPoint.ms ||
      (ms === fold.newestPoint.ms && cmp(row.runId, fold.newestPoint.runId) > 0))
  )
    fold.newestPoint = { time: row.recoveryPointTime, ms, runId: row.runId };
}

function finish(fold: VmFold, targets: EvidenceTargets, endsAtMs: number): VmEvidence {
  const e = fold.evidence;
  const rtoTargetMs = targets.rtoTargetMinutes * 60_000;
  const lastDrill = fold.lastDrill;
  if (lastDrill !== undefined)
    e.lastDrill = defined({
      runId: lastDrill.runId,
      night: lastDrill.night,
      verdict: lastDrill.verdict,
      failedStage: lastDrill.failedStage,
      reason: lastDrill.reason,
    });
  const last = fold.lastPassed;
  if (last?.rtoMs !== undefined) {
    e.lastRto = { runId: last.runId, rtoMs: last.rtoMs, vsTarget: vsTarget(last.rtoMs, rtoTargetMs) };
    fold.facts.rtoOverTarget = e.lastRto.vsTarget === 'fail';
  }
  const point = fold.newestPoint;
  if (point !== undefined) {
    const ageMs = Math.max(0, endsAtMs - point.ms);
    e.rpo = {
      recoveryPointTime: point.time,
      runId: point.runId,
      ageMs,
      vsTarget: vsTarget(ageMs, targets.rpoTargetHours * 3_600_000),
    };
    fold.facts.rpoOverTarget = e.rpo.vsTarget === 'fail';
  }
  e.controls = controlVerdictsOf(fold.facts);
  return e;
}

export function evidencePackOf(
  summaries: readonly RunSummary[],
  period: EvidencePeriod,
  targets: EvidenceTargets,
  generatedAt: Date,
): EvidencePack {
  const inPeriod = new Set(period.nights);
  const rtoTargetMs = targets.rtoTargetMinutes * 60_000;
  const folds = new Map<string, VmFold>();
  const backups: BackupRow[] = [];
  const drills: DrillRow[] = [];
  let runs = 0;
  for (const s of summaries) {
    // The reader gives the period's nights; anything else (a caller's mistake) is not this period's evidence.
    if (!inPeriod.has(s.night)) continue;
    runs += 1;
    const key = s.vmKey || s.vmId.toLowerCase();
    let fold = folds.get(key);
    if (fold === undefined) {
      fold = foldOf(s);
      folds.set(key, fold);
    } else if ((cmp(s.night, fold.namedBy.night) || cmp(s.runId, fold.namedBy.runId)) > 0) {
      fold.namedBy = { night: s.night, runId: s.runId };
      fold.evidence.vmName = s.vmName;
      fold.evidence.vmId = s.vmId;
    }
    if (isBackupRun(s)) {
      const row = backupRowOf(s);
      backups.push(row);
      addBackup(fold, row);
    }
    const drill = drillRowOf(s, rtoTargetMs);
    if (drill !== undefined) {
      drills.push(drill);
      addDrill(fold, drill);
    }
  }
  backups.sort(byNightVmRun);
  drills.sort(byNightVmRun);

  const periodEndMs = Date.parse(`${period.to}T00:00:00Z`) + DAY_MS;
  const endsAtMs = Math.min(periodEndMs, generatedAt.getTime());
  const vms = [...folds.values()]
    .map((f) => finish(f, targets, endsAtMs))
    .sort((a, b) => cmp(a.vmName, b.vmName) || cmp(a.vmKey, b.vmKey));
  return {
    schema: EVIDENCE_SCHEMA,
    generatedAt: generatedAt.toISOString(),
    period: {
      from: period.from,
      to: period.to,
      nights: period.nights.length,
      endsAt: new Date(endsAtMs).toISOString(),
    },
    targets: { rpoTargetHours: targets.rpoTargetHours, rtoTargetMinutes: targets.rtoTargetMinutes },
    totals: {
      runs,
      vms: vms.length,
      backups: backups.length,
      drills: drills.length,
      drillsPassed: drills.filter((d) => d.verdict === 'passed').length,
    },
    vms,
    controls: fleetControlsOf(vms),
    backups,
    drills,
  };
}
