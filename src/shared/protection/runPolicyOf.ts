/** The state machine's policy, from the app settings. */
import type { Settings } from '../config/settings';
import { RETRIGGER_GRACE_MS } from '../runs/decide';
import { DEFAULT_RUN_POLICY, THAW_TIMEOUT_MS, type RunPolicy } from '../runs/runPolicy';
import type { DrillSettings } from '../config/drillSettings';
import type { DrillPolicy } from '../drills/drillPolicy';

const MINUTE = 60_000;

export function runPolicyOf(settings: Settings): RunPolicy {
  const l = settings.stageLimitsInMinutes;
  const d = settings.drills;
  // A command still pending after two Run Command time-outs belongs to an instance that is gone.
  const retryAfterMs = Math.max(5 * MINUTE, 2 * settings.runCommandTimeoutInSeconds * 1000);
  return {
    stageLimitsMs: {
      preflight: l.preflight * MINUTE,
      // Triggering is a job lookup and one POST; it shares the preflight limit rather than adding a setting, plus
      // the wait before a request that left no job may be repeated (decide.ts, RETRIGGER_GRACE_MS), plus two retry
      // intervals, so that the repeated request still has tries left when a fault meets it too (a 25-minute limit
      // left it two ticks, and the fleet under faults saw a VM lose its night).
      triggering: l.preflight * MINUTE + Math.max(RETRIGGER_GRACE_MS, retryAfterMs) + 2 * retryAfterMs,
      'backup-running': l.backup * MINUTE,
      assessing: l.assess * MINUTE,
      // The transfer to the vault after the snapshot takes hours; it gets the backup limit again.
      'transfer-running': l.backup * MINUTE,
      'restore-running':
        (d?.limitsInMinutes.restore ?? 0) * MINUTE || DEFAULT_RUN_POLICY.stageLimitsMs['restore-running'],
      verifying: (d?.limitsInMinutes.verify ?? 0) * MINUTE || DEFAULT_RUN_POLICY.stageLimitsMs.verifying,
      'cleaning-up': (d?.limitsInMinutes.cleanup ?? 0) * MINUTE || DEFAULT_RUN_POLICY.stageLimitsMs['cleaning-up'],
    },
    retentionDays: settings.recoveryPointRetentionDays,
    skipBackupOnBlockingFindings: settings.skipBackupOnBlockingFindings,
    retryAfterMs,
    scriptTimeoutMs: settings.runCommandTimeoutInSeconds * 1000,
    scriptAttempts: DEFAULT_RUN_POLICY.scriptAttempts,
    remediation: {
      ...DEFAULT_RUN_POLICY.remediation,
      autoThaw: settings.autoThaw,
      thawTimeoutMs: Math.max(THAW_TIMEOUT_MS, settings.runCommandTimeoutInSeconds * 1000),
    },
    ...(d === undefined ? {} : { drill: drillPolicyOf(d) }),
  };
}

export const drillPolicyOf = (d: DrillSettings): DrillPolicy => ({
  schedule: d.schedule,
  target: d.target,
  keepFailedMs: d.keepFailedHours * 60 * MINUTE,
  perSubscription: d.maxConcurrentPerSubscription,
  verifyTimeoutMs: d.verifyTimeoutMinutes * MINUTE,
  irisUpSeconds: d.irisStartMinutes * 60,
  olderPointEvery: d.olderPointEvery,
  staleAfterDays: d.staleAfterDays,
});
