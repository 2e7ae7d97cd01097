/**
 * The IBG_DRILL_* settings and the drill stages' time limits. Drills are off unless IBG_DRILL_ENABLED; when on,
 * the drill resource group, subnet and staging account are required, and the subnet and account are checked again
 * against each source VM before a restore (drills/drillTargetCheck.ts).
 */
import {
  formatResourceGroupId,
  formatStorageAccountId,
  formatSubnetId,
  parseResourceGroupId,
  parseStorageAccountId,
  parseSubnetId,
} from '../azure/armResourceId';
import type { DrillSchedule, DrillTargetSettings } from '../drills/drillPolicy';
import type { SettingReader } from './settingReader';
import type { SettingName } from './settingsCatalogue';

export interface DrillSettings {
  target: DrillTargetSettings;
  schedule: DrillSchedule;
  /** IBG_DRILL_MAX_CONCURRENT: drills under way at once per subscription. */
  maxConcurrentPerSubscription: number;
  keepFailedHours: number;
  verifyTimeoutMinutes: number;
  irisStartMinutes: number;
  olderPointEvery: number;
  staleAfterDays: number;
  limitsInMinutes: { restore: number; verify: number; cleanup: number };
}

/** `every`, `every-nth:<N>` or `weekday`. */
export function parseDrillSchedule(value: string): DrillSchedule | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'every') return { kind: 'every' };
  if (v === 'weekday') return { kind: 'weekday' };
  const m = /^every-nth:(\d{1,3})$/.exec(v);
  const n = m?.[1] === undefined ? Number.NaN : Number(m[1]);
  return Number.isInteger(n) && n >= 1 && n <= 366 ? { kind: 'every-nth', n } : undefined;
}

const STAGE_LIMIT_MAX_MINUTES = 2880;

/** undefined when drills are off (the other drill settings are then not read, so a half-filled set is harmless). */
export function readDrillSettings(r: SettingReader): DrillSettings | undefined {
  if (!r.bool('IBG_DRILL_ENABLED')) return undefined;
  const id = <T>(name: SettingName, parse: (v: string) => T | undefined, format: (t: T) => string, what: string) => {
    const value = r.required(name) === undefined ? undefined : r.optional(name, parse, what);
    return value === undefined ? '' : format(value);
  };
  const target: DrillTargetSettings = {
    resourceGroupId: id(
      'IBG_DRILL_RESOURCE_GROUP_ID',
      parseResourceGroupId,
      formatResourceGroupId,
      'is not a resource group id (/subscriptions/<id>/resourceGroups/<name>)',
    ),
    subnetId: id('IBG_DRILL_SUBNET_ID', parseSubnetId, formatSubnetId, 'is not a subnet id'),
    stagingStorageAccountId: id(
      'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
      parseStorageAccountId,
      formatStorageAccountId,
      'is not a storage account id',
    ),
  };
  const limit = (name: SettingName): number => r.int(name, 1, STAGE_LIMIT_MAX_MINUTES);
  return {
    target,
    schedule: r.optional(
      'IBG_DRILL_SCHEDULE',
      parseDrillSchedule,
      'is not a drill schedule: every, every-nth:<N> or weekday',
    ) ?? {
      kind: 'every',
    },
    maxConcurrentPerSubscription: r.int('IBG_DRILL_MAX_CONCURRENT', 1, 100),
    keepFailedHours: r.int('IBG_DRILL_KEEP_HOURS', 0, 720),
    // Managed Run Command allows long scripts; a day is far past any sane integrity check of one drill copy.
    verifyTimeoutMinutes: r.int('IBG_DRILL_VERIFY_TIMEOUT_MINUTES', 5, 1440),
    irisStartMinutes: r.int('IBG_DRILL_IRIS_START_MINUTES', 1, 120),
    olderPointEvery: r.int('IBG_DRILL_OLDER_POINT_EVERY', 0, 366),
    staleAfterDays: r.int('IBG_DRILL_STALE_DAYS', 0, 366),
    limitsInMinutes: {
      restore: limit('IBG_LIMIT_RESTORE_MINUTES'),
      verify: limit('IBG_LIMIT_VERIFY_MINUTES'),
      cleanup: limit('IBG_LIMIT_CLEANUP_MINUTES'),
    },
  };
}
