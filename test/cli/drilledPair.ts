/**
 * A drill world of two VMs, each drilled once through `iris-backup-guard drill`: iris-a passes, iris-bad's restore
 * fails. What the CLI's read commands (status, evidence) are tested against.
 */
import { main } from '../../src/cli/main';
import { MINUTE, tonight } from '../protection/cycleHelpers';
import { protectionVm, type ProtectionWorld } from '../protection/protectionWorld';
import { drillScenario, startDrillWorld } from '../drills/drillWorld';
import { captureIo } from './cliIo';

/** The world, and the night the drills were started in (read before the drills move the clock on). */
export async function startDrilledPair(): Promise<{ w: ProtectionWorld; night: string }> {
  const scenario = drillScenario([]);
  scenario.vms = [
    protectionVm('iris-a', { existingRecoveryPoints: [{ ageHours: 6, type: 'AppConsistent' }] }),
    protectionVm('iris-bad', { existingRecoveryPoints: [{ ageHours: 6, type: 'AppConsistent' }] }),
  ];
  scenario.faults = [{ kind: 'restoreFailure', vm: 'iris-bad' }];
  const w = await startDrillWorld(scenario);
  const night = tonight(w);
  const cli = captureIo(w.env, {
    credential: w.sandbox.credential,
    clock: w.sandbox.clock,
    wait: async () => {
      await w.sandbox.idle();
      w.sandbox.clock.advance(5 * MINUTE);
    },
  });
  if ((await main(['drill', '--vm', w.vmId('iris-a')], cli)) !== 0)
    throw new Error(`iris-a's drill did not pass: ${cli.stdout()}`);
  if ((await main(['drill', '--vm', w.vmId('iris-bad')], cli)) !== 1)
    throw new Error(`iris-bad's drill did not fail: ${cli.stdout()}`);
  return { w, night };
}
