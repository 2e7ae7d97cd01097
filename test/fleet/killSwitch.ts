/**
 * A process killed at a random point, in process: every port of an instance's ProtectionDeps (gateways, stores,
 * ledgers, notification targets) goes through one switch that counts calls; at the chosen call it "kills" the
 * instance, before the call is sent or after it went through but before its answer is used, and every later call of
 * that instance throws. Requests already sent go on, as they would after a real SIGKILL. The ports are wrapped by a
 * Proxy, so a port added later is covered without a change here.
 */
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';

export interface Kill {
  /** `<port>.<method>`, e.g. `store.update` or `gateways.backup.triggerBackup`. */
  call: string;
  when: 'before' | 'after';
  /** The alert id, when the call carried an alert record (a send or an alert store write). */
  alertId?: string;
  /** Alerts sent (or being sent) whose delivery state the instance had not yet stored: a new instance sends them again. */
  unrecordedSends: string[];
}

export class KillSwitch {
  dead = false;
  calls = 0;
  kill?: Kill;
  /** Alert ids whose send began and whose next alert store write has not gone through. */
  readonly sending = new Set<string>();
  /** The call (1-based, counted over the instance's life) at which it dies; 0: not armed. */
  private at = 0;
  private when: 'before' | 'after' = 'before';

  get armed(): boolean {
    return this.at > this.calls;
  }

  /** Dies `afterCalls` calls from now (1: the next call), before it is sent or after it went through. */
  arm(afterCalls: number, when: 'before' | 'after'): void {
    this.at = this.calls + Math.max(1, afterCalls);
    this.when = when;
  }

  before(call: string, alertId: string | undefined): boolean {
    if (this.dead) throw new Error(`instance is dead (${call})`);
    this.calls += 1;
    if (this.calls !== this.at) return false;
    if (this.when === 'before') this.die({ call, when: 'before', alertId });
    return true;
  }

  die(kill: Omit<Kill, 'unrecordedSends'>): never {
    this.dead = true;
    this.kill = { ...kill, unrecordedSends: [...this.sending] };
    throw new Error(`injected kill ${kill.when} ${kill.call}`);
  }
}

const isPromise = (v: unknown): v is Promise<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && Symbol.asyncIterator in v && !isPromise(v);

const alertIdOf = (args: readonly unknown[]): string | undefined => {
  const first = args[0] as { id?: unknown; alert?: unknown } | undefined;
  return typeof first?.id === 'string' && first.alert !== undefined ? first.id : undefined;
};

/** The port with every method going through the switch. */
function switched<T extends object>(port: T, label: string, s: KillSwitch): T {
  return new Proxy(port, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop === 'symbol') return value;
      const call = `${label}.${prop}`;
      return (...args: unknown[]): unknown => {
        const alertId = alertIdOf(args);
        const hit = s.before(call, alertId);
        if (alertId !== undefined && label.startsWith('notifications.targets.')) s.sending.add(alertId);
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (alertId !== undefined && call === 'notifications.store.update' && isPromise(out))
          void out.then(
            () => s.sending.delete(alertId),
            () => undefined,
          );
        if (!hit) return out;
        // Dies once the call has gone through: a promise's answer or a listing is never used.
        if (isPromise(out)) return out.then(() => s.die({ call, when: 'after', alertId }));
        if (isAsyncIterable(out))
          return (async function* () {
            // The whole listing is read (the request went through); none of it reaches the caller.
            for await (const item of out) void item;
            s.die({ call, when: 'after', alertId });
            yield* [];
          })();
        return s.die({ call, when: 'after', alertId });
      };
    },
  });
}

const maybe = <T extends object>(port: T | undefined, label: string, s: KillSwitch): T | undefined =>
  port === undefined ? undefined : switched(port, label, s);

/** The instance with every port behind the switch (its settings, clock and log stay as they are). */
export function killable(deps: ProtectionDeps, s: KillSwitch): ProtectionDeps {
  const g = deps.gateways;
  const out: ProtectionDeps = {
    ...deps,
    gateways: {
      backup: switched(g.backup, 'gateways.backup', s),
      compute: switched(g.compute, 'gateways.compute', s),
      ...(g.drills === undefined ? {} : { drills: switched(g.drills, 'gateways.drills', s) }),
      ...(g.evidence === undefined ? {} : { evidence: switched(g.evidence, 'gateways.evidence', s) }),
    },
    store: switched(deps.store, 'store', s),
  };
  const optional = {
    drillRecords: maybe(deps.drillRecords, 'drillRecords', s),
    leases: maybe(deps.leases, 'leases', s),
    events: maybe(deps.events, 'events', s),
    nights: maybe(deps.nights, 'nights', s),
    evidenceIndex: maybe(deps.evidenceIndex, 'evidenceIndex', s),
    alerts: maybe(deps.alerts, 'alerts', s),
  };
  for (const [key, port] of Object.entries(optional)) if (port !== undefined) Object.assign(out, { [key]: port });
  if (deps.notifications !== undefined) {
    out.notifications = {
      store: switched(deps.notifications.store, 'notifications.store', s),
      targets: deps.notifications.targets.map((t) => switched(t, `notifications.targets.${t.name}`, s)),
    };
  }
  return out;
}
