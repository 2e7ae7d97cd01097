import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSettings } from '../../src/shared/config/settings';
import { SETTINGS_CATALOGUE } from '../../src/shared/config/settingsCatalogue';

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
  });

  it('has no duplicate names', () => {
    const names = SETTINGS_CATALOGUE.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(SETTINGS_CATALOGUE.map((s) => [s.name, s] as const))('%s: its example is accepted', (name, entry) => {
    // Each documented example must load on top of a valid environment (conditional settings need their partners).
    const env: Record<string, string> = {
      ...sample.Values,
      IBG_DRILL_ENABLED: 'true',
      [name]: entry.example,
    };
    if (name === 'IBG_RUNS_TABLE_ENDPOINT') env['IBG_RUNS_TABLE_CONNECTION_STRING'] = '';
    expect(() => loadSettings(env)).not.toThrow();
  });

  it.each(SETTINGS_CATALOGUE.filter((s) => 'default' in s).map((s) => [s.name, s] as const))(
    '%s: its default is the documented example or a valid value',
    (name, entry) => {
      expect(() => loadSettings({ ...sample.Values, [name]: (entry as { default: string }).default })).not.toThrow();
    },
  );
});
