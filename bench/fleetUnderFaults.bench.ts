/**
 * Benchmark: the full fleet under faults (test/fleet/faultyFleet.ts). 200 VMs (`--vms`), two nights (`--nights`),
 * each VM drilled once over the two nights, every fault kind at once, two instances ticking together and instances
 * killed at random calls. Prints the faults injected by kind, the retries, and what must be zero (duplicates,
 * orphans, lost alerts, IRIS left frozen) with PASS/MISS; exits 1 only when it could not run.
 *
 *   npm run bench
 *   node dist/bench/fleetUnderFaults.bench.js --vms 300 --nights 3 --seed 7
 */
import { argValue, positiveInt } from './latencyNight';
import { runBenchmark, verdictOf } from './benchSupport';
import { formatFleetReport, runFaultyFleet } from '../test/fleet/faultyFleet';

async function bench(): Promise<void> {
  const argv = process.argv.slice(2);
  const vms = positiveInt(argValue(argv, 'vms') ?? process.env.IBG_BENCH_FAULT_VMS, 200, '--vms');
  const nights = positiveInt(argValue(argv, 'nights'), 2, '--nights');
  const seed = positiveInt(argValue(argv, 'seed'), 20261204, '--seed');
  console.log(`Fleet under faults: ${vms} VMs, ${nights} nights, seed ${seed} (a few minutes per 100 VMs on 2 cores)`);
  const report = await runFaultyFleet({
    vms,
    nights,
    seed,
    faultyShare: 0.15,
    // Each VM once over the nights, spread over them.
    drillSchedule: nights > 1 ? `every-nth:${nights}` : 'every',
    drillMaxConcurrent: 25,
    killChance: 0.3,
    killWithinCalls: 4000,
    chaos: {
      throttle: 0.02,
      serverError: 0.02,
      timeoutBefore: 0.005,
      timeoutAfter: 0.005,
      runCommandConflict: 0.03,
      runCommandSkip: 0.03,
      retryAfterSeconds: 1,
    },
    storage: { busy: 0.01, lostAnswer: 0.005 },
    targetsDownTicks: 6,
    hangTicks: 2,
    maxTicksPerNight: 200,
    transferMinutes: 60,
    progress: (line) => console.log(`  ${line}`),
  });
  console.log(formatFleetReport(report));
  const zero =
    report.duplicates.backupJobs +
    report.duplicates.restoreJobs +
    report.duplicates.deliveries +
    report.missingBackupJobs +
    report.openRuns +
    report.orphans.drillResources +
    report.orphans.runCommands +
    report.lost.unrecorded +
    report.lost.undelivered +
    report.irisLeftFrozen;
  console.log(`  duplicates, orphans, lost, open, frozen: ${zero} in all  target 0  ${verdictOf(zero === 0)}`);
  for (const p of report.problems.slice(0, 20)) console.log(`    ${p}`);
  if (report.problems.length > 20) console.log(`    … and ${report.problems.length - 20} more`);
}

runBenchmark(bench);
