/**
 * The latency-model night both fleet benchmarks run (latencyModel.bench.ts, drills.bench.ts): the latency model on the
 * sandbox clock, the fleet spread over subscriptions, the tap on the sandbox's port that sees every request arrive,
 * the nightly call then advance ticks until every run has ended, and the ARM budget arithmetic.
 */
import * as diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { minutesFor } from '../sandbox/backupService';
import { generateFleetScenario, type Sandbox, type Scenario } from '../sandbox/index';
import { simulatedDurationMs } from '../sandbox/runCommandService';
import { advanceRuns, type AdvanceResult } from '../src/shared/protection/advanceRuns';
import { runNightlyProtection, type NightlyResult } from '../src/shared/protection/nightlyProtection';
import type { ProtectionDeps } from '../src/shared/protection/protectionDeps';
import { isTerminalStage } from '../src/shared/runs/run';
import { MemoryPeak, cpuSeconds, fmt } from './benchSupport';

/** Azure Resource Manager's per-subscription token buckets (learn.microsoft.com, "Understand how ARM throttles"). */
export const ARM_BUDGET = { writes: { burst: 200, perSecond: 10 }, reads: { burst: 250, perSecond: 25 } };
export const LATENCY = {
  runCommandSeconds: { min: 20, max: 60 },
  snapshotMinutes: { min: 2, max: 10 },
  transferMinutes: { min: 60, max: 480 },
};
export const TICK_MS = 5 * 60_000;
export const WRITES = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);
export const VMS_PER_SUBSCRIPTION = 100;

/** One request as the sandbox's HTTPS server saw it arrive (real time). */
export interface TappedRequest {
  atMs: number;
  method: string;
  path: string;
  /** The query string, without '?' ('' when none). */
  query: string;
}

/** Every request arriving at the sandbox's port, from the `http.server.request.start` diagnostics channel. */
export class RequestTap {
  readonly requests: TappedRequest[] = [];
  private port = -1;
  private readonly listener = (message: unknown): void => {
    const m = message as {
      request?: { method?: string; url?: string };
      socket?: { localPort?: number };
    };
    if (m.socket?.localPort !== this.port) return;
    const url = m.request?.url ?? '/';
    const q = url.indexOf('?');
    this.requests.push({
      atMs: performance.timeOrigin + performance.now(),
      method: (m.request?.method ?? 'GET').toUpperCase(),
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q + 1),
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

export const minutes = (ms: number): string => `${fmt(ms / 60_000)} min`;

export function argValue(argv: readonly string[], name: string): string | undefined {
  let text: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === `--${name}`) text = argv[i + 1];
    else if (arg.startsWith(`--${name}=`)) text = arg.slice(name.length + 3);
  });
  return text;
}

