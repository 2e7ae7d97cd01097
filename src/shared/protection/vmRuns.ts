/**
 * Finding and numbering the runs of one VM: its latest run (active ones, then tonight's and last night's), and a
 * new numbered run (`~drill-<n>`, `~ext-<n>`, `~check-<n>`) created with the next free number.
 */
import { isAppError } from '../errors/appError';
import { runNumber, type Run } from '../runs/run';
import { nightOf } from './night';
import type { ProtectionDeps } from './protectionDeps';
import type { StoredRun } from './runRepository';

const DAY_MS = 86_400_000;
/** Another run of the VM took the number between the listing and the write this many times: give up. */
const MAX_CREATE_ATTEMPTS = 5;

/** The nights whose runs can still be the VM's current ones: tonight's and last night's. */
export function recentNights(deps: ProtectionDeps): string[] {
  const now = deps.clock.now();
  const zone = deps.settings.schedules.nightTimeZone;
  return [...new Set([nightOf(now, zone), nightOf(new Date(now.getTime() - DAY_MS), zone)])];
}

/** The VM's runs that are active or of a recent night, newest first. */
export async function recentRunsOf(deps: ProtectionDeps, vmKey: string): Promise<StoredRun[]> {
  const byId = new Map<string, StoredRun>();
  for (const s of await deps.store.listActive()) if (s.run.vmKey === vmKey) byId.set(s.run.id, s);
  for (const night of recentNights(deps)) {
    for (const s of await deps.store.list(night))
      if (s.run.vmKey === vmKey && !byId.has(s.run.id)) byId.set(s.run.id, s);
  }
  return [...byId.values()].sort((a, b) => Date.parse(b.run.createdAt) - Date.parse(a.run.createdAt));
}

/**
 * Creates the run `make(n)` with the first n not used that night (`prefix` is the id before the number), trying the
 * next one when another instance took it between the listing and the write.
 */
export async function createNumberedRun(
  deps: ProtectionDeps,
  night: string,
  prefix: string,
  make: (n: number) => Run,
): Promise<StoredRun> {
  let n = 0;
  for (const stored of await deps.store.list(night)) n = Math.max(n, runNumber(stored.run.id, prefix) ?? 0);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await deps.store.create(make(n + attempt));
    } catch (e) {
      if (!isAppError(e) || e.code !== 'CONFLICT' || attempt >= MAX_CREATE_ATTEMPTS) throw e;
    }
  }
}
