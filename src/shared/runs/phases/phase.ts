/**
 * What every phase module exports: one handler per stage, with one signature. `decide` picks the handler by the
 * run's stage from a table that must name every stage, so a new stage without a handler does not compile.
 */
import type { Run, RunStage } from '../run';
import type { EventIn } from '../runEvent';
import type { RunPolicy } from '../runPolicy';
import type { CommandBuilder } from './commandBuilder';

/** A run known to be in stage S (decide dispatches on the stage, so the handler may rely on it). */
export type RunIn<S extends RunStage> = Run & { stage: S };

export interface PhaseContext {
  policy: RunPolicy;
  /** Commands accumulate here rather than in the return value: the helpers a phase calls add them as they go. */
  commands: CommandBuilder;
}

/**
 * The next state of a run in stage S after one of the events EVENT_STAGES routes to S. Returning `run` itself
 * means nothing changed (no write). Pure, like `decide`.
 */
export type PhaseHandler<S extends RunStage> = (run: RunIn<S>, event: EventIn<S>, ctx: PhaseContext) => Run;

export type PhaseTable = { [S in RunStage]: PhaseHandler<S> };
