import {
  PROBE_MARKER,
  type BashismId,
  type ProbeFacts,
  type ProbeFileFacts,
  type ProbeIrisFacts,
  type ProbeLogTail,
  type ProbeScriptFacts,
  type ProbeTextFileFacts,
  type ProbeTimeZone,
  type ProbeWdState,
} from './probeFacts';

export interface ProbeParseResult {
  /** Absent when no usable probe line was found, or its essential parts were missing. */
  facts?: ProbeFacts;
  /** What was dropped or could not be read, one sentence each. */
  problems: string[];
}

/** Only the tail of a huge output is searched: the probe prints its line last and Run Command keeps 4 KiB anyway. */
export const MAX_SCANNED_CHARS = 1024 * 1024;
const MAX_PROBLEMS = 50;
const CAPS = {
  path: 1024,
  owner: 64,
  text: 64 * 1024,
  qlist: 16 * 1024,
  firstLine: 80,
  freezeCall: 160,
  exitLine: 60,
  exitLines: 4,
  logLine: 300,
  logLines: 1000,
  versions: 20,
  label: 200,
  wd: 20,
} as const;

const BASHISMS: readonly BashismId[] = [
  'double-bracket',
  'function-keyword',
  'pipe-ampersand',
  'array',
  'process-substitution',
  'source',
  'double-equals',
  'echo-e',
  'pipestatus',
  'let',
  'declare',
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems, capped so garbage input cannot produce an unbounded list. */
class Problems {
  readonly list: string[] = [];
  private extra = 0;
  add(message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(message);
    else this.extra += 1;
  }
  done(): string[] {
    return this.extra === 0 ? this.list : [...this.list, `${this.extra} more problems were not listed`];
  }
}

/** Reads typed fields of one object from the probe, dropping wrong types with a problem. */
class Reader {
  constructor(
    private readonly obj: Obj,
    private readonly where: string,
    private readonly problems: Problems,
  ) {}

  private wrong(key: string, expected: string): undefined {
    this.problems.add(`${this.where}.${key}: expected ${expected}, dropped`);
    return undefined;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.obj, key) && this.obj[key] !== undefined;
  }

  str(key: string, cap: number): string | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (typeof v !== 'string') return this.wrong(key, 'a string');
    if (v.length <= cap) return v;
    this.problems.add(`${this.where}.${key}: longer than ${cap} characters, cut`);
    return v.slice(0, cap);
  }

  bool(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    return typeof v === 'boolean' ? v : this.wrong(key, 'a boolean');
  }

  int(key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? v
      : this.wrong(key, `an integer ${min}..${max}`);
  }

  strings(key: string, maxItems: number, cap: number): string[] | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (!Array.isArray(v)) return this.wrong(key, 'an array of strings');
    const out: string[] = [];
    for (const item of v.slice(0, maxItems)) {
      if (typeof item === 'string') out.push(item.length > cap ? item.slice(0, cap) : item);
      else this.problems.add(`${this.where}.${key}: a non-string item was dropped`);
    }
    if (v.length > maxItems) this.problems.add(`${this.where}.${key}: only the first ${maxItems} items were kept`);
    return out;
  }

  obj_(key: string): Obj | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    return isObj(v) ? v : this.wrong(key, 'an object');
  }
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function fileFacts(obj: Obj, where: string, problems: Problems): ProbeFileFacts | undefined {
  const r = new Reader(obj, where, problems);
  const path = r.str('path', CAPS.path);
  const exists = r.bool('exists');
  const isFile = r.bool('isFile');
  if (path === undefined || exists === undefined || isFile === undefined) {
    problems.add(`${where}: path, exists and isFile are required; the section was dropped`);
    return undefined;
  }
  const f: ProbeFileFacts = { path, exists, isFile };
  assign(f, 'isLink', r.bool('isLink'));
  assign(f, 'linkTarget', r.str('linkTarget', CAPS.path));
  assign(f, 'owner', r.str('owner', CAPS.owner));
  const mode = r.str('mode', 8);
  if (mode !== undefined) {
    if (/^[0-7]{1,6}$/.test(mode)) f.mode = mode;
    else problems.add(`${where}.mode: not an octal mode, dropped`);
  }
  assign(f, 'size', r.int('size'));
  assign(f, 'readable', r.bool('readable'));
  return f;
}

