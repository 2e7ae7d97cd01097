/**
 * What the Functions app checks before it registers anything: every setting the use cases read plus the timer
 * schedules the host reads, in one pass so that one ConfigError lists every problem. Things that do not stop the
 * app (a nightly schedule outside the night, planned or unknown settings, a time zone setting that moves the host's
 * schedules) come back as warnings for the caller to log; they are already free of secrets.
 */
import { nightlyScheduleWarning } from './nightlyScheduleWindow';
import { redactSecrets } from './redactSecrets';
import { readSettings, throwIfProblems, type Settings } from './settings';
import { SettingReader } from './settingReader';
import { readTimerSchedules, timeBaseWarnings, type TimerSchedules } from './timerSchedules';
import { unusedSettingWarnings } from './unusedSettings';

export interface FunctionAppSettings {
  settings: Settings;
  timers: TimerSchedules;
  warnings: string[];
}

/** Throws one ConfigError naming every bad or missing setting; `now` anchors the year of firings that is checked. */
export const loadFunctionAppSettings = (
  env: Record<string, string | undefined>,
  now: Date = new Date(),
): FunctionAppSettings => {
  const r = new SettingReader(env);
  const settings = readSettings(r);
  const timers = readTimerSchedules(r);
  throwIfProblems(r);
  const night = nightlyScheduleWarning(timers.nightly, settings.schedules.nightTimeZone, now);
  const warnings = [...(night === undefined ? [] : [night]), ...timeBaseWarnings(env), ...unusedSettingWarnings(env)];
  return { settings, timers, warnings: warnings.map(redactSecrets) };
};
