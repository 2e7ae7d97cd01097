/**
 * Request-level faults from the scenario: 429 with Retry-After or 5xx on the Nth request matching a path pattern,
 * and 403 AuthorizationFailed on every matching request (a missing role assignment).
 */
import { ArmError } from './armError';
import type { FaultSpec } from './scenario';

type RequestFault = Extract<FaultSpec, { kind: 'throttle' | 'serverError' | 'forbidden' }>;

interface Counter {
  fault: RequestFault;
  regex: RegExp;
  seen: number;
}

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

export class FaultInjector {
  private readonly counters: Counter[];

  constructor(faults: readonly FaultSpec[]) {
    this.counters = faults
      .filter((f): f is RequestFault => REQUEST_FAULTS.includes(f.kind))
      .map((fault) => ({ fault, regex: new RegExp(fault.pathPattern, 'i'), seen: 0 }));
  }

  /** The error to answer instead of the real response, if a fault fires for this request. */
  check(method: string, path: string): ArmError | undefined {
    for (const c of this.counters) {
      if (c.fault.method !== undefined && c.fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!c.regex.test(path)) continue;
      if (c.fault.kind === 'forbidden') return authorizationFailed(method, path, c.fault.clientId);
      c.seen += 1;
      const last = c.fault.nth + (c.fault.count ?? 1) - 1;
      if (c.seen < c.fault.nth || c.seen > last) continue;
      if (c.fault.kind === 'throttle') {
        const seconds = String(c.fault.retryAfterSeconds ?? 0);
        return new ArmError(429, 'TooManyRequests', 'The request is being throttled (simulated).', {
          'Retry-After': seconds,
        });
      }
      const status = c.fault.statusCode ?? 503;
      return new ArmError(
        status,
        status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
        'Simulated server error.',
      );
    }
    return undefined;
  }
}
