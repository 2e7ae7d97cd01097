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
import { MemoryPeak, cpuSeconds, fmt, quietLog, runBenchmark, shareOf, verdictOf } from './benchSupport';
import * as diagnostics from 'node:diagnostics_channel';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startAzurite, type AzuriteTables } from '../sandbox/azurite';
import { minutesFor } from '../sandbox/backupService';
import { generateFleetScenario, startSandbox, type Sandbox, type Scenario } from '../sandbox/index';
import { simulatedDurationMs } from '../sandbox/runCommandService';
import { HALF_OF_ARM_WRITE_BUDGET } from '../src/shared/gateways/armWritePacer';
import { advanceRuns } from '../src/shared/protection/advanceRuns';
import { createProtectionDeps } from '../src/composition/composition';
import { nightOf } from '../src/shared/protection/night';
import { runNightlyProtection } from '../src/shared/protection/nightlyProtection';
import type { RunAlert } from '../src/shared/protection/protectionDeps';
import { isTerminalStage } from '../src/shared/runs/run';

const TARGETS = { ticksOverCriticalPath: 2, invocationMs: 60_000, requestsPerVm: 12, peakRssMb: 300 };
/** Azure Resource Manager's per-subscription token buckets (learn.microsoft.com, "Understand how ARM throttles"). */
const ARM_BUDGET = { writes: { burst: 200, perSecond: 10 }, reads: { burst: 250, perSecond: 25 } };
const LATENCY = {
  runCommandSeconds: { min: 20, max: 60 },
  snapshotMinutes: { min: 2, max: 10 },
  transferMinutes: { min: 60, max: 480 },
};
const TICK_MS = 5 * 60_000;
const MAX_TICKS = 300;
const DEFAULT_VMS = 500;
const DEFAULT_SUBSCRIPTIONS = 5;
const VMS_PER_SUBSCRIPTION = 100;
const MB = 1024 * 1024;
const WRITES = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);

/** Peak RSS and heap, sampled every 50 ms and at each phase boundary. */

/** The app's own write pacer per subscription (src/shared/gateways/armWritePacer.ts): half of ARM's write budget. */
const PACER = HALF_OF_ARM_WRITE_BUDGET;

interface Invocation {
  name: string;
  ms: number;
  selfCpuS: number;
  vmScriptCpuS: number;
  requests: TappedRequest[];
}

/** CPU seconds used by this process, and by its finished child processes (the VMs' scripts) from /proc. */

/** One request as the sandbox's HTTPS server saw it arrive (real time). */
interface TappedRequest {
  atMs: number;
  method: string;
  path: string;
}

/** Every request arriving at the sandbox's port, from the `http.server.request.start` diagnostics channel. */
class RequestTap {
  readonly requests: TappedRequest[] = [];
  private port = -1;
  private readonly listener = (message: unknown): void => {
    const m = message as {
      request?: { method?: string; url?: string };
      socket?: { localPort?: number };
    };
    if (m.socket?.localPort !== this.port) return;
    this.requests.push({
      atMs: performance.timeOrigin + performance.now(),
      method: (m.request?.method ?? 'GET').toUpperCase(),
      path: (m.request?.url ?? '/').split('?')[0] ?? '/',
    });
  };
  start(url: string): void {
    this.port = Number(new URL(url).port);
    diagnostics.subscribe('http.server.request.start', this.listener);
  }
  stop(): void {
    diagnostics.unsubscribe('http.server.request.start', this.listener);
  }
}

const minutes = (ms: number): string => `${fmt(ms / 60_000)} min`;

function argValue(argv: readonly string[], name: string): string | undefined {
  let text: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === `--${name}`) text = argv[i + 1];
    else if (arg.startsWith(`--${name}=`)) text = arg.slice(name.length + 3);
  });
  return text;
}