export function positiveInt(text: string | undefined, fallback: number, what: string): number {
  const n = Number(text ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, not "${text}"`);
  return n;
}

/** `--scripts on|off`, else IBG_BENCH_SCRIPTS, else `fallback`. */
export function scriptsOn(argv: readonly string[], fallback = 'on'): boolean {
  const text = argValue(argv, 'scripts') ?? process.env.IBG_BENCH_SCRIPTS ?? fallback;
  if (['on', '1', 'true', 'yes'].includes(text.toLowerCase())) return true;
  if (['off', '0', 'false', 'no'].includes(text.toLowerCase())) return false;
  throw new Error(`--scripts must be on or off, not "${text}"`);
}

export const subscriptionId = (k: number): string => `00000000-0000-0000-0000-${String(k + 1).padStart(12, '0')}`;

/** The generated fleet, its VMs spread in blocks over `subs` subscriptions, each with its own vault. */
export function latencyScenario(
  count: number,
  subs: number,
  withScripts: boolean,
  misconfiguredShare: number,
): Scenario {
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

/** The app's settings for a latency scenario: every vault, the runs table, the sandbox, production polling. */
export function latencyEnv(scenario: Scenario, sandboxUrl: string, tablesConnectionString: string, table: string) {
  return {
    IBG_VAULT_IDS: scenario.vaults
      .map(
        (v) =>
          `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/` +
          `Microsoft.RecoveryServices/vaults/${v.name}`,
      )
      .join(','),
    IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
    IBG_RUNS_TABLE_CONNECTION_STRING: tablesConnectionString,
    IBG_RUNS_TABLE_NAME: `${table}${Date.now().toString(36)}`,
    AZURE_ARM_ENDPOINT: sandboxUrl,
    // Long-running operations are polled as in production (a zero interval would busy-poll and inflate counts).
    IBG_POLL_INTERVAL_MS: process.env.IBG_POLL_INTERVAL_MS ?? '500',
    IBG_RUN_COMMAND_TIMEOUT_SECONDS: '120',
    IBG_MAX_CONCURRENCY: process.env.IBG_MAX_CONCURRENCY,
    IBG_RUN_COMMANDS_PER_SUBSCRIPTION: process.env.IBG_RUN_COMMANDS_PER_SUBSCRIPTION,
  } satisfies Record<string, string | undefined>;
}

/** The most requests in any window of `windowMs` (sorted times). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] ?? 0) - (times[lo] ?? 0) >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** A full token bucket taking one token per request (sorted times): the lowest level it reaches. */
export function minBucketLevel(times: readonly number[], budget: { burst: number; perSecond: number }): number {
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

export interface BudgetUse {
  subscription: string;
  count: number;
  peakPerSecond: number;
  peakUse: number;
}

export function budgetUse(
  requests: readonly TappedRequest[],
  budget: { burst: number; perSecond: number },
): BudgetUse[] {
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

/** Prints the peak use of one of ARM's buckets per subscription, against half the bucket. */
export function printBudget(kind: 'writes' | 'reads', uses: readonly BudgetUse[]): void {
  const b = ARM_BUDGET[kind];
  const peakUse = Math.max(0, ...uses.map((u) => u.peakUse));
  const peakRate = Math.max(0, ...uses.map((u) => u.peakPerSecond));
  console.log(
    `Peak ARM ${kind} per subscription: bucket use ${fmt(peakUse)} of ${b.burst} (refilled ${b.perSecond}/s), ` +
      `at most ${peakRate} in one second (half the refill: ${b.perSecond / 2}/s)  target use < ${b.burst / 2}  ` +
      (peakUse < b.burst / 2 ? 'PASS' : 'MISS'),
  );
  for (const u of uses) {
    console.log(
      `  ${u.subscription}: ${u.count} ${kind}, peak ${u.peakPerSecond}/s, bucket use ${fmt(u.peakUse)}` +
        (u.peakPerSecond >= b.perSecond / 2 ? ' (above half the refill rate in its busiest second)' : ''),
    );
  }
}

/** The Run Command names the app PUT on each VM, by lower-cased VM name, in order. */
export function runCommandPuts(requests: readonly TappedRequest[]): Map<string, string[]> {
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

/** The last Run Command of `purpose` (ibg-<purpose>-...) among a VM's names. */
export const lastRunCommand = (names: readonly string[], purpose: string): string | undefined =>
  [...names].reverse().find((n) => n.toLowerCase().startsWith(`ibg-${purpose}-`));

export interface VmWork {
  vm: string;
  preflightMs: number;
  snapshotMs: number;
  logsMs: number;
  transferMs: number;
  totalMs: number;
}

/** A VM's own work on the sandbox clock, from the same deterministic draws the sandbox makes. */
export function vmWork(vm: string, names: readonly string[]): VmWork {
  const rc = (name: string | undefined): number =>
    name === undefined ? 0 : simulatedDurationMs(vm, name, LATENCY.runCommandSeconds);
  const preflightMs = rc(lastRunCommand(names, 'preflight'));
  const logsMs = rc(lastRunCommand(names, 'logs'));
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

export interface Invocation {
  name: string;
  ms: number;
  selfCpuS: number;
  vmScriptCpuS: number;
  requests: TappedRequest[];
}

export interface NightResult {
  nightly: NightlyResult;
  invocations: Invocation[];
  ticks: number;
  idleMs: number;
  nightStartMs: number;
  lastTickClockMs: number;
  stalled: boolean;
}

/**
 * The nightly call, then an advance tick every TICK_MS of sandbox time (after the VMs' scripts have really ended)
 * until no run is open or `maxTicks` ran; each invocation timed with its CPU and its requests.
 */
export async function runNight(
  deps: ProtectionDeps,
  sandbox: Sandbox,
  tap: RequestTap,
  memory: MemoryPeak,
  night: string,
  maxTicks: number,
): Promise<NightResult> {
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
    if (ticks >= maxTicks) {
      stalled = true;
      break;
    }
    t = performance.now();
    await sandbox.idle();
    idleMs += performance.now() - t;
    sandbox.clock.advance(TICK_MS);
    lastTickClockMs = sandbox.clock.nowMs();
    t = performance.now();
    const result: AdvanceResult = await invoke(`tick ${ticks + 1}`, () => advanceRuns(deps));
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
  return { nightly, invocations, ticks, idleMs, nightStartMs, lastTickClockMs, stalled };
}
