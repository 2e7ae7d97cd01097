/** The state machine's policy, from the app settings. */
import type { Settings } from '../config/settings';
import type { RunPolicy } from '../runs/runPolicy';

const MINUTE = 60_000;

export function runPolicyOf(settings: Settings): RunPolicy {
  const l = settings.stageLimitsInMinutes;
  return {
    stageLimitsMs: {
      preflight: l.preflight * MINUTE,
      // Triggering is a job lookup and one POST; it shares the preflight limit rather than adding a setting.
      triggering: l.preflight * MINUTE,
      'backup-running': l.backup * MINUTE,
      assessing: l.assess * MINUTE,
      'restore-running': l.restore * MINUTE,
      verifying: l.verify * MINUTE,
      'cleaning-up': l.cleanup * MINUTE,
    },
    retentionDays: settings.recoveryPointRetentionDays,
    skipBackupOnBlockingFindings: settings.skipBackupOnBlockingFindings,
    // A command still pending after two Run Command time-outs belongs to an instance that is gone.
    retryAfterMs: Math.max(5 * MINUTE, 2 * settings.runCommandTimeoutInSeconds * 1000),
    drillsEnabled: settings.drill.enabled,
  };
}
