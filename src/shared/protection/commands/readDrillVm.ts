import type { CommandHandler } from './commandHandler';
import { drillDepsOf } from './drillDeps';

/** The drill VM's power state and agent: the boot and agent times are read from these, tick by tick. */
export const readDrillVm: CommandHandler<'ReadDrillVm'> = async ({ deps, command, at }) => {
  const vm = await drillDepsOf(deps).drills.getDrillVm(command.drillVmId);
  if (vm === undefined) return [{ type: 'DrillVmObserved', at, exists: false, agentReady: false }];
  return [
    {
      type: 'DrillVmObserved',
      at,
      exists: true,
      agentReady: vm.agentReady,
      ...(vm.powerState === undefined ? {} : { powerState: vm.powerState }),
    },
  ];
};
