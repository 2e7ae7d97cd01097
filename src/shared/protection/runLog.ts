/**
 * A log scoped to one run: every line carries the run's id and VM name in its details, so an operator can follow a
 * run (or a VM) through the traces with one filter, whichever command wrote the line.
 */
import type { Run } from '../runs/run';
import type { ProtectionLog } from './protectionDeps';

export function runLog(log: ProtectionLog, run: Pick<Run, 'id' | 'target'>): ProtectionLog {
  // The line's own details win: a message about another run (or VM) keeps what it says.
  const scoped = (details?: Record<string, unknown>): Record<string, unknown> => ({
    runId: run.id,
    vm: run.target.vmName,
    ...details,
  });
  return {
    info: (message, details) => log.info(message, scoped(details)),
    warn: (message, details) => log.warn(message, scoped(details)),
    error: (message, details) => log.error(message, scoped(details)),
  };
}
