/**
 * A finding about one VM's backup setup, as `iris-backup-guard check` prints it.
 * `code` is the Azure troubleshooting name where one exists (Pre-ScriptNotFound, IncorrectJSONConfigFile, …),
 * otherwise an explicit PascalCase name of ours. `extensionStatusCode` is the VMSnapshotLinux code (300–318)
 * the real extension would raise for the same cause.
 */
export type Severity = 'critical' | 'error' | 'warning' | 'info';

/** What the next backup will be if nothing is fixed. */
export type BackupImpact =
  | 'app-consistent' // the finding does not change consistency
  | 'file-system-fallback' // the extension silently falls back to a file-system-consistent snapshot
  | 'no-snapshot' // the extension takes no snapshot: the backup fails
  | 'iris-left-frozen' // IRIS may stay frozen after the backup
  | 'unknown';

export interface Finding {
  code: string;
  extensionStatusCode?: number;
  severity: Severity;
  impact: BackupImpact;
  /** One sentence: what is wrong, with the value seen. */
  message: string;
  /** The fix, as a command an operator can paste, or a short instruction when no command fits. */
  fix: string;
  /** The file or instance the finding is about. */
  subject?: string;
}
