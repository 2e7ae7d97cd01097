import { describeJsonSyntaxError } from './jsonSyntaxError';
import { pythonIntFromString } from './pythonConfigParser';

/**
 * Reproduces `ScriptRunner.get_config` (VMBackup/main/ScriptRunner.py, vmsnapshot.md §1.2) on the JSON text, as
 * Python 3 runs it: which exception it would hit first (ValueError/KeyError → 305, anything else → 304 via
 * PluginHost.load_modules) and, when it loads, the values the extension would then use.
 *
 * Known gaps: Python's json also accepts NaN/Infinity literals and keeps 1.0 a float (JavaScript cannot tell 1 from
 * 1.0); Python 2 would turn a string timeout into 1800 instead of raising.
 */
export const DEFAULT_SCRIPT_TIMEOUT_SECONDS = 10; // ScriptRunner.__init__, not the template's 30
export const HARD_MAX_TIMEOUT_SECONDS = 1800;
export const DEFAULT_POLL_SECONDS = 3;
export const DEFAULT_PLUGIN_CONFIG_PATH = '/etc/azure/VMSnapshotScriptPluginConfig.json';

export interface LoadedPluginConfig {
  status: 'loaded';
  /** The parsed top-level object (keys as written). */
  raw: Record<string, unknown>;
  preScriptLocation: unknown;
  postScriptLocation: unknown;
  /** Seconds each script may run: min(value, host maximum), or 10 when absent. */
  timeoutInSeconds: number;
  timeoutSource: 'default' | 'config';
  pollSeconds: number;
  /** The poll value was present but outside 1..5 after int(), so 3 was kept. */
  pollIgnored: boolean;
  continueBackupOnFailure: unknown;
  fsFreezeEnabled: unknown;
  preScriptParams: unknown;
  postScriptParams: unknown;
  preScriptNoOfRetries: unknown;
  postScriptNoOfRetries: unknown;
}

export interface FailedPluginConfig {
  /** 305 FailedPrepostPluginConfigParsing (ValueError/KeyError) or 304 FailedPrepostPluginhostConfigParsing. */
  status: 'parse-error' | 'type-error';
  extensionStatusCode: 305 | 304;
  /** What Python would raise, in words. */
  detail: string;
  key?: string;
}

export type PluginConfigSemantics = LoadedPluginConfig | FailedPluginConfig;

const parseError = (detail: string, key?: string): FailedPluginConfig => ({
  status: 'parse-error',
  extensionStatusCode: 305,
  detail,
  ...(key === undefined ? {} : { key }),
});
const typeError = (detail: string, key?: string): FailedPluginConfig => ({
  status: 'type-error',
  extensionStatusCode: 304,
  detail,
  ...(key === undefined ? {} : { key }),
});

/** The Python type name json.load would give the value. */
export function pythonTypeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** Python's `int(v)`: the number, or which exception it raises. */
export function pythonInt(
  value: unknown,
): { value: number } | { raises: 'ValueError' | 'TypeError' | 'OverflowError' } {
  if (typeof value === 'boolean') return { value: value ? 1 : 0 };
  if (typeof value === 'number')
    return Number.isFinite(value) ? { value: Math.trunc(value) + 0 } : { raises: 'OverflowError' };
  if (typeof value === 'string') {
    const n = pythonIntFromString(value);
    return n === undefined ? { raises: 'ValueError' } : { value: n };
  }
  return { raises: 'TypeError' };
}

/** Python truthiness of a JSON value. */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Python's `value == False` (handle.py compares fsFreezeEnabled this way). */
export function pythonEqualsFalse(value: unknown): boolean {
  return value === false || value === 0;
}

/**
 * What `continueBackup & result.continueBackup` (PluginHost.pre_script) does with the value once a script fails:
 * bool/int work; anything else raises TypeError and the daemon aborts (no snapshot, no post-script).
 */
