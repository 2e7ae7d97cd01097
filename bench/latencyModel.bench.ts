/**
 * Benchmark: one night of a fleet (default 500 VMs over 5 subscriptions, 100 each with its own vault) under a
 * latency model on the sandbox clock: Run Commands take 20-60 s, backup snapshots 2-10 min and transfers to the vault
 * 1-8 h (each deterministic per VM, as the sandbox draws them), the advance timer ticks every 5 minutes. The clock is
 * compressed (advanced between ticks), so the night runs in minutes of wall time. Prints, each next to its target:
 *
 * - the night's makespan (sandbox time from the nightly call to the tick at which the last run became terminal)
 *   against its critical path (the slowest single VM's own work: preflight Run Command + snapshot + the longer of the
 *   logs Run Command and the transfer, which overlap); target: makespan <= critical path + 2 ticks;
 * - the longest single function invocation (the nightly call, each advance tick), wall time; target <= 60 s;
 * - ARM requests per VM (target <= 12), with the busiest routes;
 * - ARM writes and reads per subscription at the peak, in real time, against Azure's per-subscription budget (writes:
 *   a bucket of 200 refilled 10/s; reads: 250 refilled 25/s): the most requests in any sliding second, and the lowest
 *   level a token bucket simulated over the requests' arrival times reaches; target: the bucket never drops below half
 *   (writes used < 100, reads used < 125);
 * - peak RSS (target < 300 MB; the sandbox runs in this process, Azurite in its own).
 * Never fails on a missed target; exits 1 only when the cycle itself could not run.
 *
 *   npm run bench                                        (builds, then runs every benchmark, this one last)
 *   node --expose-gc dist/bench/latencyModel.bench.js --vms 100
 *   IBG_BENCH_LATENCY_VMS=50 node --expose-gc dist/bench/latencyModel.bench.js --scripts off
 *
 * `--vms N` or IBG_BENCH_LATENCY_VMS (default 500); `--subscriptions N` (default 5, at most one per 100 VMs
 * rounded up, at least 1). `--scripts on|off` or IBG_BENCH_SCRIPTS=0/1 (default on): the hardened pre/post scripts
 * on every VM, as the nightly benchmark installs them (10% misconfigured, IBG_BENCH_MISCONFIGURED); they really run
 * under dash at each backup (about 1.2 s of shell CPU per VM, paid while the benchmark waits for the sandbox between
 * ticks, not inside an invocation); off makes every backup file-system-consistent and the bench much faster.
 *
 * Request times come from the sandbox side: Node's `http.server.request.start` diagnostics channel, filtered to the
 * sandbox's port, so neither the app nor the sandbox is changed to measure them.
 */
import { MemoryPeak, fmt, quietLog, runBenchmark, shareOf, verdictOf } from './benchSupport';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startAzurite, type AzuriteTables } from '../sandbox/azurite';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { HALF_OF_ARM_WRITE_BUDGET } from '../src/shared/gateways/armWritePacer';
import { createProtectionDeps } from '../src/composition/composition';
import { nightOf } from '../src/shared/protection/night';
import type { RunAlert } from '../src/shared/protection/protectionDeps';
import {
  ARM_BUDGET,
  LATENCY,
  RequestTap,
  TICK_MS,
  VMS_PER_SUBSCRIPTION,
  WRITES,
  argValue,
  budgetUse,
  latencyEnv,
  latencyScenario,
  minutes,
  positiveInt,
  printBudget,
  runCommandPuts,
  runNight,
  scriptsOn,
  vmWork,
} from './latencyNight';

const TARGETS = { ticksOverCriticalPath: 2, invocationMs: 60_000, requestsPerVm: 12, peakRssMb: 300 };
const MAX_TICKS = 300;
const DEFAULT_VMS = 500;
const DEFAULT_SUBSCRIPTIONS = 5;
const MB = 1024 * 1024;

/** The app's own write pacer per subscription (src/shared/gateways/armWritePacer.ts): half of ARM's write budget. */
const PACER = HALF_OF_ARM_WRITE_BUDGET;

