import { LOG_LIMITS, readInputLines, reportCutLastLine } from './inputLines';
import { fractionToMillis, isoTimestamp, isValidOffsetMinutes, isValidTimestamp, TimestampParts } from './isoTimestamp';
import { ParseResult, ProblemLog } from './parseResult';
import { PrepostStatusCode, prepostStatusByCode, prepostStatusByName } from './prepostStatusCodes';

export { PREPOST_STATUS_CODES } from './prepostStatusCodes';
export type { PrepostStatusCode } from './prepostStatusCodes';

/**
 * One entry of the VMSnapshotLinux extension.log (vmsnapshot.md §4.2). Lines the extension buffered during the
 * freeze (between the "Logs during Freeze Start/End" markers) become entries of their own with format 'freeze-block'.
 */
export interface ExtensionLogEntry {
  line: number;
  /** ISO 8601: UTC with Z (Python 3), or local as written without a designator (Python 2, freeze block). */
  time: string;
  timeZone: 'utc' | 'local';
  format: 'python3' | 'python2' | 'freeze-block';
  /** The `[name-ver]` prefix, e.g. Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0. */
  source: string;
  /** Freeze-block lines carry a level (Info, Warning, Error). */
  level?: string;
  message: string;
  /** Unprefixed lines that followed (stack traces, status JSON). */
  continuation: string[];
}

export interface ExtensionLogOptions {
  /** The VM's offset east of UTC in minutes; converts the local (Python 2, freeze block) times to UTC. */
  timeZoneOffsetMinutes?: number;
}

const PY3 = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? \[([^\]]*)\](.*)$/;
const PY2 = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[([^\]]*)\](.*)$/;
// Backuplogger's buffered lines: "{time}  {level}  {msg} " with time from strftime (/) or str(datetime) (-).
const FREEZE_INNER = /^(\d{4})[/-](\d{2})[/-](\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? {2}(\S+) {2}(.*)$/;
const FREEZE_START = /^=+ Logs during Freeze Start =+\s*$/;
const FREEZE_END = /^=+ Logs during Freeze End =+\s*$/;

function parts(m: RegExpExecArray, fractionIndex: number | undefined): TimestampParts {
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    millisecond: fractionIndex === undefined ? 0 : fractionToMillis(m[fractionIndex]),
  };
}