function positiveInt(text: string | undefined, fallback: number, what: string): number {
  const n = Number(text ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, not "${text}"`);
  return n;
}

function scriptsOn(argv: readonly string[]): boolean {
  const text = argValue(argv, 'scripts') ?? process.env.IBG_BENCH_SCRIPTS ?? 'on';
  if (['on', '1', 'true', 'yes'].includes(text.toLowerCase())) return true;
  if (['off', '0', 'false', 'no'].includes(text.toLowerCase())) return false;
  throw new Error(`--scripts must be on or off, not "${text}"`);
}

const subscriptionId = (k: number): string => `00000000-0000-0000-0000-${String(k + 1).padStart(12, '0')}`;

/** The generated fleet, its VMs spread in blocks over `subs` subscriptions, each with its own vault. */
function latencyScenario(count: number, subs: number, withScripts: boolean, misconfiguredShare: number): Scenario {
  const fleet = generateFleetScenario({ count, withScripts, misconfiguredShare });
  const perSub = Math.ceil(count / subs);
  const base = fleet.vaults[0];
  if (!base) throw new Error('the generated fleet has no vault');
  const vaults = Array.from({ length: subs }, (_, k) => ({
    ...base,
    subscriptionId: subscriptionId(k),
    name: `vault-fleet-${k + 1}`,
  }));
  const vms = fleet.vms.map((vm, i) => {
    const k = Math.floor(i / perSub);
    return { ...vm, subscriptionId: subscriptionId(k), protectedBy: `vault-fleet-${k + 1}` };
  });
  return {
    ...fleet,
    name: `latency-${count}`,
    vaults,
    vms,
    backup: {
      ...fleet.backup,
      snapshotMinutes: LATENCY.snapshotMinutes,
      transferMinutes: LATENCY.transferMinutes,
    },
    runCommand: { ...fleet.runCommand, durationSeconds: LATENCY.runCommandSeconds },
  };
}

/** The most requests in any window of `windowMs` (sorted times). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] ?? 0) - (times[lo] ?? 0) >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** A full token bucket taking one token per request (sorted times): the lowest level it reaches. */
function minBucketLevel(times: readonly number[], budget: { burst: number; perSecond: number }): number {
  let tokens = budget.burst;
  let min = budget.burst;
  let last = times[0] ?? 0;
  for (const t of times) {
    tokens = Math.min(budget.burst, tokens + ((t - last) / 1000) * budget.perSecond);
    last = t;
    tokens -= 1;
    min = Math.min(min, tokens);
  }
  return min;
}

interface BudgetUse {
  subscription: string;
  count: number;
  peakPerSecond: number;
  peakUse: number;
}

function budgetUse(requests: readonly TappedRequest[], budget: { burst: number; perSecond: number }): BudgetUse[] {
  const bySub = new Map<string, number[]>();
  for (const r of requests) {
    const sub = /^\/subscriptions\/([^/]+)/i.exec(r.path)?.[1]?.toLowerCase() ?? '(none)';
    const list = bySub.get(sub) ?? [];
    list.push(r.atMs);
    bySub.set(sub, list);
  }
  return [...bySub]
    .map(([subscription, times]) => {
      times.sort((a, b) => a - b);
      return {
        subscription,
        count: times.length,
        peakPerSecond: maxInWindow(times, 1000),
        peakUse: budget.burst - minBucketLevel(times, budget),
      };
    })
    .sort((a, b) => a.subscription.localeCompare(b.subscription));
}

/** The Run Command names the app PUT on each VM, by lower-cased VM name, in order. */
function runCommandPuts(requests: readonly TappedRequest[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of requests) {
    if (r.method !== 'PUT') continue;
    let p: string;
    try {
      p = decodeURIComponent(r.path);
    } catch {
      continue;
    }
    const m = /\/virtualMachines\/([^/]+)\/runCommands\/([^/]+)$/i.exec(p);
    if (!m?.[1] || !m[2]) continue;
    const vm = m[1].toLowerCase();
    out.set(vm, [...(out.get(vm) ?? []), m[2]]);
  }
  return out;
}

interface VmWork {
  vm: string;
  preflightMs: number;
  snapshotMs: number;
  logsMs: number;
  transferMs: number;
  totalMs: number;
}

/** A VM's own work on the sandbox clock, from the same deterministic draws the sandbox makes. */
function vmWork(vm: string, names: readonly string[]): VmWork {
  const last = (purpose: string): string | undefined =>
    [...names].reverse().find((n) => n.toLowerCase().startsWith(`ibg-${purpose}-`));
  const rc = (name: string | undefined): number =>
    name === undefined ? 0 : simulatedDurationMs(vm, name, LATENCY.runCommandSeconds);
  const preflightMs = rc(last('preflight'));
  const logsMs = rc(last('logs'));
  const snapshotMs = minutesFor(LATENCY.snapshotMinutes, vm, 'snapshot') * 60_000;
  const transferMs = Math.round(minutesFor(LATENCY.transferMinutes, vm, 'transfer') * 60_000);
  return {
    vm,
    preflightMs,
    snapshotMs,
    logsMs,
    transferMs,
    totalMs: preflightMs + snapshotMs + Math.max(logsMs, transferMs),
  };
}

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
    const env: Record<string, string | undefined> = {
      IBG_VAULT_IDS: scenario.vaults
        .map(
          (v) =>
            `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/` +
            `Microsoft.RecoveryServices/vaults/${v.name}`,
        )
        .join(','),
      IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
      IBG_RUNS_TABLE_CONNECTION_STRING: azurite.connectionString,
      IBG_RUNS_TABLE_NAME: `latency${Date.now().toString(36)}`,
      AZURE_ARM_ENDPOINT: sandbox.url,
      // Long-running operations are polled as in production (a zero interval would busy-poll and inflate counts).
      IBG_POLL_INTERVAL_MS: process.env.IBG_POLL_INTERVAL_MS ?? '500',
      IBG_RUN_COMMAND_TIMEOUT_SECONDS: '120',
      IBG_MAX_CONCURRENCY: process.env.IBG_MAX_CONCURRENCY,
      IBG_RUN_COMMANDS_PER_SUBSCRIPTION: process.env.IBG_RUN_COMMANDS_PER_SUBSCRIPTION,
    };
    const deps = {
      ...createProtectionDeps(env, { credential: sandbox.credential, clock: sandbox.clock, log: quietLog(counts) }),
      alerts: { raise: async (a: RunAlert) => void alerts.push(a) },
    };
    const night = nightOf(sandbox.clock.now(), 'UTC');
    const setupRequests = sandbox.requests;
    const tappedAtStart = tap.requests.length;

    const invocations: Invocation[] = [];
    /** Times one invocation: wall time, the CPU of this process and of the VMs' finished scripts, its requests. */
    const invoke = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
      const cpu = cpuSeconds();
      const first = tap.requests.length;
      const started = performance.now();
      const value = await call();
      const ms = performance.now() - started;
      const after = cpuSeconds();
      invocations.push({
        name,
        ms,
        selfCpuS: after.self - cpu.self,
        vmScriptCpuS: after.children - cpu.children,
        requests: tap.requests.slice(first),
      });
      return value;
    };
    const nightStartMs = sandbox.clock.nowMs();
    let t = performance.now();
    const nightly = await invoke('nightly', () => runNightlyProtection(deps, night));
    console.log(`  nightly protection: ${nightly.vms.length} VMs in ${fmt((performance.now() - t) / 1000)} s`);
    memory.sample();

    let ticks = 0;
    let idleMs = 0;
    let lastTickClockMs = nightStartMs;
    let stalled = false;
    for (;;) {
      if (ticks >= MAX_TICKS) {
        stalled = true;
        break;
      }
      t = performance.now();
      await sandbox.idle();
      idleMs += performance.now() - t;
      sandbox.clock.advance(TICK_MS);
      lastTickClockMs = sandbox.clock.nowMs();
      t = performance.now();
      const result = await invoke(`tick ${ticks + 1}`, () => advanceRuns(deps));
      const ms = performance.now() - t;
      ticks += 1;
      memory.sample();
      const open = Object.values(result.stages).filter((stage) => !isTerminalStage(stage));
      if (ticks % 12 === 0 || open.length === 0 || ticks <= 6) {
        const byStage = new Map<string, number>();
        for (const s of open) byStage.set(s, (byStage.get(s) ?? 0) + 1);
        console.log(
          `  tick ${ticks} (+${minutes(lastTickClockMs - nightStartMs)}): ${open.length} open ` +
            `(${[...byStage].map(([k, n]) => `${k} ${n}`).join(', ') || '-'}) in ${fmt(ms / 1000, 2)} s`,
        );
      }
      if (result.active === 0 || open.length === 0) break;
    }
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
    const budgetLine = (kind: 'writes' | 'reads', uses: BudgetUse[]): void => {
      const b = ARM_BUDGET[kind];
      const peakUse = Math.max(0, ...uses.map((u) => u.peakUse));
      const peakRate = Math.max(0, ...uses.map((u) => u.peakPerSecond));
      console.log(
        `Peak ARM ${kind} per subscription: bucket use ${fmt(peakUse)} of ${b.burst} (refilled ${b.perSecond}/s), ` +
          `at most ${peakRate} in one second (half the refill: ${b.perSecond / 2}/s)  target use < ${b.burst / 2}  ` +
          verdictOf(peakUse < b.burst / 2),
      );
      for (const u of uses) {
        console.log(
          `  ${u.subscription}: ${u.count} ${kind}, peak ${u.peakPerSecond}/s, bucket use ${fmt(u.peakUse)}` +
            (u.peakPerSecond >= b.perSecond / 2 ? ' (above half the refill rate in its busiest second)' : ''),
        );
      }
    };
    budgetLine('writes', writes);
    budgetLine('reads', reads);
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