async function bench(): Promise<void> {
  const argv = process.argv.slice(2);
  const count = positiveInt(argValue(argv, 'vms') ?? process.env.IBG_BENCH_LATENCY_VMS, DEFAULT_VMS, '--vms');
  const subs = Math.min(
    positiveInt(argValue(argv, 'subscriptions'), DEFAULT_SUBSCRIPTIONS, '--subscriptions'),
    Math.max(1, Math.ceil(count / VMS_PER_SUBSCRIPTION)),
  );
  const withScripts = scriptsOn(argv);
  const misconfiguredShare = withScripts ? shareOf(process.env.IBG_BENCH_MISCONFIGURED, 0.1) : 0;
  const wallStart = performance.now();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const memory = new MemoryPeak();
  const baseline = process.memoryUsage();
  const tap = new RequestTap();

  let azurite: AzuriteTables | undefined;
  let sandbox: Sandbox | undefined;
  try {
    const scenario = latencyScenario(count, subs, withScripts, misconfiguredShare);
    console.log(
      `Latency-model benchmark: ${count} VMs over ${subs} subscription(s) (a vault each); hardened pre/post ` +
        `scripts ${withScripts ? `ON (${fmt(misconfiguredShare * 100, 0)}% misconfigured)` : 'OFF'}; Run Commands ` +
        `${LATENCY.runCommandSeconds.min}-${LATENCY.runCommandSeconds.max} s, snapshots ` +
        `${LATENCY.snapshotMinutes.min}-${LATENCY.snapshotMinutes.max} min, transfers ` +
        `${LATENCY.transferMinutes.min / 60}-${LATENCY.transferMinutes.max / 60} h, ticks every ${TICK_MS / 60_000} ` +
        `min (sandbox clock)`,
    );
    azurite = await startAzurite();
    sandbox = await startSandbox({ scenario });
    tap.start(sandbox.url);
    const counts = { warn: 0, error: 0 };
    const alerts: RunAlert[] = [];
    const env = latencyEnv(scenario, sandbox.url, azurite.connectionString, 'latency');
    const deps = {
      ...createProtectionDeps(env, { credential: sandbox.credential, clock: sandbox.clock, log: quietLog(counts) }),
      alerts: { raise: async (a: RunAlert) => void alerts.push(a) },
    };
    const night = nightOf(sandbox.clock.now(), 'UTC');
    const setupRequests = sandbox.requests;
    const tappedAtStart = tap.requests.length;

    const { nightly, invocations, ticks, idleMs, nightStartMs, lastTickClockMs, stalled } = await runNight(
      deps,
      sandbox,
      tap,
      memory,
      night,
      MAX_TICKS,
    );
    tap.stop();
    memory.stop();
    const armRequests = sandbox.requests - setupRequests;
    const tapped = tap.requests.slice(tappedAtStart);

    const runs = (await deps.store.list(night)).map((s) => s.run);
    const tally = (key: (r: (typeof runs)[number]) => string): string => {
      const m = new Map<string, number>();
      for (const r of runs) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
      return [...m].map(([k, n]) => `${k} ${n}`).join(', ');
    };
    const lastFinishedMs = Math.max(
      ...runs.map((r) => (r.finishedAt === undefined ? Number.NaN : Date.parse(r.finishedAt))),
    );
    const makespanMs = lastTickClockMs - nightStartMs;

    const puts = runCommandPuts(tapped);
    const works = scenario.vms.map((vm) => vmWork(vm.name, puts.get(vm.name.toLowerCase()) ?? []));
    const critical = works.reduce((a, b) => (b.totalMs > a.totalMs ? b : a));
    const overTicks = (makespanMs - critical.totalMs) / TICK_MS;
    const criticalRun = runs.find((r) => r.target.vmName.toLowerCase() === critical.vm.toLowerCase());

    const longest = invocations.reduce((a, b) => (b.ms > a.ms ? b : a));
    const perVm = armRequests / count;
    const writes = budgetUse(
      tapped.filter((r) => WRITES.has(r.method)),
      ARM_BUDGET.writes,
    );
    const reads = budgetUse(
      tapped.filter((r) => !WRITES.has(r.method)),
      ARM_BUDGET.reads,
    );
    const peakRssMb = memory.rss / MB;

    console.log('');
    console.log(`Runs: ${runs.length} (nightly: ${nightly.vms.length} VMs); stages: ${tally((r) => r.stage)}`);
    console.log(`Verdicts: ${tally((r) => r.verdict?.consistency ?? 'none')}`);
    console.log(
      `Alerts: ${alerts.length}; log warnings ${counts.warn}, errors ${counts.error}; advance ticks ${ticks}` +
        (stalled ? ` (stopped after ${MAX_TICKS}: runs still open)` : ''),
    );
    console.log('');
    console.log(
      `Makespan: ${minutes(makespanMs)} (nightly call to the tick that ended the last run, ${ticks} ticks; last ` +
        `finishedAt +${minutes(lastFinishedMs - nightStartMs)}); critical path ${minutes(critical.totalMs)} ` +
        `(${critical.vm}: preflight ${fmt(critical.preflightMs / 1000, 0)} s + snapshot ` +
        `${minutes(critical.snapshotMs)} + max(logs ${fmt(critical.logsMs / 1000, 0)} s, transfer ` +
        `${minutes(critical.transferMs)})); over by ${fmt(overTicks, 2)} ticks  target <= ` +
        `${TARGETS.ticksOverCriticalPath} ticks  ${verdictOf(overTicks <= TARGETS.ticksOverCriticalPath)}`,
    );
    if (criticalRun) {
      const rel = (iso: string | undefined): string =>
        iso === undefined ? '-' : `+${minutes(Date.parse(iso) - nightStartMs)}`;
      console.log(
        `  ${critical.vm}'s run: ${criticalRun.history.map((h) => `${h.to} ${rel(h.at)}`).join(', ')}; job ` +
          `${rel(criticalRun.backup.jobStartTime)} to ${rel(criticalRun.backup.jobEndTime)}`,
      );
    }
    // The sandbox clock also runs with real time: the minutes the invocations and the waits for the VMs' scripts take
    // here (on this machine's cores, not on the VMs as in Azure) stretch the ticks' spacing beyond 5 minutes.
    const gridOverTicks = ticks - critical.totalMs / TICK_MS;
    console.log(
      `  sandbox time not in ticks (real time passing while the bench waits and the app works): ` +
        `${minutes(makespanMs - ticks * TICK_MS)}; on a strict 5-minute grid the makespan is ${ticks} ticks = ` +
        `${minutes(ticks * TICK_MS)}, over the critical path by ${fmt(gridOverTicks, 2)} ticks  ` +
        verdictOf(gridOverTicks <= TARGETS.ticksOverCriticalPath),
    );
    console.log(
      `Longest invocation: ${fmt(longest.ms / 1000, 2)} s (${longest.name}; nightly ` +
        `${fmt((invocations[0]?.ms ?? 0) / 1000, 2)} s, mean tick ` +
        `${fmt(invocations.slice(1).reduce((s, i) => s + i.ms, 0) / Math.max(1, ticks) / 1000, 2)} s)  target <= ` +
        `${TARGETS.invocationMs / 1000} s  ${verdictOf(longest.ms <= TARGETS.invocationMs)}`,
    );
    // Where the longest invocations' time went: their requests, the write pacer's least wait, the CPU beside them.
    for (const inv of [...invocations].sort((a, b) => b.ms - a.ms).slice(0, 3)) {
      const w = inv.requests.filter((r) => WRITES.has(r.method));
      const wBySub = new Map<string, number>();
      for (const r of w) {
        const sub = /^\/subscriptions\/([^/]+)/i.exec(r.path)?.[1]?.toLowerCase() ?? '';
        wBySub.set(sub, (wBySub.get(sub) ?? 0) + 1);
      }
      const maxSubWrites = Math.max(0, ...wBySub.values());
      const pacerS = Math.max(0, (maxSubWrites - PACER.burst) / PACER.perSecond);
      console.log(
        `  ${inv.name}: ${fmt(inv.ms / 1000, 2)} s wall; ${inv.requests.length} requests (${w.length} writes, at ` +
          `most ${maxSubWrites} in one subscription: the app's write pacer (${PACER.burst} burst, ` +
          `${PACER.perSecond}/s) holds them >= ${fmt(pacerS)} s); CPU: this process ${fmt(inv.selfCpuS)} s, the ` +
          `VMs' scripts ${fmt(inv.vmScriptCpuS)} s on the same ${os.cpus().length} cores`,
      );
    }
    console.log(
      `ARM requests per VM: ${fmt(perVm)} (${armRequests} in all)  target <= ${TARGETS.requestsPerVm}  ` +
        verdictOf(perVm <= TARGETS.requestsPerVm),
    );
    const routes = Object.entries(sandbox.requestStats().byRoute)
      .sort((a, b) => b[1].count - a[1].count)
      .slice(0, 10)
      .map(([route, s]) => `  ${String(s.count).padStart(6)}  ${fmt(s.count / count, 2).padStart(6)}/VM  ${route}`);
    console.log(`  busiest routes (setup included):\n${routes.join('\n')}`);
    printBudget('writes', writes);
    printBudget('reads', reads);
    console.log(
      `Peak memory: RSS ${fmt(peakRssMb)} MB, heapUsed ${fmt(memory.heapUsed / MB)} MB (at start: RSS ` +
        `${fmt(baseline.rss / MB)} MB)  target < ${TARGETS.peakRssMb} MB  ${verdictOf(peakRssMb < TARGETS.peakRssMb)}`,
    );
    console.log(
      `Bench wall time: ${fmt((performance.now() - wallStart) / 1000)} s (waiting for the sandbox between ticks ` +
        `${fmt(idleMs / 1000)} s; sandbox and Azurite start included)`,
    );
  } finally {
    tap.stop();
    memory.stop();
    await sandbox?.idle().catch(() => undefined);
    await sandbox?.stop().catch(() => undefined);
    await azurite?.stop().catch(() => undefined);
  }
}

runBenchmark(bench);
