/**
 * An alert: something an operator must look at, with what it is about. Every alert is written to the log as
 * `ALERT <severity> <code>: <message>` (a log alert rule matches it), recorded, and delivered to the targets its
 * severity is routed to (alertRouting.ts); `scope` and `code` make its deduplication key (alertDedup.ts).
 */
import type { Severity } from '../checks/finding';
import { terminalLine } from '../report/terminalText';

export type AlertSeverity = Severity;

/**
 * What an alert is about: one run of one VM, one VM across its runs (no passed drill for days), or a whole vault or
 * subscription the app could not work with.
 */
export type AlertScope =
  | { kind: 'run'; runId: string; vmId: string }
  | { kind: 'vm'; vmId: string }
  | { kind: 'vault'; vaultId: string }
  | { kind: 'subscription'; subscriptionId: string };

/** An Azure call that failed, as an alert names it (see azureCallFailureAlert.ts). */
export interface FailedCall {
  /** What the app was doing, in words: "list protected items". */
  operation: string;
  /** The RBAC action the call needs, e.g. Microsoft.RecoveryServices/vaults/backupProtectedItems/read. */
  action: string;
  /** Absent when no answer came back (network). */
  httpStatus?: number;
  /** Azure's error code from the response body, e.g. AuthorizationFailed. */
  serviceCode?: string;
  /** On a 403: the built-in role that is probably missing on the scope. */
  likelyMissingRole?: string;
}

export interface Alert {
  severity: AlertSeverity;
  /** Stable and machine-readable, e.g. BackupNotAppConsistent, VaultAccessDenied. */
  code: string;
  message: string;
  scope: AlertScope;
  /** ISO 8601. */
  at: string;
  failedCall?: FailedCall;
  /** Azure's troubleshooting name or ours (classification.ts), e.g. Post-ScriptExecutionFailed, IrisStillFrozen. */
  classification?: string;
  /** Lines quoted from the VM's logs or Azure: untrusted, capped here and escaped by each renderer. */
  evidence?: string[];
  /** What to do about it, in words and the exact commands. */
  fix?: string;
  /** The VM's name, for the title of a notification. */
  vmName?: string;
  /** 'recovery': the problem `code` on this scope is over; announced once, and only if it was announced. */
  kind?: 'problem' | 'recovery';
}

/** The one-line form alerts take in the log; the message may quote a VM's text, so it is neutralised (one line). */
export const alertLine = (alert: Pick<Alert, 'severity' | 'code' | 'message'>): string =>
  `ALERT ${alert.severity} ${terminalLine(alert.code)}: ${terminalLine(alert.message)}`;
