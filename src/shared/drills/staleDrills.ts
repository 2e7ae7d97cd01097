/**
 * VMs whose backups have not been proven for too long: drill records exist for the VM going back at least N days,
 * yet none of the last N days passed. A VM with no record yet is not judged (its first drill may still be
 * scheduled), nor one whose records are all newer than N days.
 */
import type { DrillRecord } from './drillRecord';

const DAY_MS = 86_400_000;

export interface StaleDrillVm {
  vmId: string;
  vmName: string;
  /** The newest passed drill's finish, if any ever passed. */
  lastPassedAt?: string;
}

export function staleDrillVms(records: readonly DrillRecord[], now: Date, staleAfterDays: number): StaleDrillVm[] {
  if (staleAfterDays <= 0) return [];
  const cutoff = now.getTime() - staleAfterDays * DAY_MS;
  const byVm = new Map<string, { vmId: string; vmName: string; oldest: number; lastPassed?: string }>();
  for (const r of records) {
    const key = r.vmId.toLowerCase();
    const t = Date.parse(r.finishedAt);
    if (!Number.isFinite(t)) continue;
    const e = byVm.get(key) ?? { vmId: r.vmId, vmName: r.vmName, oldest: t };
    e.oldest = Math.min(e.oldest, t);
    if (r.verdict === 'passed' && (e.lastPassed === undefined || r.finishedAt > e.lastPassed))
      e.lastPassed = r.finishedAt;
    byVm.set(key, e);
  }
  const stale: StaleDrillVm[] = [];
  for (const e of byVm.values()) {
    if (e.oldest > cutoff) continue;
    if (e.lastPassed !== undefined && Date.parse(e.lastPassed) >= cutoff) continue;
    stale.push(
      e.lastPassed === undefined
        ? { vmId: e.vmId, vmName: e.vmName }
        : { vmId: e.vmId, vmName: e.vmName, lastPassedAt: e.lastPassed },
    );
  }
  return stale.sort((a, b) => a.vmId.localeCompare(b.vmId));
}
