/** The two ways a phase changes a run besides its own fields: a move to another stage, and a command's result. */
import { isTerminalStage, type Run, type RunStage } from '../run';

export function moveTo(run: Run, to: RunStage, at: string, reason?: string): Run {
  const terminal = isTerminalStage(to);
  const next: Run = {
    ...run,
    stage: to,
    stageStartedAt: at,
    updatedAt: at,
    history: [...run.history, reason === undefined ? { from: run.stage, to, at } : { from: run.stage, to, at, reason }],
  };
  if (reason !== undefined) next.reason = reason;
  if (terminal) {
    next.finishedAt = at;
    delete next.pendingSince;
  }
  return next;
}

/** The pending command reported back: a later tick must not start it again. */
export const settled = (run: Run, at: string): Run => {
  const next = { ...run, updatedAt: at };
  delete next.pendingSince;
  return next;
};
