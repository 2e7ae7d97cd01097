/**
 * The app's settings, read and validated once at start-up. `loadSettings(process.env)` either returns a typed
 * object or throws one ConfigError that lists every bad or missing setting (each with an example of a good value).
 * The catalogue in settingsCatalogue.ts documents each setting; secrets never appear in messages or logs.
 * The Functions app also needs its timer schedules: functionAppSettings.ts reads both in one pass.
 */
import { ConfigError } from '../errors/appError';
import { formatVaultId, formatVmId, parseVaultId, parseVmId } from '../azure/armResourceId';
import type { VaultRef } from '../azure/backupGateway';
import { REDACTED, redactSecretsDeep } from './redactSecrets';
import {
  parseGuid,
  parseHttpsBaseUrl,
  parseStorageConnectionString,
  parseTableName,
  parseTag,
  parseTimeZone,
  type TagSelector,
} from './settingFormats';
import { readAlertSettings, readIntakeKeys, type AlertSettings } from './alertSettings';
import { readDrillSettings, type DrillSettings } from './drillSettings';
import { readEvidenceSettings, type EvidenceStoreSettings } from './evidenceSettings';
import { SettingReader } from './settingReader';
import { describeSetting, type SettingName } from './settingsCatalogue';

export type { TagSelector } from './settingFormats';

export interface EnrollmentSettings {
  /** IBG_ENROLL_TAG: protected VMs carrying this tag are enrolled. */
  tag?: TagSelector;
  /** IBG_ENROLL_VM_IDS, canonical spelling, without duplicates. */
  vmIds: string[];
}

/**
 * How nights are named. The timer schedules themselves (IBG_NIGHTLY_SCHEDULE, IBG_ADVANCE_SCHEDULE) are read by the
 * Functions host, not by the use cases: see timerSchedules.ts.
 */
export interface ScheduleSettings {
  /** IBG_NIGHT_TIME_ZONE, canonical IANA name. */
  nightTimeZone: string;
}

/**
 * IBG_LIMIT_*_MINUTES: time limit of each run stage that runs today. The drill stages keep the run policy's
 * defaults until drills exist (their settings are planned, see PLANNED_SETTINGS).
 */
export interface StageLimitsInMinutes {
  preflight: number;
  backup: number;
  assess: number;
}

/** Where runs are stored: exactly one of IBG_RUNS_TABLE_ENDPOINT / IBG_RUNS_TABLE_CONNECTION_STRING. */
export type RunsTableSettings =
  | { kind: 'endpoint'; endpoint: string; tableName: string }
  | { kind: 'connectionString'; /** Secret: never log it. */ connectionString: string; tableName: string };

export interface AzureEndpointSettings {
  /** AZURE_ARM_ENDPOINT, without a trailing slash. Every ARM client uses it. */
  armEndpoint: string;
  /** AZURE_LOGS_ENDPOINT, else derived from armEndpoint; used as given by LogsQueryClient (so it includes /v1). */
  logsEndpoint: string;
}

