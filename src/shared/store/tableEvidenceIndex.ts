/**
 * The two read-side tables that keep the evidence views to one partition per request:
 * - the fleet index (`<runs>fleet`, partition `vm`, one row per VM: evidence/vmIndex.ts), and
 * - each VM's history (`<runs>history`, partition = the VM's key, one row per run: its summary), keyed by the night
 *   inverted so that a partition lists newest first and a page of the history stops early.
 * Both are projections of the runs table: written after a run is written (protection/indexedRunRepository.ts), and
 * only ever with a summary at least as new as the stored one (ETag-guarded), so a slow instance cannot put an older
 * summary back.
 */
import { isAppError, isWriteRace } from '../errors/appError';
import type { GatewayLogger } from '../azure/gatewayLogger';
import type { TableGateway } from '../azure/tableGateway';
import { isRunSummary, type RunSummary } from '../evidence/runSummary';
import { foldIntoVmIndex, isVmIndexEntry, type VmIndexEntry } from '../evidence/vmIndex';
import { TableRunStore } from './tableRunStore';
import { tableKeyOf } from './tableKeys';

const FLEET_PARTITION = 'vm';
const WRITE_ATTEMPTS = 4;

/** 2026-12-03 → 73-1196 (99991231 − 20261203, zero-padded): ascending keys list the newest night first. */
export const invertedNight = (night: string): string =>
  String(99_991_231 - Number(night.replace(/-/g, ''))).padStart(8, '0');

/** The history row key of a run: its night inverted, then the rest of its id. */
export const historyKeyOf = (summary: Pick<RunSummary, 'night' | 'runId'>): string =>
  `${invertedNight(summary.night)}~${tableKeyOf(summary.runId.slice(summary.runId.indexOf('/') + 1))}`;

const decodeSummary = (json: unknown): RunSummary => {
  if (!isRunSummary(json)) throw new TypeError('not a run summary');
  return json;
};

const decodeEntry = (json: unknown): VmIndexEntry => {
  if (!isVmIndexEntry(json)) throw new TypeError('not a fleet index entry');
  return json;
};

export interface EvidenceIndex {
  /** Folds one run's summary into the fleet index and the VM's history. */
  observe(summary: RunSummary): Promise<void>;
  vmIndex(): Promise<VmIndexEntry[]>;
  vmHistory(vmKey: string, limit: number): Promise<RunSummary[]>;
}

export class TableEvidenceIndex implements EvidenceIndex {
  private readonly fleet: TableRunStore<VmIndexEntry, never>;
  private readonly history: TableRunStore<RunSummary, never>;

  constructor(fleetTable: TableGateway, historyTable: TableGateway, logger?: GatewayLogger) {
    const log = logger === undefined ? {} : { logger };
    this.fleet = new TableRunStore(fleetTable, { indexOf: () => ({}), decode: decodeEntry, ...log });
    this.history = new TableRunStore(historyTable, { indexOf: () => ({}), decode: decodeSummary, ...log });
  }

  async observe(summary: RunSummary): Promise<void> {
    await this.writeHistory(summary);
    await this.foldIntoFleet(summary);
  }

  private async writeHistory(summary: RunSummary): Promise<void> {
    const partition = tableKeyOf(summary.vmKey);
    const key = historyKeyOf(summary);
    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.history.get(partition, key);
      if (stored !== undefined && stored.value.updatedAt > summary.updatedAt) return;
      if (stored !== undefined && JSON.stringify(stored.value) === JSON.stringify(summary)) return;
      try {
        if (stored === undefined) await this.history.create(partition, key, summary);
        else await this.history.update(partition, key, summary, stored.etag);
        return;
      } catch (e) {
        if (!isWriteRace(e) || attempt >= WRITE_ATTEMPTS) throw e;
      }
    }
  }

  private async foldIntoFleet(summary: RunSummary): Promise<void> {
    const key = tableKeyOf(summary.vmKey);
    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.fleet.get(FLEET_PARTITION, key);
      const slot = stored?.value;
      // A summary older than the one the index holds for the same run is a late write: nothing to fold.
      const held = [slot?.latest, slot?.lastDrill, slot?.lastPassed].find((s) => s?.runId === summary.runId);
      if (held !== undefined && held.updatedAt > summary.updatedAt) return;
      const next = foldIntoVmIndex(slot, summary);
      if (next === undefined) return;
      try {
        if (stored === undefined) await this.fleet.create(FLEET_PARTITION, key, next);
        else await this.fleet.update(FLEET_PARTITION, key, next, stored.etag);
        return;
      } catch (e) {
        if (!isWriteRace(e) || attempt >= WRITE_ATTEMPTS) throw e;
      }
    }
  }

  async vmIndex(): Promise<VmIndexEntry[]> {
    const out: VmIndexEntry[] = [];
    try {
      for await (const r of this.fleet.list(FLEET_PARTITION)) out.push(r.value);
    } catch (e) {
      // Nothing indexed yet: the table is created with the first write.
      if (isAppError(e) && e.code === 'NOT_FOUND') return [];
      throw e;
    }
    return out;
  }

  async vmHistory(vmKey: string, limit: number): Promise<RunSummary[]> {
    const out: RunSummary[] = [];
    try {
      for await (const r of this.history.list(tableKeyOf(vmKey))) {
        out.push(r.value);
        if (out.length >= limit) break;
      }
    } catch (e) {
      if (isAppError(e) && e.code === 'NOT_FOUND') return [];
      throw e;
    }
    return out;
  }
}
