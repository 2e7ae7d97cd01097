import type { RecoveryPoint } from '../../azure/backupGateway';
import { protectedItemOf } from '../protectedItemOf';
import { CLOCK_SKEW_MS } from './backupJobs';
import type { CommandHandler } from './commandHandler';

/** The recovery point this backup made: the first one at or after the job start. */
export const findRecoveryPoint: CommandHandler<'FindRecoveryPoint'> = async ({ deps, run, command, now, at }) => {
  const after = Date.parse(command.after) - CLOCK_SKEW_MS;
  let first: RecoveryPoint | null = null;
  const points = deps.gateways.backup.listRecoveryPoints(protectedItemOf(deps.settings, run), {
    startDate: new Date(after),
    endDate: new Date(now.getTime() + CLOCK_SKEW_MS),
  });
  // Azure does not order recovery points; the first one at or after the job start is this backup's.
  for await (const p of points) {
    const t = Date.parse(p.time);
    if (t >= after && (first === null || t < Date.parse(first.time))) first = p;
  }
  return [{ type: 'RecoveryPointObserved', at, point: first }];
};
