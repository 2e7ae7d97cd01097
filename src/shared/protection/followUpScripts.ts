/**
 * The scripts that decide something urgent take seconds on the VM: the logs behind a verdict (and its alerts), and
 * the remediation's check, thaw and check again (IRIS frozen is an outage). Rather than leave their result to the
 * next tick, minutes away, the invocation that started them reads them again a few times before it ends, within a
 * bound (FOLLOW_UP_MS). Only with `deps.pause` (the Functions app; tests pass one over the sandbox clock).
 */
import type { Run } from '../runs/run';
import type { RunCommand } from '../runs/runCommand';
import type { RunPolicy } from '../runs/runPolicy';
import type { CommandContext } from './commands/commandHandler';
import { driveRun } from './driveRun';
import { promisePool } from './promisePool';
import type { ProtectionDeps } from './protectionDeps';
import type { StoredRun } from './runRepository';

/** How long an invocation keeps following the scripts it started; a tick is minutes, a probe seconds. */
export const FOLLOW_UP_MS = 60_000;
/** Between two reads of the same scripts. */
export const FOLLOW_UP_EVERY_MS = 5_000;

/** The urgent script a run waits for, started by this invocation (since `from`) and not yet read to its end. */
function urgentRead(run: Run, from: number): RunCommand | undefined {
  const base = { runId: run.id, vmId: run.target.vmId };
  const startedNow = (at: string | undefined): boolean => at !== undefined && Date.parse(at) >= from;
  const rem = run.remediation?.script;
  if (startedNow(rem?.startedAt) && rem) return { ...base, type: 'ReadScript', name: rem.name };
  const s = run.script;
  if (s?.purpose === 'logs' && s.vmId === undefined && startedNow(s.startedAt))
    return { ...base, type: 'ReadScript', name: s.name };
  return undefined;
}

/**
 * Follows the urgent scripts of these runs started since `from` (the invocation's start); returns every run as it
 * stands afterwards (same order).
 */
export async function followUpScripts(
  deps: ProtectionDeps,
  policy: RunPolicy,
  runs: readonly StoredRun[],
  from: Date,
  context: CommandContext = {},
  /** After each round of reads (the caller delivers the alerts they decided). */
  afterRound: () => Promise<void> = async () => undefined,
): Promise<StoredRun[]> {
  const current = [...runs];
  const pause = deps.pause;
  if (pause === undefined) return current;
  const deadline = deps.clock.now().getTime() + FOLLOW_UP_MS;
  // Runs another instance wrote first are left to it.
  const dropped = new Set<number>();
  for (;;) {
    const due = current.flatMap((s, i) => {
      const read = dropped.has(i) ? undefined : urgentRead(s.run, from.getTime());
      return read === undefined ? [] : [{ i, s, read }];
    });
    if (due.length === 0 || deps.clock.now().getTime() + FOLLOW_UP_EVERY_MS > deadline) return current;
    await pause(FOLLOW_UP_EVERY_MS);
    const read = await promisePool(due, deps.settings.maxConcurrency, ({ s, read }) =>
      driveRun(deps, policy, s, { commands: [read] }, context),
    );
    read.forEach((r, k) => {
      const d = due[k];
      if (d === undefined) return;
      if (!r.ok || r.value.kind === 'superseded') dropped.add(d.i);
      else current[d.i] = r.value.stored;
    });
    await afterRound();
  }
}
