/**
 * What every active stage does on a tick and on a failed command: the shell may lose a command (the instance
 * crashed, Azure throttled), so a stale pending command is started again by a later tick.
 */
import type { ActiveStage, Run } from '../run';
import type { RunEvent } from '../runEvent';
import type { CommandSpec } from './commandBuilder';
import { ms } from './isoTime';
import type { PhaseContext, RunIn } from './phase';
import { timedOut } from './timeLimit';

/** The command a stage starts again when the one it is waiting for never reported back; none when it waits for nothing. */
export type PollCommand<S extends ActiveStage> = (run: RunIn<S>, at: string) => CommandSpec | undefined;

/** Time limits, and a retry of the stage's command when the instance that started it never reported back. */
export function onTick<S extends ActiveStage>(run: RunIn<S>, at: string, ctx: PhaseContext, poll: PollCommand<S>): Run {
  const expired = timedOut(run, at, ctx);
  if (expired !== undefined) return expired;
  if (run.pendingSince !== undefined && ms(at) - ms(run.pendingSince) < ctx.policy.retryAfterMs) return run;
  const retry = poll(run, at);
  if (retry === undefined) return run;
  ctx.commands.add(retry);
  return { ...run, updatedAt: at, pendingSince: at };
}

/** Keeps `pendingSince`: the next tick after `retryAfterMs` retries the command. */
export const onCommandFailed = (run: Run, event: Extract<RunEvent, { type: 'CommandFailed' }>): Run => ({
  ...run,
  updatedAt: event.at,
  reason: `${event.command} failed: ${event.reason}`,
});
