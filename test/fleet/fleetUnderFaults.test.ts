/**
 * The reduced fleet under faults (CI): every fault kind at once over a small fleet with drills, two nights, two
 * instances ticking together and instances killed at random calls. The full fleet (200+ VMs) runs in
 * `npm run bench` (bench/fleetUnderFaults.bench.ts) and prints the same figures.
 */
import { formatFleetReport, runFaultyFleet, VM_FAULTS, type FleetReport } from './faultyFleet';

describe('a fleet under faults (sandbox, reduced)', () => {
  let report: FleetReport;
  beforeAll(async () => {
    report = await runFaultyFleet({
      vms: VM_FAULTS.length + 2,
      nights: 2,
      seed: 20261204,
      faultyShare: VM_FAULTS.length / (VM_FAULTS.length + 2),
      drillSchedule: 'every',
      drillMaxConcurrent: 5,
      killChance: 0.3,
      killWithinCalls: 150,
      // Throttling, 5xx, dropped connections and busy storage cost real seconds of SDK back-off; Run Command
      // conflicts and skips cost only sandbox time (the app tries again at a later tick). Every rate gives each kind
      // about ten occurrences or more, so none goes missing whatever order the requests arrive in.
      chaos: {
        throttle: 0.02,
        serverError: 0.015,
        timeoutBefore: 0.012,
        timeoutAfter: 0.012,
        runCommandConflict: 0.2,
        runCommandSkip: 0.2,
        retryAfterSeconds: 0,
      },
      storage: { busy: 0.006, lostAnswer: 0.008 },
      targetsDownTicks: 3,
      // A hanging target costs the notifier's 10-second time-out per tick: the benchmark has it, CI has Slack's 502s.
      hangTicks: 0,
      progress: (line) => console.log(line),
      maxTicksPerNight: 60,
      transferMinutes: 30,
    });
    console.log(formatFleetReport(report));
  }, 600_000);

  it('injected every kind of fault', () => {
    const kinds = Object.keys(report.faults).filter((k) => (report.faults[k] ?? 0) > 0);
    for (const k of [
      'arm.throttle',
      'arm.serverError',
      'arm.timeoutBefore',
      'arm.timeoutAfter',
      'arm.runCommandConflict',
      'arm.runCommandSkip',
      'storage.busy',
      'storage.lostAnswer',
      'instance.killed',
      'target.webhook.down',
      'target.teams.down',
      'target.eventgrid.down',
      'target.slack.down',
      ...VM_FAULTS.map((f) => `vm.${f}`),
    ])
      expect(kinds).toContain(k);
    expect(report.retries.arm).toBeGreaterThan(0);
    expect(report.retries.storage).toBeGreaterThan(0);
    // Killed at random points and restarted several times.
    expect(report.faults['instance.killed']).toBeGreaterThanOrEqual(2);
  });

  it('every VM has exactly one backup job a night, and every run ended', () => {
    expect(report.problems.filter((p) => /backup job|runs for|restore jobs/.test(p))).toEqual([]);
    expect([report.duplicates.backupJobs, report.missingBackupJobs, report.duplicates.restoreJobs]).toEqual([0, 0, 0]);
    expect(report.openRuns).toBe(0);
    expect(report.runs).toBe(report.vms * report.nights);
  });

  it('leaves no drill resource, no Run Command and no IRIS frozen', () => {
    expect(report.problems.filter((p) => /left/.test(p))).toEqual([]);
    expect(report.orphans).toEqual({ drillResources: 0, runCommands: 0 });
    expect(report.irisLeftFrozen).toBe(0);
  });

  it('loses no alert and sends none twice', () => {
    expect(report.problems.filter((p) => /→|decided/.test(p))).toEqual([]);
    expect(report.lost).toEqual({ unrecorded: 0, undelivered: 0 });
    expect(report.duplicates.deliveries).toBe(0);
    expect(report.deliveriesSent).toBeGreaterThan(0);
  });

  it('drilled every VM it could, and told the failed drills apart', () => {
    const drills = Object.values(report.drills).reduce((a, b) => a + b, 0);
    expect(drills).toBeGreaterThan(0);
    expect(report.drills['no verdict'] ?? 0).toBe(0);
    expect(report.drills.failed ?? 0).toBeGreaterThan(0);
  });
});
