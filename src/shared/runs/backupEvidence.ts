/**
 * Turns what the probe collected in logs mode (untrusted VM output, already size-capped) into the evidence
 * `backupVerdict` judges, with the shared parsers. Pure; never throws.
 */
import type { ProbeFacts, ProbeLogTail, ProbeTimeZone } from '../checks/probeFacts';
import { type ExtensionLogEntry, parseExtensionLog, summarizePrePost, type ScriptPhase } from '../parsers/extensionLog';
import { irisBackupEvents, parseMessagesLog } from '../parsers/messagesLog';
import { parseScriptLog } from '../parsers/scriptLog';
import { localTimeToUtc, onUtcTimeline } from '../parsers/vmLocalTime';
import type { BackupEvidence, ExtensionEvidence, IrisEvidence, ScriptOutcome } from './backupVerdict';
import { epochMs } from './backupVerdict';

/**
 * messages.log times are the VM's local time without a zone. A probe that reports the VM's zone lets them be placed
 * on the UTC timeline (vmLocalTime.ts); from an older probe they are taken as UTC, and anything this long before
 * the backup is an earlier night's freeze (a guard against a zone far from UTC).
 */
const MESSAGES_LOOKBACK_MS = 14 * 3_600_000;

/** Validation error lines kept to say why (the JSON's mode, then its owner, for 317). */
const VALIDATION_DETAIL_LINES = 2;
/** Script results are reported on their own, and "Cant run prescript" only repeats that the config failed. */
const NOT_VALIDATION_DETAIL = /failed with error code:|timed out\.|^Cant run prescript/;

/** IsWDSuspendedExt's exit status for a suspended write daemon (iris.md §1). */
const WD_SUSPENDED = 5;

const readable = (tail: ProbeLogTail | undefined): tail is ProbeLogTail =>
  tail !== undefined && tail.exists && tail.lines.length > 0;

function outcome(phase: ScriptPhase): { outcome: ScriptOutcome; exitCode?: number } | undefined {
  const map: Record<ScriptPhase['result'], ScriptOutcome | undefined> = {
    success: 'succeeded',
    failed: 'failed',
    'timed-out': 'timed-out',
    'not-run': 'not-run',
    unknown: undefined,
  };
  const o = map[phase.result];
  if (o === undefined) return undefined;
  return phase.exitCode === undefined ? { outcome: o } : { outcome: o, exitCode: phase.exitCode };
}

/**
 * extension.log entries with every time in UTC when the VM's zone is known. Python 3 lines are UTC already
 * (`datetime.utcnow()`, vmsnapshot.md §4.2); python 2 lines and the buffered "Logs during Freeze" lines are the VM's
 * local time (Backuplogger's `datetime.now()`), placed like messages.log's, near the window's start.
 */
function extensionEntries(tail: ProbeLogTail, tz: ProbeTimeZone | undefined, since: string): ExtensionLogEntry[] {
  const { value: entries } = parseExtensionLog(tail.lines.join('\n'));
  if (tz?.offsetMinutes === undefined) return entries;
  return entries.map((e) => {
    if (e.timeZone !== 'local') return e;
    const time = localTimeToUtc(e.time, tz, epochMs(since));
    return time === undefined ? e : { ...e, time, timeZone: 'utc' };
  });
}

function extensionEvidence(
  tail: ProbeLogTail,
  tz: ProbeTimeZone | undefined,
  since: string,
): ExtensionEvidence | undefined {
  const s = summarizePrePost(extensionEntries(tail, tz, since), since);
  if (!s.runStartSeen && s.mode === 'unknown' && s.final.kind === 'none') return undefined;
  const ev: ExtensionEvidence = {};
  const status = s.validation.status;
  if (s.mode === 'file-system-fallback' && status?.silentFallback) ev.fallbackCode = status.code;
  else if (s.validation.result === 'failed' && status && !status.silentFallback) ev.errorCode = status.code;
  if (ev.fallbackCode !== undefined || ev.errorCode !== undefined) {
    const detail = s.errors
      .map((e) => e.message)
      .filter((m) => !NOT_VALIDATION_DETAIL.test(m))
      .slice(0, VALIDATION_DETAIL_LINES);
    if (detail.length > 0) ev.validationDetail = detail;
  }
  const pre = outcome(s.preScript);
  const post = outcome(s.postScript);
  if (pre) ev.pre = pre;
  if (post) ev.post = post;
  if (s.freezeAt !== undefined) ev.snapshotAt = s.freezeAt;
  return ev;
}