export function parseExtensionLog(text: string, options: ExtensionLogOptions = {}): ParseResult<ExtensionLogEntry[]> {
  const problems = new ProblemLog();
  const lines = readInputLines(text, LOG_LIMITS, problems);
  let offset = options.timeZoneOffsetMinutes;
  if (offset !== undefined && !isValidOffsetMinutes(offset)) {
    problems.add(`timeZoneOffsetMinutes ${String(offset)} is out of range (-720 to 840); times are local as written`);
    offset = undefined;
  }
  const localZone = offset === undefined ? {} : { offsetMinutes: offset };
  const localTz: ExtensionLogEntry['timeZone'] = offset === undefined ? 'local' : 'utc';

  const entries: ExtensionLogEntry[] = [];
  let freezeStart: number | undefined;
  let blockSource = '';
  let orphans = 0;
  let firstOrphan: number | undefined;
  const attach = (n: number, line: string): void => {
    const last = entries[entries.length - 1];
    if (last) last.continuation.push(line);
    else {
      firstOrphan ??= n;
      orphans += 1;
    }
  };
  const freezeLine = (n: number, body: string, source: string): boolean => {
    if (freezeStart === undefined) return false;
    if (FREEZE_END.test(body)) {
      freezeStart = undefined;
      return true;
    }
    const inner = FREEZE_INNER.exec(body);
    if (!inner) return false;
    const p = parts(inner, 7);
    if (!isValidTimestamp(p)) return false;
    entries.push({
      line: n,
      time: isoTimestamp(p, localZone),
      timeZone: localTz,
      format: 'freeze-block',
      source,
      level: inner[8] ?? '',
      message: (inner[9] ?? '').trimEnd(),
      continuation: [],
    });
    return true;
  };

  for (const { n, text: line } of lines) {
    const py3 = PY3.exec(line);
    const py2 = py3 ? null : PY2.exec(line);
    const m = py3 ?? py2;
    if (m) {
      const p = parts(m, py3 ? 7 : undefined);
      const source = (py3 ? m[8] : m[7]) ?? '';
      const message = (py3 ? m[9] : m[8]) ?? '';
      if (!isValidTimestamp(p)) {
        problems.add(`Invalid timestamp "${line.slice(0, 26)}"; the line was kept as a continuation`, n);
        attach(n, line);
        continue;
      }
      // Python 2 repeats the prefix on every line of a message, so buffered freeze lines can carry it too.
      if (freezeLine(n, message, source)) continue;
      entries.push({
        line: n,
        time: py3 ? isoTimestamp(p, { utc: true }) : isoTimestamp(p, localZone),
        timeZone: py3 ? 'utc' : localTz,
        format: py3 ? 'python3' : 'python2',
        source,
        message,
        continuation: [],
      });
      if (FREEZE_START.test(message)) {
        freezeStart = n;
        blockSource = source;
      }
      continue;
    }
    if (freezeLine(n, line, blockSource)) continue;
    if (line.trim() === '') continue;
    attach(n, line);
  }
  reportCutLastLine(text, lines, entries[entries.length - 1]?.line, problems);
  if (freezeStart !== undefined) {
    problems.add(
      'The "Logs during Freeze" block has no end marker (log cut, or the extension stopped while frozen)',
      freezeStart,
    );
  }
  if (firstOrphan !== undefined) {
    problems.add(`${orphans} lines before the first timestamped entry were skipped`, firstOrphan);
  }
  if (lines.length > 0 && entries.length === 0) {
    problems.add('No extension.log entries found (expected "YYYY-MM-DD HH:MM:SS.ffffff [name-version]message")');
  }
  return { value: entries, problems: problems.list() };
}

// ---- One backup run, summarised -------------------------------------------------------------------------------

export type ScriptPhaseResult = 'success' | 'failed' | 'timed-out' | 'not-run' | 'unknown';

export interface ScriptPhase {
  /** not-run: no "Running …script" line in the run; unknown: it started but the outcome is not in the log. */
  result: ScriptPhaseResult;
  /** The script's exit status from "failed with error code: <rc> .". */
  exitCode?: number;
  /** "failed. Retrying..." lines; the extension never really re-runs the script (vmsnapshot.md §3.4). */
  retries: number;
  startedAt?: string;
  endedAt?: string;
  /** From "Finished …script execution from PluginHost side. Continue Backup: <b>". */
  continueBackup?: boolean;
}

export type PrePostFinalKind =
  'app-consistent-snapshot' | 'precheck-failed' | 'pre-script-failed' | 'post-script-failed' | 'enable-failed' | 'none';

export interface PermissionLine {
  line: number;
  path: string;
  mode: string;
  /** Older extensions wrote the typo "Permisisons" (issue #921). */
  spelling: 'Permissions' | 'Permisisons';
}

export interface PrePostSummary {
  /** A run start ("Loading script modules now...") was found; otherwise the summary covers what was there. */
  runStartSeen: boolean;
  startedAt?: string;
  /** The latest time in the run. */
  endedAt?: string;
  validation: {
    result: 'ok' | 'failed' | 'unknown';
    /** Set when it failed: the code from the log, with its names. */
    status?: PrepostStatusCode;
    /** A StatusCode name the table does not know. */
    statusName?: string;
  };
  /** What handle.py decided: run the scripts (app-consistent) or fall back to file-system-consistent. */
  mode: 'app-consistent' | 'file-system-fallback' | 'unknown';
  preScript: ScriptPhase;
  postScript: ScriptPhase;
  freezeAt?: string;
  thawAt?: string;
  /** Text after "T:S thaw result". */
  thawResult?: string;
  final: { kind: PrePostFinalKind; statusName?: string; line?: number; message?: string };
  /** The resulting snapshot's consistency as far as the log tells. */
  consistency: 'app-consistent' | 'file-system-consistent' | 'failed' | 'unknown';
  /** The code the extension reports (first writer wins, as in handle.py). */
  extensionStatus?: PrepostStatusCode;
  permissions: PermissionLine[];
  /** Validation and script error lines, as logged. */
  errors: { line: number; message: string }[];
  /** Every `StatusCode.<name>` seen in the run, first occurrence order. */
  statusCodes: string[];
}