export function continueBackupBehaviour(value: unknown): 'continue' | 'stop' | 'crash' {
  if (typeof value === 'boolean') return value ? 'continue' : 'stop';
  if (typeof value === 'number' && Number.isInteger(value)) return value !== 0 ? 'continue' : 'stop';
  return 'crash';
}

export function analyzePluginConfig(text: string, maxTimeoutSeconds: number): PluginConfigSemantics {
  // json.load rejects a UTF-8 BOM ("Unexpected UTF-8 BOM") and empty input with ValueError.
  if (text.charCodeAt(0) === 0xfeff) return parseError('the file starts with a UTF-8 byte order mark');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    if (text.trim() === '') return parseError('the file is empty');
    const at = describeJsonSyntaxError(text, e);
    return parseError(`invalid JSON at line ${at.line}, column ${at.column}: ${at.reason}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    // configData.keys() raises AttributeError, caught by PluginHost.load_modules.
    return typeError(
      `the top level is a JSON ${pythonTypeName(data) === 'list' ? 'array' : pythonTypeName(data)}, not an object`,
    );
  }
  const raw = data as Record<string, unknown>;
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(raw, k);

  let timeoutInSeconds = DEFAULT_SCRIPT_TIMEOUT_SECONDS;
  let timeoutSource: LoadedPluginConfig['timeoutSource'] = 'default';
  if (has('timeoutInSeconds')) {
    const t = raw.timeoutInSeconds;
    // min(t, maxTimeOut): Python 3 cannot order str/None/list/dict against int.
    if (typeof t !== 'number' && typeof t !== 'boolean') {
      return typeError(
        `timeoutInSeconds is a ${pythonTypeName(t)}, and min() on Python 3 raises TypeError`,
        'timeoutInSeconds',
      );
    }
    timeoutInSeconds = Math.min(Number(t), maxTimeoutSeconds);
    timeoutSource = 'config';
  }
  for (const key of ['preScriptLocation', 'postScriptLocation']) {
    if (!has(key)) return parseError(`the required key '${key}' is missing (KeyError)`, key);
  }

  let pollSeconds = DEFAULT_POLL_SECONDS;
  let pollIgnored = false;
  if (has('ScriptsExecutionPollTimeSeconds')) {
    const p = pythonInt(raw.ScriptsExecutionPollTimeSeconds);
    if ('raises' in p) {
      const detail = `ScriptsExecutionPollTimeSeconds makes int() raise ${p.raises}`;
      return p.raises === 'ValueError'
        ? parseError(detail, 'ScriptsExecutionPollTimeSeconds')
        : typeError(detail, 'ScriptsExecutionPollTimeSeconds');
    }
    if (p.value >= 1 && p.value <= 5) pollSeconds = p.value;
    else pollIgnored = true;
  }

  return {
    status: 'loaded',
    raw,
    preScriptLocation: raw.preScriptLocation,
    postScriptLocation: raw.postScriptLocation,
    timeoutInSeconds,
    timeoutSource,
    pollSeconds,
    pollIgnored,
    continueBackupOnFailure: has('continueBackupOnFailure') ? raw.continueBackupOnFailure : true,
    fsFreezeEnabled: has('fsFreezeEnabled') ? raw.fsFreezeEnabled : true,
    preScriptParams: has('preScriptParams') ? raw.preScriptParams : [],
    postScriptParams: has('postScriptParams') ? raw.postScriptParams : [],
    preScriptNoOfRetries: has('preScriptNoOfRetries') ? raw.preScriptNoOfRetries : 0,
    postScriptNoOfRetries: has('postScriptNoOfRetries') ? raw.postScriptNoOfRetries : 0,
  };
}

/** Seconds after which the extension gives up on a script: the poll loop rounds the timeout up to whole polls. */
export function effectiveScriptTimeoutSeconds(
  config: Pick<LoadedPluginConfig, 'timeoutInSeconds' | 'pollSeconds'>,
): number {
  if (config.timeoutInSeconds <= 0) return 0;
  return Math.ceil(config.timeoutInSeconds / config.pollSeconds) * config.pollSeconds;
}
