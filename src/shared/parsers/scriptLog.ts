import { LOG_LIMITS, readInputLines } from './inputLines';
import { isoTimestamp, isValidTimestamp } from './isoTimestamp';
import { keyValuePairs } from './keyValuePairs';
import { ParseResult, ProblemLog } from './parseResult';

export type ScriptLogEventType =
  | 'freeze-start'
  | 'frozen'
  | 'freeze-failed'
  | 'thaw-start'
  | 'thawed'
  | 'thaw-failed'
  | 'journal-switched'
  | 'already-frozen'
  | 'instance-down'
  | 'auto-thawed'
  | 'skipped'
  | 'error';

/**
 * One event from a pre/post-script log. Formats:
 * - 'iris-backup-guard': our hardened scripts, `<ISO time> level=… event=… instance=… key=value…` (one per line);
 * - 'external-freeze-stdout': scripts that append `iris session`/`csession` stdout to a file and add their own
 *   "SYSTEM IS FROZEN" lines: the Microsoft Caché sample (with its `Logs:` header) and IRISMeister's IRIS version.
 */
export interface ScriptLogEvent {
  type: ScriptLogEventType;
  line: number;
  format: 'iris-backup-guard' | 'external-freeze-stdout';
  /** ISO 8601; UTC with Z for our scripts, local as written (no designator) for `iris session` stdout. */
  time?: string;
  instance?: string;
  role?: 'pre' | 'post';
  /** Journal file named by a journal switch. */
  journal?: string;
  exitCode?: number;
  /** The line's own words: the `msg=` value, or the stdout line. */
  message?: string;
  /** Our scripts: the `event=` name as printed (e.g. status-failed, unexpected-exit). */
  name?: string;
  /** Our scripts: the run id shared by the pre- and post-script of one backup. */
  run?: string;
  /** All key=value pairs of our scripts' line (for fields this parser does not interpret). */
  fields?: Record<string, string>;
}

const OUR_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))\s+(.*)$/;
const STDOUT_LINE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2}): (.*)$/;

// Event names vm/iris-pre.sh and vm/iris-post.sh print. `start` means the script began its freeze (pre) or its
// thaw (post). Names not listed are informational (instances, not-suspended, waiting-for-pre…) unless logged at
// level=error, which makes them 'error' events.
const EVENT_NAMES: Record<string, ScriptLogEventType | ((role: ScriptLogEvent['role']) => ScriptLogEventType)> = {
  start: (role) => (role === 'post' ? 'thaw-start' : 'freeze-start'),
  'freeze-start': 'freeze-start',
  // The pre-script records each instance as attempted just before its ExternalFreeze call.
  'freeze-attempt': 'freeze-start',
  frozen: 'frozen',
  'freeze-failed': 'freeze-failed',
  'thaw-start': 'thaw-start',
  thawed: 'thawed',
  'thaw-failed': 'thaw-failed',
  'journal-switched': 'journal-switched',
  'already-frozen': 'already-frozen',
  'instance-down': 'instance-down',
  'status-failed': 'instance-down',
  'no-running-instance': 'instance-down',
  'auto-thawed': 'auto-thawed',
  skip: 'skipped',
  error: 'error',
};

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function roleOf(value: string | undefined): ScriptLogEvent['role'] {
  const v = value?.toLowerCase();
  if (v === 'pre' || v === 'prescript' || v === 'pre-script' || v === 'freeze') return 'pre';
  if (v === 'post' || v === 'postscript' || v === 'post-script' || v === 'thaw') return 'post';
  return undefined;
}

