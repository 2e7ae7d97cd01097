/**
 * Request-level faults from the scenario: 429 with Retry-After or 5xx on the Nth request matching a path pattern,
 * 403 AuthorizationFailed on every matching request (a missing role assignment), and chaos: faults drawn at random
 * from a seeded generator, including connection resets before or after the request is handled.
 */
import { ArmError } from './armError';
import { type ChaosFault, type FaultSpec } from './scenario';
import { type Random, seededRandom } from './seededRandom';

type CountedFault = Extract<FaultSpec, { kind: 'throttle' | 'serverError' | 'forbidden' }>;

interface Counter {
  fault: CountedFault;
  regex: RegExp;
  seen: number;
}

interface Chaos {
  fault: ChaosFault;
  regex: RegExp | undefined;
  random: Random;
}

/** The name a fault is counted (FaultInjector.counts) and its route recorded under (`fault.<name>`). */
export type FaultName =
  'throttle' | 'serverError' | 'forbidden' | 'timeoutBefore' | 'timeoutAfter' | 'runCommandConflict' | 'runCommandSkip';

/**
 * What the server does instead of (or besides) answering normally:
 * - answer: send this ARM error instead of handling the request;
 * - resetBefore: hold the connection hangMs, then reset it, without handling the request;
 * - resetAfter: handle the request (its effect happens), hold the connection hangMs, then reset it: the answer is lost;
 * - skipRunCommand: handle the Run Command PUT, but the handler skips the script (ends Failed as skipped).
 */
export type RequestFault =
  | { action: 'answer'; name: 'throttle' | 'serverError' | 'forbidden' | 'runCommandConflict'; error: ArmError }
  | { action: 'resetBefore'; name: 'timeoutBefore'; hangMs: number }
  | { action: 'resetAfter'; name: 'timeoutAfter'; hangMs: number }
  | { action: 'skipRunCommand'; name: 'runCommandSkip' };

const DEFAULT_HANG_MS = 200;
const DEFAULT_CHAOS_RETRY_AFTER_SECONDS = 1;
/** The PUT of a VM's managed Run Command, the only request the Run Command chaos faults apply to. */
const RUN_COMMAND_PUT = /\/virtualMachines\/[^/]+\/runCommands\/[^/]+\/?$/i;

const REQUEST_FAULTS: readonly string[] = ['throttle', 'serverError', 'forbidden'];

/** The managed identity the sandbox pretends to be (any GUID; ARM names the caller by its client and object id). */
const SANDBOX_CLIENT_ID = '11111111-2222-3333-4444-555555555555';

/** ARM's verb suffix for an HTTP method in an RBAC action name. */
const VERB: Record<string, string> = { GET: 'read', PUT: 'write', PATCH: 'write', DELETE: 'delete', POST: 'action' };

/**
 * The RBAC action and scope ARM names in an AuthorizationFailed error, derived from the request path: the resource
 * provider, then every resource type below it (names dropped), then the verb. E.g. GET
 * /subscriptions/s/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v/backupProtectedItems gives
 * Microsoft.RecoveryServices/vaults/backupProtectedItems/read over the vault's id.
 */
export function rbacActionOf(method: string, path: string): { action: string; scope: string } {
  const segments = path.split('/').filter((s) => s !== '');
  const providers = segments.lastIndexOf('providers');
  const verb = VERB[method.toUpperCase()] ?? 'read';
  if (providers < 0 || providers + 1 >= segments.length) return { action: `*/${verb}`, scope: path };
  // [namespace, type, name, type, name, …]: a path that ends in a type is a list of that type.
  const rest = segments.slice(providers + 1);
  const types = rest.slice(1).filter((_, i) => i % 2 === 0);
  const action = `${[rest[0] ?? '', ...types].join('/')}/${verb}`;
  const named = rest.length % 2 === 1 ? rest.length : rest.length - 1;
  const scopeSegments =
    named > 1 ? [...segments.slice(0, providers + 1), ...rest.slice(0, named)] : segments.slice(0, providers);
  return { action, scope: `/${scopeSegments.join('/')}` };
}

