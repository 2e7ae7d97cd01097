/**
 * A run's timeline: what happened when, from the freeze window to the cleanup of the drill VM, as segments the
 * dashboard draws as bars. Pure: everything comes from the run as stored (no clock), so a run still under way shows
 * its open segment as running and one that ended without reaching a phase shows it as skipped.
 *
 * IRIS start and the integrity check have no clock times of their own (the verifier reports seconds), so they carry
 * a duration only.
 */
import { isTerminalStage, type Run } from '../runs/run';
import type { DrillFailureStage } from '../drills/drillState';

export type SegmentState = 'done' | 'failed' | 'running' | 'skipped';

export type SegmentName =
  | 'freeze window'
  | 'snapshot'
  | 'transfer'
  | 'restore'
  | 'VM boot'
  | 'agent ready'
  | 'IRIS start'
  | 'integrity'
  | 'cleanup'
  | 'remediation';

export interface TimelineSegment {
  name: SegmentName;
  state: SegmentState;
  /** ISO 8601, when known. */
  start?: string;
  end?: string;
  /** From start and end, or as measured on the VM (IRIS start, integrity). */
  durationMs?: number;
  /** One sentence; may quote Azure or the VM (untrusted, escaped where shown). */
  detail: string;
}

const span = (start?: string, end?: string): number | undefined => {
  if (start === undefined || end === undefined) return undefined;
  const d = Date.parse(end) - Date.parse(start);
  return Number.isFinite(d) && d >= 0 ? d : undefined;
};

const segment = (
  name: SegmentName,
  state: SegmentState,
  detail: string,
  start?: string,
  end?: string,
  durationMs?: number,
): TimelineSegment => {
  const s: TimelineSegment = { name, state, detail };
  if (start !== undefined) s.start = start;
  if (end !== undefined) s.end = end;
  const d = durationMs ?? span(start, end);
  if (d !== undefined) s.durationMs = d;
  return s;
};

/** A phase that began and has no end: still running while the run is active, cut short once it has ended. */
const openState = (run: Run): SegmentState => (isTerminalStage(run.stage) ? 'failed' : 'running');

function freezeWindow(run: Run): TimelineSegment {
  const v = run.verdict;
  // Without a verdict nothing is known of the freeze: a missing verdict is the snapshot's or the logs' story.
  if (v === undefined)
    return run.backup.jobId !== undefined && !isTerminalStage(run.stage)
      ? segment('freeze window', 'running', 'waiting for the verdict')
      : segment('freeze window', 'skipped', 'no verdict');
  const reason = v.reasons[0] ?? v.consistency;
  if (v.irisLeftFrozen)
    return segment('freeze window', 'failed', `IRIS may have been left frozen: ${reason}`, v.frozenAt);
  if (v.failedScript !== undefined)
    return segment('freeze window', 'failed', `the ${v.failedScript}-script failed: ${reason}`, v.frozenAt, v.thawedAt);
  if (v.frozenAt === undefined)
    return segment('freeze window', 'skipped', `IRIS was not seen frozen (${v.consistency})`);
  return segment(
    'freeze window',
    v.thawedAt === undefined ? 'failed' : 'done',
    v.thawedAt === undefined ? 'IRIS was frozen and no thaw was seen' : `IRIS frozen, then thawed (${v.consistency})`,
    v.frozenAt,
    v.thawedAt,
    v.freezeWindowMs,
  );
}

function snapshot(run: Run): TimelineSegment {
  const b = run.backup;
  const start = b.jobStartTime ?? b.triggerRequestedAt;
  if (start === undefined) return segment('snapshot', 'skipped', run.reason ?? 'no backup was asked for');
  const point = run.recoveryPoint;
  if (point) return segment('snapshot', 'done', `recovery point ${point.type}`, start, point.time);
  if (point === null) return segment('snapshot', 'failed', 'the job left no recovery point', start);
  if (b.jobStatus === 'Failed' || b.jobStatus === 'Cancelled')
    return segment('snapshot', 'failed', `the backup job ${b.jobStatus.toLowerCase()}`, start, b.jobEndTime);
  return isTerminalStage(run.stage)
    ? segment('snapshot', 'failed', run.reason ?? 'the run ended before a recovery point was found', start)
    : segment('snapshot', 'running', 'waiting for the recovery point', start);
}

