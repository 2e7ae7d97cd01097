/**
 * Leases in a table of their own (`<runs table>leases`), one row per key: taken by an insert, taken over or
 * extended by a replace with the row's ETag, so two instances racing for one lease cannot both win.
 */
import type { TableGateway } from '../azure/tableGateway';
import { isAppError, isWriteRace } from '../errors/appError';
import type { Lease, LeaseOutcome, LeaseRepository } from './leaseRepository';
import { tableKeyOf } from './tableKeys';

const PARTITION = 'lease';

const leaseOf = (key: string, p: Record<string, unknown>): Lease => ({
  key,
  holder: typeof p.holder === 'string' ? p.holder : '',
  until: typeof p.until === 'string' ? p.until : new Date(0).toISOString(),
});

export class TableLeaseStore implements LeaseRepository {
  constructor(private readonly table: TableGateway) {}

  async acquire(key: string, holder: string, until: string, now: string): Promise<LeaseOutcome> {
    await this.table.ensureTable();
    const row = tableKeyOf(key);
    const lease: Lease = { key, holder, until };
    const existing = await this.table.getEntity(PARTITION, row);
    try {
      if (existing === undefined) {
        await this.table.createEntity(PARTITION, row, { holder, until });
        return { acquired: true, lease };
      }
      const held = leaseOf(key, existing.properties);
      if (held.holder !== holder && Date.parse(held.until) > Date.parse(now)) return { acquired: false, heldBy: held };
      await this.table.replaceEntity(PARTITION, row, { holder, until }, existing.etag);
      return { acquired: true, lease };
    } catch (e) {
      // Another instance took or changed it between the read and the write: it holds the lease now.
      if (isWriteRace(e)) {
        const now2 = await this.table.getEntity(PARTITION, row);
        return { acquired: false, heldBy: now2 ? leaseOf(key, now2.properties) : lease };
      }
      throw e;
    }
  }

  async release(key: string, holder: string): Promise<void> {
    await this.table.ensureTable();
    const row = tableKeyOf(key);
    const existing = await this.table.getEntity(PARTITION, row);
    if (existing === undefined || leaseOf(key, existing.properties).holder !== holder) return;
    try {
      // Released by ending it now; the row stays for the next taker's replace.
      await this.table.replaceEntity(PARTITION, row, { holder, until: new Date(0).toISOString() }, existing.etag);
    } catch (e) {
      if (isAppError(e) && (e.code === 'PRECONDITION_FAILED' || e.code === 'NOT_FOUND')) return;
      throw e;
    }
  }
}