const RUN_START = 'Loading script modules now...';
const SCRIPT_LINE =
  /^(Prescript|Postscript) for (.+?) (timed out\.|failed\. Retrying\.\.\.|failed with error code: (-?\d+) ?\.|successfully executed\.)\s*$/;
const RUNNING = /^Running (prescript|postscript) for .+ module\.\.\.\s*$/;
const FINISHED = /^Finished (prescript|postscript) execution from PluginHost side\. Continue Backup: (True|False)/;
const CANT_RUN = /^Cant run prescript for /;
const VALIDATE_OUTPUT = /^Validate Scripts output: errorCode - (\d+)/;
const FS_FALLBACK = /^Triggering File System Consistent Backup because of error code\s*StatusCode\.(\w+),?/;
const PERMISSIONS = /^(Permissions|Permisisons)\s+of the file (.+) are (\d{3,4})\s*$/;
const STATUS_CODE = /StatusCode\.(\w+)/g;
/**
 * PluginHost's own rejections name no code; handle.py logs it on a later line that a cut log may lack (317: the JSON's
 * permissions or owner; 314: the host conf's; 316: no JSON).
 */
const VALIDATION_LINES: [RegExp, number][] = [
  [/^Plugin Config file does not have desired permissions/, 317],
  [/^The owner of the Plugin Config file .* but\s+not root/, 317],
  [/^Plugin host Config file does not have desired permissions/, 314],
  [/^The owner of the Plugin host Config file .* but\s+not root/, 314],
  [/^Plugin host file does not exist in the location/, 316],
];
/** A final line's match: the StatusCode name it carries, if any. */
type FinalMatch = { statusName?: string } | undefined;

function fromRegex(pattern: RegExp): (msg: string) => FinalMatch {
  return (msg) => {
    const m = pattern.exec(msg);
    if (!m) return undefined;
    return m[1] ? { statusName: m[1] } : {};
  };
}

const ENABLE_FAILED = 'Enable failed with error:';
// Anchored at the end and scanned once: the former `.*?(?:StatusCode\.(\w+))?,?\s*$` after the marker backtracked
// quadratically on a long run of spaces.
const TRAILING_STATUS = /StatusCode\.(\w+),?\s*$/;

const FINAL_LINES: [(msg: string) => FinalMatch, PrePostFinalKind][] = [
  [fromRegex(/Enable Succeeded with App Consistent Snapshot/), 'app-consistent-snapshot'],
  [fromRegex(/^Plugin Host Precheck Failed\s*StatusCode\.(\w+)/), 'precheck-failed'],
  [fromRegex(/^PreScript failed for the plugin .*?StatusCode\.(\w+)/), 'pre-script-failed'],
  [fromRegex(/^PostScript failed for the plugin .*?StatusCode\.(\w+)/), 'post-script-failed'],
  [
    (msg) => {
      const at = msg.indexOf(ENABLE_FAILED);
      if (at === -1) return undefined;
      // The code counts only when it ends the line, as handle.py writes it.
      const status = TRAILING_STATUS.exec(msg.slice(at + ENABLE_FAILED.length));
      return status?.[1] ? { statusName: status[1] } : {};
    },
    'enable-failed',
  ],
  [fromRegex(/^Failed to enable the extension with error/), 'enable-failed'],
];
const ERROR_LINES = [
  // "Plugin host Config file does not exist" is not an error: the extension then uses its shipped host conf.
  /^(?:Plugin host file|Prescript file|Postscript file) does not exist in the location/,
  /does not have desired permissions/,
  /but\s+not root/,
  /^Error in (?:reading|decoding|fetching)/,
  /^Cant run prescript/,
  /failed with error code:/,
  /timed out\./,
];

