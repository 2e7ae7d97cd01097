/**
 * The IBG_ALERT_* settings: where alerts go besides the log, from which severity, and how often a problem that
 * stays open is told again. Target URLs and keys are secrets (a Slack or Teams webhook URL is its own credential):
 * they may be Key Vault references, which the platform resolves before the app starts, and are never logged.
 */
import type { Severity } from '../checks/finding';
import { parseHttpsUrl } from './settingFormats';
import type { SettingReader } from './settingReader';
import { describeSetting, type SettingName } from './settingsCatalogue';

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

/** What the Functions platform leaves in a setting whose Key Vault reference it could not resolve. */
const UNRESOLVED_KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

const SEVERITY_WORDS: readonly Severity[] = ['critical', 'error', 'warning', 'info'];
const parseSeverity = (value: string): Severity | undefined => SEVERITY_WORDS.find((s) => s === value.toLowerCase());
const SEVERITY_RULE = 'is not a severity; use critical, error, warning or info';

const RENOTIFY_MIN = 5;
const RENOTIFY_MAX = 10_080;

/**
 * A secret setting, or undefined. A value still reading `@Microsoft.KeyVault(...)` means the platform could not
 * resolve the reference (the value is not echoed: the reference names the vault and secret).
 */
export const readSecret = (r: SettingReader, name: SettingName): string | undefined => {
  const value = r.raw(name);
  if (value === undefined) return undefined;
  if (UNRESOLVED_KEY_VAULT_REFERENCE.test(value)) {
    r.report(
      name,
      "is still a Key Vault reference: the Functions platform could not resolve it. Check that the app's managed identity has the role Key Vault Secrets User on the vault (or a get-secret access policy), that the vault's network rules let the app in, and that the reference reads @Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>/) or @Microsoft.KeyVault(VaultName=<vault>;SecretName=<name>) (the app's Environment variables blade shows the reference's status)",
      describeSetting(name).example,
    );
    return undefined;
  }
  return value;
};

const readSecretUrl = (r: SettingReader, name: SettingName): string | undefined => {
  const value = readSecret(r, name);
  if (value === undefined) return undefined;
  const url = parseHttpsUrl(value);
  if (url === undefined) r.invalid(name, value, 'is not an https URL');
  return url;
};

const readTarget = (
  r: SettingReader,
  urlName: SettingName,
  minName: SettingName,
  fallback: Severity,
  url: string | undefined,
): AlertTargetSettings | undefined => {
  const min = r.optional(minName, parseSeverity, SEVERITY_RULE);
  if (url === undefined) {
    if (r.isSet(minName) && !r.isSet(urlName)) {
      r.report(
        minName,
        `is set but ${urlName} is not; set the URL too, or remove ${minName}`,
        `${urlName}=${describeSetting(urlName).example}`,
      );
    }
    return undefined;
  }
  return { url, minSeverity: min ?? fallback };
};

/** Reads the IBG_ALERT_* settings; problems are collected in `r`. Secrets are never echoed. */
export const readAlertSettings = (r: SettingReader): AlertSettings => {
  const minSeverity = r.optional('IBG_ALERT_MIN_SEVERITY', parseSeverity, SEVERITY_RULE) ?? 'warning';
  const settings: AlertSettings = {
    minSeverity,
    renotifyMinutes: r.int('IBG_ALERT_RENOTIFY_MINUTES', RENOTIFY_MIN, RENOTIFY_MAX),
  };
  const webhookUrl = readSecretUrl(r, 'IBG_ALERT_WEBHOOK_URL');
  const signingSecret = readSecret(r, 'IBG_ALERT_WEBHOOK_SECRET');
  const webhook = readTarget(r, 'IBG_ALERT_WEBHOOK_URL', 'IBG_ALERT_WEBHOOK_MIN_SEVERITY', minSeverity, webhookUrl);
  if (webhook !== undefined) settings.webhook = signingSecret === undefined ? webhook : { ...webhook, signingSecret };
  const teamsUrl = readSecretUrl(r, 'IBG_ALERT_TEAMS_WEBHOOK_URL');
  const teams = readTarget(r, 'IBG_ALERT_TEAMS_WEBHOOK_URL', 'IBG_ALERT_TEAMS_MIN_SEVERITY', minSeverity, teamsUrl);
  if (teams !== undefined) settings.teams = teams;
  const slackUrl = readSecretUrl(r, 'IBG_ALERT_SLACK_WEBHOOK_URL');
  const slack = readTarget(r, 'IBG_ALERT_SLACK_WEBHOOK_URL', 'IBG_ALERT_SLACK_MIN_SEVERITY', minSeverity, slackUrl);
  if (slack !== undefined) settings.slack = slack;
  const topic = r.optional('IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT', parseHttpsUrl, 'is not an https URL');
  const key = readSecret(r, 'IBG_ALERT_EVENTGRID_TOPIC_KEY');
  const eventGrid = readTarget(
    r,
    'IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT',
    'IBG_ALERT_EVENTGRID_MIN_SEVERITY',
    minSeverity,
    topic,
  );
  if (eventGrid !== undefined) settings.eventGrid = key === undefined ? eventGrid : { ...eventGrid, key };
  return settings;
};

/** IBG_ALERT_INTAKE_KEYS: the keys the Azure Monitor alert intake accepts; empty, it refuses every call. */
export const readIntakeKeys = (r: SettingReader): string[] => {
  const value = readSecret(r, 'IBG_ALERT_INTAKE_KEYS');
  if (value === undefined) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== ''),
    ),
  ];
};
