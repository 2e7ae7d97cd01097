/**
 * Reads app settings one at a time and collects every problem instead of stopping at the first, so that an
 * operator fixes all of them in one deployment. Each problem names the setting, says what is wrong and shows a
 * good example from the catalogue. Values of secret settings are never echoed; secrets pasted into other settings are
 * redacted (redactSecrets.ts).
 */
import { redactSecrets } from './redactSecrets';
import { describeSetting, type SettingName } from './settingsCatalogue';

export interface SettingProblem {
  /** The setting (or settings, joined with " / ") the problem is about. */
  setting: string;
  message: string;
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);
// Long enough for any ARM id, short enough that a pasted blob cannot flood the log.
const MAX_ECHO = 300;

export class SettingReader {
  readonly problems: SettingProblem[] = [];

  constructor(private readonly env: Record<string, string | undefined>) {}

  /** True when the setting has a non-blank value (defaults do not count). */
  isSet(name: SettingName): boolean {
    return (this.env[name] ?? '').trim() !== '';
  }

  /** The trimmed value, else the catalogue default, else undefined. */
  raw(name: SettingName): string | undefined {
    const value = (this.env[name] ?? '').trim();
    if (value !== '') return value;
    return describeSetting(name).default;
  }

  /** Records a problem with the value of `name`. `what` follows the quoted value, e.g. "is not a boolean". */
  invalid(name: SettingName, value: string, what: string): undefined {
    const shown = describeSetting(name).secret ? 'the value (not shown: secret)' : quote(value);
    this.report(name, `${shown} ${what}`, describeSetting(name).example);
    return undefined;
  }

  /** Records a problem that is not about one value (missing, conflicting settings). */
  report(setting: string, what: string, example: string): void {
    this.problems.push({ setting, message: `${setting}: ${what}. Example: ${example}` });
  }

  required(name: SettingName): string | undefined {
    const value = this.raw(name);
    if (value === undefined) this.report(name, 'not set; it is required', describeSetting(name).example);
    return value;
  }

  int(name: SettingName, min: number, max: number): number {
    const value = this.raw(name) ?? '';
    const parsed = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    this.invalid(name, value, `is not a whole number from ${min} to ${max}`);
    return fallbackNumber(name, min);
  }

  bool(name: SettingName): boolean {
    const value = this.raw(name) ?? 'false';
    const lower = value.toLowerCase();
    if (TRUE_WORDS.has(lower)) return true;
    if (FALSE_WORDS.has(lower)) return false;
    this.invalid(name, value, 'is not a boolean; use true/false, yes/no or 1/0');
    return false;
  }

  /** An optional value checked by `parse`; `what` describes a good value. */
  optional<T>(name: SettingName, parse: (value: string) => T | undefined, what: string): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const parsed = parse(value);
    if (parsed === undefined) this.invalid(name, value, what);
    return parsed;
  }

  /** A comma-separated list; blank items are ignored, each item is checked by `parse`. */
  list<T>(name: SettingName, parse: (item: string) => T | undefined, what: string): T[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const items: T[] = [];
    for (const item of value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')) {
      const parsed = parse(item);
      if (parsed === undefined) this.invalid(name, item, what);
      else items.push(parsed);
    }
    return items;
  }
}

// Redacted before it is cut, so that a secret straddling the cut cannot survive as a prefix.
const quote = (value: string): string => {
  const shown = redactSecrets(value);
  return JSON.stringify(shown.length > MAX_ECHO ? `${shown.slice(0, MAX_ECHO)}…` : shown);
};

// After a bad value, keep going with the documented default so that later checks can still run.
const fallbackNumber = (name: SettingName, min: number): number => {
  const fallback = Number(describeSetting(name).default);
  return Number.isFinite(fallback) ? fallback : min;
};
