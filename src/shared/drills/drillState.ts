/**
 * What a run keeps of its drill while it goes through restore-running, verifying and cleaning-up: the handles to
 * find everything again after a crash (the restore request time, operation and job, the drill VM's id), the phase
 * times that make the measured RTO, and the outcome. Written only by the drill phases (runs/phases/).
 */
import type { JobErrorDetail, JobStatus, RecoveryPointType } from '../azure/backupGateway';
import type { IntegrityVerdict } from './integrityVerdict';
import type { DrillVerifierFacts } from './drillOutcome';

/** The stage of a drill that failed or could not conclude. */
export type DrillFailureStage = 'target' | 'restore' | 'boot' | 'agent' | 'isolation' | 'verify' | 'iris' | 'integrity';

export type DrillVerdict = 'passed' | 'failed' | 'inconclusive';

export interface DrillOutcome {
  verdict: DrillVerdict;
  /** Set unless passed. */
  stage?: DrillFailureStage;
  /** Why, in one sentence an operator can act on. */
  reason: string;
  /** What a pass should still say (e.g. not frozen at the snapshot: crash recovery ran). */
  notes: string[];
  at: string;
}

/** The point the drill restores: tonight's by default, or a sampled older one. */
export interface DrillPoint {
  name: string;
  time: string;
  type: RecoveryPointType;
  /** snapshot: restored from the snapshot tier (Instant Restore); vault: from the vault tier. */
  tier: 'snapshot' | 'vault';
  /** The point was sampled from older ones (drill policy olderPointEvery). */
  sampled?: boolean;
}

export interface DrillCleanup {
  /** Resources tagged by this run (claimed), by ARM id. */
  claimed: string[];
  /** The claim has looked for what the restore created (the VM and its resources, or disks a failed creation left). */
  claimedAt?: string;
  /** Deletes attempted and failed in a row; the next attempt waits (backoff). */
  failures: number;
  nextAttemptAt?: string;
  lastError?: string;
  /** Kept for investigation until then (failed drills, IBG_DRILL_KEEP_HOURS); the daily sweep deletes them. */
  keptUntil?: string;
  /** Everything claimed is gone. */
  deletedAt?: string;
}

export interface RunDrill {
  /** The drill VM's name and id (the restore's targetVirtualMachineId). */
  vmName: string;
  vmId: string;
  /** When the run chose to drill; it waits for a slot in the subscription's drill budget until `startedAt`. */
  queuedAt: string;
  startedAt?: string;
  point?: DrillPoint;
  /**
   * Asked for by an operator (`iris-backup-guard drill`) in a drill-only run (runs/drillRun.ts): its point is the
   * one chosen, never replaced by a sampled older one.
   */
  onDemand?: boolean;
  /** Older points are being listed to sample one (olderPointEvery). */
  listingPoints?: boolean;
  /**
   * Set before the restore is sent; never set twice (no second restore for a run): a lost request is asked once
   * more only when the vault lists no restore job for the VM after a grace period (`retriggeredAt`).
   */
  restoreRequestedAt?: string;
  retriggeredAt?: string;
  /** The restore created nothing for sure: refused (checks, Azure 4xx), or its operation failed without a job. */
  restoreRefused?: boolean;
  /** A vault job list read after the grace period showed no restore job for the latest request. */
  restoreAbsentAt?: string;
  operationId?: string;
  restoreJobId?: string;
  restoreJobStatus?: JobStatus;
  restoreJobStart?: string;
  restoreJobEnd?: string;
  restoreErrors?: JobErrorDetail[];
  /** The source VM's private `ip:port`s the verifier checks are unreachable (read with the target checks). */
  productionAddresses?: string[];
  /** The region the restore creates the VM in (the source VM's). */
  region?: string;
  /** First seen running, and agent ready (tick granularity). */
  vmRunningAt?: string;
  agentReadyAt?: string;
  /** The verifier's summary, as parsed from its Run Command output. */
  verifier?: DrillVerifierFacts;
  /** The blob holding the verifier's whole output (outputBlobUri). */
  evidenceBlob?: string;
  /** The integrity verdict, from the whole output when it could be read, else the summary. */
  integrity?: IntegrityVerdict;
  /** Set while the evidence blob is being read. */
  readingEvidence?: boolean;
  outcome?: DrillOutcome;
  /** The drill record was written (drill store, insert-only). */
  recordedAt?: string;
  cleanup: DrillCleanup;
}
