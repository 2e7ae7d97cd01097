/**
 * The fleet at a glance: per VM green, amber or red against the RPO and RTO targets, with the reasons, the last
 * backup and its verdict, the last drill and its verdict, the measured RPO and RTO, the latest findings with their
 * fixes, and the open alerts. Pure: the fleet index, the open alert states, the targets and the time go in.
 *
 * The rules, each a reason in the VM's list (the VM takes the worst colour):
 * - RPO (age of the newest recovery point that passed a drill): red when there is none or it is older than the
 *   target; amber above three quarters of it.
 * - RTO (the measured recovery time of the last passed drill): red above the target, amber above three quarters.
 * - The last drill failed: red; inconclusive: amber.
 * - The last backup: a failed job or a failed verdict, or IRIS left frozen, red; file-system- or crash-consistent
 *   or unknown, amber.
 * - An open critical or error alert: red; an open warning: amber.
 */
import type { AlertState } from '../alerts/alertRecord';
import type { ReportingSettings } from '../config/settings';
import type { Severity } from '../checks/finding';
import type { RunSummary } from './runSummary';
import type { VmIndexEntry } from './vmIndex';

export const FLEET_SCHEMA = 'iris-backup-guard/fleet@1';

export type Rag = 'green' | 'amber' | 'red';

export interface OpenAlert {
  severity: Severity;
  code: string;
  message: string;
  at: string;
  firstAt: string;
  runId?: string;
  fix?: string;
}

export interface VmStatus {
  vmKey: string;
  vmId: string;
  vmName: string;
  rag: Rag;
  /** Why the VM is not green, one sentence each, worst first. */
  reasons: { rag: Exclude<Rag, 'green'>; text: string }[];
  lastBackup?: {
    runId: string;
    night: string;
    stage: string;
    jobStatus?: string;
    consistency?: string;
    reason?: string;
    recoveryPointTime?: string;
    irisLeftFrozen?: boolean;
  };
  lastDrill?: {
    runId: string;
    night: string;
    verdict: string;
    failedStage?: string;
    reason?: string;
    finishedAt?: string;
    rtoMs?: number;
  };
  /** Age of the newest recovery point that passed a drill; absent when none has. */
  measuredRpoMs?: number;
  rpo: Rag;
  /** The measured recovery time of the last passed drill. */
  measuredRtoMs?: number;
  rto: Rag | 'unknown';
  /** The newest run's preflight findings, worst first, with their fixes. */
  findings: { code: string; severity: Severity; fix?: string }[];
  openAlerts: OpenAlert[];
}

export interface FleetStatus {
  schema: typeof FLEET_SCHEMA;
  generatedAt: string;
  targets: { rpoHours: number; rtoMinutes: number };
  counts: Record<Rag, number>;
  vms: VmStatus[];
  /** Open problems that are not about one VM (a vault, a subscription). */
  otherAlerts: (OpenAlert & { scopeId: string })[];
}

const RANK: Record<Rag, number> = { green: 0, amber: 1, red: 2 };
const worst = (a: Rag, b: Rag): Rag => (RANK[b] > RANK[a] ? b : a);
const AMBER_SHARE = 0.75;

const hours = (ms: number): string => `${(ms / 3_600_000).toFixed(1)} h`;
const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

/** Against a target: red above it, amber above three quarters of it. */
export const againstTarget = (measured: number, target: number): Rag =>
  measured > target ? 'red' : measured > target * AMBER_SHARE ? 'amber' : 'green';

const openAlertOf = (s: AlertState): OpenAlert & { scopeId?: string } => {
  const l = s.latest;
  // A state written before states kept their latest alert: its code is the end of the dedup key.
  const code = l?.code ?? s.dedupKey.slice(s.dedupKey.lastIndexOf('|') + 1);
  const alert: OpenAlert & { scopeId?: string } = {
    severity: l?.severity ?? 'warning',
    code,
    message: l?.message ?? code,
    at: s.lastAt,
    firstAt: s.firstAt,
  };
  if (l?.runId !== undefined) alert.runId = l.runId;
  if (l?.fix !== undefined) alert.fix = l.fix;
  if (l?.scopeId !== undefined) alert.scopeId = l.scopeId;
  return alert;
};

