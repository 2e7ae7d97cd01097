/**
 * Heartbeats in a table of their own (`<runs table>health`): one row per timer, replaced at the end of each tick, so
 * the health endpoint can tell how long ago the app last moved its runs forward. Last writer wins on purpose: two
 * instances finishing ticks at once both prove the app is alive.
 */
import type { TableGateway } from '../azure/tableGateway';
import { isWriteRace } from '../errors/appError';

const PARTITION = 'heartbeat';

export interface Heartbeat {
  /** The timer function that beat (e.g. advanceRuns). */
  name: string;
  /** ISO 8601: when its tick finished. */
  at: string;
  durationMs: number;
}

export interface HeartbeatStore {
  beat(heartbeat: Heartbeat): Promise<void>;
  /** Undefined when that timer never beat; throws when the store cannot be read. */
  last(name: string): Promise<Heartbeat | undefined>;
}

export class TableHeartbeatStore implements HeartbeatStore {
  constructor(private readonly table: TableGateway) {}

  async beat(heartbeat: Heartbeat): Promise<void> {
    await this.table.ensureTable();
    const properties = { at: heartbeat.at, durationMs: heartbeat.durationMs };
    const existing = await this.table.getEntity(PARTITION, heartbeat.name);
    try {
      if (existing === undefined) await this.table.createEntity(PARTITION, heartbeat.name, properties);
      else await this.table.replaceEntity(PARTITION, heartbeat.name, properties, existing.etag);
    } catch (e) {
      // Another instance beat between the read and the write: its beat is as good as ours.
      if (isWriteRace(e)) return;
      throw e;
    }
  }

  async last(name: string): Promise<Heartbeat | undefined> {
    await this.table.ensureTable();
    const row = await this.table.getEntity(PARTITION, name);
    if (row === undefined) return undefined;
    const p = row.properties;
    if (typeof p.at !== 'string' || Number.isNaN(Date.parse(p.at))) return undefined;
    return { name, at: p.at, durationMs: typeof p.durationMs === 'number' ? p.durationMs : 0 };
  }
}
