import type { CommandHandler } from './commandHandler';
import { drillDepsOf } from './drillDeps';

/** Writes the drill record once; a record already there (an earlier attempt) counts as written. */
export const recordDrill: CommandHandler<'RecordDrill'> = async ({ deps, command, at }) => {
  await drillDepsOf(deps).records.add(command.record);
  return [{ type: 'DrillRecorded', at }];
};