/** The VM id an open state is about, lower-cased: from its latest alert, else from the dedup key `run:<id>|code`. */
const scopeOf = (s: AlertState): string => {
  if (s.latest !== undefined) return s.latest.scopeId.toLowerCase();
  const body = s.dedupKey.slice(s.dedupKey.indexOf(':') + 1, s.dedupKey.lastIndexOf('|'));
  return body.toLowerCase();
};

function backupPart(latest: RunSummary | undefined): { rag: Rag; text?: string } {
  if (latest === undefined) return { rag: 'amber', text: 'no backup run recorded yet' };
  const v = latest.verdict;
  if (v?.irisLeftFrozen === true)
    return { rag: 'red', text: `IRIS may have been left frozen by the backup of ${latest.night}` };
  if (latest.backup.jobStatus === 'Failed' || latest.backup.jobStatus === 'Cancelled')
    return { rag: 'red', text: `the backup job of ${latest.night} ${latest.backup.jobStatus.toLowerCase()}` };
  if (v === undefined) {
    if (latest.terminal && latest.stage !== 'done')
      return { rag: 'red', text: `the run of ${latest.night} ended ${latest.stage}` };
    return { rag: 'green' };
  }
  switch (v.consistency) {
    case 'iris-consistent':
      return { rag: 'green' };
    case 'failed':
      return { rag: 'red', text: `the backup of ${latest.night} failed` };
    case 'unknown':
      return { rag: 'amber', text: `the consistency of the backup of ${latest.night} is unknown` };
    default:
      return { rag: 'amber', text: `the backup of ${latest.night} is ${v.consistency}, not IRIS-consistent` };
  }
}

