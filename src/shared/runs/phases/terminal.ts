/** Stages 'done', 'failed' and 'timed-out' absorb every event: late, duplicate or replayed observations are harmless. */
import type { TerminalStage } from '../run';
import type { PhaseHandler } from './phase';

export const terminal: PhaseHandler<TerminalStage> = (run) => run;
