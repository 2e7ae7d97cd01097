/**
 * The simulated VMSnapshotLinux extension's decisions, as pure functions of facts (reference/vmsnapshot.md §1.2, §2,
 * §3.2-§3.5, §4.3). An independent re-implementation: it must not share code with the app's checks, so tests of
 * one catch mistakes in the other. The shell (extensionRun.ts) gathers the facts, runs scripts and writes the log.
 */
import { pyFloat, pyRepr, pyStr } from './pythonRepr';
import { LEARN_ERRORS, SILENT_CODES, statusCodeName, statusCodeString } from './statusCodes';

export const HOST_CONF_PATH = '/etc/azure/VMSnapshotPluginHost.conf';
export const SHIPPED_HOST_CONF_PATH = './main/VMSnapshotPluginHost.conf';
export const DEFAULT_JSON_PATH = '/etc/azure/VMSnapshotScriptPluginConfig.json';
export const WORKLOAD_CONF_PATH = '/etc/azure/workload.conf';
/** The shipped host conf (VMBackup/main/VMSnapshotPluginHost.conf), used when the VM has no /etc/azure one. */
export const SHIPPED_HOST_CONF = [
  '[pre_post]',
  'timeoutInSeconds: 1800',
  'numberOfPlugins: 1',
  'pluginName0: ScriptRunner',
  'pluginPath0: /etc/azure',
  'pluginConfigPath0: /etc/azure/VMSnapshotScriptPluginConfig.json',
].join('\n');

/** What `os.stat` (following symlinks) and a read tell about one path inside the VM. */
export type FileFact =
  | { kind: 'missing' }
  | { kind: 'directory'; mode: number; owner: string }
  | { kind: 'file'; mode: number; owner: string; content: Buffer };

export type FileView = (vmPath: string) => FileFact;

export interface ScriptRunnerConfig {
  pluginName: string;
  preScriptLocation: string;
  postScriptLocation: string;
  preScriptParams: string[];
  postScriptParams: string[];
  preScriptNoOfRetries: unknown;
  postScriptNoOfRetries: unknown;
  /** min(JSON value or 10, host max); seconds. */
  timeoutInSeconds: number;
  /** Raw JSON value (default true): a string here is the "false"-string crash path. */
  continueBackupOnFailure: unknown;
  fsFreezeEnabled: unknown;
  pollSeconds: number;
}

export type SetupValidation =
  /** /etc/azure/workload.conf names a supported database: the workload flow runs, the JSON is ignored. */
  | { kind: 'workload'; workload: string; log: string[] }
  /** Validation failed; `dobackup` says whether a file-system-consistent snapshot is still taken. */
  | { kind: 'invalid'; code: number; silent: boolean; dobackup: boolean; log: string[] }
  /** A host conf with numberOfPlugins 0: nothing to run, reported as app-consistent (vmsnapshot.md §3.6). */
  | { kind: 'noPlugins'; log: string[] }
  | { kind: 'valid'; config: ScriptRunnerConfig; log: string[] };

export type ScriptRun = { kind: 'exited'; exitCode: number } | { kind: 'timedOut' };

export interface PhaseDecision {
  /** 0 on success, else 300/301 (failed), 308/309 (timed out), 310/311 (runner thread crashed). */
  code: number;
  continueBackup: boolean;
  /** `continueBackup & result.continueBackup` raised TypeError: the daemon's outer except ends the run. */
  crashed: boolean;
  log: string[];
}

export type RecoveryPointKind = 'AppConsistent' | 'FileSystemConsistent';

export interface ExtensionOutcome {
  /** Absent when no snapshot is kept: the job fails. */
  recoveryPointType?: RecoveryPointKind;
  jobStatus: 'Completed' | 'CompletedWithWarnings' | 'Failed';
  /** The code reported to the service (first writer wins), 0 when none. */
  extErrorCode: number;
  errorDetail?: { errorCode: number; errorTitle: string; errorString: string };
  log: string[];
}

const MAX_HOST_TIMEOUT = 1800;
const DEFAULT_SCRIPT_TIMEOUT = 10;
const DEFAULT_POLL = 3;
const SUPPORTED_WORKLOADS = ['oracle', 'mysql', 'mariadb', 'postgres'];