function textFileFacts(obj: Obj, where: string, problems: Problems): ProbeTextFileFacts | undefined {
  const base = fileFacts(obj, where, problems);
  if (!base) return undefined;
  const r = new Reader(obj, where, problems);
  const f: ProbeTextFileFacts = base;
  const text = r.str('text', CAPS.text);
  if (text !== undefined) {
    f.text = text;
    if (typeof obj.text === 'string' && obj.text.length > CAPS.text) f.truncated = true;
  }
  const truncated = r.bool('truncated');
  if (truncated) f.truncated = true;
  else if (truncated === false && f.truncated === undefined) f.truncated = false;
  assign(f, 'bom', r.bool('bom'));
  return f;
}

function scriptFacts(obj: Obj, where: string, problems: Problems): ProbeScriptFacts | undefined {
  const base = fileFacts(obj, where, problems);
  if (!base) return undefined;
  const r = new Reader(obj, where, problems);
  const f: ProbeScriptFacts = base;
  assign(f, 'firstLine', r.str('firstLine', CAPS.firstLine));
  assign(f, 'crlf', r.bool('crlf'));
  const bashisms = r.strings('bashisms', BASHISMS.length * 2, 40);
  if (bashisms) {
    const known = bashisms.filter((b): b is BashismId => (BASHISMS as readonly string[]).includes(b));
    if (known.length < bashisms.length) problems.add(`${where}.bashisms: unknown ids were dropped`);
    f.bashisms = [...new Set(known)];
  }
  assign(f, 'reexecsBash', r.bool('reexecsBash'));
  assign(f, 'ibgScript', r.str('ibgScript', 40));
  assign(f, 'freezeCalls', r.int('freezeCalls'));
  assign(f, 'thawCalls', r.int('thawCalls'));
  assign(f, 'freezeCall', r.str('freezeCall', CAPS.freezeCall));
  assign(f, 'freezeAttemptTimeout', r.int('freezeAttemptTimeout', 0, 86400));
  assign(f, 'checksFive', r.bool('checksFive'));
  assign(f, 'exitLines', r.strings('exitLines', CAPS.exitLines, CAPS.exitLine));
  assign(f, 'stdoutWrites', r.int('stdoutWrites'));
  assign(f, 'setE', r.bool('setE'));
  assign(f, 'trap', r.bool('trap'));
  return f;
}

function irisFacts(obj: Obj, problems: Problems): ProbeIrisFacts | undefined {
  const r = new Reader(obj, 'iris', problems);
  const present = r.bool('present');
  if (present === undefined) {
    problems.add('iris.present is required; the IRIS section was dropped');
    return undefined;
  }
  const f: ProbeIrisFacts = { present };
  const command = r.str('command', 16);
  if (command === 'iris' || command === 'ccontrol') f.command = command;
  else if (command !== undefined) problems.add('iris.command: expected "iris" or "ccontrol", dropped');
  assign(f, 'qlist', r.str('qlist', CAPS.qlist));
  if (r.has('wd')) {
    const wd = obj.wd;
    if (!Array.isArray(wd)) problems.add('iris.wd: expected an array, dropped');
    else {
      const states: ProbeWdState[] = [];
      for (const item of wd.slice(0, CAPS.wd)) {
        if (isObj(item) && typeof item.instance === 'string' && Number.isInteger(item.rc)) {
          states.push({ instance: item.instance.slice(0, CAPS.label), rc: item.rc as number });
        } else problems.add('iris.wd: an entry without instance/rc was dropped');
      }
      f.wd = states;
    }
  }
  return f;
}

function logTail(obj: Obj, where: string, problems: Problems): ProbeLogTail | undefined {
  const r = new Reader(obj, where, problems);
  const path = r.str('path', CAPS.path);
  const exists = r.bool('exists');
  if (path === undefined || exists === undefined) {
    problems.add(`${where}: path and exists are required; dropped`);
    return undefined;
  }
  const t: ProbeLogTail = { path, exists, lines: r.strings('lines', CAPS.logLines, CAPS.logLine) ?? [] };
  assign(t, 'truncated', r.bool('truncated'));
  return t;
}

/** Offsets real zones use, -12:00 to +14:00, in minutes. */
const MIN_OFFSET = -720;
const MAX_OFFSET = 840;

function timeZone(obj: Obj, problems: Problems): ProbeTimeZone | undefined {
  const r = new Reader(obj, 'tz', problems);
  const source = r.str('source', 20);
  if (source === undefined) {
    problems.add('tz.source is required; the time zone was dropped');
    return undefined;
  }
  const tz: ProbeTimeZone = { source };
  assign(tz, 'name', r.str('name', 64));
  assign(tz, 'offsetMinutes', r.int('offset', MIN_OFFSET, MAX_OFFSET));
  assign(tz, 'sinceOffsetMinutes', r.int('sinceOffset', MIN_OFFSET, MAX_OFFSET));
  return tz;
}

