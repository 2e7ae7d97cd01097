/**
 * Stages 'restore-running', 'verifying' and 'cleaning-up': restore drills are not driven yet, so a run here only
 * waits for its time limit (the drill phases will replace these handlers with their own modules).
 */
import type { PhaseHandler } from './phase';
import { onTick } from './retry';

/** No command to start again: nothing is started in these stages yet. */
const waitForTimeLimit =
  <S extends 'restore-running' | 'verifying' | 'cleaning-up'>(): PhaseHandler<S> =>
  (run, event, ctx) =>
    onTick(run, event.at, ctx, () => undefined);

export const restoreRunning = waitForTimeLimit<'restore-running'>();
export const verifying = waitForTimeLimit<'verifying'>();
export const cleaningUp = waitForTimeLimit<'cleaning-up'>();
