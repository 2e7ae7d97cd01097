/**
 * The demo's "Frozen IRIS" section, one entry per run with a remediation: the first critical alert and the first
 * recovery notice as each notification target received them, the remediation's steps from the run's history
 * (check → snapshot check → lease → thaw → check after → outcome), and how long after the job's snapshot the first
 * critical alert and the recovery were delivered, in sandbox time. Pure: the demo passes the alert records, what
 * the receivers got and the job's snapshot completion.
 */
import type { AlertRecord, TargetName } from '../../src/shared/alerts/alertRecord';
import type { RemediationOutcome } from '../../src/shared/remediation/remediationState';
import { formatDuration } from '../../src/shared/report/drillReport';
import type { Run } from '../../src/shared/runs/run';
import type { ReceivedAlert } from './receivedAlert';

/** One alert as one target received it, with when the app saw the target accept it (sandbox time). */
export interface DemoDelivery extends ReceivedAlert {
  sentAt?: string;
}

export interface DemoNotice {
  alertId: string;
  code: string;
  severity: string;
  decidedAt: string;
  /** The last request each target got for this alert, in TARGET_NAMES order. */
  received: DemoDelivery[];
  /** The earliest `sentAt` over the targets. */
  firstDeliveredAt?: string;
}

export interface DemoFrozenIris {
  vm: string;
  runId: string;
  autoThaw: boolean;
  /** 'watching', 'done', …: where the remediation stands at the end of the demo. */
  step: string;
  outcome?: RemediationOutcome;
  thawSummary?: string;
  /** The recovery point's time: the instant of the snapshot. */
  recoveryPointAt?: string;
  /** When the job's "Take Snapshot" task completed (job start + the task's duration, from jobDetails.get). */
  snapshotCompletedAt?: string;
  criticalAlert?: DemoNotice;
  /** Other critical alerts of the run (codes), e.g. the check's IrisFrozen after the verdict's IrisLeftFrozen. */
  otherCriticalCodes: string[];
  recovery?: DemoNotice;
  /** The remediation's steps, in order, from the run's history. */
  steps: { at: string; step: string }[];
  /** From the snapshot's completion to the first critical alert's first delivery. */
  snapshotToAlertMs?: number;
  /** From the snapshot's completion to the recovery notice's first delivery. */
  snapshotToRecoveryMs?: number;
}

const TARGET_ORDER: readonly TargetName[] = ['webhook', 'teams', 'slack', 'eventgrid'];
const REMEDIATION_PREFIX = 'Remediation: ';

const ms = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};

const between = (from: string | undefined, to: string | undefined): number | undefined => {
  const a = ms(from);
  const b = ms(to);
  return a === undefined || b === undefined ? undefined : b - a;
};

function noticeOf(record: AlertRecord, received: readonly ReceivedAlert[]): DemoNotice {
  const deliveries: DemoDelivery[] = [];
  for (const target of TARGET_ORDER) {
    const got = received.filter((r) => r.target === target && r.alertId === record.id);
    const last = got[got.length - 1];
    if (last === undefined) continue;
    const sentAt = record.deliveries[target]?.sentAt;
    deliveries.push({ ...last, ...(sentAt === undefined ? {} : { sentAt }) });
  }
  const sent = TARGET_ORDER.flatMap((t) => {
    const at = record.deliveries[t]?.sentAt;
    return at === undefined ? [] : [at];
  }).sort();
  return {
    alertId: record.id,
    code: record.alert.code,
    severity: record.alert.severity,
    decidedAt: record.decidedAt,
    received: deliveries,
    ...(sent[0] === undefined ? {} : { firstDeliveredAt: sent[0] }),
  };
}

const ofRun = (record: AlertRecord, run: Run): boolean =>
  record.alert.scope.kind === 'run' && record.alert.scope.runId === run.id;

const byDecision = (a: AlertRecord, b: AlertRecord): number => a.decidedAt.localeCompare(b.decidedAt);

