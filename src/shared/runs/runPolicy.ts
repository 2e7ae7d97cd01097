/** The settings `decide` needs, in milliseconds; built from the app settings by the shell. */
import type { DrillPolicy } from '../drills/drillPolicy';
import type { ActiveStage } from './run';

export interface RunPolicy {
  /** Every active stage ends the run as 'timed-out' when it lasts longer than its limit. */
  stageLimitsMs: Record<ActiveStage, number>;
  /** Recovery point expiry = trigger time + this many days. */
  retentionDays: number;
  /** Skip the backup when the preflight predicts no snapshot or IRIS left frozen. */
  skipBackupOnBlockingFindings: boolean;
  /** A command started this long ago without a result (the instance crashed) is started again by the next tick. */
  retryAfterMs: number;
  /** A Run Command's own time-out (timeoutInSeconds), after which Azure ends the script. */
  scriptTimeoutMs: number;
  /** Starts of one script: a Run Command skipped for parallelism or gone from the VM is started again until this. */
  scriptAttempts: number;
  /** Restore drills (IBG_DRILL_ENABLED): absent when off. */
  drill?: DrillPolicy;
  remediation: RemediationPolicy;
}

/** The frozen-IRIS check and thaw (phases/remediation.ts). */
export interface RemediationPolicy {
  /** IBG_AUTO_THAW: a frozen IRIS is thawed by the app (vm/thaw.sh); off, the alert says what to run. */
  autoThaw: boolean;
  /**
   * The thaw's own Run Command time-out: vm/thaw.sh bounds each call (90 s for a frozen instance's thaw and its
   * fallback, 12 s for a look), so four instances fit in THAW_TIMEOUT_MS; never shorter than the probes'.
   */
  thawTimeoutMs: number;
  /** How long a thaw may wait for a snapshot in progress or another remediation's lease before it is given up. */
  awaitThawMs: number;
  /** Auto-thaw off: how often a frozen IRIS is checked again (so a thaw by hand is announced), and for how long. */
  watchEveryMs: number;
  watchForMs: number;
}

const MINUTE = 60_000;
/** 12 s for qlist, 90 s per frozen instance (thaw, then stat -W), 12 s per other instance: up to four instances. */
export const THAW_TIMEOUT_MS = 7 * MINUTE;

/** Sensible limits for tests and defaults; the settings override them. */
export const DEFAULT_RUN_POLICY: RunPolicy = {
  stageLimitsMs: {
    preflight: 30 * MINUTE,
    triggering: 30 * MINUTE,
    // A backup job ends within 24 h (Azure's transfer to the vault takes up to eight hours at peak).
    'backup-running': 24 * 60 * MINUTE,
    assessing: 60 * MINUTE,
    'transfer-running': 24 * 60 * MINUTE,
    'restore-running': 6 * 60 * MINUTE,
    verifying: 2 * 60 * MINUTE,
    'cleaning-up': 60 * MINUTE,
  },
  retentionDays: 30,
  skipBackupOnBlockingFindings: false,
  retryAfterMs: 10 * MINUTE,
  scriptTimeoutMs: 5 * MINUTE,
  scriptAttempts: 3,
  remediation: {
    autoThaw: false,
    thawTimeoutMs: THAW_TIMEOUT_MS,
    awaitThawMs: 60 * MINUTE,
    watchEveryMs: 10 * MINUTE,
    watchForMs: 6 * 60 * MINUTE,
  },
};