export const authorizationFailed = (method: string, path: string, clientId = SANDBOX_CLIENT_ID): ArmError => {
  const { action, scope } = rbacActionOf(method, path);
  return new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${clientId}' with object id '${clientId}' does not have authorization to perform action '${action}' ` +
      `over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
};

const throttled = (retryAfterSeconds: number): ArmError =>
  new ArmError(429, 'TooManyRequests', 'The request is being throttled (simulated).', {
    'Retry-After': String(retryAfterSeconds),
  });

const serverError = (status: number): ArmError =>
  new ArmError(status, status === 503 ? 'ServiceUnavailable' : 'InternalServerError', 'Simulated server error.');

export class FaultInjector {
  private readonly counters: Counter[];
  private readonly chaos: Chaos[];
  private readonly fired = new Map<FaultName, number>();

  constructor(faults: readonly FaultSpec[]) {
    this.counters = faults
      .filter((f): f is CountedFault => REQUEST_FAULTS.includes(f.kind))
      .map((fault) => ({ fault, regex: new RegExp(fault.pathPattern, 'i'), seen: 0 }));
    this.chaos = faults
      .filter((f): f is ChaosFault => f.kind === 'chaos')
      .map((fault) => ({
        fault,
        regex: fault.pathPattern === undefined ? undefined : new RegExp(fault.pathPattern, 'i'),
        random: seededRandom(fault.seed),
      }));
  }

  /** The error to answer instead of the real response, if such a fault fires (a reset or skip is not reported). */
  check(method: string, path: string): ArmError | undefined {
    const fault = this.decide(method, path);
    return fault?.action === 'answer' ? fault.error : undefined;
  }

  /** The fault for this request, if one fires: the nth-request and forbidden faults first, then chaos draws. */
  decide(method: string, path: string): RequestFault | undefined {
    const fault = this.counted(method, path) ?? this.drawn(method, path);
    if (fault) this.fired.set(fault.name, (this.fired.get(fault.name) ?? 0) + 1);
    return fault;
  }

  /** How many faults of each kind fired so far (only kinds that fired are present). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.fired);
  }

  private counted(method: string, path: string): RequestFault | undefined {
    for (const c of this.counters) {
      if (c.fault.method !== undefined && c.fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!c.regex.test(path)) continue;
      if (c.fault.kind === 'forbidden')
        return { action: 'answer', name: 'forbidden', error: authorizationFailed(method, path, c.fault.clientId) };
      c.seen += 1;
      const last = c.fault.nth + (c.fault.count ?? 1) - 1;
      if (c.seen < c.fault.nth || c.seen > last) continue;
      if (c.fault.kind === 'throttle')
        return { action: 'answer', name: 'throttle', error: throttled(c.fault.retryAfterSeconds ?? 0) };
      return { action: 'answer', name: 'serverError', error: serverError(c.fault.statusCode ?? 503) };
    }
    return undefined;
  }

  /** Each matching chaos fault tries its probabilities in order, one draw each; the first that fires wins. */
  private drawn(method: string, path: string): RequestFault | undefined {
    const runCommandPut = method.toUpperCase() === 'PUT' && RUN_COMMAND_PUT.test(path);
    for (const { fault, regex, random } of this.chaos) {
      if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (regex !== undefined && !regex.test(path)) continue;
      const hangMs = fault.hangMs ?? DEFAULT_HANG_MS;
      const fires = (p: number | undefined): boolean => p !== undefined && p > 0 && random() < p;
      if (fires(fault.throttle)) {
        const seconds = fault.retryAfterSeconds ?? DEFAULT_CHAOS_RETRY_AFTER_SECONDS;
        return { action: 'answer', name: 'throttle', error: throttled(seconds) };
      }
      if (fault.serverError !== undefined && fault.serverError > 0) {
        const u = random();
        // The same draw picks the status: the lower half of the firing range gives 500, the upper half 503.
        if (u < fault.serverError)
          return { action: 'answer', name: 'serverError', error: serverError(u < fault.serverError / 2 ? 500 : 503) };
      }
      if (fires(fault.timeoutBefore)) return { action: 'resetBefore', name: 'timeoutBefore', hangMs };
      if (fires(fault.timeoutAfter)) return { action: 'resetAfter', name: 'timeoutAfter', hangMs };
      if (!runCommandPut) continue;
      if (fires(fault.runCommandConflict)) {
        const error = new ArmError(
          409,
          'Conflict',
          'The operation on this run command is not allowed: another operation on this or a dependent resource is in progress (simulated).',
        );
        return { action: 'answer', name: 'runCommandConflict', error };
      }
      if (fires(fault.runCommandSkip)) return { action: 'skipRunCommand', name: 'runCommandSkip' };
    }
    return undefined;
  }
}