function toFacts(data: unknown, problems: Problems): ProbeFacts | undefined {
  if (!isObj(data)) {
    problems.add('The probe line is not a JSON object');
    return undefined;
  }
  if (data.v !== 1) {
    problems.add(`Unsupported probe version ${JSON.stringify(data.v)?.slice(0, 20) ?? 'absent'}; expected 1`);
    return undefined;
  }
  const r = new Reader(data, 'probe', problems);
  const modeText = r.str('mode', 10);
  const mode: ProbeFacts['mode'] = modeText === 'logs' ? 'logs' : 'check';
  if (modeText !== 'check' && modeText !== 'logs')
    problems.add('probe.mode: expected "check" or "logs"; assumed "check"');
  const at = r.str('at', 40) ?? '';
  if (at === '') problems.add('probe.at: the VM clock is missing');

  const required = (key: 'hostConf' | 'config' | 'workloadConf' | 'vmbackupConf'): ProbeTextFileFacts | undefined => {
    const o = r.obj_(key);
    if (!o) {
      problems.add(`${key}: missing`);
      return undefined;
    }
    return textFileFacts(o, key, problems);
  };
  const hostConf = required('hostConf');
  const config = required('config');
  const workloadConf = required('workloadConf');
  const vmbackupConf = required('vmbackupConf');
  const irisObj = r.obj_('iris');
  const iris = irisObj ? irisFacts(irisObj, problems) : undefined;
  if (!irisObj) problems.add('iris: missing');
  if (!hostConf || !config || !workloadConf || !vmbackupConf || !iris) {
    problems.add('The probe output lacks essential sections, so the VM cannot be judged');
    return undefined;
  }

  const extObj = r.obj_('extension');
  const versions = extObj
    ? new Reader(extObj, 'extension', problems).strings('versions', CAPS.versions, CAPS.label)
    : undefined;
  if (versions === undefined) problems.add('extension.versions: missing; assumed none');

  const facts: ProbeFacts = {
    v: 1,
    mode,
    at,
    hostConf,
    config,
    workloadConf,
    vmbackupConf,
    extension: { versions: versions ?? [] },
    iris,
    logs: {},
  };
  const tzObj = r.obj_('tz');
  const tz = tzObj ? timeZone(tzObj, problems) : undefined;
  if (tz) facts.tz = tz;
  for (const role of ['pre', 'post'] as const) {
    const o = r.obj_(role);
    const s = o ? scriptFacts(o, role, problems) : undefined;
    if (s) facts[role] = s;
  }
  const logsObj = r.obj_('logs');
  if (logsObj) {
    const lr = new Reader(logsObj, 'logs', problems);
    for (const key of ['extension', 'scripts', 'otherScriptLog', 'messages'] as const) {
      const o = lr.obj_(key);
      const tail = o ? logTail(o, `logs.${key}`, problems) : undefined;
      if (tail) facts.logs[key] = tail;
    }
  }
  const dropped = r.strings('dropped', 20, CAPS.label);
  if (dropped) facts.dropped = dropped;
  return facts;
}

/**
 * Finds the probe's `IBG_PROBE_V1 <json>` line (the last one that parses) in Run Command stdout and validates every
 * field: the VM is untrusted, so wrong types are dropped with a problem and strings are capped. Never throws.
 */
export function parseProbeOutput(stdout: string): ProbeParseResult {
  const problems = new Problems();
  try {
    let text = typeof stdout === 'string' ? stdout : '';
    if (text.length > MAX_SCANNED_CHARS) {
      problems.add(`The output is ${text.length} characters; only the last ${MAX_SCANNED_CHARS} were searched`);
      text = text.slice(-MAX_SCANNED_CHARS);
    }
    const prefix = `${PROBE_MARKER} `;
    const candidates = text
      .split('\n')
      .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
      .filter((l) => l.startsWith(prefix));
    if (candidates.length === 0) {
      problems.add(text.trim() === '' ? 'The probe printed nothing' : `No line starting with "${prefix}" was found`);
      return { problems: problems.done() };
    }
    for (let i = candidates.length - 1; i >= 0; i -= 1) {
      let data: unknown;
      try {
        data = JSON.parse((candidates[i] ?? '').slice(prefix.length));
      } catch {
        problems.add(`A ${PROBE_MARKER} line is not valid JSON (truncated output?)`);
        continue;
      }
      const facts = toFacts(data, problems);
      return facts ? { facts, problems: problems.done() } : { problems: problems.done() };
    }
    return { problems: problems.done() };
  } catch (e) {
    // Defensive: nothing above should throw, but a VM must never be able to crash the caller.
    problems.add(`The probe output could not be read: ${e instanceof Error ? e.message : String(e)}`);
    return { problems: problems.done() };
  }
}