export interface Settings {
  /** IBG_VAULT_IDS, parsed. */
  vaults: VaultRef[];
  enrollment: EnrollmentSettings;
  schedules: ScheduleSettings;
  /** IBG_RECOVERY_POINT_RETENTION_DAYS. */
  recoveryPointRetentionDays: number;
  /** IBG_MAX_CONCURRENCY. */
  maxConcurrency: number;
  /** IBG_RUN_COMMAND_TIMEOUT_SECONDS. */
  runCommandTimeoutInSeconds: number;
  /** IBG_RUN_COMMANDS_PER_SUBSCRIPTION. */
  runCommandsPerSubscription: number;
  stageLimitsInMinutes: StageLimitsInMinutes;
  /** IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS. */
  skipBackupOnBlockingFindings: boolean;
  runsTable: RunsTableSettings;
  azure: AzureEndpointSettings;
  /** IBG_POLL_INTERVAL_MS. */
  pollIntervalInMs: number;
  /** IBG_EVIDENCE_CONTAINER_URL, else the connection string's account (evidenceSettings.ts); absent without either. */
  evidence?: EvidenceStoreSettings;
  /** IBG_DRILL_*: absent when drills are off. */
  drills?: DrillSettings;
  /** IBG_ALERT_*: notification targets, severities, re-notify interval (alertSettings.ts). Secrets inside. */
  alerts: AlertSettings;
  /** IBG_AUTO_THAW: a frozen IRIS found after a backup is thawed by the app. */
  autoThaw: boolean;
  /** IBG_ALERT_INTAKE_KEYS (secrets): empty, the Azure Monitor alert intake refuses every call. */
  intakeKeys: string[];
  /** IBG_RPO_TARGET_HOURS, IBG_RTO_TARGET_MINUTES, IBG_API_AUTH: what the evidence views measure against. */
  reporting: ReportingSettings;
  /** IBG_LOG_ANALYTICS_WORKSPACE_ID: absent, there is no daily reconcile. */
  logAnalytics?: { workspaceId: string };
}

export interface ReportingSettings {
  rpoTargetHours: number;
  rtoTargetMinutes: number;
  apiAuth: 'function-key' | 'app-service';
}

const API_AUTH = ['function-key', 'app-service'] as const;
export const parseApiAuth = (v: string): ReportingSettings['apiAuth'] | undefined =>
  (API_AUTH as readonly string[]).includes(v.trim().toLowerCase())
    ? (v.trim().toLowerCase() as ReportingSettings['apiAuth'])
    : undefined;

const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
const DEFAULT_LOGS_ENDPOINT = 'https://api.loganalytics.io/v1';
const STAGE_LIMIT_MAX_MINUTES = 2880;

/** Reads and validates every app setting; throws one ConfigError listing every problem. */
export const loadSettings = (env: Record<string, string | undefined>): Settings => {
  const r = new SettingReader(env);
  const settings = readSettings(r);
  throwIfProblems(r);
  return settings;
};

/** Reads every setting the use cases need; problems are collected in `r` (see throwIfProblems). */
export const readSettings = (r: SettingReader): Settings => {
  const vaults = readVaults(r);
  const enrollment = readEnrollment(r);
  const schedules: ScheduleSettings = {
    nightTimeZone: r.optional('IBG_NIGHT_TIME_ZONE', parseTimeZone, 'is not an IANA time zone name') ?? 'UTC',
  };
  const limit = (name: SettingName): number => r.int(name, 1, STAGE_LIMIT_MAX_MINUTES);
  const access = readVmAccessSettings(r);
  const settings: Settings = {
    vaults,
    enrollment,
    schedules,
    recoveryPointRetentionDays: r.int('IBG_RECOVERY_POINT_RETENTION_DAYS', 1, 99),
    maxConcurrency: r.int('IBG_MAX_CONCURRENCY', 1, 64),
    runCommandTimeoutInSeconds: access.runCommandTimeoutInSeconds,
    runCommandsPerSubscription: r.int('IBG_RUN_COMMANDS_PER_SUBSCRIPTION', 1, 500),
    stageLimitsInMinutes: {
      preflight: limit('IBG_LIMIT_PREFLIGHT_MINUTES'),
      backup: limit('IBG_LIMIT_BACKUP_MINUTES'),
      assess: limit('IBG_LIMIT_ASSESS_MINUTES'),
    },
    skipBackupOnBlockingFindings: r.bool('IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS'),
    runsTable: readRunsTable(r),
    azure: azureEndpoints(
      access.armEndpoint,
      r.optional('AZURE_LOGS_ENDPOINT', parseHttpsBaseUrl, 'is not an https URL without query'),
    ),
    pollIntervalInMs: access.pollIntervalInMs,
    alerts: readAlertSettings(r),
    autoThaw: r.bool('IBG_AUTO_THAW'),
    intakeKeys: readIntakeKeys(r),
    reporting: {
      rpoTargetHours: r.int('IBG_RPO_TARGET_HOURS', 1, 8760),
      rtoTargetMinutes: r.int('IBG_RTO_TARGET_MINUTES', 1, 10080),
      apiAuth: r.optional('IBG_API_AUTH', parseApiAuth, 'is not function-key or app-service') ?? 'function-key',
    },
  };
  const evidence = readEvidenceSettings(r);
  if (evidence !== undefined) settings.evidence = evidence;
  const drills = readDrillSettings(r);
  if (drills !== undefined) settings.drills = drills;
  const workspaceId = r.optional('IBG_LOG_ANALYTICS_WORKSPACE_ID', parseGuid, 'is not a workspace id (a GUID)');
  if (workspaceId !== undefined) settings.logAnalytics = { workspaceId };
  return settings;
};

