import { missingRoleHint } from '../../alerts/azureCalls';
import { isAppError, toError } from '../../errors/appError';
import { BACKUP_IN_PROGRESS_CODE } from '../jobObservation';
import { protectedItemOf } from '../protectedItemOf';
import { inProgressJobOf } from './backupJobs';
import type { CommandHandler } from './commandHandler';

/** Asks Azure for an on-demand backup of the run's VM. */
export const triggerBackup: CommandHandler<'TriggerBackup'> = async ({ deps, run, command, now, at }) => {
  try {
    const { operationId } = await deps.gateways.backup.triggerBackup(protectedItemOf(deps.settings, run), {
      recoveryPointExpiry: new Date(command.expiry),
    });
    return [{ type: 'BackupTriggered', at, operationId }];
  } catch (e) {
    const reason = toError(e).message;
    // Azure refuses a second backup while one runs for the item (400, by its service code, not its text):
    // that job is tonight's backup, adopt it.
    if (isAppError(e) && e.serviceCode === BACKUP_IN_PROGRESS_CODE) {
      const jobId = await inProgressJobOf(deps, run, now).catch(() => undefined);
      if (jobId !== undefined) return [{ type: 'InProgressJobFound', at, jobId }];
      return [{ type: 'CommandFailed', at, command: command.type, reason }];
    }
    const hint = missingRoleHint('triggerBackup', isAppError(e) ? e.statusCode : undefined);
    return [{ type: 'BackupTriggerFailed', at, reason: hint === undefined ? reason : `${reason} (${hint})` }];
  }
};
