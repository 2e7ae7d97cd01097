import type { DrillResource } from '../../azure/drillResources';
import { CLOCK_SKEW_MS } from './backupJobs';
import type { RunEvent } from '../../runs/runEvent';
import type { CommandHandler } from './commandHandler';
import { inDrillGroup } from '../../drills/cleanupGuard';
import { drillDepsOf } from './drillDeps';

/**
 * Tags what the drill's restore created, so cleanup (and the daily sweep) may delete it: the drill VM with its
 * disks and NICs when it exists; else (the VM creation failed) the disks and NICs the restore left in the drill
 * group — named after the drill VM (a name only this run uses), unattached, created since the restore request.
 * Only resources inside the drill group are ever tagged.
 */
export const claimDrillResources: CommandHandler<'ClaimDrillResources'> = async ({ deps, command, at }) => {
  const events: RunEvent[] = [];
  const d = drillDepsOf(deps);
  const group = d.target.resourceGroupId;
  const vm = inDrillGroup(command.drillVmId, d.scope) ? await d.drills.getDrillVm(command.drillVmId) : undefined;
  const found: DrillResource[] = [];
  if (vm !== undefined) {
    // The VM was just read with its instance view: how far it has booted comes with the claim, a read saved.
    events.push({
      type: 'DrillVmObserved',
      at,
      exists: true,
      agentReady: vm.agentReady,
      ...(vm.powerState === undefined ? {} : { powerState: vm.powerState }),
    });
    found.push(vm.vm);
    for (const id of vm.diskIds) found.push({ kind: 'disk', id, name: id.split('/').pop() ?? id, tags: {} });
    for (const id of vm.nicIds) found.push({ kind: 'nic', id, name: id.split('/').pop() ?? id, tags: {} });
  } else {
    const since = Date.parse(command.since) - CLOCK_SKEW_MS;
    const prefix = `${command.drillVmName.toLowerCase()}-`;
    for await (const r of d.drills.listResources(group)) {
      if (r.kind === 'vm' || r.attachedTo !== undefined) continue;
      if (!r.name.toLowerCase().startsWith(prefix)) continue;
      if (r.createdAt !== undefined && Date.parse(r.createdAt) < since) continue;
      found.push(r);
    }
  }
  const claimed: string[] = [];
  for (const r of found) {
    if (!inDrillGroup(r.id, d.scope)) continue;
    // The VM's tags (and a listed resource's) are known; disks and NICs of a VM are read before they are merged.
    const known = r.kind === 'vm' || vm === undefined ? { currentTags: r.tags } : {};
    await d.drills.addTags(r.kind, r.id, command.tags, known);
    claimed.push(r.id);
  }
  return [{ type: 'DrillResourcesClaimed', at, resourceIds: claimed }, ...events];
};
