/**
 * A run's remediation track: the read-only frozen-IRIS check of its VM and, when IBG_AUTO_THAW allows, the thaw and
 * the check after it. Plain JSON inside the run; phases/remediation.ts is the only code that changes it.
 */
import type { RunScript } from '../runs/run';

/** Who asked for the check. */
export type RemediationSource = 'verdict' | 'preflight' | 'monitor-alert' | 'event' | 'operator';

export type RemediationStep =
  /** The frozen check runs. */
  | 'checking'
  /** Frozen, auto-thaw on: waiting until no backup of the VM is in its snapshot phase, then for the VM's lease. */
  | 'awaiting-thaw'
  | 'thawing'
  /** The check after the thaw. */
  | 'verifying-thaw'
  /**
   * Frozen and not thawed by the app (auto-thaw off, or its thaw failed or was kept from starting): the read-only
   * check is repeated so that a thaw by hand is announced.
   */
  | 'watching'
  | 'done';

export type RemediationOutcome =
  | 'not-frozen'
  /** The check could not say (no answer, an unknown state): the alert says how to check by hand. */
  | 'check-failed'
  | 'thawed'
  /** Thawed by someone else (or by IRIS's own WDSuspendLimit) while the app watched. */
  | 'thawed-elsewhere'
  /** The check after the app's thaw gave no answer. */
  | 'thaw-failed'
  /** Still frozen when the app stopped watching. */
  | 'left-frozen';

export interface RunRemediation {
  source: RemediationSource;
  reason: string;
  requestedAt: string;
  step: RemediationStep;
  /** When the current step began (its own time limit). */
  stepStartedAt: string;
  /** The Run Command of the current step: its own slot, since the run's `script` may be busy with its stage's. */
  script?: RunScript;
  /** Instances the last check found frozen. */
  frozen?: string[];
  /** IRIS or Caché, as the check found: the manual commands in the alerts use that product's. */
  product?: 'iris' | 'cache';
  /** A thaw may run: the VM's lease is held until then. */
  leaseUntil?: string;
  /** Why the thaw is waiting (a snapshot in progress, the lease held by another run), for the alert and status. */
  waitingFor?: string;
  /** When the watch (auto-thaw off) last checked. */
  lastCheckAt?: string;
  /** Set with step 'done'. */
  outcome?: RemediationOutcome;
  finishedAt?: string;
  /** What the thaw script reported per instance, shortened. */
  thawSummary?: string;
}

export const isRemediating = (r: RunRemediation | undefined): r is RunRemediation =>
  r !== undefined && r.step !== 'done';
