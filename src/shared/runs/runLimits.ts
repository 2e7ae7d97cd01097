/**
 * Caps what a run keeps, so that it can always be written. A run that grows past the store's limits (an Azure
 * Table entity holds 1 MiB; recordChunks.ts refuses JSON over MAX_CHUNKS × CHUNK_CHARS) can no longer be saved,
 * so it could never end (DESIGN.md safety invariant 6). What grows is text from outside (Azure error messages,
 * job error details, probe problems and log excerpts from VMs, which are untrusted) and lists (history, findings,
 * reasons). Pure; `decide` applies it to every run it changes.
 *
 * Nothing a decision reads is changed in practice: stages, times and Azure identifiers are only cut beyond
 * ID_CHARS, far past any real ARM id or timestamp, and the last resort is a run that times out rather than one that
 * can never be written.
 */
import type { JobErrorDetail } from '../azure/backupGateway';
import type { BackupVerdict } from './backupVerdict';
import type { Run, RunBackup, RunRecoveryPoint, RunTarget, StageTransition } from './run';

export interface RunLimits {
  /** Characters of any free text: reasons, errors, Azure messages, VM text. */
  textChars: number;
  /** Items of a list: findings, verdict reasons, missing evidence, job error details and their recommendations. */
  listItems: number;
  /** History entries kept from the start and from the end; the ones between are counted in historyDropped. */
  historyHead: number;
  historyTail: number;
}

export const RUN_LIMITS: RunLimits = { textChars: 2_000, listItems: 30, historyHead: 4, historyTail: 16 };
/** Used when a run at RUN_LIMITS is still larger than RUN_MAX_JSON_CHARS. */
export const TIGHT_RUN_LIMITS: RunLimits = { textChars: 200, listItems: 5, historyHead: 2, historyTail: 4 };
/**
 * The size a run's JSON is kept under, in characters (what recordChunks.ts counts): well inside what the store can
 * write (MAX_CHUNKS × CHUNK_CHARS = 480,000). A real run is a few thousand characters. The bound is what no input
 * can exceed: at TIGHT_RUN_LIMITS with every identifier at ID_CHARS a run holds about 33,000 characters of text,
 * and JSON writes a control character in six (\u0000), so about 200,000 at worst.
 */
export const RUN_MAX_JSON_CHARS = 200_000;
/** Identifiers and times (ARM ids, job ids, ISO times) beyond this are not real; cut so the run can still be saved. */
export const ID_CHARS = 1_024;

const ELLIPSIS = '…';

/** `text` cut to `max` characters (the last one an ellipsis), never inside a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

const capOptional = (text: string | undefined, max: number): string | undefined =>
  text === undefined ? undefined : capText(text, max);

const MORE = /^… (\d+) more$/;

/**
 * At most `limits.listItems` items; when some are dropped the last kept one says how many ("… 12 more"), counting
 * those an earlier cut already replaced by such a line.
 */
function capTexts(items: readonly string[], limits: RunLimits): string[] {
  const kept = items.slice(0, limits.listItems).map((t) => capText(t, limits.textChars));
  if (kept.length === items.length) return kept;
  const earlier = Number(MORE.exec(items[items.length - 1] ?? '')?.[1] ?? 1) - 1;
  kept[kept.length - 1] = `${ELLIPSIS} ${items.length - kept.length + 1 + earlier} more`;
  return kept;
}

/** The first `head` and last `tail` transitions; `dropped` counts the ones removed from between, now and before. */
export function capHistory(
  history: readonly StageTransition[],
  dropped: number,
  limits: RunLimits,
): { history: StageTransition[]; dropped: number } {
  const capped = history.map((t) => withOptional(t, 'reason', capOptional(t.reason, limits.textChars)));
  const keep = limits.historyHead + limits.historyTail;
  if (capped.length <= keep) return { history: capped, dropped };
  return {
    history: [...capped.slice(0, limits.historyHead), ...capped.slice(capped.length - limits.historyTail)],
    dropped: dropped + capped.length - keep,
  };
}

function withOptional<T extends object, K extends keyof T>(value: T, key: K, capped: T[K] | undefined): T {
  if (capped === undefined) return value;
  return value[key] === capped ? value : { ...value, [key]: capped };
}

