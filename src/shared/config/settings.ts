/**
 * The app's settings, read and validated once at start-up. `loadSettings(process.env)` either returns a typed
 * object or throws one ConfigError that lists every bad or missing setting (each with an example of a good value).
 * The catalogue in settingsCatalogue.ts documents each setting; secrets never appear in messages or logs.
 */
import type { Severity } from '../checks/finding';
import { ConfigError } from '../errors/appError';
import {
  formatResourceGroupId,
  formatStorageAccountId,
  formatSubnetId,
  formatVaultId,
  formatVmId,
  parseResourceGroupId,
  parseStorageAccountId,
  parseSubnetId,
  parseVaultId,
  parseVmId,
} from '../gateways/armResourceId';
import type { VaultRef } from '../gateways/backupGateway';
import { checkNcrontab } from './ncrontab';
import {
  parseGuid,
  parseHttpsBaseUrl,
  parseHttpsUrl,
  parseStorageConnectionString,
  parseTableName,
  parseTag,
  parseTimeZone,
  type TagSelector,
} from './settingFormats';
import { SettingReader } from './settingReader';
import { describeSetting, type SettingName } from './settingsCatalogue';

export type { TagSelector } from './settingFormats';

export interface EnrollmentSettings {
  /** IBG_ENROLL_TAG: protected VMs carrying this tag are enrolled. */
  tag?: TagSelector;
  /** IBG_ENROLL_VM_IDS, canonical spelling, without duplicates. */
  vmIds: string[];
}

export interface ScheduleSettings {
  /** IBG_NIGHTLY_SCHEDULE, 6-field NCRONTAB. */
  nightly: string;
  /** IBG_ADVANCE_SCHEDULE, 6-field NCRONTAB. */
  advance: string;
  /** IBG_NIGHT_TIME_ZONE, canonical IANA name. */
  nightTimeZone: string;
}

/** IBG_LIMIT_*_MINUTES: time limit of each run stage. */
export interface StageLimitsInMinutes {
  preflight: number;
  backup: number;
  assess: number;
  restore: number;
  verify: number;
  cleanup: number;
}

export type DrillSettings =
  | { enabled: false; keepHours: number }
  | {
      enabled: true;
      /** IBG_DRILL_RESOURCE_GROUP_ID (canonical spelling). */
      resourceGroupId: string;
      /** IBG_DRILL_SUBNET_ID (canonical spelling). */
      subnetId: string;
      /** IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID (canonical spelling). */
      stagingStorageAccountId: string;
      /** IBG_DRILL_KEEP_HOURS: 0 deletes the drill VM as soon as it is verified. */
      keepHours: number;
    };

export interface AlertSettings {
  /** IBG_ALERT_WEBHOOK_URL. Secret: never log it (describeSettings redacts it). */
  webhookUrl?: string;
  /** IBG_ALERT_MIN_SEVERITY. */
  minSeverity: Severity;
}

/** Where runs are stored: exactly one of IBG_RUNS_TABLE_ENDPOINT / IBG_RUNS_TABLE_CONNECTION_STRING. */
export type RunsTableSettings =
  | { kind: 'endpoint'; endpoint: string; tableName: string }
  | { kind: 'connectionString'; /** Secret: never log it. */ connectionString: string; tableName: string };

export interface AzureEndpointSettings {
  /** AZURE_ARM_ENDPOINT, without a trailing slash. Every ARM client uses it. */
  armEndpoint: string;
  /** AZURE_LOGS_ENDPOINT, used as given by LogsQueryClient (so it includes /v1). */
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
  stageLimitsInMinutes: StageLimitsInMinutes;
  /** IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS. */
  skipBackupOnBlockingFindings: boolean;
  drill: DrillSettings;
  alerts: AlertSettings;
  /** IBG_AUTO_THAW. */
  autoThaw: boolean;
  /** IBG_LOG_ANALYTICS_WORKSPACE_ID (lower-case GUID). */
  logAnalyticsWorkspaceId?: string;
  runsTable: RunsTableSettings;
  azure: AzureEndpointSettings;
  /** IBG_POLL_INTERVAL_MS. */
  pollIntervalInMs: number;
}

const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'info'];
const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
const DEFAULT_LOGS_ENDPOINT = 'https://api.loganalytics.io/v1';
const STAGE_LIMIT_MAX_MINUTES = 2880;

