import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadFunctionAppSettings } from '../../src/shared/config/functionAppSettings';
import { loadSettings } from '../../src/shared/config/settings';
import { PLANNED_SETTINGS, SETTINGS_CATALOGUE } from '../../src/shared/config/settingsCatalogue';

const samplePath = path.join(__dirname, '..', '..', 'local.settings.sample.json');
const sample = JSON.parse(fs.readFileSync(samplePath, 'utf8')) as { Values: Record<string, string> };
const HOST_SETTINGS = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage'];

describe('SETTINGS_CATALOGUE and local.settings.sample.json', () => {
  it('list the same settings', () => {
    const sampleNames = Object.keys(sample.Values).filter((n) => !HOST_SETTINGS.includes(n));
    expect([...sampleNames].sort()).toEqual(SETTINGS_CATALOGUE.map((s) => s.name).sort());
  });

  it('the sample loads and targets the local Functions host', () => {
    expect(sample.Values['FUNCTIONS_WORKER_RUNTIME']).toBe('node');
    expect(sample.Values['AzureWebJobsStorage']).toBe('UseDevelopmentStorage=true');
    expect(() => loadSettings(sample.Values)).not.toThrow();
    expect(loadFunctionAppSettings(sample.Values).warnings).toEqual([]);
  });

  it('offer no planned setting, and plan none that is offered', () => {
    const offered = new Set<string>([...SETTINGS_CATALOGUE.map((s) => s.name), ...Object.keys(sample.Values)]);
    expect(PLANNED_SETTINGS.filter((p) => offered.has(p.name))).toEqual([]);
  });

  it('mark the connection string, alert target URLs and keys as secret, and no description repeats the marking', () => {
    expect(SETTINGS_CATALOGUE.filter((s) => s.secret).map((s) => s.name)).toEqual([
      'IBG_ALERT_WEBHOOK_URL',
      'IBG_ALERT_WEBHOOK_SECRET',
      'IBG_ALERT_TEAMS_WEBHOOK_URL',
      'IBG_ALERT_SLACK_WEBHOOK_URL',
      'IBG_ALERT_EVENTGRID_TOPIC_KEY',
      'IBG_ALERT_INTAKE_KEYS',
      'IBG_RUNS_TABLE_CONNECTION_STRING',
    ]);
    // Setting names (IBG_ALERT_WEBHOOK_SECRET) may appear; the word itself may not.
    const prose = (text: string): string => text.replace(/\bIBG_[A-Z_]+/g, '');
    expect(SETTINGS_CATALOGUE.filter((s) => /\bsecret\b/i.test(prose(s.description))).map((s) => s.name)).toEqual([]);
  });

  it('give the schedules no default: the host reads them before the app could apply one', () => {
    for (const name of ['IBG_NIGHTLY_SCHEDULE', 'IBG_ADVANCE_SCHEDULE']) {
      const entry = SETTINGS_CATALOGUE.find((s) => s.name === name);
      expect(entry && 'default' in entry).toBe(false);
      expect(entry?.description).toContain("in UTC (the Functions host's time base)");
    }
  });

  it('has no duplicate names', () => {
    const names = SETTINGS_CATALOGUE.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(SETTINGS_CATALOGUE.map((s) => [s.name, s] as const))('%s: its example is accepted', (name, entry) => {
    // Each documented example must load, without warnings, on top of a valid environment.
    const env: Record<string, string> = { ...sample.Values, [name]: entry.example };
    if (name === 'IBG_RUNS_TABLE_ENDPOINT') env['IBG_RUNS_TABLE_CONNECTION_STRING'] = '';
    // A target's least severity needs the target itself.
    const target = /^IBG_ALERT_(WEBHOOK|TEAMS|SLACK|EVENTGRID)_MIN_SEVERITY$/.exec(name)?.[1];
    const urlName = {
      WEBHOOK: 'IBG_ALERT_WEBHOOK_URL',
      TEAMS: 'IBG_ALERT_TEAMS_WEBHOOK_URL',
      SLACK: 'IBG_ALERT_SLACK_WEBHOOK_URL',
      EVENTGRID: 'IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT',
    }[target ?? ''];
    if (urlName !== undefined) env[urlName] = SETTINGS_CATALOGUE.find((s) => s.name === urlName)?.example ?? '';
    expect(loadFunctionAppSettings(env).warnings).toEqual([]);
  });

  it.each(SETTINGS_CATALOGUE.filter((s) => 'default' in s).map((s) => [s.name, s] as const))(
    '%s: its default is the documented example or a valid value',
    (name, entry) => {
      const env = { ...sample.Values, [name]: (entry as { default: string }).default };
      expect(() => loadFunctionAppSettings(env)).not.toThrow();
    },
  );
});