function transfer(run: Run): TimelineSegment {
  const b = run.backup;
  const point = run.recoveryPoint;
  if (!point) return segment('transfer', 'skipped', 'no snapshot to transfer');
  if (b.transferFailed === true)
    return segment(
      'transfer',
      'failed',
      'the transfer to the vault failed (the snapshot stays usable)',
      point.time,
      b.jobEndTime,
    );
  if (b.jobStatus === 'Completed') return segment('transfer', 'done', 'in the vault', point.time, b.jobEndTime);
  if (b.jobStatus === 'Failed' || b.jobStatus === 'Cancelled')
    return segment('transfer', 'failed', `the backup job ${b.jobStatus.toLowerCase()}`, point.time, b.jobEndTime);
  return segment('transfer', openState(run), 'transferring to the vault', point.time);
}

/** The drill phases in order, with the failure stage that ends each. */
const DRILL_STAGES: Record<'restore' | 'VM boot' | 'agent ready' | 'IRIS start' | 'integrity', DrillFailureStage[]> = {
  restore: ['target', 'restore'],
  'VM boot': ['boot'],
  'agent ready': ['agent'],
  'IRIS start': ['isolation', 'verify', 'iris'],
  integrity: ['integrity'],
};

function drillSegments(run: Run): TimelineSegment[] {
  const d = run.drill;
  const names = ['restore', 'VM boot', 'agent ready', 'IRIS start', 'integrity'] as const;
  if (d === undefined) return names.map((n) => segment(n, 'skipped', 'no drill in this run'));
  const outcome = d.outcome;
  const failedAt = outcome?.verdict === 'passed' ? undefined : outcome?.stage;
  const failedHere = (name: (typeof names)[number]): boolean =>
    failedAt !== undefined && DRILL_STAGES[name].includes(failedAt);
  const why = outcome?.reason ?? run.reason ?? 'the drill ended';
  // A phase after the one that failed never ran.
  const failedIndex = names.findIndex(failedHere);
  const after = (name: (typeof names)[number]): boolean => failedIndex >= 0 && names.indexOf(name) > failedIndex;

  const restore = ((): TimelineSegment => {
    if (d.restoreRequestedAt === undefined)
      return failedHere('restore')
        ? segment('restore', 'failed', why)
        : outcome !== undefined
          ? segment('restore', 'skipped', 'not reached')
          : segment('restore', 'running', 'waiting for a drill slot', d.queuedAt);
    const detail = d.point ? `restoring the ${d.point.tier} point of ${d.point.time}` : 'restoring';
    if (failedHere('restore')) return segment('restore', 'failed', why, d.restoreRequestedAt, d.restoreJobEnd);
    if (d.restoreJobEnd !== undefined) return segment('restore', 'done', detail, d.restoreRequestedAt, d.restoreJobEnd);
    return segment('restore', outcome ? 'failed' : openState(run), detail, d.restoreRequestedAt);
  })();

  const timed = (
    name: 'VM boot' | 'agent ready',
    start: string | undefined,
    end: string | undefined,
    doneText: string,
  ): TimelineSegment => {
    if (after(name) || start === undefined)
      return segment(name, failedHere(name) ? 'failed' : 'skipped', failedHere(name) ? why : 'not reached');
    if (failedHere(name)) return segment(name, 'failed', why, start, end);
    if (end !== undefined) return segment(name, 'done', doneText, start, end);
    return segment(
      name,
      outcome ? 'failed' : openState(run),
      `waiting for ${name === 'VM boot' ? 'the VM to run' : 'the VM agent'}`,
      start,
    );
  };
  const boot = timed('VM boot', d.restoreJobEnd, d.vmRunningAt, 'the drill VM is running');
  const agent = timed('agent ready', d.vmRunningAt, d.agentReadyAt, 'the VM agent is ready');

  const v = d.verifier;
  const iris = ((): TimelineSegment => {
    const ms = v?.irisSeconds === undefined ? undefined : v.irisSeconds * 1000;
    if (failedHere('IRIS start')) return segment('IRIS start', 'failed', why, undefined, undefined, ms);
    if (after('IRIS start')) return segment('IRIS start', 'skipped', 'not reached');
    if (v === undefined)
      return outcome !== undefined || d.agentReadyAt === undefined
        ? segment('IRIS start', 'skipped', 'not reached')
        : segment('IRIS start', openState(run), 'the verifier runs', d.agentReadyAt);
    if (v.iris === 'up')
      return segment('IRIS start', 'done', `IRIS up, crash recovery ${v.recovery}`, undefined, undefined, ms);
    if (v.iris === 'not-started') return segment('IRIS start', 'skipped', 'IRIS was not started');
    return segment('IRIS start', 'failed', `IRIS ${v.iris}`, undefined, undefined, ms);
  })();

  const integrity = ((): TimelineSegment => {
    const ms = v?.integritySeconds === undefined ? undefined : v.integritySeconds * 1000;
    const status = d.integrity?.status ?? v?.integrity;
    const dbs = d.integrity?.databases.length ?? v?.databases.length ?? 0;
    if (failedHere('integrity')) return segment('integrity', 'failed', `${why}`, undefined, undefined, ms);
    if (after('integrity') || v === undefined || status === 'not-run')
      return segment('integrity', 'skipped', 'not reached');
    if (status === 'clean')
      return segment(
        'integrity',
        'done',
        `${dbs} database${dbs === 1 ? '' : 's'} checked, no errors`,
        undefined,
        undefined,
        ms,
      );
    const errors = d.integrity?.errorCount ?? v.integrityErrors;
    return segment(
      'integrity',
      'failed',
      status === 'errors' ? `${errors} global${errors === 1 ? '' : 's'} not OK` : `integrity ${status}`,
      undefined,
      undefined,
      ms,
    );
  })();

  return [restore, boot, agent, iris, integrity];
}

