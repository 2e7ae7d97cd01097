/** Reads a stored run back: refuses a schema this code does not know rather than guessing at its shape. */
import { AppError } from '../errors/appError';
import { ACTIVE_STAGES, RUN_SCHEMA_VERSION, TERMINAL_STAGES, type Run } from './run';

const STAGES: readonly string[] = [...ACTIVE_STAGES, ...TERMINAL_STAGES];

export function decodeRun(json: unknown): Run {
  const r = json as Partial<Run> | null;
  const problem =
    typeof r !== 'object' || r === null
      ? 'not an object'
      : r.schemaVersion !== RUN_SCHEMA_VERSION
        ? `schemaVersion ${String(r.schemaVersion)} is not ${RUN_SCHEMA_VERSION}`
        : typeof r.id !== 'string' || typeof r.night !== 'string' || typeof r.vmKey !== 'string'
          ? 'id, night or vmKey missing'
          : typeof r.stage !== 'string' || !STAGES.includes(r.stage)
            ? `unknown stage ${String(r.stage)}`
            : typeof r.target !== 'object' ||
                r.target === null ||
                typeof r.backup !== 'object' ||
                !Array.isArray(r.history)
              ? 'target, backup or history missing'
              : undefined;
  if (problem !== undefined)
    throw new AppError('INVALID_INPUT', { module: 'runs', message: `Stored run is unreadable: ${problem}` });
  return r as Run;
}
