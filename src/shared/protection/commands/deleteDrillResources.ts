import { isAppError, toError } from '../../errors/appError';
import type { CommandHandler } from './commandHandler';
import { drillResourceKindOf } from '../../drills/cleanupGuard';
import { drillDepsOf } from './drillDeps';

/**
 * Deletes the drill VM first (its disks and NIC cannot go while attached), then its other resources, each through
 * the gateway's guarded delete (safety invariant 1: in the drill group and tagged, checked on a fresh read). A
 * resource the guard refuses is not the app's to delete: it is dropped from the list and logged, never retried.
 */
export const deleteDrillResources: CommandHandler<'DeleteDrillResources'> = async ({ deps, command, at }) => {
  const d = drillDepsOf(deps);
  const ids = [...command.resourceIds].sort((a, b) => order(a) - order(b));
  const deleted: string[] = [];
  const remaining: string[] = [];
  const errors: string[] = [];
  let vmRefused = false;
  for (const id of ids) {
    const kind = drillResourceKindOf(id);
    if (kind === undefined) continue;
    // A VM that could not go keeps its disks and NIC attached: try them on the next round.
    if (kind !== 'vm' && remaining.some((r) => drillResourceKindOf(r) === 'vm')) {
      remaining.push(id);
      continue;
    }
    try {
      await d.drills.deleteDrillResource(kind, id, d.scope);
      deleted.push(id);
    } catch (e) {
      if (isAppError(e) && e.code === 'DRILL_DELETE_REFUSED') {
        deps.log.error(`Drill cleanup refused to delete ${id}: ${e.message}`, { runId: command.runId });
        if (kind === 'vm') vmRefused = true;
        continue;
      }
      // A VM that is no longer the app's (its tags were changed) keeps what is attached to it: left with it, not
      // retried until the stage's limit.
      if (kind !== 'vm' && vmRefused) {
        deps.log.error(`Drill cleanup left ${id} with the VM it may not delete: ${toError(e).message}`, {
          runId: command.runId,
        });
        continue;
      }
      remaining.push(id);
      errors.push(`${id.split('/').pop() ?? id}: ${toError(e).message}`);
    }
  }
  if (remaining.length === 0) return [{ type: 'DrillResourcesDeleted', at, deleted }];
  return [
    {
      type: 'DrillCleanupFailed',
      at,
      reason: errors.join('; ') || 'the drill VM could not be deleted first',
      remaining,
    },
  ];
};

const order = (id: string): number => ({ vm: 0, nic: 1, disk: 2 })[drillResourceKindOf(id) ?? 'disk'];