export function vmStatusOf(
  entry: VmIndexEntry,
  alerts: readonly AlertState[],
  targets: ReportingSettings,
  now: Date,
): VmStatus {
  const reasons: VmStatus['reasons'] = [];
  const add = (rag: Rag, text: string | undefined): void => {
    if (rag !== 'green' && text !== undefined) reasons.push({ rag, text });
  };
  const rpoTargetMs = targets.rpoTargetHours * 3_600_000;
  const rtoTargetMs = targets.rtoTargetMinutes * 60_000;

  const pointTime = entry.lastPassed?.drill?.recoveryPointTime;
  const pointMs = pointTime === undefined ? Number.NaN : Date.parse(pointTime);
  const measuredRpoMs = Number.isFinite(pointMs) ? Math.max(0, now.getTime() - pointMs) : undefined;
  const rpo: Rag = measuredRpoMs === undefined ? 'red' : againstTarget(measuredRpoMs, rpoTargetMs);
  add(
    rpo,
    measuredRpoMs === undefined
      ? 'no recovery point has passed a restore drill'
      : `measured RPO ${hours(measuredRpoMs)} against a target of ${targets.rpoTargetHours} h`,
  );

  const measuredRtoMs = entry.lastPassed?.drill?.rtoMs;
  const rto: Rag | 'unknown' = measuredRtoMs === undefined ? 'unknown' : againstTarget(measuredRtoMs, rtoTargetMs);
  if (rto !== 'unknown' && measuredRtoMs !== undefined)
    add(rto, `measured RTO ${minutes(measuredRtoMs)} against a target of ${targets.rtoTargetMinutes} min`);

  const drill = entry.lastDrill?.drill;
  if (drill?.verdict === 'failed')
    add(
      'red',
      `the last drill (${entry.lastDrill?.night}) failed${drill.failedStage ? ` at ${drill.failedStage}` : ''}`,
    );
  if (drill?.verdict === 'inconclusive') add('amber', `the last drill (${entry.lastDrill?.night}) was inconclusive`);

  const backup = backupPart(entry.latest);
  add(backup.rag, backup.text);

  const vmId = entry.vmId.toLowerCase();
  const openAlerts = alerts
    .filter((s) => s.open && scopeOf(s) === vmId)
    .map((s) => {
      const { scopeId: _scope, ...alert } = openAlertOf(s);
      return alert;
    })
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.at.localeCompare(a.at));
  for (const a of openAlerts) {
    const rag: Rag =
      a.severity === 'critical' || a.severity === 'error' ? 'red' : a.severity === 'warning' ? 'amber' : 'green';
    add(rag, `open ${a.severity} alert ${a.code}`);
  }

  const rag = reasons.reduce<Rag>((acc, r) => worst(acc, r.rag), 'green');
  reasons.sort((a, b) => RANK[b.rag] - RANK[a.rag]);
  const status: VmStatus = {
    vmKey: entry.vmKey,
    vmId: entry.vmId,
    vmName: entry.vmName,
    rag,
    reasons,
    rpo,
    rto,
    findings: entry.latest?.findings?.codes ?? [],
    openAlerts,
  };
  const latest = entry.latest;
  if (latest !== undefined) {
    status.lastBackup = { runId: latest.runId, night: latest.night, stage: latest.stage };
    if (latest.backup.jobStatus !== undefined) status.lastBackup.jobStatus = latest.backup.jobStatus;
    if (latest.verdict !== undefined) {
      status.lastBackup.consistency = latest.verdict.consistency;
      if (latest.verdict.reason !== undefined) status.lastBackup.reason = latest.verdict.reason;
      if (latest.verdict.irisLeftFrozen) status.lastBackup.irisLeftFrozen = true;
    }
    if (latest.recoveryPoint) status.lastBackup.recoveryPointTime = latest.recoveryPoint.time;
  }
  const last = entry.lastDrill;
  if (last?.drill?.verdict !== undefined) {
    status.lastDrill = { runId: last.runId, night: last.night, verdict: last.drill.verdict };
    if (last.drill.failedStage !== undefined) status.lastDrill.failedStage = last.drill.failedStage;
    if (last.drill.reason !== undefined) status.lastDrill.reason = last.drill.reason;
    if (last.drill.finishedAt !== undefined) status.lastDrill.finishedAt = last.drill.finishedAt;
    if (last.drill.rtoMs !== undefined) status.lastDrill.rtoMs = last.drill.rtoMs;
  }
  if (measuredRpoMs !== undefined) status.measuredRpoMs = measuredRpoMs;
  if (measuredRtoMs !== undefined) status.measuredRtoMs = measuredRtoMs;
  return status;
}

const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

/** Worst first, then by name: the rows that need someone come first. */
export function fleetStatusOf(
  entries: readonly VmIndexEntry[],
  alerts: readonly AlertState[],
  targets: ReportingSettings,
  now: Date,
): FleetStatus {
  const open = alerts.filter((s) => s.open);
  const vms = entries
    .map((e) => vmStatusOf(e, open, targets, now))
    .sort((a, b) => RANK[b.rag] - RANK[a.rag] || a.vmName.localeCompare(b.vmName));
  const known = new Set(entries.map((e) => e.vmId.toLowerCase()));
  const otherAlerts = open
    .filter((s) => !known.has(scopeOf(s)))
    .map((s) => ({ ...openAlertOf(s), scopeId: s.latest?.scopeId ?? scopeOf(s) }));
  const counts: Record<Rag, number> = { green: 0, amber: 0, red: 0 };
  for (const v of vms) counts[v.rag] += 1;
  return {
    schema: FLEET_SCHEMA,
    generatedAt: now.toISOString(),
    targets: { rpoHours: targets.rpoTargetHours, rtoMinutes: targets.rtoTargetMinutes },
    counts,
    vms,
    otherAlerts,
  };
}
