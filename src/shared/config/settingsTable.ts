import { PLANNED_SETTINGS, SETTINGS_CATALOGUE } from './settingsCatalogue';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The README's settings table, generated from the catalogue so the two cannot drift (a test compares them). */
export function renderSettingsTable(): string {
  const rows = SETTINGS_CATALOGUE.map((s) => {
    // The secret marking comes from the `secret` flag alone, so a description never repeats it.
    const secret = s.secret ? ' Secret: never logged or echoed.' : '';
    const dflt = 'default' in s && s.default !== undefined ? `\`${cell(s.default)}\`` : '–';
    return `| \`${s.name}\` | ${cell(s.required)} | ${dflt} | ${cell(s.description)}${secret} | \`${cell(s.example)}\` |`;
  });
  return ['| Setting | Required | Default | What it does | Example |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The README's list of planned settings, one line per feature, from the same catalogue. */
export function renderPlannedSettings(): string {
  const byFeature = new Map<string, string[]>();
  for (const p of PLANNED_SETTINGS) byFeature.set(p.feature, [...(byFeature.get(p.feature) ?? []), p.name]);
  return [...byFeature]
    .map(([feature, names]) => `- ${feature}: ${names.map((n) => `\`${n}\``).join(', ')}`)
    .join('\n');
}