/** Time as an instant for comparisons; local times are compared as if they were UTC (no VM zone is known here). */
function instant(time: string): number {
  const t = /(?:Z|[+-]\d{2}:\d{2})$/.test(time) ? time : `${time}Z`;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? Number.NaN : ms;
}

function runWindow(entries: readonly ExtensionLogEntry[], since: string | undefined): readonly ExtensionLogEntry[] {
  let window = entries;
  if (since !== undefined) {
    const from = instant(since);
    if (!Number.isNaN(from)) window = entries.filter((e) => instant(e.time) >= from);
    const start = window.findIndex((e) => e.message.trim() === RUN_START);
    if (start === -1) return window;
    const next = window.findIndex((e, i) => i > start && e.message.trim() === RUN_START);
    return window.slice(start, next === -1 ? undefined : next);
  }
  for (let i = window.length - 1; i >= 0; i -= 1) if (window[i]?.message.trim() === RUN_START) return window.slice(i);
  return window;
}

function emptyPhase(): ScriptPhase {
  return { result: 'not-run', retries: 0 };
}

/**
 * Classifies one backup run from extension.log entries (vmsnapshot.md §3.5, §4.3): the first run at or after `since`
 * (ISO time), or the last run in the log.
 */
export function summarizePrePost(entries: readonly ExtensionLogEntry[], since?: string): PrePostSummary {
  const run = runWindow(entries, since);
  const summary: PrePostSummary = {
    runStartSeen: run[0]?.message.trim() === RUN_START,
    validation: { result: 'unknown' },
    mode: 'unknown',
    preScript: emptyPhase(),
    postScript: emptyPhase(),
    final: { kind: 'none' },
    consistency: 'unknown',
    permissions: [],
    errors: [],
    statusCodes: [],
  };
  if (run[0]) summary.startedAt = run[0].time;
  // Buffered freeze lines are written after the fact, so the latest time is not always on the last line.
  const latest = run.reduce<ExtensionLogEntry | undefined>(
    (best, e) => (best === undefined || instant(e.time) > instant(best.time) ? e : best),
    undefined,
  );
  if (latest) summary.endedAt = latest.time;
  let appConsistentEnabled = false;
  // A VM can log any number of distinct names; a Set keeps the first-occurrence list linear.
  const statusCodesSeen = new Set<string>();

  for (const e of run) {
    const msg = e.message.trim();
    for (const m of msg.matchAll(STATUS_CODE)) {
      if (m[1] && !statusCodesSeen.has(m[1])) {
        statusCodesSeen.add(m[1]);
        summary.statusCodes.push(m[1]);
      }
    }
    const perm = PERMISSIONS.exec(msg);
    if (perm) {
      summary.permissions.push({
        line: e.line,
        path: perm[2] ?? '',
        mode: perm[3] ?? '',
        spelling: perm[1] === 'Permisisons' ? 'Permisisons' : 'Permissions',
      });
      continue;
    }
    if (ERROR_LINES.some((r) => r.test(msg))) summary.errors.push({ line: e.line, message: msg });

    if (msg === 'App Consistent Consistent Backup Enabled') appConsistentEnabled = true;
    const validate = VALIDATE_OUTPUT.exec(msg);
    if (validate && summary.validation.result !== 'failed') {
      const code = Number(validate[1]);
      if (code === 0) summary.validation = { result: 'ok' };
      else {
        const status = prepostStatusByCode(code);
        summary.validation = status ? { result: 'failed', status } : { result: 'failed', statusName: String(code) };
      }
    }
    const rejected = VALIDATION_LINES.find(([r]) => r.test(msg));
    const rejectedStatus = rejected ? prepostStatusByCode(rejected[1]) : undefined;
    if (rejectedStatus && summary.validation.result !== 'failed') {
      summary.validation = { result: 'failed', status: rejectedStatus };
      // handle.py skips the scripts for every validation code: silent ones without saying so.
      if (rejectedStatus.silentFallback) summary.mode = 'file-system-fallback';
    }
    const fallback = FS_FALLBACK.exec(msg);
    if (fallback) {
      const status = prepostStatusByName(fallback[1] ?? '');
      summary.validation = status ? { result: 'failed', status } : { result: 'failed', statusName: fallback[1] ?? '' };
      summary.mode = 'file-system-fallback';
    }

    const running = RUNNING.exec(msg);
    if (running) {
      const phase = running[1] === 'prescript' ? summary.preScript : summary.postScript;
      phase.result = 'unknown';
      phase.startedAt = e.time;
    }
    if (CANT_RUN.test(msg)) summary.preScript.result = 'not-run';
    const script = SCRIPT_LINE.exec(msg);
    if (script) {
      const phase = script[1] === 'Prescript' ? summary.preScript : summary.postScript;
      const what = script[3] ?? '';
      if (what.startsWith('failed. Retrying')) phase.retries += 1;
      else {
        phase.endedAt = e.time;
        if (what.startsWith('timed out')) phase.result = 'timed-out';
        else if (what.startsWith('successfully')) phase.result = 'success';
        else {
          phase.result = 'failed';
          phase.exitCode = Number(script[4]);
        }
      }
    }
    const finished = FINISHED.exec(msg);
    if (finished)
      (finished[1] === 'prescript' ? summary.preScript : summary.postScript).continueBackup = finished[2] === 'True';

    if (msg.startsWith('T:S freeze') && summary.freezeAt === undefined) summary.freezeAt = e.time;
    if (msg.startsWith('T:S thaw result')) {
      summary.thawAt = e.time;
      summary.thawResult = msg.slice('T:S thaw result'.length).trim();
    }
    for (const [match, kind] of FINAL_LINES) {
      const m = match(msg);
      if (!m) continue;
      summary.final = { kind, line: e.line, message: msg };
      if (m.statusName) summary.final.statusName = m.statusName;
      const precheck = kind === 'precheck-failed' && m.statusName ? prepostStatusByName(m.statusName) : undefined;
      if (precheck && summary.validation.result !== 'failed')
        summary.validation = { result: 'failed', status: precheck };
      break;
    }
  }

  if (summary.mode === 'unknown' && appConsistentEnabled) summary.mode = 'app-consistent';
  if (summary.validation.result === 'unknown' && summary.mode === 'app-consistent')
    summary.validation = { result: 'ok' };

  summary.consistency = consistencyOf(summary);
  const extensionStatus = extensionStatusOf(summary);
  if (extensionStatus) summary.extensionStatus = extensionStatus;
  return summary;
}