/** Reads and validates every app setting; throws one ConfigError listing every problem. */
export const loadSettings = (env: Record<string, string | undefined>): Settings => {
  const r = new SettingReader(env);

  const vaults = readVaults(r);
  const enrollment = readEnrollment(r);
  const schedules: ScheduleSettings = {
    nightly: readSchedule(r, 'IBG_NIGHTLY_SCHEDULE'),
    advance: readSchedule(r, 'IBG_ADVANCE_SCHEDULE'),
    nightTimeZone: r.optional('IBG_NIGHT_TIME_ZONE', parseTimeZone, 'is not an IANA time zone name') ?? 'UTC',
  };
  const limit = (name: SettingName): number => r.int(name, 1, STAGE_LIMIT_MAX_MINUTES);
  const settings: Settings = {
    vaults,
    enrollment,
    schedules,
    recoveryPointRetentionDays: r.int('IBG_RECOVERY_POINT_RETENTION_DAYS', 1, 99),
    maxConcurrency: r.int('IBG_MAX_CONCURRENCY', 1, 64),
    runCommandTimeoutInSeconds: r.int('IBG_RUN_COMMAND_TIMEOUT_SECONDS', 30, 5400),
    stageLimitsInMinutes: {
      preflight: limit('IBG_LIMIT_PREFLIGHT_MINUTES'),
      backup: limit('IBG_LIMIT_BACKUP_MINUTES'),
      assess: limit('IBG_LIMIT_ASSESS_MINUTES'),
      restore: limit('IBG_LIMIT_RESTORE_MINUTES'),
      verify: limit('IBG_LIMIT_VERIFY_MINUTES'),
      cleanup: limit('IBG_LIMIT_CLEANUP_MINUTES'),
    },
    skipBackupOnBlockingFindings: r.bool('IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS'),
    drill: readDrill(r),
    alerts: readAlerts(r),
    autoThaw: r.bool('IBG_AUTO_THAW'),
    logAnalyticsWorkspaceId: r.optional('IBG_LOG_ANALYTICS_WORKSPACE_ID', parseGuid, 'is not a workspace id (a GUID)'),
    runsTable: readRunsTable(r),
    azure: readAzureEndpoints(r),
    pollIntervalInMs: r.int('IBG_POLL_INTERVAL_MS', 0, 600_000),
  };
  if (settings.logAnalyticsWorkspaceId === undefined) delete settings.logAnalyticsWorkspaceId;

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
  return settings;
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

const readSchedule = (r: SettingReader, name: SettingName): string => {
  const value = r.raw(name) ?? '';
  const problem = checkNcrontab(value);
  if (problem === undefined) return value.split(/\s+/).join(' ');
  r.invalid(name, value, `is not a 6-field NCRONTAB schedule: ${problem}`);
  return describeSetting(name).default ?? '';
};

const readDrill = (r: SettingReader): DrillSettings => {
  const enabled = r.bool('IBG_DRILL_ENABLED');
  const keepHours = r.int('IBG_DRILL_KEEP_HOURS', 0, 720);
  // Ids are checked even when drills are off, so that a typo does not wait for the day drills are enabled.
  const resourceGroup = r.optional('IBG_DRILL_RESOURCE_GROUP_ID', parseResourceGroupId, 'is not a resource group id');
  const subnet = r.optional('IBG_DRILL_SUBNET_ID', parseSubnetId, 'is not a virtual network subnet resource id');
  const storage = r.optional(
    'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    parseStorageAccountId,
    'is not a storage account resource id',
  );
  if (!enabled) return { enabled, keepHours };
  const requiredForDrills: SettingName[] = [
    'IBG_DRILL_RESOURCE_GROUP_ID',
    'IBG_DRILL_SUBNET_ID',
    'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
  ];
  for (const name of requiredForDrills.filter((n) => !r.isSet(n))) {
    r.report(name, 'not set; it is required when IBG_DRILL_ENABLED is true', describeSetting(name).example);
  }
  return {
    enabled,
    resourceGroupId: resourceGroup === undefined ? '' : formatResourceGroupId(resourceGroup),
    subnetId: subnet === undefined ? '' : formatSubnetId(subnet),
    stagingStorageAccountId: storage === undefined ? '' : formatStorageAccountId(storage),
    keepHours,
  };
};

const readAlerts = (r: SettingReader): AlertSettings => {
  const webhookUrl = r.optional('IBG_ALERT_WEBHOOK_URL', parseHttpsUrl, 'is not an https URL');
  const minSeverity =
    r.optional(
      'IBG_ALERT_MIN_SEVERITY',
      (v) => SEVERITIES.find((s) => s === v.toLowerCase()),
      `is not one of ${SEVERITIES.join(', ')}`,
    ) ?? 'warning';
  return webhookUrl === undefined ? { minSeverity } : { webhookUrl, minSeverity };
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

const readAzureEndpoints = (r: SettingReader): AzureEndpointSettings => {
  const armEndpoint =
    r.optional('AZURE_ARM_ENDPOINT', parseHttpsBaseUrl, 'is not an https URL without query') ?? DEFAULT_ARM_ENDPOINT;
  // A sandbox or proxy that stands in for ARM also answers Log Analytics queries under /v1.
  const derivedLogs = armEndpoint === DEFAULT_ARM_ENDPOINT ? DEFAULT_LOGS_ENDPOINT : `${armEndpoint}/v1`;
  const logsEndpoint =
    r.optional('AZURE_LOGS_ENDPOINT', parseHttpsBaseUrl, 'is not an https URL without query') ?? derivedLogs;
  return { armEndpoint, logsEndpoint };
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

const REDACTED = '[redacted]';

/** The settings as a plain object that is safe to log: secrets are replaced by "[redacted]". */
export const describeSettings = (settings: Settings): Record<string, unknown> => {
  const { alerts, runsTable, ...rest } = settings;
  return {
    ...rest,
    alerts: { ...alerts, ...(alerts.webhookUrl === undefined ? {} : { webhookUrl: REDACTED }) },
    runsTable: runsTable.kind === 'connectionString' ? { ...runsTable, connectionString: REDACTED } : runsTable,
  };
};