/** What reaching one VM by Run Command needs (the CLI's `check --vm`/`install --vm`): no vaults, enrolment or table. */
export interface VmAccessSettings {
  armEndpoint: string;
  runCommandTimeoutInSeconds: number;
  pollIntervalInMs: number;
}

export const loadVmAccessSettings = (env: Record<string, string | undefined>): VmAccessSettings => {
  const r = new SettingReader(env);
  const settings = readVmAccessSettings(r);
  throwIfProblems(r);
  return settings;
};

const readVmAccessSettings = (r: SettingReader): VmAccessSettings => ({
  armEndpoint:
    r.optional('AZURE_ARM_ENDPOINT', parseHttpsBaseUrl, 'is not an https URL without query') ?? DEFAULT_ARM_ENDPOINT,
  runCommandTimeoutInSeconds: r.int('IBG_RUN_COMMAND_TIMEOUT_SECONDS', 30, 5400),
  pollIntervalInMs: r.int('IBG_POLL_INTERVAL_MS', 0, 600_000),
});

/** Throws one ConfigError naming every problem `r` collected; does nothing when there is none. */
export const throwIfProblems = (r: SettingReader): void => {
  if (r.problems.length === 1 && r.problems[0] !== undefined) {
    throw new ConfigError(r.problems[0].setting, r.problems[0].message);
  }
  if (r.problems.length > 1) {
    const lines = r.problems.map((p) => `- ${p.message}`).join('\n');
    throw new ConfigError(
      r.problems.map((p) => p.setting).join(', '),
      `${r.problems.length} app settings are invalid:\n${lines}`,
    );
  }
};

const readVaults = (r: SettingReader): VaultRef[] => {
  if (r.required('IBG_VAULT_IDS') === undefined) return [];
  const refs = r.list('IBG_VAULT_IDS', parseVaultId, 'is not a Recovery Services vault resource id');
  return dedupe(refs.map((ref) => ({ id: formatVaultId(ref), ...ref })));
};

const readEnrollment = (r: SettingReader): EnrollmentSettings => {
  const tag = r.optional('IBG_ENROLL_TAG', parseTag, 'is not a tag written name=value');
  const vmIds = dedupe(
    r
      .list('IBG_ENROLL_VM_IDS', parseVmId, 'is not a virtual machine resource id')
      .map((ref) => ({ id: formatVmId(ref) })),
  ).map((v) => v.id);
  if (!r.isSet('IBG_ENROLL_TAG') && !r.isSet('IBG_ENROLL_VM_IDS')) {
    r.report(
      'IBG_ENROLL_TAG / IBG_ENROLL_VM_IDS',
      'neither is set; set at least one to choose which VMs are enrolled',
      `IBG_ENROLL_TAG=${describeSetting('IBG_ENROLL_TAG').example}`,
    );
  }
  return tag === undefined ? { vmIds } : { tag, vmIds };
};

