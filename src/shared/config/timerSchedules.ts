/**
 * The timer schedules, which belong to the Functions host: the functions register `%IBG_NIGHTLY_SCHEDULE%` and
 * `%IBG_ADVANCE_SCHEDULE%`, and the host resolves them from the app settings when it indexes the functions, before
 * any of our code runs. An absent setting does not fall back to anything: the host cannot index the function ("'%…%'
 * does not resolve to a value") and the timer never fires. So both are required, with no default, and are checked
 * by the same rules the host applies (6-field NCRONTAB), evaluated in UTC.
 */
import { checkNcrontab } from './ncrontab';
import type { SettingReader } from './settingReader';
import { describeSetting } from './settingsCatalogue';

export interface TimerSchedules {
  /** IBG_NIGHTLY_SCHEDULE, normalised (single spaces). */
  nightly: string;
  /** IBG_ADVANCE_SCHEDULE, normalised (single spaces). */
  advance: string;
  /** IBG_RECONCILE_SCHEDULE, normalised; absent when there is no workspace (the reconcile is not registered). */
  reconcile?: string;
}

/** Each timer function, the setting its schedule comes from, and what the timer does (for messages). */
export const TIMER_SCHEDULE_SETTINGS = [
  { functionName: 'nightlyProtection', setting: 'IBG_NIGHTLY_SCHEDULE', timer: 'the nightly protection timer' },
  { functionName: 'advanceRuns', setting: 'IBG_ADVANCE_SCHEDULE', timer: 'the advance-runs timer' },
] as const;

/**
 * The daily reconcile's timer exists only with a Log Analytics workspace (IBG_LOG_ANALYTICS_WORKSPACE_ID): without
 * one it is not registered, so a deployment without a workspace needs no schedule for it and has no timer that
 * the host cannot index. With one, its schedule is required like the others.
 */
export const RECONCILE_TIMER = {
  functionName: 'dailyReconcile',
  setting: 'IBG_RECONCILE_SCHEDULE',
  timer: 'the daily reconcile timer',
  enabledBy: 'IBG_LOG_ANALYTICS_WORKSPACE_ID',
} as const;

/** Whether the reconcile timer is registered: the workspace setting is set (not blank). */
export const reconcileTimerEnabled = (env: Record<string, string | undefined>): boolean =>
  (env[RECONCILE_TIMER.enabledBy] ?? '').trim() !== '';

export type TimerScheduleSetting =
  (typeof TIMER_SCHEDULE_SETTINGS)[number]['setting'] | (typeof RECONCILE_TIMER)['setting'];

/** What a timer registers as its schedule: the host substitutes the app setting's value. */
export const scheduleBinding = (setting: TimerScheduleSetting): string => `%${setting}%`;

const readOne = (r: SettingReader, setting: TimerScheduleSetting): string => {
  const timer = [...TIMER_SCHEDULE_SETTINGS, RECONCILE_TIMER].find((t) => t.setting === setting)?.timer ?? setting;
  const recommended = `${setting}=${describeSetting(setting).example} (NCRONTAB, evaluated in UTC)`;
  if (!r.isSet(setting)) {
    r.report(
      setting,
      `not set; the Functions host reads the schedule of ${timer} from this setting and cannot start the timer without it`,
      recommended,
    );
    return '';
  }
  const value = (r.raw(setting) ?? '').trim();
  const problem = checkNcrontab(value);
  if (problem === undefined) return value.split(/\s+/).join(' ');
  r.invalid(setting, value, `is not a 6-field NCRONTAB schedule: ${problem}`);
  return '';
};

/** Reads the schedules of the timers that are registered; problems are collected in `r`. */
export const readTimerSchedules = (r: SettingReader): TimerSchedules => ({
  nightly: readOne(r, 'IBG_NIGHTLY_SCHEDULE'),
  advance: readOne(r, 'IBG_ADVANCE_SCHEDULE'),
  ...(r.isSet(RECONCILE_TIMER.enabledBy) ? { reconcile: readOne(r, RECONCILE_TIMER.setting) } : {}),
});

// Spellings of UTC in the tz database and on Windows (`tzutil /l`): with these the host's time base is unchanged.
const UTC_NAMES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'utc0', 'coordinated universal time']);

/**
 * WEBSITE_TIME_ZONE (or TZ) moves the host's schedules out of UTC on the plans that honour it (Windows, Linux Premium
 * and Dedicated) and is unsupported on Linux Consumption and Flex Consumption, so with it set the schedules no
 * longer mean what the settings table says.
 */
export const timeBaseWarnings = (env: Record<string, string | undefined>): string[] =>
  ['WEBSITE_TIME_ZONE', 'TZ']
    .filter((name) => {
      const value = (env[name] ?? '').trim();
      return value !== '' && !UTC_NAMES.has(value.toLowerCase());
    })
    .map(
      (name) =>
        `${name} is set: on the plans that honour it the Functions host then evaluates IBG_NIGHTLY_SCHEDULE and ` +
        `IBG_ADVANCE_SCHEDULE in that zone instead of UTC, and Linux Consumption and Flex Consumption do not support ` +
        `it. Remove it and write the schedules in UTC; IBG_NIGHT_TIME_ZONE names the nights.`,
    );
