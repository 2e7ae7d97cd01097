/**
 * The nightly sweep of the app's stale Run Commands: every `ibg-` Run Command on an enrolled VM that no active run
 * is waiting for and that has ended, or has run past any time-out the app gives a script. A run deletes its own
 * Run Commands and retries a failed delete; the sweep takes what is left (deletes that kept failing, an instance
 * that died, a CLI check interrupted by Ctrl-C). A Run Command without the prefix is never touched.
 */
import { toError } from '../errors/appError';
import type { RunCommandListing } from '../azure/vmCommandGateway';
import { SCRIPT_OVERRUN_MS } from '../runs/phases/vmScript';
import type { Run } from '../runs/run';
import { RUN_COMMAND_PREFIX } from '../runs/runCommandName';
import { promisePool } from './promisePool';
import type { ProtectionDeps } from './protectionDeps';

export interface SweepResult {
  /** `vm-name/run-command-name` of each Run Command deleted. */
  deleted: string[];
  failed: { vmId: string; name: string; error: string }[];
  /** VMs whose Run Commands could not be listed. */
  unreadable: { vmId: string; error: string }[];
}

const RUNNING = new Set(['Pending', 'Running', 'Unknown']);

/** Whether the sweep removes this Run Command: ours, not awaited by an active run, and over (or overdue). */
export function isStale(
  rc: RunCommandListing,
  awaited: ReadonlySet<string>,
  now: Date,
  scriptLimitMs: number,
): boolean {
  if (!rc.name.startsWith(RUN_COMMAND_PREFIX) || awaited.has(rc.name.toLowerCase())) return false;
  if (!RUNNING.has(rc.executionState)) return true;
  const started = rc.startTime === undefined ? Number.NaN : Date.parse(rc.startTime);
  // A script still running past every limit is stuck; one without a start time is left for the next sweep.
  return Number.isFinite(started) && now.getTime() - started > scriptLimitMs + SCRIPT_OVERRUN_MS;
}

export async function sweepRunCommands(
  deps: ProtectionDeps,
  vmIds: readonly string[],
  activeRuns: readonly Run[],
): Promise<SweepResult> {
  // Names are unique per VM only: what a run awaits is its VM's Run Command of that name.
  const awaitedOn = (vmId: string): Set<string> =>
    new Set(
      activeRuns.flatMap((r) =>
        r.script && r.target.vmId.toLowerCase() === vmId.toLowerCase() ? [r.script.name.toLowerCase()] : [],
      ),
    );
  const now = deps.clock.now();
  const limitMs = deps.settings.runCommandTimeoutInSeconds * 1000;
  const result: SweepResult = { deleted: [], failed: [], unreadable: [] };
  const compute = deps.gateways.compute;
  await promisePool(vmIds, deps.settings.maxConcurrency, async (vmId) => {
    const stale: string[] = [];
    try {
      const awaited = awaitedOn(vmId);
      for await (const rc of compute.listScripts(vmId)) if (isStale(rc, awaited, now, limitMs)) stale.push(rc.name);
    } catch (e) {
      result.unreadable.push({ vmId, error: toError(e).message });
      return;
    }
    const vmName = vmId.split('/').pop() ?? vmId;
    for (const name of stale) {
      try {
        await compute.deleteScript(vmId, name);
        result.deleted.push(`${vmName}/${name}`);
      } catch (e) {
        result.failed.push({ vmId, name, error: toError(e).message });
      }
    }
  });
  if (result.deleted.length > 0 || result.failed.length > 0 || result.unreadable.length > 0) {
    deps.log.info('Swept stale Run Commands', {
      deleted: result.deleted.length,
      failed: result.failed,
      unreadable: result.unreadable,
    });
  }
  return result;
}
