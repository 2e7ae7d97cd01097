/**
 * App settings that look like ours but have no effect: planned ones (a deployment may already set them) and
 * misspelt ones (a typo would otherwise silently leave the default in place). Neither stops start-up; each gets a
 * warning. Values are never echoed, only names.
 */
import { PLANNED_SETTINGS, SETTINGS_CATALOGUE } from './settingsCatalogue';

const KNOWN = new Set<string>(SETTINGS_CATALOGUE.map((s) => s.name));

export const unusedSettingWarnings = (env: Record<string, string | undefined>): string[] => {
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (KNOWN.has(name) || (env[name] ?? '').trim() === '') continue;
    const planned = PLANNED_SETTINGS.find((p) => p.name === name);
    if (planned !== undefined) {
      warnings.push(`${name} is set but has no effect yet (planned: ${planned.feature}); it is ignored.`);
    } else if (name.startsWith('IBG_')) {
      warnings.push(`${name} is not a setting of this app; it is ignored. Check its spelling against the README.`);
    }
  }
  return warnings;
};