const readRunsTable = (r: SettingReader): RunsTableSettings => {
  const tableName = r.optional('IBG_RUNS_TABLE_NAME', parseTableName, TABLE_NAME_RULE) ?? 'ibgruns';
  const endpoint = r.optional('IBG_RUNS_TABLE_ENDPOINT', parseHttpsBaseUrl, 'is not an https URL');
  const connectionString = r.optional(
    'IBG_RUNS_TABLE_CONNECTION_STRING',
    parseStorageConnectionString,
    'is not a storage connection string',
  );
  const both = r.isSet('IBG_RUNS_TABLE_ENDPOINT') && r.isSet('IBG_RUNS_TABLE_CONNECTION_STRING');
  const neither = !r.isSet('IBG_RUNS_TABLE_ENDPOINT') && !r.isSet('IBG_RUNS_TABLE_CONNECTION_STRING');
  if (both || neither) {
    r.report(
      'IBG_RUNS_TABLE_ENDPOINT / IBG_RUNS_TABLE_CONNECTION_STRING',
      `${both ? 'both are set' : 'neither is set'}; set exactly one`,
      `IBG_RUNS_TABLE_ENDPOINT=${describeSetting('IBG_RUNS_TABLE_ENDPOINT').example}`,
    );
  }
  if (connectionString !== undefined && endpoint === undefined) {
    return { kind: 'connectionString', connectionString, tableName };
  }
  return { kind: 'endpoint', endpoint: endpoint ?? '', tableName };
};

const TABLE_NAME_RULE = 'is not a valid table name (3-63 letters and digits, starting with a letter)';

const azureEndpoints = (armEndpoint: string, logs: string | undefined): AzureEndpointSettings => {
  // Unset: a sandbox or proxy that stands in for ARM also answers Log Analytics queries under /v1.
  const derived = armEndpoint === DEFAULT_ARM_ENDPOINT ? DEFAULT_LOGS_ENDPOINT : `${armEndpoint}/v1`;
  return { armEndpoint, logsEndpoint: logs ?? derived };
};

/** ARM ids are case-insensitive: keep the first spelling of each. */
const dedupe = <T extends { id: string }>(items: T[]): T[] => {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = item.id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/**
 * The settings as a plain object that is safe to log: the secret setting is replaced by "[redacted]", and secrets
 * pasted into any other value are redacted too (redactSecrets.ts).
 */
export const describeSettings = (settings: Settings): Record<string, unknown> => {
  const { runsTable, evidence, alerts, intakeKeys, ...rest } = settings;
  const described = {
    ...rest,
    alerts: describeAlertSettings(alerts),
    intakeKeys: intakeKeys.map(() => REDACTED),
    runsTable: runsTable.kind === 'connectionString' ? { ...runsTable, connectionString: REDACTED } : runsTable,
    ...(evidence === undefined
      ? {}
      : { evidence: evidence.kind === 'connectionString' ? { ...evidence, connectionString: REDACTED } : evidence }),
  };
  return redactSecretsDeep(described) as Record<string, unknown>;
};

const describeAlertSettings = (alerts: AlertSettings): Record<string, unknown> => {
  const { webhook, teams, slack, eventGrid, ...rest } = alerts;
  const hide = <T extends { url: string }>(t: T | undefined): T | undefined =>
    t === undefined ? undefined : { ...t, url: REDACTED };
  return {
    ...rest,
    ...(webhook === undefined
      ? {}
      : { webhook: { ...hide(webhook), ...(webhook.signingSecret === undefined ? {} : { signingSecret: REDACTED }) } }),
    ...(teams === undefined ? {} : { teams: hide(teams) }),
    ...(slack === undefined ? {} : { slack: hide(slack) }),
    // The topic endpoint is not a secret; its key is.
    ...(eventGrid === undefined
      ? {}
      : { eventGrid: { ...eventGrid, ...(eventGrid.key === undefined ? {} : { key: REDACTED }) } }),
  };
};