/** Last three octal digits of the mode, as `oct(st_mode)[-3:]` reads them. */
export const permissionDigits = (mode: number): [number, number, number] => [
  (mode >> 6) & 7,
  (mode >> 3) & 7,
  mode & 7,
];
const digitsText = (mode: number): string => permissionDigits(mode).join('');

/** Host conf: group and other digits in {0,4}, owner digit unchecked. */
export const hostConfPermissionOk = (mode: number): boolean => {
  const [, g, o] = permissionDigits(mode);
  return (g === 0 || g === 4) && (o === 0 || o === 4);
};
/** Plugin JSON: owner digit even (no owner x), group 0, other 0. */
export const pluginJsonPermissionOk = (mode: number): boolean => {
  const [u, g, o] = permissionDigits(mode);
  return u % 2 === 0 && g === 0 && o === 0;
};
/** Scripts: group 0 and other 0; no exec bit needed since they run as `sh <file>`. */
export const scriptPermissionOk = (mode: number): boolean => {
  const [, g, o] = permissionDigits(mode);
  return g === 0 && o === 0;
};

class PyError extends Error {
  constructor(
    readonly pyType: 'TypeError' | 'ValueError' | 'KeyError' | 'AttributeError' | 'JSONDecodeError',
    message: string,
  ) {
    super(message);
  }
}

/** ConfigParser's view of `[pre_post]`; keys are case-insensitive. Throws PyError on what Python would raise on. */
function parseHostConf(text: string): Map<string, string> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.trim() === '' || /^\s*[#;]/.test(line)) continue;
    const section = /^\[([^\]]+)\]$/.exec(line.trim());
    if (section?.[1] !== undefined) {
      current = new Map();
      sections.set(section[1], current);
      continue;
    }
    const kv = /^([^:=]+?)\s*[:=]\s*(.*)$/.exec(line.trim());
    if (!kv?.[1] || current === undefined) throw new PyError('ValueError', `File contains parsing errors: ${line}`);
    current.set(kv[1].toLowerCase(), kv[2] ?? '');
  }
  const prePost = sections.get('pre_post');
  if (prePost === undefined) throw new PyError('KeyError', "No section: 'pre_post'");
  return prePost;
}

const pyInt = (value: string, key: string): number => {
  if (!/^\s*[-+]?\d+\s*$/.test(value))
    throw new PyError('ValueError', `invalid literal for int() with base 10: '${value}' (${key})`);
  return Number.parseInt(value, 10);
};

const typeName = (v: unknown): string => {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
};

/** `for p in params: argv.append(str(p))`: lists element-wise, strings per character, other types TypeError. */
function scriptParams(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map(pyStr);
  if (typeof value === 'string') return [...value];
  if (typeof value === 'object' && value !== null) return Object.keys(value);
  throw new PyError('TypeError', `'${typeName(value)}' object is not iterable (${key})`);
}

/** Python 3 `min(value, maxTimeOut)`: numbers only (bool counts as int). */
function scriptTimeout(value: unknown, hostMax: number): number {
  if (value === undefined) return Math.min(DEFAULT_SCRIPT_TIMEOUT, hostMax);
  if (typeof value === 'boolean') return Math.min(value ? 1 : 0, hostMax);
  if (typeof value !== 'number') {
    throw new PyError('TypeError', `'<' not supported between instances of 'int' and '${typeName(value)}'`);
  }
  return Math.min(value, hostMax);
}

/** `int(v)` then kept only when 1 <= v <= 5. */
function pollTime(value: unknown): number {
  if (value === undefined) return DEFAULT_POLL;
  let n: number;
  if (typeof value === 'boolean') n = value ? 1 : 0;
  else if (typeof value === 'number') n = Math.trunc(value);
  else if (typeof value === 'string') n = pyInt(value, 'ScriptsExecutionPollTimeSeconds');
  else throw new PyError('TypeError', `int() argument must be a string or a number, not '${typeName(value)}'`);
  return n >= 1 && n <= 5 ? n : DEFAULT_POLL;
}