function scriptFailed(p: ScriptPhase): boolean {
  return p.result === 'failed' || p.result === 'timed-out';
}

function consistencyOf(s: PrePostSummary): PrePostSummary['consistency'] {
  if (s.final.kind === 'app-consistent-snapshot') return 'app-consistent';
  if (s.final.kind !== 'none') return 'failed';
  // A failed validation skips the scripts; without "Plugin Host Precheck Failed" the snapshot was still taken.
  const validationFailed = s.validation.result === 'failed';
  if (
    s.mode === 'file-system-fallback' ||
    validationFailed ||
    scriptFailed(s.preScript) ||
    scriptFailed(s.postScript)
  ) {
    return 'file-system-consistent';
  }
  return 'unknown';
}

// handle.py sets the error code first-writer-wins: a surfaced validation code, then pre, then post (§2.4, §3.5).
function extensionStatusOf(s: PrePostSummary): PrepostStatusCode | undefined {
  const fromFinal = s.final.statusName ? prepostStatusByName(s.final.statusName) : undefined;
  if (fromFinal) return fromFinal;
  const v = s.validation.status;
  if (s.validation.result === 'failed' && v && !v.silentFallback) return v;
  if (s.preScript.result === 'timed-out') return prepostStatusByCode(308);
  if (s.preScript.result === 'failed') return prepostStatusByCode(300);
  if (s.postScript.result === 'timed-out') return prepostStatusByCode(309);
  if (s.postScript.result === 'failed') return prepostStatusByCode(301);
  return undefined;
}
