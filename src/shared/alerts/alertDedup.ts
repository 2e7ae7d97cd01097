/**
 * Deduplication: the same problem on the same scope is told once, then again only after the re-notify interval
 * (saying how many repeats were held back); its recovery is told once, and only if the problem was told. Pure: the
 * state comes in, the decision and the next state go out (alertDelivery.ts stores it with its ETag).
 */
import type { Alert, AlertScope } from './alert';
import type { AlertState } from './alertRecord';

const scopeId = (scope: AlertScope): string => {
  switch (scope.kind) {
    case 'run':
    case 'vm':
      return scope.vmId;
    case 'vault':
      return scope.vaultId;
    case 'subscription':
      return scope.subscriptionId;
  }
};

/** `<scope kind>:<VM, vault or subscription id, lower-cased>|<code>`: ARM ids are case-insensitive. */
export const dedupKey = (alert: Pick<Alert, 'scope' | 'code'>): string =>
  `${alert.scope.kind}:${scopeId(alert.scope).toLowerCase()}|${alert.code}`;

export interface NotifyDecision {
  notify: boolean;
  state: AlertState;
  /** On a re-sent problem: how many alerts about it were held back since it was last told. */
  repeats?: number;
}

export function decideNotify(
  state: AlertState | undefined,
  alert: Pick<Alert, 'scope' | 'code' | 'kind'>,
  now: Date,
  renotifyMs: number,
): NotifyDecision {
  const at = now.toISOString();
  const key = state?.dedupKey ?? dedupKey(alert);
  if (alert.kind === 'recovery') {
    // Only a problem people were told about gets a recovery notice; any other recovery closes the state silently.
    const announced = state !== undefined && state.open && state.lastNotifiedAt !== undefined;
    const closed: AlertState = { dedupKey: key, open: false, firstAt: state?.firstAt ?? at, lastAt: at };
    if (state?.lastNotifiedAt !== undefined) closed.lastNotifiedAt = state.lastNotifiedAt;
    if (announced) closed.lastNotifiedAt = at;
    return { notify: announced, state: closed };
  }
  if (state === undefined || !state.open) {
    return { notify: true, state: { dedupKey: key, open: true, firstAt: at, lastAt: at, lastNotifiedAt: at } };
  }
  const last = state.lastNotifiedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(state.lastNotifiedAt);
  if (now.getTime() - last >= renotifyMs) {
    const repeats = state.suppressedSince ?? 0;
    return {
      notify: true,
      state: { dedupKey: key, open: true, firstAt: state.firstAt, lastAt: at, lastNotifiedAt: at },
      ...(repeats > 0 ? { repeats } : {}),
    };
  }
  return {
    notify: false,
    state: { ...state, lastAt: at, suppressedSince: (state.suppressedSince ?? 0) + 1 },
  };
}