/** ScriptRunner.get_config: KeyError/ValueError are caught (305); TypeError/AttributeError escape (304). */
function readScriptRunnerConfig(content: Buffer, hostMax: number, hostPluginName: string): ScriptRunnerConfig {
  const text = content.toString('utf8');
  if (text.startsWith('\uFEFF')) throw new PyError('JSONDecodeError', 'Unexpected UTF-8 BOM (decode using utf-8-sig)');
  if (content.includes(0xff) || text.includes('\uFFFD')) throw new PyError('ValueError', "'utf-8' codec can't decode");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new PyError('JSONDecodeError', (e as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PyError('AttributeError', `'${typeName(parsed)}' object has no attribute 'keys'`);
  }
  const json = parsed as Record<string, unknown>;
  for (const key of ['preScriptLocation', 'postScriptLocation']) {
    if (!(key in json)) throw new PyError('KeyError', `'${key}'`);
  }
  return {
    pluginName: 'pluginName' in json ? pyStr(json.pluginName) : hostPluginName,
    preScriptLocation: pyStr(json.preScriptLocation),
    postScriptLocation: pyStr(json.postScriptLocation),
    preScriptParams: scriptParams(json.preScriptParams, 'preScriptParams'),
    postScriptParams: scriptParams(json.postScriptParams, 'postScriptParams'),
    preScriptNoOfRetries: json.preScriptNoOfRetries ?? 0,
    postScriptNoOfRetries: json.postScriptNoOfRetries ?? 0,
    timeoutInSeconds: scriptTimeout(json.timeoutInSeconds, hostMax),
    continueBackupOnFailure: 'continueBackupOnFailure' in json ? json.continueBackupOnFailure : true,
    fsFreezeEnabled: 'fsFreezeEnabled' in json ? json.fsFreezeEnabled : true,
    pollSeconds: pollTime(json.ScriptsExecutionPollTimeSeconds),
  };
}

/** Python truthiness of a JSON value. */
export const pyTruthy = (v: unknown): boolean =>
  !(
    v === false ||
    v === null ||
    v === undefined ||
    v === 0 ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
  );

/** handle.py's `== False` only matches a real boolean false (or 0). */
const isPyFalse = (v: unknown): boolean => v === false || v === 0;

// handle.py daemon(): "App Consistent … Enabled" unless the code is silent, then the fallback line for every code,
// then (no snapshot) "Plugin Host Precheck Failed" — so a surfaced validation code (306, 317, …) is logged by name.
const invalid = (code: number, dobackup: boolean, log: string[]): SetupValidation => {
  const silent = SILENT_CODES.has(code);
  if (!silent) log.push('App Consistent Consistent Backup Enabled');
  log.push(`Triggering File System Consistent Backup because of error code ${statusCodeString(code)}`);
  if (!silent && !dobackup) log.push(`Plugin Host Precheck Failed ${statusCodeString(code)}`);
  return { kind: 'invalid', code, silent, dobackup: silent ? true : dobackup, log };
};

/** handle.py daemon() up to "App Consistent Consistent Backup Enabled": workload.conf, PluginHost.pre_check, load_modules, validate_scripts. */
export function validateSetup(view: FileView): SetupValidation {
  const log: string[] = [];
  const workload = view(WORKLOAD_CONF_PATH);
  if (workload.kind === 'file') {
    const match = /^\s*workload_name\s*[:=]\s*(\S+)/im.exec(workload.content.toString('utf8'));
    const name = match?.[1]?.toLowerCase();
    if (name !== undefined && SUPPORTED_WORKLOADS.includes(name)) {
      log.push(`Workload ${name} found in ${WORKLOAD_CONF_PATH}: pre/post script plugin config is not used`);
      return { kind: 'workload', workload: name, log };
    }
  }

  log.push('Loading script modules now...');
  const custom = view(HOST_CONF_PATH);
  const hostPath = custom.kind === 'file' ? HOST_CONF_PATH : SHIPPED_HOST_CONF_PATH;
  const hostFact: FileFact =
    custom.kind === 'file'
      ? custom
      : { kind: 'file', mode: 0o644, owner: 'root', content: Buffer.from(SHIPPED_HOST_CONF) };
  log.push(`Permissions of the file ${hostPath} are ${digitsText(hostFact.mode)}`);
  if (!hostConfPermissionOk(hostFact.mode)) {
    log.push('Plugin host Config file does not have desired permissions');
    return invalid(314, true, log);
  }
  if (hostFact.owner !== 'root') {
    log.push(`The owner of the Plugin host Config file ${hostPath} is ${hostFact.owner} but not root`);
    return invalid(314, true, log);
  }

  let hostMax: number;
  let jsonPath: string;
  let hostPluginName: string;
  try {
    const conf = parseHostConf(hostFact.content.toString('utf8'));
    const get = (key: string): string => {
      const v = conf.get(key.toLowerCase());
      if (v === undefined) throw new PyError('KeyError', `No option '${key}' in section: 'pre_post'`);
      return v;
    };
    log.push(`config file: ${hostPath}`);
    hostMax = Math.min(pyInt(get('timeoutInSeconds'), 'timeoutInSeconds'), MAX_HOST_TIMEOUT);
    log.push(`timeoutInSeconds: ${hostMax}`);
    const plugins = pyInt(get('numberOfPlugins'), 'numberOfPlugins');
    log.push(`numberOfPlugins: ${plugins}`);
    if (plugins <= 0) {
      log.push('App Consistent Consistent Backup Enabled');
      return { kind: 'noPlugins', log };
    }
    hostPluginName = get('pluginName0');
    get('pluginPath0');
    jsonPath = get('pluginConfigPath0');
    log.push(`Name of the Plugin is ${hostPluginName}`);
    log.push(`Plugin config path is ${jsonPath}`);
  } catch (e) {
    log.push(`Error in reading PluginHost config file : ${(e as Error).message}, stack trace: (simulated)`);
    return invalid(304, true, log);
  }

  const json = view(jsonPath);
  if (json.kind !== 'file') {
    log.push(`Plugin host file does not exist in the location ${jsonPath}`);
    return invalid(316, true, log);
  }
  log.push(`Permissions of the file ${jsonPath} are ${digitsText(json.mode)}`);
  let jsonOk = true;
  if (!pluginJsonPermissionOk(json.mode)) {
    log.push('Plugin Config file does not have desired permissions');
    jsonOk = false;
  }
  if (json.owner !== 'root') {
    log.push(`The owner of the Plugin Config file ${jsonPath} is ${json.owner} but not root`);
    jsonOk = false;
  }
  // 317 is "surfaced" but dobackup stays true (vmsnapshot.md §2.4).
  if (!jsonOk) return invalid(317, true, log);

  let config: ScriptRunnerConfig;
  try {
    config = readScriptRunnerConfig(json.content, hostMax, hostPluginName);
  } catch (e) {
    const err = e as PyError;
    if (err.pyType === 'TypeError' || err.pyType === 'AttributeError') {
      log.push(`Error in reading PluginHost config file : ${err.message}, stack trace: (simulated)`);
      return invalid(304, true, log);
    }
    if (err.pyType === 'KeyError') {
      log.push(`Error in fetching value for the key ${err.message} in ${hostPluginName} config file.: ${err.message}`);
    } else {
      log.push(`Error in decoding ${hostPluginName} config file.: ${err.message}`);
    }
    log.push(`Cant run prescript for ${hostPluginName} . Config File error.`);
    return invalid(305, true, log);
  }

  const p = config.pluginName;
  log.push(
    `Plugin:${p} timeout:${config.timeoutInSeconds} pollTotalCount:${pyFloat(config.timeoutInSeconds / config.pollSeconds)} ` +
      `preScriptParams:${pyRepr(config.preScriptParams)} postScriptParams:${pyRepr(config.postScriptParams)} ` +
      `continueBackupOnFailure:${pyStr(config.continueBackupOnFailure)} preScriptNoOfRetries:${pyStr(config.preScriptNoOfRetries)} ` +
      `postScriptNoOfRetries:${pyStr(config.postScriptNoOfRetries)} Global FS Freeze on :${pyStr(config.fsFreezeEnabled)}`,
  );
  const scriptCheck = (location: string, which: 'pre' | 'post'): { code: number } | undefined => {
    const fact = location.startsWith('/') ? view(location) : ({ kind: 'missing' } as const);
    const [notFound, permission] = which === 'pre' ? [302, 306] : [303, 307];
    const label = which === 'pre' ? 'Prescript' : 'Postscript';
    if (fact.kind !== 'file') {
      log.push(`${label} file does not exist in the location ${location}`);
      return { code: notFound };
    }
    log.push(`Permissions of the file ${location} are ${digitsText(fact.mode)}`);
    if (!scriptPermissionOk(fact.mode)) {
      log.push(`${label} file does not have desired permissions${which === 'pre' ? ' ' : ''}`);
      return { code: permission };
    }
    if (fact.owner !== 'root') {
      log.push(
        which === 'pre'
          ? `The owner of the PreScript file ${location} is ${fact.owner} but not root`
          : `The owner of the PostScript file ${location} is ${fact.owner} but  not root`,
      );
      return { code: permission };
    }
    return undefined;
  };
  const failure = scriptCheck(config.preScriptLocation, 'pre') ?? scriptCheck(config.postScriptLocation, 'post');
  const code = failure?.code ?? 0;
  const dobackup = failure === undefined ? true : pyTruthy(config.continueBackupOnFailure);
  log.push(
    `Validate Scripts output: errorCode - ${code} dobackup - ${pyStr(dobackup)} fsFreeze_on - ${pyStr(config.fsFreezeEnabled)} pollTime - ${config.pollSeconds}`,
  );
  if (failure !== undefined) return invalid(code, dobackup, log);
  log.push('App Consistent Consistent Backup Enabled');
  return { kind: 'valid', config, log };
}

/** Seconds the runner waits before declaring a time-out: it checks every poll, so ceil(timeout/poll)*poll. */
export const effectiveScriptTimeoutSeconds = (config: ScriptRunnerConfig): number =>
  Math.max(0, Math.ceil(config.timeoutInSeconds / config.pollSeconds) * config.pollSeconds);

/** The lines logged when a phase starts, before the script runs. */
export const phaseStartLog = (config: ScriptRunnerConfig, which: 'pre' | 'post'): string[] =>
  which === 'pre'
    ? [`Running prescript for ${config.pluginName} module...`]
    : ['Starting postscript for all modules.', `Running postscript for ${config.pluginName} module...`];

/** ScriptRunner.pre_script/post_script and PluginHost.pre_script/post_script for one phase, once the script ended. */
export function decidePhase(config: ScriptRunnerConfig, which: 'pre' | 'post', run: ScriptRun): PhaseDecision {
  const log: string[] = [];
  const p = config.pluginName;
  const Label = which === 'pre' ? 'Prescript' : 'Postscript';
  const retries = which === 'pre' ? config.preScriptNoOfRetries : config.postScriptNoOfRetries;
  const [failedCode, timeoutCode, hostTimeoutCode] = which === 'pre' ? [300, 308, 310] : [301, 309, 311];

  let code = 0;
  if (run.kind === 'timedOut') {
    log.push(`${Label} for ${p} timed out.`);
    code = timeoutCode;
  } else if (run.exitCode !== 0) {
    if (typeof retries !== 'number') {
      // `cnt < retries` raises TypeError in the runner thread, which never reports completion; the host gives up.
      code = hostTimeoutCode;
    } else {
      for (let i = 0; i < retries; i++) log.push(`${Label} for ${p} failed. Retrying...`);
      log.push(`${Label} for ${p} failed with error code: ${run.exitCode} .`);
      code = failedCode;
    }
  } else {
    log.push(`${Label} for ${p} successfully executed.`);
  }

  if (code === hostTimeoutCode) {
    log.push(`Finished ${which}script execution from PluginHost side. Continue Backup: True`);
    return { code, continueBackup: true, crashed: false, log };
  }
  if (code === 0) {
    log.push(`Finished ${which}script execution from PluginHost side. Continue Backup: True`);
    return { code, continueBackup: true, crashed: false, log };
  }
  const flag = config.continueBackupOnFailure;
  // `continueBackup & result.continueBackup`: only bool/int support `&` with a bool.
  if (typeof flag !== 'boolean' && !(typeof flag === 'number' && Number.isInteger(flag))) {
    log.push(`unsupported operand type(s) for &: 'bool' and '${typeName(flag)}'`);
    return { code, continueBackup: false, crashed: true, log };
  }
  const continueBackup = pyTruthy(flag);
  log.push(`Finished ${which}script execution from PluginHost side. Continue Backup: ${pyStr(continueBackup)}`);
  return { code, continueBackup, crashed: false, log };
}

/** After the pre-script: take a snapshot? (handle.py lines 520-531.) */
export function snapshotAfterPre(config: ScriptRunnerConfig, pre: PhaseDecision): boolean {
  if (pre.crashed) return false;
  if (pre.code !== 0 && isPyFalse(config.fsFreezeEnabled)) return false;
  return pre.continueBackup;
}

const learnDetail = (code: number): ExtensionOutcome['errorDetail'] => {
  const learn = LEARN_ERRORS[code];
  return {
    errorCode: code,
    errorTitle: learn?.title ?? statusCodeName(code),
    errorString: learn?.message ?? `The backup extension reported ${statusCodeName(code)}.`,
  };
};

/** The final status for a run whose validation failed (no scripts ran). */
export function outcomeForInvalid(setup: Extract<SetupValidation, { kind: 'invalid' }>): ExtensionOutcome {
  if (setup.silent)
    return { recoveryPointType: 'FileSystemConsistent', jobStatus: 'Completed', extErrorCode: 0, log: [] };
  if (setup.dobackup) {
    return {
      recoveryPointType: 'FileSystemConsistent',
      jobStatus: 'CompletedWithWarnings',
      extErrorCode: setup.code,
      errorDetail: learnDetail(setup.code),
      log: [],
    };
  }
  return { jobStatus: 'Failed', extErrorCode: setup.code, errorDetail: learnDetail(setup.code), log: [] };
}

/** The final status after the scripts ran (handle.py lines 534-592). `post` is absent after a crash. */
export function outcomeAfterScripts(
  config: ScriptRunnerConfig,
  pre: PhaseDecision,
  snapshotTaken: boolean,
  post: PhaseDecision | undefined,
): ExtensionOutcome {
  const log: string[] = [];
  const extErrorCode = pre.code !== 0 ? pre.code : (post?.code ?? 0);
  if (pre.crashed || post?.crashed) {
    log.push(`Enable failed with error: snapshot flow aborted by an exception ${statusCodeString(extErrorCode)}`);
    return { jobStatus: 'Failed', extErrorCode, errorDetail: learnDetail(extErrorCode), log };
  }
  let dobackup = snapshotTaken;
  if (post !== undefined && post.code !== 0 && (!post.continueBackup || isPyFalse(config.fsFreezeEnabled))) {
    dobackup = false;
  }
  if (!dobackup) {
    const phase = pre.code !== 0 ? 'PreScript' : 'PostScript';
    log.push(`${phase} failed for the plugin ${config.pluginName} ${statusCodeString(extErrorCode)}`);
    return { jobStatus: 'Failed', extErrorCode, errorDetail: learnDetail(extErrorCode), log };
  }
  if (extErrorCode === 0) {
    log.push('Enable Succeeded with App Consistent Snapshot');
    return { recoveryPointType: 'AppConsistent', jobStatus: 'Completed', extErrorCode: 0, log };
  }
  return {
    recoveryPointType: 'FileSystemConsistent',
    jobStatus: 'CompletedWithWarnings',
    extErrorCode,
    errorDetail: learnDetail(extErrorCode),
    log,
  };
}

/**
 * The whole decision for given file facts and script results, without running anything: for table tests and
 * for callers that already know how the scripts behave.
 */
export function simulateExtension(
  view: FileView,
  scripts: { pre: ScriptRun; post: ScriptRun },
): { setup: SetupValidation; outcome: ExtensionOutcome; ranPre: boolean; ranPost: boolean; snapshot: boolean } {
  const setup = validateSetup(view);
  if (setup.kind === 'workload' || setup.kind === 'noPlugins') {
    const type: RecoveryPointKind = setup.kind === 'noPlugins' ? 'AppConsistent' : 'FileSystemConsistent';
    return {
      setup,
      outcome: { recoveryPointType: type, jobStatus: 'Completed', extErrorCode: 0, log: [] },
      ranPre: false,
      ranPost: false,
      snapshot: true,
    };
  }
  if (setup.kind === 'invalid') {
    const outcome = outcomeForInvalid(setup);
    return { setup, outcome, ranPre: false, ranPost: false, snapshot: outcome.recoveryPointType !== undefined };
  }
  const pre = decidePhase(setup.config, 'pre', scripts.pre);
  const snapshot = snapshotAfterPre(setup.config, pre);
  const post = pre.crashed ? undefined : decidePhase(setup.config, 'post', scripts.post);
  const outcome = outcomeAfterScripts(setup.config, pre, snapshot, post);
  return { setup, outcome, ranPre: true, ranPost: post !== undefined, snapshot };
}
