import type { NicInfo } from '../../azure/drillResources';
import { checkDrillTarget } from '../../drills/drillTargetCheck';
import { isAppError } from '../../errors/appError';
import { protectedItemOf } from '../protectedItemOf';
import type { CommandHandler } from './commandHandler';
import { drillDepsOf } from './drillDeps';
import { productionAddressesOf } from './startVerifier';

/**
 * Checks the drill target against the source VM (settings, isolation — safety invariant 2 —, regions), then sends
 * the restore without waiting for it. A refusal says why and creates nothing; Azure's 4xx is a refusal too.
 */
export const triggerRestore: CommandHandler<'TriggerRestore'> = async ({ deps, run, command, at }) => {
  const d = drillDepsOf(deps);
  const source = await deps.gateways.compute.getVm(run.target.vmId);
  if (source === undefined) {
    return [
      {
        type: 'RestoreTriggerFailed',
        at,
        reason: `the source VM ${run.target.vmId} no longer exists`,
        refusedBy: 'checks',
      },
    ];
  }
  const [sourceNics, drillSubnet, stagingAccount] = await Promise.all([
    Promise.all(source.nicIds.map((id) => d.drills.getNic(id))) as Promise<(NicInfo | undefined)[]>,
    d.drills.getSubnet(d.target.subnetId),
    d.drills.getStorageAccount(d.target.stagingStorageAccountId),
  ]);
  const verdict = checkDrillTarget(d.target, {
    sourceVmId: run.target.vmId,
    sourceRegion: source.location,
    sourceNics,
    drillSubnet,
    stagingAccount,
  });
  if (!verdict.ok) {
    const reason = `drill refused: ${verdict.reasons.join('; ')}`;
    return [{ type: 'RestoreTriggerFailed', at, reason, refusedBy: 'checks' }];
  }
  try {
    const { operationId } = await deps.gateways.backup.triggerRestore(protectedItemOf(deps.settings, run), {
      ...command.request,
      region: source.location,
    });
    return [
      {
        type: 'RestoreTriggered',
        at,
        operationId,
        productionAddresses: productionAddressesOf(sourceNics),
        region: source.location,
      },
    ];
  } catch (e) {
    if (
      isAppError(e) &&
      e.statusCode !== undefined &&
      e.statusCode >= 400 &&
      e.statusCode < 500 &&
      e.statusCode !== 429 &&
      e.statusCode !== 408
    ) {
      return [{ type: 'RestoreTriggerFailed', at, reason: e.message, refusedBy: 'azure' }];
    }
    return [{ type: 'RestoreTriggerFailed', at, reason: isAppError(e) || e instanceof Error ? e.message : String(e) }];
  }
};
