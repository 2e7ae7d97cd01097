import { SETTINGS_CATALOGUE } from './settingsCatalogue';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The README's settings table, generated from the catalogue so the two cannot drift (a test compares them). */
export function renderSettingsTable(): string {
  const rows = SETTINGS_CATALOGUE.map((s) => {
    const secret = s.secret ? ' Secret: never logged or echoed.' : '';
    const dflt = 'default' in s && s.default !== undefined ? `\`${cell(s.default)}\`` : '–';
    return `| \`${s.name}\` | ${cell(s.required)} | ${dflt} | ${cell(s.description)}${secret} | \`${cell(s.example)}\` |`;
  });
  return ['| Setting | Required | Default | What it does | Example |', '|---|---|---|---|---|', ...rows].join('\n');
}
