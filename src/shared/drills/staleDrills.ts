/**
 * VMs whose backups have not been proven for too long: drill records exist for the VM going back at least N days,
 * yet none of the last N days passed. A VM with no record yet is not judged (its first drill may still be
 * scheduled), nor one whose records are all newer than N days.
 */
import { lastPassedDrill, type DrillRecord } from './drillRecord';

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
  const lastPassed = lastPassedDrill(records);
  const oldest = new Map<string, { vmId: string; vmName: string; at: number }>();
  for (const r of records) {
    const key = r.vmId.toLowerCase();
    const t = Date.parse(r.finishedAt);
    if (!Number.isFinite(t)) continue;
    const e = oldest.get(key);
    if (e === undefined || t < e.at) oldest.set(key, { vmId: e?.vmId ?? r.vmId, vmName: e?.vmName ?? r.vmName, at: t });
  }
  const stale: StaleDrillVm[] = [];
  for (const [key, e] of oldest) {
    if (e.at > cutoff) continue;
    const passed = lastPassed.get(key);
    if (passed !== undefined && Date.parse(passed) >= cutoff) continue;
    stale.push(
      passed === undefined
        ? { vmId: e.vmId, vmName: e.vmName }
        : { vmId: e.vmId, vmName: e.vmName, lastPassedAt: passed },
    );
  }
  return stale.sort((a, b) => a.vmId.localeCompare(b.vmId));
}
