/**
 * What the Functions host sees at start-up: each timer's schedule is the `%SETTING%` the app validates, a missing
 * schedule stops start-up with a message that says what to set, and a schedule outside the night is a warning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TIMER_SCHEDULE_SETTINGS } from '../../src/shared/config/timerSchedules';

const sample = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  }
).Values;

interface Registration {
  kind: string;
  name: string;
  schedule?: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
}

/** Loads the entry point in a fresh module registry with `env`, recording what it registers with the host. */
function start(env: Record<string, string | undefined>): { registrations: Registration[]; error?: unknown } {
  const saved = process.env;
  const registrations: Registration[] = [];
  let error: unknown;
  process.env = { ...env };
  try {
    jest.isolateModules(() => {
      jest.doMock('@azure/functions', () => ({
        app: {
          timer: (name: string, options: { schedule: string }) =>
            registrations.push({ kind: 'timer', name, schedule: options.schedule }),
          eventGrid: (name: string) => registrations.push({ kind: 'eventGrid', name }),
          http: (name: string, options: { route?: string; methods?: string[]; authLevel?: string }) =>
            registrations.push({
              kind: 'http',
              name,
              route: options.route,
              methods: options.methods,
              authLevel: options.authLevel,
            }),
        },
      }));
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry is the point
        require('../../src/functions/index');
      } catch (e) {
        error = e;
      }
    });
  } finally {
    process.env = saved;
    jest.dontMock('@azure/functions');
  }
  return { registrations, error };
}

describe('Functions start-up', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('registers each timer with the app setting the app validates', () => {
    const { registrations, error } = start(sample);
    expect(error).toBeUndefined();
    const byName = (x: Registration, y: Registration): number => x.name.localeCompare(y.name);
    expect(registrations.filter((r) => r.kind === 'timer').sort(byName)).toEqual(
      TIMER_SCHEDULE_SETTINGS.map((t) => ({ kind: 'timer', name: t.functionName, schedule: `%${t.setting}%` })).sort(
        byName,
      ),
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('registers the Event Grid trigger and the alert intake (POST alerts/intake, key checked by the app)', () => {
    const { registrations, error } = start(sample);
    expect(error).toBeUndefined();
    expect(registrations.filter((r) => r.kind !== 'timer')).toEqual(
      expect.arrayContaining([
        { kind: 'eventGrid', name: 'azureEvents' },
        { kind: 'http', name: 'alertIntake', route: 'alerts/intake', methods: ['POST'], authLevel: 'anonymous' },
      ]),
    );
  });

  it('stops with a clear message when a schedule is missing', () => {
    const { error } = start({ ...sample, IBG_ADVANCE_SCHEDULE: undefined });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'IBG_ADVANCE_SCHEDULE: not set; the Functions host reads the schedule of the advance-runs timer from this ' +
        'setting and cannot start the timer without it. Example: IBG_ADVANCE_SCHEDULE=0 */5 * * * * (NCRONTAB, ' +
        'evaluated in UTC)',
    );
  });

  it('starts, with a warning in the log, when the nightly schedule falls in the day where the nights are', () => {
    const { error } = start({ ...sample, IBG_NIGHTLY_SCHEDULE: '0 0 12 * * *', IBG_NIGHT_TIME_ZONE: 'Europe/Berlin' });
    expect(error).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^IBG settings: IBG_NIGHTLY_SCHEDULE "0 0 12 \* \* \*" fires at 12:00 UTC .*outside the night/,
    );
  });
});
