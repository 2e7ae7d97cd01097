/**
 * An alert: something an operator must look at, with what it is about. Today alerts are written to the log as
 * `ALERT <severity> <code>: <message>` (see logAlertSink); a delivery channel can route on `scope` and `code`.
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
}

/** The one-line form alerts take in the log; the message may quote a VM's text, so it is neutralised (one line). */
export const alertLine = (alert: Pick<Alert, 'severity' | 'code' | 'message'>): string =>
  `ALERT ${alert.severity} ${terminalLine(alert.code)}: ${terminalLine(alert.message)}`;
