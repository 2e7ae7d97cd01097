/**
 * The imperative shell around `decide`: feed events, write the new state with its ETag, and only then execute the
 * commands (so exactly one instance executes each), feeding their results back in until nothing is left to do.
 */
import { isAppError } from '../errors/appError';
import { decide } from '../runs/decide';
import type { RunCommand } from '../runs/runCommand';
import type { RunEvent } from '../runs/runEvent';
import type { RunPolicy } from '../runs/runPolicy';
import type { CommandContext } from './commands/commandHandler';
import { executeCommand } from './executeCommand';
import type { ProtectionDeps } from './protectionDeps';
import { runLog } from './runLog';
import type { StoredRun } from './runRepository';

export type DriveOutcome =
  | { kind: 'advanced'; stored: StoredRun }
  /** Another instance wrote the run first; it carries on from there. */
  | { kind: 'superseded'; stored: StoredRun };

/** Bounds a run's work in one invocation; a real run needs fewer than ten steps. */
const MAX_STEPS = 50;

export async function driveRun(
  deps: ProtectionDeps,
  policy: RunPolicy,
  start: StoredRun,
  input: { events?: RunEvent[]; commands?: RunCommand[] },
  context: CommandContext = {},
): Promise<DriveOutcome> {
  const runDeps: ProtectionDeps = { ...deps, log: runLog(deps.log, start.run) };
  let stored = start;
  const queue: RunEvent[] = [];
  for (const command of input.commands ?? [])
    queue.push(...(await executeCommand(runDeps, stored.run, command, context)));
  queue.push(...(input.events ?? []));
  for (let steps = 0; queue.length > 0 && steps < MAX_STEPS; steps += 1) {
    const event = queue.shift() as RunEvent;
    const decision = decide(stored.run, event, policy);
    if (decision.run !== stored.run) {
      try {
        stored = await deps.store.update(decision.run, stored.etag);
      } catch (e) {
        if (isAppError(e) && e.code === 'PRECONDITION_FAILED') return { kind: 'superseded', stored };
        throw e;
      }
    }
    const results: RunEvent[] = [];
    for (const command of decision.commands)
      results.push(...(await executeCommand(runDeps, stored.run, command, context)));
    // A command's result is decided before the remaining outside observations, which may be older.
    queue.unshift(...results);
  }
  return { kind: 'advanced', stored };
}
