import { protectedItemOf } from '../protectedItemOf';
import type { CommandHandler } from './commandHandler';

/** The state of the backup operation the trigger returned (and its job, once Azure has one). */
export const readOperation: CommandHandler<'ReadOperation'> = async ({ deps, run, command, at }) => {
  const op = await deps.gateways.backup.getBackupOperation(protectedItemOf(deps.settings, run), command.operationId);
  const error = op.error ? [op.error.code, op.error.message].filter(Boolean).join(': ') : undefined;
  return [
    {
      type: 'OperationObserved',
      at,
      status: op.status,
      ...(op.jobId === undefined ? {} : { jobId: op.jobId }),
      ...(error ? { error } : {}),
    },
  ];
};