function cleanup(run: Run): TimelineSegment {
  const d = run.drill;
  if (d === undefined) return segment('cleanup', 'skipped', 'no drill in this run');
  const c = d.cleanup;
  const start = d.outcome?.at ?? c.claimedAt;
  const n = c.claimed.length;
  if (c.deletedAt !== undefined)
    return segment('cleanup', 'done', 'everything the drill created is deleted', start, c.deletedAt);
  if (c.keptUntil !== undefined)
    return segment('cleanup', 'skipped', `kept for investigation until ${c.keptUntil}`, start);
  if (start === undefined) return segment('cleanup', 'skipped', 'not reached');
  const error = c.lastError === undefined ? '' : `: ${c.lastError}`;
  if (c.failures > 0)
    return segment(
      'cleanup',
      isTerminalStage(run.stage) ? 'failed' : 'running',
      `${c.failures} failed delete${c.failures === 1 ? '' : 's'}${error}`,
      start,
    );
  return segment('cleanup', openState(run), `deleting ${n} resource${n === 1 ? '' : 's'}`, start);
}

function remediation(run: Run): TimelineSegment[] {
  const r = run.remediation;
  if (r === undefined) return [];
  if (r.step !== 'done') return [segment('remediation', 'running', `${r.step}: ${r.reason}`, r.requestedAt)];
  const ok = r.outcome === 'not-frozen' || r.outcome === 'thawed' || r.outcome === 'thawed-elsewhere';
  return [
    segment('remediation', ok ? 'done' : 'failed', `${r.outcome ?? 'ended'}: ${r.reason}`, r.requestedAt, r.finishedAt),
  ];
}

export function runTimelineOf(run: Run): TimelineSegment[] {
  return [freezeWindow(run), snapshot(run), transfer(run), ...drillSegments(run), cleanup(run), ...remediation(run)];
}
