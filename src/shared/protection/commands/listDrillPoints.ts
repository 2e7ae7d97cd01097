import type { RecoveryPoint } from '../../azure/backupGateway';
import { protectedItemOf } from '../protectedItemOf';
import type { CommandHandler } from './commandHandler';

/** Caps the points a run is handed: a VM keeps at most a few hundred, and one is sampled. */
const MAX_POINTS = 500;

/** The VM's recovery points, for a drill that samples an older one. */
export const listDrillPoints: CommandHandler<'ListDrillPoints'> = async ({ deps, run, at }) => {
  const points: RecoveryPoint[] = [];
  for await (const p of deps.gateways.backup.listRecoveryPoints(protectedItemOf(deps.settings, run))) {
    points.push(p);
    if (points.length >= MAX_POINTS) break;
  }
  return [{ type: 'DrillPointsListed', at, points }];
};
