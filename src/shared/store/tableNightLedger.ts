/**
 * The night ledger over a table of its own (`<runs table>nights`): one row per night, written with its ETag, so two
 * calls beginning at once both count.
 */
import type { TableGateway } from '../azure/tableGateway';
import { isWriteRace } from '../errors/appError';
import type { NightLedger, NightRecord } from '../protection/nightLedger';

const PARTITION = 'night';
const WRITE_ATTEMPTS = 5;

const recordOf = (night: string, p: Record<string, unknown>): NightRecord | undefined => {
  if (typeof p.startedAt !== 'string' || Number.isNaN(Date.parse(p.startedAt))) return undefined;
  return {
    night,
    startedAt: p.startedAt,
    attempts: typeof p.attempts === 'number' && Number.isInteger(p.attempts) ? p.attempts : 1,
    ...(typeof p.finishedAt === 'string' ? { finishedAt: p.finishedAt } : {}),
  };
};

export class TableNightLedger implements NightLedger {
  constructor(private readonly table: TableGateway) {}

  async get(night: string): Promise<NightRecord | undefined> {
    await this.table.ensureTable();
    const row = await this.table.getEntity(PARTITION, night);
    return row === undefined ? undefined : recordOf(night, row.properties);
  }

  started(night: string, at: string): Promise<void> {
    return this.write(night, (current) => ({ night, startedAt: at, attempts: (current?.attempts ?? 0) + 1 }));
  }

  async finished(night: string, at: string): Promise<void> {
    await this.write(night, (current) => ({
      night,
      startedAt: current?.startedAt ?? at,
      attempts: current?.attempts ?? 1,
      finishedAt: at,
    }));
  }

  /** Read, change, write with the ETag; a write race is read again. */
  private async write(night: string, change: (current: NightRecord | undefined) => NightRecord): Promise<void> {
    await this.table.ensureTable();
    for (let attempt = 1; ; attempt += 1) {
      const row = await this.table.getEntity(PARTITION, night);
      const next = change(row === undefined ? undefined : recordOf(night, row.properties));
      const { night: _night, ...properties } = next;
      try {
        if (row === undefined) await this.table.createEntity(PARTITION, night, properties);
        else await this.table.replaceEntity(PARTITION, night, properties, row.etag);
        return;
      } catch (e) {
        if (!isWriteRace(e) || attempt >= WRITE_ATTEMPTS) throw e;
      }
    }
  }
}
