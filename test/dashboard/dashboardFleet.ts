/**
 * A small fleet for the dashboard's tests, built with the real functions: runs played through the state machine,
 * their summaries (runSummaryOf) folded into the fleet index (foldIntoVmIndex), open alert states, fleetStatusOf.
 * One VM's name, reasons, evidence lines, alert and finding fix hold markup, quotes and a bidi override.
 */
import type { Alert } from '../../src/shared/alerts/alert';
import { latestOf, type AlertRecord, type AlertState } from '../../src/shared/alerts/alertRecord';
import type { ReportingSettings } from '../../src/shared/config/settings';
import { fleetStatusOf, type FleetStatus } from '../../src/shared/evidence/fleetStatus';
import { runSummaryOf, type RunSummary } from '../../src/shared/evidence/runSummary';
import { foldIntoVmIndex, type VmIndexEntry } from '../../src/shared/evidence/vmIndex';
import type { Run } from '../../src/shared/runs/run';
import { drillEnded, finished, renamed, withFreeze } from './dashboardRuns';

/** Markup, a broken attribute, a bidi override and the end of the style element, all in text from a VM. */
export const HOSTILE = '<script>alert(1)</script>"onmouseover="alert(2)\u202eevil</style>';
export const EVIL_VM = `iris-evil ${HOSTILE}`;
export const EVIL_LINE = `03/10/26-01:34:00:000 (42) 0 <script>alert("log")</script> ${HOSTILE}`;

export const TARGETS: ReportingSettings = { rpoTargetHours: 24, rtoTargetMinutes: 60, apiAuth: 'function-key' };
export const NOW = new Date('2026-03-10T12:00:00.000Z');
const NIGHTS = ['2026-03-08', '2026-03-09', '2026-03-10'];

/** A passed drill; `slowerBy` minutes added to its restore (so RTOs differ from night to night). */
const passedRun = (vm: string, night: string, slowerBy = 0): Run => {
  const run = renamed(withFreeze(finished(drillEnded())), vm, night);
  const d = run.drill;
  if (d?.restoreRequestedAt === undefined) throw new Error('fixture');
  const requested = new Date(Date.parse(d.restoreRequestedAt) - slowerBy * 60_000).toISOString();
  return { ...run, drill: { ...d, restoreRequestedAt: requested } };
};
const failedRun = (vm: string, night: string): Run =>
  renamed(withFreeze(finished(drillEnded({ iris: 'down', integrity: 'not-run', dbs: [] }))), vm, night);
/** Drilled and passed, but the backup fell back to file-system consistency: amber. */
const fallbackRun = (vm: string, night: string): Run => {
  const run = passedRun(vm, night);
  const v = run.verdict;
  if (v === undefined) throw new Error('fixture');
  return {
    ...run,
    verdict: {
      ...v,
      consistency: 'file-system-consistent',
      frozenAt: undefined,
      thawedAt: undefined,
      freezeWindowMs: undefined,
      reasons: ['the pre-script was not found'],
    },
  };
};

/** The evil VM's run: its name, reason, evidence lines and finding fix carry HOSTILE. */
function evilRun(night: string): Run {
  const base = passedRun('iris-evil', night);
  const drill = base.drill;
  const verifier = drill?.verifier;
  if (drill === undefined || verifier === undefined || base.verdict === undefined) throw new Error('fixture');
  return {
    ...base,
    target: { ...base.target, vmName: EVIL_VM },
    reason: `reason ${HOSTILE}`,
    verdict: { ...base.verdict, reasons: [`verdict ${HOSTILE}`] },
    preflight: {
      findings: [
        {
          code: `Pre-ScriptNotFound${HOSTILE}`,
          severity: 'warning',
          impact: 'app-consistent',
          fix: `chmod 700 ${HOSTILE}\nsecond line`,
        },
      ],
      blocking: [],
    },
    drill: { ...drill, verifier: { ...verifier, lines: [EVIL_LINE, 'plain line'] } },
  };
}

export interface DashboardFixture {
  fleet: FleetStatus;
  runs: Map<string, Run>;
  /** Per VM key, newest first. */
  history: Map<string, RunSummary[]>;
  alerts: Map<string, AlertRecord[]>;
  /** How many passed drills each VM's history has. */
  passedDrills: Map<string, number>;
}

export function dashboardFixture(extraVms = 0): DashboardFixture {
  const runs: Run[] = [
    ...NIGHTS.map((n, i) => passedRun('iris-prod-1', n, [18, 4, 9][i])),
    passedRun('iris-prod-2', NIGHTS[0] ?? ''),
    failedRun('iris-prod-2', NIGHTS[1] ?? ''),
    failedRun('iris-prod-2', NIGHTS[2] ?? ''),
    fallbackRun('iris-prod-3', NIGHTS[2] ?? ''),
    evilRun(NIGHTS[2] ?? ''),
    ...Array.from({ length: extraVms }, (_, i) =>
      passedRun(`iris-bulk-${String(i).padStart(3, '0')}`, NIGHTS[2] ?? ''),
    ),
  ];
  const summaries = runs.map(runSummaryOf);
  const index = new Map<string, VmIndexEntry>();
  for (const s of summaries) {
    const next = foldIntoVmIndex(index.get(s.vmKey), s);
    if (next !== undefined) index.set(s.vmKey, next);
  }
  const evil = runs.find((r) => r.target.vmName === EVIL_VM);
  if (evil === undefined) throw new Error('fixture');
  const alert: Alert = {
    severity: 'error',
    code: 'DrillIrisDown',
    message: `IRIS did not start ${HOSTILE}`,
    scope: { kind: 'run', runId: evil.id, vmId: evil.target.vmId },
    at: '2026-03-10T02:30:00.000Z',
    evidence: [EVIL_LINE],
    fix: `iris start IRIS ${HOSTILE}`,
    vmName: EVIL_VM,
  };
  const record: AlertRecord = {
    id: `${evil.id}#1`,
    alert,
    decidedAt: alert.at,
    dedupKey: `run:${evil.target.vmId}|DrillIrisDown`,
    deliveries: {},
  };
  const vaultAlert: AlertState = {
    dedupKey: 'vault:/subscriptions/x/vaults/v|VaultAccessDenied',
    open: true,
    firstAt: '2026-03-09T01:00:00.000Z',
    lastAt: '2026-03-10T01:00:00.000Z',
  };
  const states: AlertState[] = [
    {
      dedupKey: record.dedupKey,
      open: true,
      firstAt: alert.at,
      lastAt: alert.at,
      latest: latestOf(record.id, alert),
    },
    vaultAlert,
  ];
  const fleet = fleetStatusOf([...index.values()], states, TARGETS, NOW);
  const history = new Map<string, RunSummary[]>();
  for (const s of [...summaries].reverse()) history.set(s.vmKey, [...(history.get(s.vmKey) ?? []), s]);
  for (const list of history.values()) list.sort((a, b) => b.night.localeCompare(a.night));
  const passedDrills = new Map(
    [...history].map(([k, list]) => [
      k,
      list.filter((s) => s.drill?.verdict === 'passed' && s.drill.rtoMs !== undefined).length,
    ]),
  );
  return {
    fleet,
    runs: new Map(runs.map((r) => [r.id, r])),
    history,
    alerts: new Map([[evil.id, [record]]]),
    passedDrills,
  };
}
