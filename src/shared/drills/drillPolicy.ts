/**
 * Which backups are drilled, and the limits of a drill: the part of the run policy that drills read. Built from the
 * IBG_DRILL_* settings by the shell (protection/runPolicyOf.ts).
 */

/** Every backup; every Nth night of each VM (spread over the nights by the VM's key); or one weekday per VM. */
export type DrillSchedule = { kind: 'every' } | { kind: 'every-nth'; n: number } | { kind: 'weekday' };

/** Where drills restore to (safety invariants 1 and 2 are checked against these). */
export interface DrillTargetSettings {
  /** /subscriptions/{sub}/resourceGroups/{rg}: the only place drill resources are created and deleted. */
  resourceGroupId: string;
  /** The drill subnet: …/virtualNetworks/{vnet}/subnets/{subnet}. */
  subnetId: string;
  /** Staging storage account for the restore (same region as the vault, not zone-redundant). */
  stagingStorageAccountId: string;
}

export interface DrillPolicy {
  schedule: DrillSchedule;
  target: DrillTargetSettings;
  /** A failed or inconclusive drill's resources are kept this long for investigation (0: deleted at once). */
  keepFailedMs: number;
  /** Drills under way at once per subscription (restore to cleanup). */
  perSubscription: number;
  /** The verifier's Run Command time-out (timeoutInSeconds): IRIS start plus the integrity check. */
  verifyTimeoutMs: number;
  /** How long the verifier waits for IRIS to come up. */
  irisUpSeconds: number;
  /** Every Nth drill of a VM restores a random older point instead of tonight's (0: never). */
  olderPointEvery: number;
  /** A VM with no passed drill for this many days is alerted (0: never). */
  staleAfterDays: number;
}

const DAY_MS = 86_400_000;

/** FNV-1a: a stable spread of VM keys over nights and weekdays (not security). */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const dayNumber = (night: string): number => Math.floor(Date.parse(`${night}T00:00:00Z`) / DAY_MS);

/** Whether tonight's backup of this VM is drilled. Deterministic, so every instance and retry agrees. */
export function isDrillNight(schedule: DrillSchedule, vmKey: string, night: string): boolean {
  switch (schedule.kind) {
    case 'every':
      return true;
    case 'every-nth':
      return schedule.n <= 1 || dayNumber(night) % schedule.n === stableHash(vmKey) % schedule.n;
    case 'weekday':
      // 1970-01-01 was a Thursday; the weekday itself does not matter, only that each VM keeps its own.
      return dayNumber(night) % 7 === stableHash(vmKey) % 7;
  }
}

/** The how-many-th drill night of the VM `night` is (any night for 'every'): consecutive drills differ by one. */
function drillOrdinal(schedule: DrillSchedule, night: string): number {
  const day = dayNumber(night);
  switch (schedule.kind) {
    case 'every':
      return day;
    case 'every-nth':
      return schedule.n <= 1 ? day : Math.floor(day / schedule.n);
    case 'weekday':
      return Math.floor(day / 7);
  }
}

/**
 * Whether this drill restores a random older point (every Nth drill of the VM, by its key, so each VM gets one in
 * every N of its drills), and which of `count` (by the run id: the same on every replay).
 */
export function olderPointIndex(
  policy: DrillPolicy,
  vmKey: string,
  runId: string,
  night: string,
  count: number,
): number | undefined {
  const every = policy.olderPointEvery;
  if (every <= 0 || count <= 0) return undefined;
  const ordinal = drillOrdinal(policy.schedule, night);
  if (!Number.isFinite(ordinal) || ((ordinal % every) + every) % every !== stableHash(`${vmKey}/older`) % every)
    return undefined;
  return stableHash(`${runId}/point`) % count;
}