function impliedRole(type: ScriptLogEventType): ScriptLogEvent['role'] {
  if (type.startsWith('freeze') || type === 'frozen' || type === 'already-frozen') return 'pre';
  if (type.startsWith('thaw') || type === 'auto-thawed' || type === 'skipped') return 'post';
  return undefined;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

function parseOurLine(n: number, time: string, rest: string, problems: ProblemLog): ScriptLogEvent | undefined {
  const fields: Record<string, string> = {};
  // Keys come from the VM: never let one reach an object's prototype.
  for (const [key, value] of keyValuePairs(rest)) {
    if (!UNSAFE_KEYS.has(key)) fields[key] = unquote(value);
  }
  if (Number.isNaN(Date.parse(time))) {
    problems.add(`Invalid timestamp "${time}"`, n);
    return undefined;
  }
  const eventName = fields.event;
  const explicitRole = roleOf(fields.script ?? fields.role ?? fields.phase);
  const mapped = eventName !== undefined && Object.hasOwn(EVENT_NAMES, eventName) ? EVENT_NAMES[eventName] : undefined;
  let type: ScriptLogEventType | undefined = typeof mapped === 'function' ? mapped(explicitRole) : mapped;
  if (type === undefined && (fields.level === 'error' || fields.level === 'fatal')) type = 'error';
  if (type === undefined) {
    if (eventName === undefined) problems.add('Line has no event= field', n);
    return undefined;
  }
  const event: ScriptLogEvent = {
    type,
    line: n,
    format: 'iris-backup-guard',
    time: new Date(Date.parse(time)).toISOString(),
    fields,
  };
  if (eventName !== undefined) event.name = eventName;
  if (fields.run) event.run = fields.run;
  const role = explicitRole ?? impliedRole(type);
  if (role) event.role = role;
  const instance = fields.instance;
  if (instance) event.instance = instance;
  const journal = fields.journal ?? fields.path;
  // The pre-script writes journal=unknown when IRIS did not name the new journal file.
  if (journal && journal !== 'unknown') event.journal = journal;
  const rc = fields.rc ?? fields.exit ?? fields.status;
  if (rc !== undefined && /^-?\d+$/.test(rc)) event.exitCode = Number(rc);
  const msg = fields.msg ?? fields.message;
  if (msg !== undefined) event.message = msg;
  return event;
}

// What `iris session … ExternalFreeze/ExternalThaw` prints, and the scripts' own verdict lines (iris.md §1.5, §2).
const STDOUT_EVENTS: [RegExp, ScriptLogEventType | null, 'pre' | 'post' | undefined][] = [
  [/Backup\.General\.ExternalFreeze: Suspending system/, 'freeze-start', 'pre'],
  [/Backup\.General\.ExternalFreeze: System suspended/, 'frozen', 'pre'],
  [/Backup\.General\.ExternalFreeze: (?:Warning|Start a journal restore)/, null, 'pre'],
  [/Backup\.General\.ExternalThaw: Resuming system/, 'thaw-start', 'post'],
  [/Backup\.General\.ExternalThaw: System resumed/, 'thawed', 'post'],
  [/^SYSTEM IS FROZEN\s*$/, 'frozen', 'pre'],
  [/^SYSTEM FREEZE FAILED\s*$/, 'freeze-failed', 'pre'],
  [/^SYSTEM IS UNFROZEN\s*$/, 'thawed', 'post'],
  [/^SYSTEM UNFREEZE FAILED\s*$/, 'thaw-failed', 'post'],
  [/\bIS already FROZEN\b/i, 'already-frozen', 'pre'],
  [/not (?:running|up)\b|\bis down\b|\bnot started\b/i, 'instance-down', undefined],
  [/error|denied|failed|not found|cannot|<[A-Z]+>/i, 'error', undefined],
];
const IGNORED = [/^Logs:\s*$/, /^Journal marker set at\s*$/, /^offset \d+ of /, /^Journal file switched to:\s*$/];

export function parseScriptLog(text: string): ParseResult<ScriptLogEvent[]> {
  const problems = new ProblemLog();
  const lines = readInputLines(text, LOG_LIMITS, problems);
  const events: ScriptLogEvent[] = [];
  let unrecognised = 0;
  let firstUnrecognised: number | undefined;

  lines.forEach(({ n, text: line }, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const ours = OUR_LINE.exec(trimmed);
    if (ours) {
      const event = parseOurLine(n, ours[1] ?? '', ours[2] ?? '', problems);
      if (event) events.push(event);
      return;
    }
    if (/^Journal file switched to:\s*$/.test(trimmed)) {
      // The path is on the next line (iris.md §1.5).
      const next = lines[i + 1]?.text.trim();
      const path = next && !STDOUT_LINE.test(next) && !OUR_LINE.test(next) ? next : undefined;
      if (path) events.push({ type: 'journal-switched', line: n, format: 'external-freeze-stdout', journal: path });
      else problems.add('"Journal file switched to:" without the path on the next line', n);
      return;
    }
    if (lines[i - 1] && /^Journal file switched to:\s*$/.test(lines[i - 1]?.text.trim() ?? '')) return;
    if (IGNORED.some((r) => r.test(trimmed))) return;

    const stamped = STDOUT_LINE.exec(trimmed);
    let time: string | undefined;
    let body = trimmed;
    if (stamped) {
      const parts = {
        year: Number(stamped[3]),
        month: Number(stamped[1]),
        day: Number(stamped[2]),
        hour: Number(stamped[4]),
        minute: Number(stamped[5]),
        second: Number(stamped[6]),
        millisecond: 0,
      };
      if (isValidTimestamp(parts)) time = isoTimestamp(parts);
      else problems.add(`Invalid timestamp "${trimmed.slice(0, 19)}"`, n);
      body = stamped[7] ?? '';
    }
    const match = STDOUT_EVENTS.find(([r]) => r.test(body));
    if (!match) {
      unrecognised += 1;
      firstUnrecognised ??= n;
      return;
    }
    const [, type, role] = match;
    if (type === null) return;
    // The scripts' "SYSTEM IS FROZEN" confirms the "System suspended" just before it; keep one event.
    const previous = events[events.length - 1];
    if (!stamped && previous && previous.type === type && previous.format === 'external-freeze-stdout') return;
    const event: ScriptLogEvent = { type, line: n, format: 'external-freeze-stdout', message: body };
    if (time) event.time = time;
    if (role) event.role = role;
    events.push(event);
  });
  if (firstUnrecognised !== undefined) {
    problems.add(`${unrecognised} unrecognised lines (first shown by line number)`, firstUnrecognised);
  }
  return { value: events, problems: problems.list() };
}
