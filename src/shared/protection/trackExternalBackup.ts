/**
 * A backup of an enrolled VM that someone else triggered (the portal, a policy, a script): it becomes a tracked run
 * that adopts its job and gets a verdict like the app's own. The app's own trigger produces the same ARM event; a
 * VM that already has an active run is left to it.
 */
import type { ProtectionDeps } from './protectionDeps';

export type ExternalBackupOutcome =
  | { outcome: 'tracked'; runId: string }
  /** The VM has an active run (this app's own backup, or one already tracked). */
  | { outcome: 'already-tracked'; runId: string }
  | { outcome: 'not-enrolled'; vmName?: string };

export async function trackExternalBackup(
  deps: ProtectionDeps,
  backup: { vaultId: string; vmName?: string; resourceUri: string; at: string },
): Promise<ExternalBackupOutcome> {
  void deps;
  void backup;
  throw new Error('trackExternalBackup: being written by the lead');
}