/** The section's entries, one per run that has a remediation, in the order of `runs`. */
export function frozenIrisEntries(
  runs: readonly Run[],
  records: readonly AlertRecord[],
  received: readonly ReceivedAlert[],
  options: { autoThaw: boolean; snapshotCompletedAt: (run: Run) => string | undefined },
): DemoFrozenIris[] {
  return runs.flatMap((run) => {
    const rem = run.remediation;
    if (rem === undefined) return [];
    const mine = records.filter((r) => ofRun(r, run)).sort(byDecision);
    // Sent ones only: a repeat the dedup held back reached no one.
    const critical = mine.filter(
      (r) => r.alert.severity === 'critical' && (r.alert.kind ?? 'problem') === 'problem' && !r.suppressed,
    );
    const recoveries = mine.filter((r) => r.alert.kind === 'recovery' && !r.suppressed);
    const first = critical[0];
    const recovery = recoveries[0];
    const criticalAlert = first === undefined ? undefined : noticeOf(first, received);
    const recoveryNotice = recovery === undefined ? undefined : noticeOf(recovery, received);
    const snapshotCompletedAt = options.snapshotCompletedAt(run);
    const toAlert = between(snapshotCompletedAt, criticalAlert?.firstDeliveredAt);
    const toRecovery = between(snapshotCompletedAt, recoveryNotice?.firstDeliveredAt);
    const entry: DemoFrozenIris = {
      vm: run.target.vmName,
      runId: run.id,
      autoThaw: options.autoThaw,
      step: rem.step,
      otherCriticalCodes: [...new Set(critical.slice(1).map((r) => r.alert.code))],
      steps: run.history.flatMap((h) =>
        h.reason?.startsWith(REMEDIATION_PREFIX) ? [{ at: h.at, step: h.reason.slice(REMEDIATION_PREFIX.length) }] : [],
      ),
    };
    if (rem.outcome !== undefined) entry.outcome = rem.outcome;
    if (rem.thawSummary !== undefined) entry.thawSummary = rem.thawSummary;
    if (run.recoveryPoint?.time !== undefined) entry.recoveryPointAt = run.recoveryPoint.time;
    if (snapshotCompletedAt !== undefined) entry.snapshotCompletedAt = snapshotCompletedAt;
    if (criticalAlert !== undefined) entry.criticalAlert = criticalAlert;
    if (recoveryNotice !== undefined) entry.recovery = recoveryNotice;
    if (toAlert !== undefined) entry.snapshotToAlertMs = toAlert;
    if (toRecovery !== undefined) entry.snapshotToRecoveryMs = toRecovery;
    return [entry];
  });
}

/** The report's timestamps: ISO 8601 UTC to the second (demoReport.ts's reportTime). */
const stamp = (iso: string): string => `${iso.slice(0, 19)}Z`;

/** Timestamps quoted inside a step ("lease held until …") in the same format. */
const toSeconds = (text: string): string => text.replace(/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d{1,9}Z/g, '$1Z');

function noticeLines(label: string, notice: DemoNotice | undefined): string[] {
  if (notice === undefined) return [`    ${label}: none`];
  const out = [
    `    ${label}: ${notice.code} (${notice.severity}), alert ${notice.alertId}, decided ${stamp(notice.decidedAt)}`,
  ];
  if (notice.received.length === 0) out.push('      no target received it');
  for (const r of notice.received) {
    const when = r.sentAt === undefined ? '' : `, delivered ${stamp(r.sentAt)}`;
    out.push(`      ${r.target.padEnd(9)} HTTP ${r.status}${when}: ${r.title}`, `                ${r.excerpt}`);
  }
  return out;
}

/** The section's text lines (unescaped: renderDemoReport escapes every line for the terminal). */
export function frozenIrisSection(entries: readonly DemoFrozenIris[]): string[] {
  if (entries.length === 0) return [];
  const out = [
    'Frozen IRIS: runs whose backup may have left IRIS frozen (a script failed after the freeze). The check, the',
    'thaw, the check after it, and what each notification target received:',
  ];
  for (const e of entries) {
    const outcome = e.outcome ?? `not finished (${e.step})`;
    out.push(
      '',
      `  ${e.vm}: ${outcome}; IBG_AUTO_THAW ${e.autoThaw ? 'on' : 'off'}`,
      ...noticeLines('Critical alert', e.criticalAlert),
    );
    if (e.otherCriticalCodes.length > 0) out.push(`      also critical: ${e.otherCriticalCodes.join(', ')}`);
    out.push('    Steps (the run’s history):');
    for (const s of e.steps) out.push(`      ${stamp(s.at)}  ${toSeconds(s.step)}`);
    out.push(...noticeLines('Recovery notice', e.recovery));
    const snapshot = [
      e.recoveryPointAt === undefined ? undefined : `recovery point ${stamp(e.recoveryPointAt)}`,
      e.snapshotCompletedAt === undefined ? undefined : `job's snapshot completed ${stamp(e.snapshotCompletedAt)}`,
    ].filter((x): x is string => x !== undefined);
    const toAlert =
      e.snapshotToAlertMs === undefined ? 'no critical alert delivered' : formatDuration(e.snapshotToAlertMs);
    const toRecovery =
      e.snapshotToRecoveryMs === undefined ? 'no recovery delivered' : formatDuration(e.snapshotToRecoveryMs);
    out.push(
      `    Timing (sandbox time): ${snapshot.join(', ') || 'snapshot time unknown'}`,
      `      snapshot completed → first critical alert delivered: ${toAlert}; → recovery delivered: ${toRecovery}`,
    );
  }
  return out;
}
