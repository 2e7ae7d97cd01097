/**
 * The daily sweep of drill resources (run by the nightly call): in the drill resource group only, the resources
 * carrying the app's drill tags whose drill is over — its run is gone or ended (and not kept for investigation past
 * now), or its `ibg-expires` deadline has passed — including disks and NICs a failed VM creation left. VMs go first
 * (their disks and NICs cannot go while attached). Every delete goes through the gateway's guard (safety invariant
 * 1); an untagged resource is never touched, whatever its name.
 */
import type { DrillResource } from '../azure/drillResources';
import { mayDeleteDrillResource } from '../drills/cleanupGuard';
import { DRILL_TAG_EXPIRES, DRILL_TAG_RUN } from '../drills/drillTags';
import { toError } from '../errors/appError';
import { isTerminalStage } from '../runs/run';
import { drillDepsOf } from './commands/drillDeps';
import type { ProtectionDeps } from './protectionDeps';

export interface DrillSweepResult {
  deleted: string[];
  failed: { id: string; error: string }[];
  /** Tagged resources of drills still under way (or kept until later). */
  kept: number;
  /** Resources in the drill group without the app's tags: never touched. */
  untagged: number;
}

const tag = (r: DrillResource, name: string): string | undefined => {
  const key = Object.keys(r.tags).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : r.tags[key];
};

const ORDER = { vm: 0, nic: 1, disk: 2 } as const;

export async function sweepDrillResources(deps: ProtectionDeps): Promise<DrillSweepResult> {
  const d = drillDepsOf(deps);
  const now = deps.clock.now().getTime();
  const result: DrillSweepResult = { deleted: [], failed: [], kept: 0, untagged: 0 };
  const candidates: DrillResource[] = [];
  for await (const r of d.drills.listResources(d.scope.resourceGroupId)) {
    if (!mayDeleteDrillResource(r, d.scope).ok) {
      result.untagged += 1;
      continue;
    }
    candidates.push(r);
  }
  const over = new Map<string, boolean>();
  const drillOver = async (runId: string): Promise<boolean> => {
    const known = over.get(runId);
    if (known !== undefined) return known;
    const stored = await deps.store.get(runId);
    const kept = stored?.run.drill?.cleanup.keptUntil;
    const ended =
      stored === undefined || (isTerminalStage(stored.run.stage) && (kept === undefined || Date.parse(kept) <= now));
    over.set(runId, ended);
    return ended;
  };
  const due: DrillResource[] = [];
  for (const r of candidates) {
    const expires = Date.parse(tag(r, DRILL_TAG_EXPIRES) ?? '');
    const expired = Number.isFinite(expires) && expires <= now;
    if (expired || (await drillOver(tag(r, DRILL_TAG_RUN) ?? ''))) due.push(r);
    else result.kept += 1;
  }
  due.sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  for (const r of due) {
    try {
      await d.drills.deleteDrillResource(r.kind, r.id, d.scope);
      result.deleted.push(r.id);
    } catch (e) {
      result.failed.push({ id: r.id, error: toError(e).message });
    }
  }
  if (result.deleted.length > 0 || result.failed.length > 0) {
    deps.log.info('Drill sweep', { deleted: result.deleted.length, failed: result.failed.length, kept: result.kept });
  }
  return result;
}
