/**
 * The IBG_ALERT_* settings: where alerts go besides the log, from which severity, and how often a problem that
 * stays open is told again. Target URLs and keys are secrets (a Slack or Teams webhook URL is its own credential):
 * they may be Key Vault references, which the platform resolves before the app starts, and are never logged.
 */
import type { Severity } from '../checks/finding';

export interface AlertTargetSettings {
  /** Secret. */
  url: string;
  /** The least severe alert this target receives (default IBG_ALERT_MIN_SEVERITY). */
  minSeverity: Severity;
}

export interface AlertSettings {
  /** IBG_ALERT_MIN_SEVERITY (default warning): the default least severity for every target. */
  minSeverity: Severity;
  /** IBG_ALERT_RENOTIFY_MINUTES: an open problem is told again after this long, not every tick. */
  renotifyMinutes: number;
  /** IBG_ALERT_WEBHOOK_URL (+ _SECRET for the HMAC signature, + _MIN_SEVERITY). */
  webhook?: AlertTargetSettings & { /** Secret. */ signingSecret?: string };
  /** IBG_ALERT_TEAMS_WEBHOOK_URL (a Teams Workflows webhook). */
  teams?: AlertTargetSettings;
  /** IBG_ALERT_SLACK_WEBHOOK_URL (an incoming webhook). */
  slack?: AlertTargetSettings;
  /** IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT (+ _KEY; without a key the managed identity publishes). */
  eventGrid?: AlertTargetSettings & { /** Secret. */ key?: string };
}