function capErrorDetails(details: readonly JobErrorDetail[], limits: RunLimits): JobErrorDetail[] {
  return details.slice(0, limits.listItems).map((d) => {
    const next: JobErrorDetail = { ...d, recommendations: capTexts(d.recommendations ?? [], limits) };
    if (d.title !== undefined) next.title = capText(d.title, limits.textChars);
    if (d.message !== undefined) next.message = capText(d.message, limits.textChars);
    return next;
  });
}

function capBackup(backup: RunBackup, limits: RunLimits): RunBackup {
  const next: RunBackup = { ...backup };
  for (const key of [
    'triggerRequestedAt',
    'retriggeredAt',
    'operationId',
    'jobId',
    'jobStartTime',
    'jobEndTime',
  ] as const)
    if (next[key] !== undefined) next[key] = capText(next[key] as string, ID_CHARS);
  if (next.jobStatus !== undefined) next.jobStatus = capText(next.jobStatus, ID_CHARS);
  if (backup.errorDetails !== undefined) {
    next.errorDetails = capErrorDetails(backup.errorDetails, limits);
    const dropped = backup.errorDetails.length - next.errorDetails.length;
    if (dropped > 0) next.errorDetailsDropped = (backup.errorDetailsDropped ?? 0) + dropped;
  }
  return next;
}

function capVerdict(verdict: BackupVerdict, limits: RunLimits): BackupVerdict {
  const next: BackupVerdict = {
    ...verdict,
    reasons: capTexts(verdict.reasons, limits),
    missing: capTexts(verdict.missing, limits),
  };
  if (verdict.troubleshootingName !== undefined)
    next.troubleshootingName = capText(verdict.troubleshootingName, limits.textChars);
  if (verdict.frozenAt !== undefined) next.frozenAt = capText(verdict.frozenAt, ID_CHARS);
  if (verdict.thawedAt !== undefined) next.thawedAt = capText(verdict.thawedAt, ID_CHARS);
  return next;
}

const capTarget = (target: RunTarget): RunTarget => ({
  vmId: capText(target.vmId, ID_CHARS),
  vmName: capText(target.vmName, ID_CHARS),
  vaultId: capText(target.vaultId, ID_CHARS),
  containerName: capText(target.containerName, ID_CHARS),
  protectedItemName: capText(target.protectedItemName, ID_CHARS),
});

const capPoint = (p: RunRecoveryPoint): RunRecoveryPoint => ({
  ...p,
  id: capText(p.id, ID_CHARS),
  name: capText(p.name, ID_CHARS),
  time: capText(p.time, ID_CHARS),
  type: capText(p.type, ID_CHARS),
});

/** The run with every text, list and history capped at `limits`. */
export function capRun(run: Run, limits: RunLimits = RUN_LIMITS): Run {
  const { history, dropped } = capHistory(run.history, run.historyDropped ?? 0, limits);
  const next: Run = { ...run, target: capTarget(run.target), backup: capBackup(run.backup, limits), history };
  if (dropped > 0) next.historyDropped = dropped;
  if (run.reason !== undefined) next.reason = capText(run.reason, limits.textChars);
  if (run.preflight !== undefined) {
    const findings = run.preflight.findings.slice(0, limits.listItems).map((f) => ({
      ...f,
      code: capText(f.code, limits.textChars),
    }));
    const findingsDropped = (run.preflight.findingsDropped ?? 0) + run.preflight.findings.length - findings.length;
    next.preflight = {
      ...run.preflight,
      findings,
      blocking: capTexts(run.preflight.blocking, limits),
      ...(findingsDropped > 0 ? { findingsDropped } : {}),
    };
    if (run.preflight.error !== undefined) next.preflight.error = capText(run.preflight.error, limits.textChars);
  }
  if (run.recoveryPoint) next.recoveryPoint = capPoint(run.recoveryPoint);
  if (run.verdict !== undefined) next.verdict = capVerdict(run.verdict, limits);
  return next;
}

export const runJsonChars = (run: Run): number => JSON.stringify(run).length;

/** The run capped at RUN_LIMITS, or at TIGHT_RUN_LIMITS when that is still over RUN_MAX_JSON_CHARS. */
export function boundRun(run: Run): Run {
  const capped = capRun(run, RUN_LIMITS);
  return runJsonChars(capped) <= RUN_MAX_JSON_CHARS ? capped : capRun(capped, TIGHT_RUN_LIMITS);
}
