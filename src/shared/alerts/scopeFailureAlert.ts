/**
 * The alert for an Azure call that failed for a whole vault or subscription (not for one run): it names the scope,
 * the call, what Azure answered and, on a refusal, the role the app's identity probably lacks. Pure.
 */
import type { Alert, AlertScope, FailedCall } from './alert';
import { AZURE_CALLS, missingRoleHint, type AzureCallKind } from './azureCalls';

export type FailedScope = Extract<AlertScope, { kind: 'vault' | 'subscription' }>;

export interface ScopeFailure {
  scope: FailedScope;
  /** How the message names the scope, e.g. "vault vault-2 (resource group rg-backup)". */
  scopeLabel: string;
  call: AzureCallKind;
  /** Absent when no answer came back. */
  httpStatus?: number;
  serviceCode?: string;
  /** What the failure costs, e.g. "the VMs it protects get no run tonight". */
  consequence: string;
}

type FailureKind = 'AccessDenied' | 'Unavailable' | 'RequestFailed';

/** 401/403: a role or credential problem; 5xx, 429 and no answer: Azure (the SDK already retried); else a bad request. */
const kindOf = (status: number | undefined): FailureKind =>
  status === 401 || status === 403
    ? 'AccessDenied'
    : status === undefined || status === 429 || status === 408 || status >= 500
      ? 'Unavailable'
      : 'RequestFailed';

const answered = (f: ScopeFailure): string => {
  if (f.httpStatus === undefined) return 'no answer from Azure';
  return `HTTP ${f.httpStatus}${f.serviceCode === undefined ? '' : ` ${f.serviceCode}`}`;
};

export function scopeFailureAlert(f: ScopeFailure, at: string): Alert {
  const call = AZURE_CALLS[f.call];
  const kind = kindOf(f.httpStatus);
  const scopeWord = f.scope.kind === 'vault' ? 'Vault' : 'Subscription';
  const where = `the ${call.scope === 'vault' ? 'vault' : call.scope === 'subscription' ? 'subscription' : 'VMs'}`;
  const hint = missingRoleHint(f.call, f.httpStatus);
  const why =
    hint !== undefined
      ? `Azure refused it: ${hint} (action ${call.action})`
      : kind === 'Unavailable'
        ? 'Azure kept failing after the retries; this is not a permissions problem, the next run tries again'
        : `check that ${where} exists and is the one configured`;
  const failedCall: FailedCall = {
    operation: call.operation,
    action: call.action,
    ...(f.httpStatus === undefined ? {} : { httpStatus: f.httpStatus }),
    ...(f.serviceCode === undefined ? {} : { serviceCode: f.serviceCode }),
    ...(kind === 'AccessDenied' ? { likelyMissingRole: call.role } : {}),
  };
  return {
    severity: 'error',
    code: `${scopeWord}${kind}`,
    message: `${f.scopeLabel}: ${call.operation} failed (${answered(f)}); ${why}. ${f.consequence}.`,
    scope: f.scope,
    at,
    failedCall,
  };
}
