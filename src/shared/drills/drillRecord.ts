/**
 * The drill record: the evidence one drill leaves, written once when its verdict is known and never rewritten (a
 * later drill writes its own record). The measured RTO is the sum of the phase times, from the restore request to
 * the end of the integrity check.
 */
import type { Run } from '../runs/run';
import type { DrillFailureStage, DrillPoint, DrillVerdict } from './drillState';
import type { IntegrityVerdict } from './integrityVerdict';
import type { DrillVerifierFacts } from './drillOutcome';

export const DRILL_RECORD_SCHEMA = 'iris-backup-guard/drill@1';

/** Milliseconds per phase; a phase the drill never reached is absent. */
export interface DrillPhaseTimes {
  /** Restore request → restore job end (the job itself, from Azure's times when known). */
  restoreJob?: number;
  /** Restore job end → the VM first seen running. */
  vmBoot?: number;
  /** Running → VM agent ready (Run Command possible). */
  agentReady?: number;
  /** IRIS start → up, as the verifier measured it. */
  irisUp?: number;
  /** The integrity check, as the verifier measured it. */
  integrity?: number;
}

export interface DrillRecord {
  schema: typeof DRILL_RECORD_SCHEMA;
  runId: string;
  night: string;
  vmId: string;
  vmName: string;
  verdict: DrillVerdict;
  failedStage?: DrillFailureStage;
  reason: string;
  notes: string[];
  recoveryPoint?: DrillPoint & { ageHoursAtRestore: number };
  restoreJobId?: string;
  drillVmName: string;
  startedAt: string;
  finishedAt: string;
  phasesMs: DrillPhaseTimes;
  /** Sum of the phase times: the measured recovery time. */
  rtoMs?: number;
  freeze?: DrillVerifierFacts['freeze'];
  recovery?: DrillVerifierFacts['recovery'];
  integrity?: IntegrityVerdict;
  /** messages.log lines that prove the freeze and the recovery (untrusted, capped; escaped when shown). */
  evidence: string[];
  /** The blob with the verifier's whole output. */
  evidenceBlob?: string;
}

const diff = (from?: string, to?: string): number | undefined => {
  if (from === undefined || to === undefined) return undefined;
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) && d >= 0 ? d : undefined;
};

const MAX_EVIDENCE_LINES = 12;

/** The record of the run's drill, once its outcome is set; undefined before. */
export function drillRecordOf(run: Run): DrillRecord | undefined {
  const d = run.drill;
  const outcome = d?.outcome;
  if (d === undefined || outcome === undefined) return undefined;
  const v = d.verifier;
  const phasesMs: DrillPhaseTimes = {};
  const restoreJob = diff(d.restoreRequestedAt, d.restoreJobEnd);
  if (restoreJob !== undefined) phasesMs.restoreJob = restoreJob;
  const boot = diff(d.restoreJobEnd, d.vmRunningAt);
  if (boot !== undefined) phasesMs.vmBoot = boot;
  const agent = diff(d.vmRunningAt, d.agentReadyAt);
  if (agent !== undefined) phasesMs.agentReady = agent;
  if (v?.irisSeconds !== undefined && v.iris === 'up') phasesMs.irisUp = v.irisSeconds * 1000;
  if (v?.integritySeconds !== undefined && v.integrity !== 'not-run') phasesMs.integrity = v.integritySeconds * 1000;
  const parts = Object.values(phasesMs);
  const record: DrillRecord = {
    schema: DRILL_RECORD_SCHEMA,
    runId: run.id,
    night: run.night,
    vmId: run.target.vmId,
    vmName: run.target.vmName,
    verdict: outcome.verdict,
    reason: outcome.reason,
    notes: outcome.notes,
    drillVmName: d.vmName,
    startedAt: d.startedAt ?? d.queuedAt,
    finishedAt: outcome.at,
    phasesMs,
    evidence: (v?.lines ?? []).slice(0, MAX_EVIDENCE_LINES),
  };
  if (outcome.stage !== undefined) record.failedStage = outcome.stage;
  if (d.point !== undefined) {
    const age = diff(d.point.time, d.restoreRequestedAt ?? outcome.at);
    record.recoveryPoint = { ...d.point, ageHoursAtRestore: Math.round(((age ?? 0) / 3_600_000) * 10) / 10 };
  }
  if (d.restoreJobId !== undefined) record.restoreJobId = d.restoreJobId;
  // Only a drill that got IRIS up has a recovery time to report.
  if (outcome.verdict === 'passed' && parts.length > 0) record.rtoMs = parts.reduce((a, b) => a + b, 0);
  if (v !== undefined) {
    record.freeze = v.freeze;
    record.recovery = v.recovery;
  }
  if (d.integrity !== undefined) record.integrity = d.integrity;
  if (d.evidenceBlob !== undefined) record.evidenceBlob = d.evidenceBlob;
  return record;
}

/**
 * RPO per VM: the age, at `now`, of the newest recovery point that passed a drill; undefined when none has.
 * Records of other VMs are ignored.
 */
export function verifiedRpoMs(records: readonly DrillRecord[], vmId: string, now: Date): number | undefined {
  let newest: number | undefined;
  for (const r of records) {
    if (r.verdict !== 'passed' || r.vmId.toLowerCase() !== vmId.toLowerCase() || r.recoveryPoint === undefined)
      continue;
    const t = Date.parse(r.recoveryPoint.time);
    if (Number.isFinite(t) && (newest === undefined || t > newest)) newest = t;
  }
  return newest === undefined ? undefined : Math.max(0, now.getTime() - newest);
}

/** The newest passed drill's finish time per VM (lower-cased id), for the "no passed drill for N days" alert. */
export function lastPassedDrill(records: readonly DrillRecord[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const r of records) {
    if (r.verdict !== 'passed') continue;
    const key = r.vmId.toLowerCase();
    const prev = last.get(key);
    if (prev === undefined || r.finishedAt > prev) last.set(key, r.finishedAt);
  }
  return last;
}
