/**
 * The shape of a command handler: one per RunCommand type (see executeCommand.ts, whose table a missing handler
 * does not compile). A handler reports what happened as events; it may throw, and executeCommand turns that into
 * CommandFailed.
 */
import type { BackupJob } from '../../azure/backupGateway';
import type { Run } from '../../runs/run';
import type { RunCommand, RunCommandType } from '../../runs/runCommand';
import type { RunEvent } from '../../runs/runEvent';
import type { ProtectionDeps } from '../protectionDeps';

/** What the caller already knows, so that many runs do not each repeat the same vault-wide listing. */
export interface CommandContext {
  /**
   * Backup jobs in progress per vault (key: lower-cased vault id), listed once by the nightly call. A job started
   * after the listing is not missed for long: Azure refuses the POST (UserErrorBackupOperationInProgress) and the
   * run adopts that job.
   */
  inProgressJobs?: ReadonlyMap<string, readonly BackupJob[]>;
}

/** The command of one type, e.g. `CommandOf<'TriggerBackup'>` has `expiry`. */
export type CommandOf<T extends RunCommandType> = Extract<RunCommand, { type: T }>;

export interface CommandInput<C extends RunCommand> {
  deps: ProtectionDeps;
  run: Run;
  command: C;
  context: CommandContext;
  /** Read once per command, so that every event and name of one command carries the same time. */
  now: Date;
  at: string;
}

export type CommandHandler<T extends RunCommandType> = (input: CommandInput<CommandOf<T>>) => Promise<RunEvent[]>;

/** One handler per command type: a type without one is a compile error where the table is written. */
export type CommandHandlers = { [T in RunCommandType]: CommandHandler<T> };
