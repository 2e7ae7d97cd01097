/**
 * A fleet under faults, end to end in the sandbox: nights of backups with restore drills for N VMs while everything
 * misbehaves at once. ARM answers 429 with Retry-After, 5xx, drops connections before or after handling a request,
 * refuses and skips Run Commands (the sandbox's seeded `chaos` fault); Table Storage answers ServerBusy or loses the
 * answer to a write it made (storageFaultProxy.ts); some VMs' backup jobs fail, their post-script leaves IRIS frozen,
 * their restores fail or leave disks behind, their restored copies have integrity errors; the notification targets go
 * down, hang and come back; two instances tick at once, and instances are killed at random calls and restarted.
 *
 * Afterwards it reads what happened back from the sandbox, Azurite and the receivers (never from the app's own
 * report) and counts what must be zero: VM-nights without exactly one backup job, runs not terminal, drill resources
 * and Run Commands left, alerts decided but not recorded or not delivered, alerts delivered twice without a kill in
 * the send window, IRIS instances left frozen. Shared by the CI test (a reduced fleet) and the benchmark (200+ VMs).
 */
import * as diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import { neverThawingSetupFiles } from '../../sandbox/hardenedSetup';
import type { FaultSpec, Scenario, VmSpec } from '../../sandbox/index';
import {
  startNotificationReceivers,
  type NotificationReceivers,
  type ReceiverFault,
  type ReceiverName,
} from '../../sandbox/notificationReceivers';
import { startStorageFaultProxy, type StorageFaultProxy } from '../../sandbox/storageFaultProxy';
import { readIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import { seededRandom } from '../../sandbox/seededRandom';
import type { AlertRecord, TargetName } from '../../src/shared/alerts/alertRecord';
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { nightOf } from '../../src/shared/protection/night';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import { sweepRunCommands } from '../../src/shared/protection/sweepRunCommands';
import { hasOpenTracks, isTerminalStage, type Run } from '../../src/shared/runs/run';
import { drillEnv, drillScenario } from '../drills/drillWorld';
import { groupResources } from '../drills/drillHarness';
import {
  ibgRunCommandsOn,
  protectionVm,
  startProtectionWorld,
  type ProtectionWorld,
} from '../protection/protectionWorld';
import { killable, KillSwitch, type Kill } from './killSwitch';
import { stringsOf } from '../support/jsonStrings';

const MINUTE = 60_000;
const TICK_MS = 5 * MINUTE;
const HOUR = 60 * MINUTE;

export interface ChaosRates {
  throttle: number;
  serverError: number;
  timeoutBefore: number;
  timeoutAfter: number;
  runCommandConflict: number;
  runCommandSkip: number;
  /** The throttling answers' Retry-After, which the SDK waits out in real seconds. */
  retryAfterSeconds: number;
}

export interface FaultyFleetOptions {
  vms: number;
  nights: number;
  seed: number;
  /** Share of the VMs (0..1) given one VM-level fault each, the kinds taken in turn. */
  faultyShare: number;
  /** IBG_DRILL_SCHEDULE, e.g. `every` or `every-nth:2`. */
  drillSchedule: string;
  drillMaxConcurrent: number;
  /** Chance, before each invocation, that an instance is doomed to die within its next killWithinCalls calls. */
  killChance: number;
  killWithinCalls: number;
  chaos: ChaosRates;
  storage: { busy: number; lostAnswer: number };
  /** Ticks of a night during which the targets are down (webhook, eventgrid: 503/500; teams 429). */
  targetsDownTicks: number;
  /** Ticks of the first night during which Slack hangs (each costs the notifier's 10 s send time-out); 0: it fails with 502. */
  hangTicks: number;
  maxTicksPerNight: number;
  /** The transfer to the vault after each snapshot, in sandbox minutes (drills restore from the snapshot meanwhile). */
  transferMinutes: number;
  progress?: (line: string) => void;
}

/** The VM-level faults, given in turn to the faulty share of the fleet. */
export const VM_FAULTS = [
  'backupFails',
  'transferFails',
  'postScriptLeavesFrozen',
  'restoreFails',
  'restoreLeavesDisks',
  'restoredIntegrityErrors',
  'runCommandDeleteRefused',
  'logsTimeOut',
] as const;
export type VmFault = (typeof VM_FAULTS)[number];

export interface FleetReport {
  vms: number;
  nights: number;
  ticks: number;
  wallSeconds: number;
  /** Faults injected, by kind (ARM chaos, storage, VM-level, kills, target outages). */
  faults: Record<string, number>;
  /** Requests the SDKs sent again with the same client request id (their retry policies), by service. */
  retries: { arm: number; storage: number };
  /** Alert deliveries tried again after a failure (the outbox's backoff). */
  deliveryRetries: number;
  /** Nightly calls cut short and made again by an advance tick (resumeNight.ts). */
  nightlyResumes: number;
  runs: number;
  drills: Record<string, number>;
  /** Drills that did not pass on a VM without a drill fault, with their reasons (faults may make one inconclusive). */
  unexpectedDrills: string[];
  alertsRecorded: number;
  deliveriesSent: number;
  /** What must be zero. */
  duplicates: { backupJobs: number; restoreJobs: number; deliveries: number };
  /** Deliveries received twice whose second send followed a kill between the send and its record (at least once). */
  redeliveredAfterKill: number;
  missingBackupJobs: number;
  openRuns: number;
  orphans: { drillResources: number; runCommands: number };
  lost: { unrecorded: number; undelivered: number };
  irisLeftFrozen: number;
  /** The details behind any non-zero figure above, for the test's message. */
  problems: string[];
}

export const fleetVmName = (i: number): string => `iris-${String(i + 1).padStart(3, '0')}`;

/** Which VM gets which VM-level fault: every 1/share-th VM, the kinds in turn. */
export function vmFaults(count: number, share: number): Map<string, VmFault> {
  const out = new Map<string, VmFault>();
  for (let i = 0; i < count; i += 1) {
    if (!(share > 0 && Math.floor((i + 1) * share) > Math.floor(i * share))) continue;
    out.set(fleetVmName(i), VM_FAULTS[out.size % VM_FAULTS.length] as VmFault);
  }
  return out;
}

function vmSpecOf(name: string, fault: VmFault | undefined): VmSpec {
  switch (fault) {
    case 'backupFails':
      return protectionVm(name, {
        backup: { forceFailure: { errorCode: 400239, errorString: 'Simulated platform failure of the snapshot.' } },
      });
    case 'transferFails':
      return protectionVm(name, {
        backup: {
          transferFailure: {
            errorCode: 400240,
            errorTitle: 'UserErrorTransferFailed',
            errorString: 'Simulated failure of the transfer to the vault.',
          },
        },
      });
    case 'postScriptLeavesFrozen':
      return protectionVm(name, { files: neverThawingSetupFiles() });
    default:
      return protectionVm(name);
  }
}

function faultSpecOf(name: string, fault: VmFault | undefined): FaultSpec[] {
  switch (fault) {
    case 'restoreFails':
      return [{ kind: 'restoreFailure', vm: name }];
    case 'restoreLeavesDisks':
      return [{ kind: 'restoreVmCreationFails', vm: name }];
    case 'restoredIntegrityErrors':
      return [{ kind: 'restoredIntegrityErrors', vm: name }];
    case 'runCommandDeleteRefused':
      return [{ kind: 'runCommandDeleteFailure', vm: name, count: 2 }];
    case 'logsTimeOut':
      return [{ kind: 'runCommandTimeout', vm: name, nameContains: 'logs' }];
    default:
      return [];
  }
}

export function faultyFleetScenario(o: FaultyFleetOptions): Scenario {
  const faults = vmFaults(o.vms, o.faultyShare);
  const names = Array.from({ length: o.vms }, (_, i) => fleetVmName(i));
  const base = drillScenario([]);
  return {
    ...base,
    name: `faulty-fleet-${o.vms}`,
    vms: names.map((n) => vmSpecOf(n, faults.get(n))),
    // A short snapshot phase, so a frozen IRIS is found before the pre-script's suspend limit would resume it.
    backup: { ...base.backup, durationMinutes: 3, transferMinutes: o.transferMinutes },
    faults: [
      ...names.flatMap((n) => faultSpecOf(n, faults.get(n))),
      { kind: 'chaos', seed: o.seed, ...o.chaos, hangMs: 100 },
    ],
  };
}

/** Every request that reached the sandbox or the storage proxy, and those that repeat a client request id. */
class RetryTap {
  private readonly seen = new Map<number, Set<string>>();
  readonly repeats = new Map<number, number>();
  private readonly listener = (message: unknown): void => {
    const m = message as { request?: { headers?: Record<string, unknown> }; socket?: { localPort?: number } };
    const port = m.socket?.localPort;
    const ids = port === undefined ? undefined : this.seen.get(port);
    const id = m.request?.headers?.['x-ms-client-request-id'];
    if (ids === undefined || port === undefined || typeof id !== 'string') return;
    if (ids.has(id)) this.repeats.set(port, (this.repeats.get(port) ?? 0) + 1);
    else ids.add(id);
  };
  constructor(ports: number[]) {
    for (const p of ports) this.seen.set(p, new Set());
    diagnostics.subscribe('http.server.request.start', this.listener);
  }
  stop(): void {
    diagnostics.unsubscribe('http.server.request.start', this.listener);
  }
}

interface Instance {
  deps: ProtectionDeps;
  kill: KillSwitch;
}

/** Tries an observation again while the faults (still on) get in its way. */
async function persistently<T>(what: string, read: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    try {
      return await read();
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`could not read ${what} through the faults: ${last instanceof Error ? last.message : String(last)}`);
}

const count = (m: Record<string, number>, key: string, n = 1): void => {
  m[key] = (m[key] ?? 0) + n;
};

const portOf = (url: string): number => Number(new URL(url).port);

/** Receiver outages during the first ticks of a night, staggered: each target fails its own way, then recovers. */
const OUTAGES: { target: ReceiverName; fault: ReceiverFault }[] = [
  { target: 'webhook', fault: { kind: 'status', status: 503 } },
  { target: 'eventgrid', fault: { kind: 'status', status: 500 } },
  { target: 'teams', fault: { kind: 'status', status: 429 } },
  { target: 'slack', fault: { kind: 'hang' } },
];

/**
 * Target k's outage on night n, from tick k: a hang for hangTicks ticks of the first night (each costs the notifier's
 * 10-second send time-out), else its status for targetsDownTicks ticks (Slack answers 502 instead of hanging).
 */
function outageOf(o: FaultyFleetOptions, fault: ReceiverFault, night: number): { fault: ReceiverFault; ticks: number } {
  if (fault.kind !== 'hang') return { fault, ticks: o.targetsDownTicks };
  if (night === 0 && o.hangTicks > 0) return { fault, ticks: o.hangTicks };
  return { fault: { kind: 'status', status: 502 }, ticks: o.targetsDownTicks };
}

export async function runFaultyFleet(o: FaultyFleetOptions): Promise<FleetReport> {
  const started = performance.now();
  const say = o.progress ?? (() => undefined);
  const rng = seededRandom(o.seed ^ 0x5eed);
  const faults: Record<string, number> = {};
  for (const f of vmFaults(o.vms, o.faultyShare).values()) count(faults, `vm.${f}`);
  let azurite: AzuriteTables | undefined;
  let proxy: StorageFaultProxy | undefined;
  let receivers: NotificationReceivers | undefined;
  let w: ProtectionWorld | undefined;
  let tap: RetryTap | undefined;
  try {
    azurite = await startAzurite();
    proxy = await startStorageFaultProxy(azurite, { seed: o.seed, busy: 0, lostAnswer: 0 });
    receivers = await startNotificationReceivers();
    const tables: AzuriteTables = {
      ...azurite,
      connectionString: proxy.connectionString,
      tableEndpoint: proxy.tableEndpoint,
      stop: async () => undefined,
    };
    w = await startProtectionWorld(
      faultyFleetScenario(o),
      tables,
      drillEnv({
        IBG_DRILL_SCHEDULE: o.drillSchedule,
        IBG_DRILL_MAX_CONCURRENT: String(o.drillMaxConcurrent),
        IBG_AUTO_THAW: 'true',
        IBG_ALERT_MIN_SEVERITY: 'warning',
        IBG_ALERT_WEBHOOK_URL: receivers.urls.webhook,
        IBG_ALERT_WEBHOOK_SECRET: 'fleet-test-secret-not-real',
        IBG_ALERT_TEAMS_WEBHOOK_URL: receivers.urls.teams,
        IBG_ALERT_SLACK_WEBHOOK_URL: receivers.urls.slack,
        IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT: receivers.urls.eventgrid,
        IBG_ALERT_EVENTGRID_TOPIC_KEY: receivers.eventGridKey,
        IBG_RUN_COMMAND_TIMEOUT_SECONDS: '60',
      }),
    );
    const world = w;
    const rcvrs = receivers;
    tap = new RetryTap([portOf(world.sandbox.url), portOf(proxy.tableEndpoint)]);
    proxy.set(o.storage);

    const kills: Kill[] = [];
    const spawn = (): Instance => {
      const kill = new KillSwitch();
      return { deps: killable(world.newInstance(), kill), kill };
    };
    const slots: Instance[] = [spawn(), spawn()];
    /** Before each invocation, each instance may be doomed to die at a random call of it. */
    const armKills = (): void => {
      for (const s of slots)
        if (!s.kill.armed && rng() < o.killChance)
          s.kill.arm(1 + Math.floor(rng() * o.killWithinCalls), rng() < 0.5 ? 'before' : 'after');
    };
    const restartDead = (): void => {
      slots.forEach((s, i) => {
        if (!s.kill.dead) return;
        if (s.kill.kill !== undefined) kills.push(s.kill.kill);
        slots[i] = spawn();
      });
    };
    const both = async (call: (deps: ProtectionDeps) => Promise<unknown>): Promise<void> => {
      await Promise.all(slots.map((s) => call(s.deps).catch(() => undefined)));
    };

    const nightStarts: number[] = [];
    const nights: string[] = [];
    let ticks = 0;
    for (let n = 0; n < o.nights; n += 1) {
      // Each night starts at 01:00 UTC of the next day, so its work cannot cross midnight.
      const now = world.sandbox.clock.nowMs();
      const target = Math.floor(now / (24 * HOUR)) * 24 * HOUR + 25 * HOUR;
      world.sandbox.clock.advance(target - now);
      const night = nightOf(world.sandbox.clock.now(), 'UTC');
      nights.push(night);
      nightStarts.push(world.sandbox.clock.nowMs());
      restartDead();
      armKills();
      await both((deps) => runNightlyProtection(deps, night));
      let t = 0;
      for (; t < o.maxTicksPerNight; t += 1) {
        restartDead();
        OUTAGES.forEach(({ target, fault }, k) => {
          const outage = outageOf(o, fault, n);
          if (t === k && outage.ticks > 0) {
            rcvrs.fail(target, outage.fault);
            count(faults, `target.${target}.${outage.fault.kind === 'hang' ? 'hung' : 'down'}`);
          }
          if (t === k + outage.ticks) rcvrs.recover(target);
        });
        world.sandbox.clock.advance(TICK_MS);
        await world.sandbox.idle();
        armKills();
        await both((deps) => advanceRuns(deps));
        ticks += 1;
        if (t > OUTAGES.length + Math.max(o.targetsDownTicks, o.hangTicks) && (await nightSettled(world, night))) break;
      }
      for (const { target } of OUTAGES) rcvrs.recover(target);
      say(
        `night ${night}: ${t + 1} ticks, ${kills.length} kills so far, ` +
          `${((performance.now() - started) / 1000).toFixed(0)} s since the start`,
      );
    }
    // Stragglers: more ticks (the faults still on) until every delivery due has been tried.
    for (let extra = 0; extra < 40 && !(await allDelivered(world)); extra += 1) {
      restartDead();
      world.sandbox.clock.advance(TICK_MS);
      await world.sandbox.idle();
      await both((deps) => advanceRuns(deps));
      ticks += 1;
    }
    restartDead();
    // What the next night's call does first: sweep the app's Run Commands left by runs that have ended.
    // A delete the faults refused is left to the sweep of the night after, as in production: at most three.
    const observer = world.newInstance();
    const vmIds = world.sandbox.scenario.vms.map((v) => world.vmId(v.name));
    for (let sweep = 0; sweep < 3; sweep += 1) {
      const swept = await sweepRunCommands(observer, vmIds, []);
      if (swept.failed.length === 0 && swept.unreadable.length === 0) break;
    }
    proxy.set({ busy: 0, lostAnswer: 0 });
    tap.stop();

    for (const [kind, n] of Object.entries(world.sandbox.faultCounts())) count(faults, `arm.${kind}`, n);
    for (const [kind, n] of Object.entries(proxy.counts())) count(faults, `storage.${kind}`, n);
    count(faults, 'instance.killed', kills.length);
    const report = await inspect(world, rcvrs, o, nights, nightStarts, kills);
    return {
      ...report,
      ticks,
      faults,
      retries: {
        arm: tap.repeats.get(portOf(world.sandbox.url)) ?? 0,
        storage: tap.repeats.get(portOf(proxy.tableEndpoint)) ?? 0,
      },
      wallSeconds: (performance.now() - started) / 1000,
      nightlyResumes: world.log.lines.filter((l) => /did not finish; calling it again/.test(l.message)).length,
    };
  } finally {
    tap?.stop();
    await w?.stop().catch(() => undefined);
    await receivers?.stop().catch(() => undefined);
    await proxy?.stop().catch(() => undefined);
    await azurite?.stop().catch(() => undefined);
  }
}

async function nightRuns(w: ProtectionWorld, night: string): Promise<Run[]> {
  return persistently(`the runs of ${night}`, async () => (await w.deps.store.list(night)).map((s) => s.run));
}

async function nightSettled(w: ProtectionWorld, night: string): Promise<boolean> {
  const runs = await nightRuns(w, night).catch(() => undefined);
  if (runs === undefined) return false;
  return runs.every((r) => isTerminalStage(r.stage) && !hasOpenTracks(r)) && (await allDelivered(w));
}

async function allDelivered(w: ProtectionWorld): Promise<boolean> {
  const pending = await w.deps.notifications?.store.listPending().catch(() => undefined);
  return pending !== undefined && pending.length === 0;
}

/** The alert id in a received notification: the webhook's `id`, the CloudEvent's `id`, else the card's text. */
function receivedIds(body: unknown, knownIds: readonly string[]): string[] {
  if (Array.isArray(body)) return body.flatMap((e) => (typeof e?.id === 'string' ? [e.id as string] : []));
  const id = (body as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string') return [id];
  // Teams and Slack show the id in their text, markdown-escaped: the longest known id it names (#1 is in #12).
  const text = stringsOf(body)
    .join('\n')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1');
  const named = knownIds.filter((k) => new RegExp(`${escapeRegExp(k)}(?![0-9])`).test(text));
  return named.length === 0 ? [] : [named.reduce((a, b) => (b.length > a.length ? b : a))];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function inspect(
  w: ProtectionWorld,
  receivers: NotificationReceivers,
  o: FaultyFleetOptions,
  nights: string[],
  nightStarts: number[],
  kills: Kill[],
): Promise<Omit<FleetReport, 'ticks' | 'faults' | 'retries' | 'wallSeconds' | 'nightlyResumes'>> {
  const problems: string[] = [];
  const names = w.sandbox.scenario.vms.map((v) => v.name);
  const vault = w.deps.settings.vaults[0];
  if (vault === undefined) throw new Error('no vault');

  const runs = (await Promise.all(nights.map((n) => nightRuns(w, n)))).flat();
  const runOf = (night: string, vm: string): Run | undefined =>
    runs.find((r) => r.night === night && r.target.vmName.toLowerCase() === vm.toLowerCase());
  const described = (r: Run | undefined): string =>
    r === undefined
      ? 'no run'
      : `run ${r.history.map((h) => h.to).join(' → ')}${r.reason === undefined ? '' : `: ${r.reason}`}`;
  // Backup and restore jobs per VM and night, as the vault lists them.
  let duplicateJobs = 0;
  let missingJobs = 0;
  let duplicateRestores = 0;
  for (const [k, night] of nights.entries()) {
    const from = nightStarts[k] ?? 0;
    const to = nightStarts[k + 1] ?? w.sandbox.clock.nowMs();
    const jobs = await persistently(`the jobs of ${night}`, async () => {
      const out: { name: string; operation: string; status: string }[] = [];
      for await (const j of w.deps.gateways.backup.listJobs(vault, {
        startTime: new Date(from - MINUTE),
        endTime: new Date(to),
      }))
        if (j.startTime !== undefined && Date.parse(j.startTime) >= from && Date.parse(j.startTime) < to)
          out.push({ name: j.entityName, operation: j.operation, status: j.status });
      return out;
    });
    for (const name of names) {
      const mine = jobs.filter((j) => j.name.toLowerCase() === name.toLowerCase());
      const backups = mine.filter((j) => j.operation === 'Backup').length;
      const restores = mine.filter((j) => j.operation.toLowerCase().includes('restore')).length;
      if (backups > 1) {
        duplicateJobs += backups - 1;
        problems.push(`${night} ${name}: ${backups} backup jobs (${described(runOf(night, name))})`);
      }
      if (backups === 0) {
        missingJobs += 1;
        const run = runOf(night, name);
        problems.push(
          `${night} ${name}: no backup job (${described(run)}; backup ${JSON.stringify(run?.backup ?? {}).slice(0, 400)})`,
        );
      }
      if (restores > 1) {
        duplicateRestores += restores - 1;
        problems.push(`${night} ${name}: ${restores} restore jobs (${described(runOf(night, name))})`);
      }
    }
  }

  // Runs: terminal, no track open, every alert they decided recorded.
  const store = w.deps.notifications?.store;
  if (store === undefined) throw new Error('notifications are not wired');
  let openRuns = 0;
  let unrecorded = 0;
  for (const run of runs) {
    if (!isTerminalStage(run.stage) || hasOpenTracks(run)) {
      openRuns += 1;
      problems.push(`${run.id}: ${run.stage}${hasOpenTracks(run) ? ' (a track still open)' : ''} ${run.reason ?? ''}`);
    }
    const recorded = new Set(
      (await persistently(`the alerts of ${run.id}`, () => store.listOfRun(run.id))).map((r) => r.id),
    );
    for (let seq = 1; seq <= (run.alertSeq ?? 0); seq += 1) {
      if (recorded.has(`${run.id}#${seq}`)) continue;
      unrecorded += 1;
      problems.push(`${run.id}#${seq}: decided, never recorded`);
    }
  }
  for (const name of names) {
    const got = runs.filter((r) => r.target.vmName.toLowerCase() === name.toLowerCase()).length;
    if (got !== nights.length) problems.push(`${name}: ${got} runs for ${nights.length} nights`);
  }
  const drills: Record<string, number> = {};
  const unexpectedDrills: string[] = [];
  const faultOf = vmFaults(o.vms, o.faultyShare);
  const drillFaults: readonly (VmFault | undefined)[] = [
    'restoreFails',
    'restoreLeavesDisks',
    'restoredIntegrityErrors',
  ];
  for (const r of runs) {
    if (r.drill === undefined) continue;
    const verdict = r.drill.outcome?.verdict ?? 'no verdict';
    count(drills, verdict);
    if (verdict !== 'passed' && !drillFaults.includes(faultOf.get(r.target.vmName)))
      unexpectedDrills.push(
        `${r.id}: ${verdict} at ${r.drill.outcome?.stage ?? '?'}: ${r.drill.outcome?.reason ?? ''}`,
      );
  }

  // Alert records: every routed delivery sent, each received once per target.
  const records: AlertRecord[] = await persistently('the alert records', () =>
    store.listSince(new Date(nightStarts[0] ?? 0).toISOString()),
  );
  const ids = records.map((r) => r.id);
  const received = new Map<string, number>();
  for (const req of receivers.requests) {
    if (req.status < 200 || req.status > 299) continue;
    for (const id of receivedIds(req.body, ids)) {
      const key = `${req.target} ${id}`;
      received.set(key, (received.get(key) ?? 0) + 1);
    }
  }
  // At least once: an instance killed after a send and before storing its state leaves it to be sent again.
  const killedInSend = new Set(kills.flatMap((k) => k.unrecordedSends));
  let undelivered = 0;
  let duplicateDeliveries = 0;
  let redeliveredAfterKill = 0;
  let deliveriesSent = 0;
  let deliveryRetries = 0;
  for (const r of records) {
    for (const [target, d] of Object.entries(r.deliveries) as [
      TargetName,
      NonNullable<AlertRecord['deliveries'][TargetName]>,
    ][]) {
      deliveryRetries += Math.max(0, d.attempts - 1);
      const times = received.get(`${target} ${r.id}`) ?? 0;
      if (d.state !== 'sent' || times === 0) {
        undelivered += 1;
        problems.push(`${r.id} → ${target}: ${d.state} after ${d.attempts} attempts, received ${times}×`);
        continue;
      }
      deliveriesSent += 1;
      if (times > 1 && killedInSend.has(r.id)) redeliveredAfterKill += times - 1;
      else if (times > 1) {
        duplicateDeliveries += times - 1;
        problems.push(`${r.id} → ${target}: received ${times}×`);
      }
    }
  }

  // Leftovers: the drill group empty, no app Run Command on any VM, no IRIS frozen.
  const left = await persistently('the drill group', () => groupResources(w));
  for (const r of left) problems.push(`left in the drill group: ${r.kind} ${r.name}`);
  let runCommands = 0;
  let frozen = 0;
  for (const name of names) {
    const mine = await persistently(`the Run Commands of ${name}`, () => ibgRunCommandsOn(w, name));
    runCommands += mine.length;
    for (const rc of mine) problems.push(`${name}: Run Command ${rc} left`);
    if (readIrisInstance(w.sandbox.vmRoot(w.vmId(name)), 'IRIS')?.frozen === true) {
      frozen += 1;
      const remediations = runs
        .filter((r) => r.target.vmName === name)
        .map(
          (r) =>
            `${r.night}: ${r.remediation === undefined ? 'no check' : JSON.stringify(r.remediation).slice(0, 600)}`,
        );
      problems.push(`${name}: IRIS left frozen (${remediations.join('; ')})`);
    }
  }
  return {
    vms: o.vms,
    nights: nights.length,
    deliveryRetries,
    runs: runs.length,
    drills,
    unexpectedDrills,
    alertsRecorded: records.length,
    deliveriesSent,
    duplicates: { backupJobs: duplicateJobs, restoreJobs: duplicateRestores, deliveries: duplicateDeliveries },
    redeliveredAfterKill,
    missingBackupJobs: missingJobs,
    openRuns,
    orphans: { drillResources: left.length, runCommands },
    lost: { unrecorded, undelivered },
    irisLeftFrozen: frozen,
    problems,
  };
}

/** The report as the benchmark and the test print it. */
export function formatFleetReport(r: FleetReport): string {
  const kinds = Object.entries(r.faults)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const drills = Object.entries(r.drills)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `Fleet under faults: ${r.vms} VMs × ${r.nights} nights, ${r.runs} runs, ${r.ticks} ticks (two instances each), ` +
      `${r.wallSeconds.toFixed(0)} s`,
    `  faults injected: ${kinds}`,
    `  retries: ARM ${r.retries.arm} and Table Storage ${r.retries.storage} requests sent again by the SDKs; ` +
      `${r.deliveryRetries} alert deliveries tried again; ${r.nightlyResumes} nightly calls cut short and made again`,
    `  drills: ${drills || 'none'}; alerts recorded ${r.alertsRecorded}, deliveries sent ${r.deliveriesSent}`,
    ...r.unexpectedDrills.map((d) => `    not passed without a drill fault: ${d}`),
    `  duplicates: backup jobs ${r.duplicates.backupJobs}, restore jobs ${r.duplicates.restoreJobs}, deliveries ` +
      `${r.duplicates.deliveries} (redelivered after a kill mid-send, same id: ${r.redeliveredAfterKill})`,
    `  missing backup jobs ${r.missingBackupJobs}, open runs ${r.openRuns}`,
    `  orphans: drill resources ${r.orphans.drillResources}, Run Commands ${r.orphans.runCommands}`,
    `  lost: alerts unrecorded ${r.lost.unrecorded}, undelivered ${r.lost.undelivered}; IRIS left frozen ${r.irisLeftFrozen}`,
  ].join('\n');
}
