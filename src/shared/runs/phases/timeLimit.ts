/** Every active stage has a time limit (RunPolicy.stageLimitsMs); a run past it ends as 'timed-out'. */
import type { ActiveStage, Run } from '../run';
import type { PhaseContext, RunIn } from './phase';
import { minutes, ms } from './isoTime';
import { moveTo } from './transitions';

/** The run timed out at `at`, with its alert added; undefined while its stage is within its limit. */
export function timedOut(run: RunIn<ActiveStage>, at: string, ctx: PhaseContext): Run | undefined {
  const limit = ctx.policy.stageLimitsMs[run.stage];
  if (ms(at) - ms(run.stageStartedAt) <= limit) return undefined;
  const waitingFor =
    run.stage === 'triggering' && run.backup.triggerRequestedAt !== undefined
      ? '; the backup was requested but no job for the VM appeared'
      : '';
  const reason = `Stage '${run.stage}' exceeded its time limit of ${minutes(limit)} (started ${run.stageStartedAt})${waitingFor}`;
  ctx.commands.alert('error', 'RunTimedOut', reason);
  return moveTo(run, 'timed-out', at, reason);
}
