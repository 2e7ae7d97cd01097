import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadFunctionAppSettings } from '../../src/shared/config/functionAppSettings';
import { ConfigError } from '../../src/shared/errors/appError';

const sample = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  }
).Values;
const NOW = new Date('2026-12-03T12:00:00Z');

const errorOf = (env: Record<string, string | undefined>): ConfigError => {
  try {
    loadFunctionAppSettings(env, NOW);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadFunctionAppSettings did not throw');
};

describe('loadFunctionAppSettings', () => {
  it('loads the sample without warnings and returns the schedules as the host will read them', () => {
    const loaded = loadFunctionAppSettings({ ...sample, IBG_NIGHTLY_SCHEDULE: ' 0  0 1 * * * ' }, NOW);
    expect(loaded.timers).toEqual({ nightly: '0 0 1 * * *', advance: '0 */5 * * * *' });
    expect(loaded.settings.schedules.nightTimeZone).toBe('UTC');
    expect(loaded.warnings).toEqual([]);
  });

  it('refuses to start without the nightly schedule, saying what to set and that it is UTC', () => {
    const error = errorOf({ ...sample, IBG_NIGHTLY_SCHEDULE: undefined });
    expect(error.setting).toBe('IBG_NIGHTLY_SCHEDULE');
    expect(error.message).toBe(
      'IBG_NIGHTLY_SCHEDULE: not set; the Functions host reads the schedule of the nightly protection timer from ' +
        'this setting and cannot start the timer without it. Example: IBG_NIGHTLY_SCHEDULE=0 0 1 * * * (NCRONTAB, ' +
        'evaluated in UTC)',
    );
  });

  it('reports both missing schedules together with the other bad settings, in one error', () => {
    const error = errorOf({
      ...sample,
      IBG_NIGHTLY_SCHEDULE: '',
      IBG_ADVANCE_SCHEDULE: '  ',
      IBG_MAX_CONCURRENCY: '0',
    });
    expect(error.message.split('\n')).toEqual([
      '3 app settings are invalid:',
      '- IBG_MAX_CONCURRENCY: "0" is not a whole number from 1 to 64. Example: 8',
      expect.stringMatching(/^- IBG_NIGHTLY_SCHEDULE: not set; .* Example: IBG_NIGHTLY_SCHEDULE=0 0 1 \* \* \* /),
      expect.stringMatching(
        /^- IBG_ADVANCE_SCHEDULE: not set; .*advance-runs timer.* Example: IBG_ADVANCE_SCHEDULE=0 \*\/5 \* \* \* \* /,
      ),
    ]);
  });

  it.each([
    [
      { IBG_NIGHTLY_SCHEDULE: '30 1 * * *' },
      'IBG_NIGHTLY_SCHEDULE: "30 1 * * *" is not a 6-field NCRONTAB schedule: has 5 fields, expected 6 (second minute hour day month day-of-week). Example: 0 0 1 * * *',
    ],
    [
      { IBG_ADVANCE_SCHEDULE: '0 0 24 * * *' },
      'IBG_ADVANCE_SCHEDULE: "0 0 24 * * *" is not a 6-field NCRONTAB schedule: hour 24 is out of range 0-23. Example: 0 */5 * * * *',
    ],
  ])('rejects a schedule the host would not take: %j', (overrides, message) => {
    expect(errorOf({ ...sample, ...overrides }).message).toBe(message);
  });

  it('warns, without failing, when the nightly schedule is outside the night in IBG_NIGHT_TIME_ZONE', () => {
    const loaded = loadFunctionAppSettings(
      { ...sample, IBG_NIGHTLY_SCHEDULE: '0 0 12 * * *', IBG_NIGHT_TIME_ZONE: 'Europe/Berlin' },
      NOW,
    );
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(
      /^IBG_NIGHTLY_SCHEDULE "0 0 12 \* \* \*" fires at 12:00 UTC .* 13:00 .* Europe\/Berlin/,
    );
  });

  it('does not warn for 01:00 UTC with the nights in Europe/Berlin', () => {
    const env = { ...sample, IBG_NIGHTLY_SCHEDULE: '0 0 1 * * *', IBG_NIGHT_TIME_ZONE: 'Europe/Berlin' };
    expect(loadFunctionAppSettings(env, NOW).warnings).toEqual([]);
  });

  it('warns when WEBSITE_TIME_ZONE would move the schedules out of UTC', () => {
    const loaded = loadFunctionAppSettings({ ...sample, WEBSITE_TIME_ZONE: 'W. Europe Standard Time' }, NOW);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^WEBSITE_TIME_ZONE is set: .* instead of UTC/)]);
  });

  it.each(['UTC', 'Etc/UTC', 'Coordinated Universal Time'])('does not warn when the time zone setting is %j', (tz) => {
    expect(loadFunctionAppSettings({ ...sample, WEBSITE_TIME_ZONE: tz, TZ: tz }, NOW).warnings).toEqual([]);
  });

  it('needs no reconcile schedule without a workspace, and does not register one', () => {
    const loaded = loadFunctionAppSettings({ ...sample, IBG_RECONCILE_SCHEDULE: '' }, NOW);
    expect(loaded.timers.reconcile).toBeUndefined();
    expect(loaded.settings.logAnalytics).toBeUndefined();
    expect(loaded.warnings).toEqual([]);
  });

  it('with a workspace, reads the reconcile schedule as the host will', () => {
    const ws = '11111111-2222-3333-4444-555555555555';
    const loaded = loadFunctionAppSettings(
      { ...sample, IBG_LOG_ANALYTICS_WORKSPACE_ID: ws, IBG_RECONCILE_SCHEDULE: '0 30  8 * * *' },
      NOW,
    );
    expect(loaded.timers.reconcile).toBe('0 30 8 * * *');
    expect(loaded.settings.logAnalytics).toEqual({ workspaceId: ws });
  });

  it('with a workspace, refuses to start without the reconcile schedule, saying what to set', () => {
    const error = errorOf({
      ...sample,
      IBG_LOG_ANALYTICS_WORKSPACE_ID: '11111111-2222-3333-4444-555555555555',
      IBG_RECONCILE_SCHEDULE: undefined,
    });
    expect(error.setting).toBe('IBG_RECONCILE_SCHEDULE');
    expect(error.message).toBe(
      'IBG_RECONCILE_SCHEDULE: not set; the Functions host reads the schedule of the daily reconcile timer from ' +
        'this setting and cannot start the timer without it. Example: IBG_RECONCILE_SCHEDULE=0 0 9 * * * (NCRONTAB, ' +
        'evaluated in UTC)',
    );
  });
});
