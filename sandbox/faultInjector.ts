/** Request-level faults from the scenario: 429 with Retry-After or 5xx on the Nth request matching a path pattern. */
import { ArmError } from './armError';
import type { FaultSpec } from './scenario';

type RequestFault = Extract<FaultSpec, { kind: 'throttle' | 'serverError' }>;

interface Counter {
  fault: RequestFault;
  regex: RegExp;
  seen: number;
}

export class FaultInjector {
  private readonly counters: Counter[];

  constructor(faults: readonly FaultSpec[]) {
    this.counters = faults
      .filter((f): f is RequestFault => f.kind === 'throttle' || f.kind === 'serverError')
      .map((fault) => ({ fault, regex: new RegExp(fault.pathPattern, 'i'), seen: 0 }));
  }

  /** The error to answer instead of the real response, if a fault fires for this request. */
  check(method: string, path: string): ArmError | undefined {
    for (const c of this.counters) {
      if (c.fault.method !== undefined && c.fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!c.regex.test(path)) continue;
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