interface FreezePair {
  frozenAt?: string;
  thawedAt?: string;
}

function pairOf(events: readonly { type: string; time?: string }[], from: number): FreezePair {
  const recent = events.filter((e) => e.time !== undefined && !(epochMs(e.time) < from));
  const frozen = recent.find((e) => e.type === 'frozen');
  if (frozen?.time === undefined) return {};
  const frozenAt = frozen.time;
  const thawed = recent.find(
    (e) => e.type === 'thawed' && e.time !== undefined && epochMs(e.time) >= epochMs(frozenAt),
  );
  return thawed?.time === undefined ? { frozenAt } : { frozenAt, thawedAt: thawed.time };
}

/**
 * IRIS's freeze events from messages.log, in UTC when the probe reported the VM's zone; `nearMs` (the snapshot, else
 * the window's start) settles a wall time the fall-back hour repeats. Also the earliest time that belongs to this
 * backup: exactly `since` on the UTC timeline, with the lookback when the times are local ones taken as UTC.
 */
function messagesEvents(facts: ProbeFacts, lines: readonly string[], since: string, nearMs: number) {
  const events = irisBackupEvents(parseMessagesLog(lines.join('\n')).value);
  const tz = facts.tz;
  if (tz?.offsetMinutes === undefined) return { events, from: epochMs(since) - MESSAGES_LOOKBACK_MS };
  return { events: onUtcTimeline(events, tz, nearMs), from: epochMs(since) };
}

function irisEvidence(facts: ProbeFacts, since: string, snapshotAt: string | undefined): IrisEvidence | undefined {
  const from = epochMs(since) - MESSAGES_LOOKBACK_MS;
  const stillFrozen = (facts.iris.wd ?? []).filter((w) => w.rc === WD_SUSPENDED).map((w) => w.instance);
  const messages = facts.logs.messages;
  const scriptTail = readable(facts.logs.scripts) ? facts.logs.scripts : facts.logs.otherScriptLog;
  // A messages.log that exists with no line in the window is evidence too: IRIS logged no freeze then.
  const messagesRead = messages !== undefined && messages.exists;
  if (!messagesRead && !readable(scriptTail)) {
    return stillFrozen.length > 0 ? { stillFrozenInstances: stillFrozen } : undefined;
  }
  let fromMessages: FreezePair = {};
  if (messagesRead) {
    const placed = messagesEvents(facts, messages.lines, since, epochMs(snapshotAt ?? since));
    fromMessages = pairOf(placed.events, placed.from);
  }
  const scriptEvents = readable(scriptTail)
    ? parseScriptLog(scriptTail.lines.join('\n')).value.filter((e) => e.time === undefined || !(epochMs(e.time) < from))
    : [];
  // messages.log is IRIS's own record; our scripts' log stands in when it is missing. A pair comes from one source.
  const pair = fromMessages.frozenAt !== undefined ? fromMessages : pairOf(scriptEvents, from);
  const iris: IrisEvidence = { ...pair };
  if (scriptEvents.some((e) => e.type === 'freeze-failed')) iris.freezeFailed = true;
  if (scriptEvents.some((e) => e.type === 'thaw-failed')) iris.thawFailed = true;
  if (stillFrozen.length > 0) iris.stillFrozenInstances = stillFrozen;
  const truncated = [messages, scriptTail].filter((t) => readable(t) && t.truncated === true).map((t) => t?.path ?? '');
  if (truncated.length > 0) iris.truncated = truncated;
  return iris;
}

/** `since`: the start of the backup (minus a margin), which picks the extension run to summarise. */
export function evidenceFromProbeLogs(
  facts: ProbeFacts | undefined,
  problems: readonly string[],
  since: string,
): BackupEvidence {
  const unavailable = problems.map((p) => `probe output (${p})`);
  if (facts === undefined) return { unavailable: unavailable.length ? unavailable : ['probe output'] };
  const evidence: BackupEvidence = { unavailable };
  const ext = facts.logs.extension;
  if (readable(ext)) {
    const e = extensionEvidence(ext, facts.tz, since);
    if (e) evidence.extension = e;
    else unavailable.push(`extension.log (no backup run since ${since})`);
  } else unavailable.push('extension.log');
  const iris = irisEvidence(facts, since, evidence.extension?.snapshotAt);
  if (iris) evidence.iris = iris;
  else unavailable.push('messages.log');
  return evidence;
}
