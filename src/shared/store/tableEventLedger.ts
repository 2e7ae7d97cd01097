/**
 * The event ledger over a table of its own (`<runs table>events`): one partition per kind, insert-only
 * (createEntity; a repeat is CONFLICT, which means the entry is already there).
 */
import type { TableGateway } from '../azure/tableGateway';
import { isAppError } from '../errors/appError';
import { digestedTableKey } from './tableKeys';
import {
  capRawText,
  type EventLedger,
  type LedgerEntry,
  type LedgerKind,
  RAW_TEXT_CAP,
} from '../protection/eventLedger';

export class TableEventLedger implements EventLedger {
  constructor(private readonly table: TableGateway) {}

  async record(entry: LedgerEntry): Promise<'recorded' | 'duplicate'> {
    await this.table.ensureTable();
    try {
      await this.table.createEntity(entry.kind, digestedTableKey(entry.key), {
        key: capRawText(entry.key, 1024),
        at: entry.at,
        outcome: capRawText(entry.outcome, 1024),
        ...(entry.raw === undefined ? {} : { raw: capRawText(entry.raw, RAW_TEXT_CAP) }),
      });
      return 'recorded';
    } catch (e) {
      if (isAppError(e) && e.code === 'CONFLICT') return 'duplicate';
      throw e;
    }
  }

  async get(kind: LedgerKind, key: string): Promise<LedgerEntry | undefined> {
    await this.table.ensureTable();
    const row = await this.table.getEntity(kind, digestedTableKey(key));
    if (row === undefined) return undefined;
    const p = row.properties;
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    return {
      kind,
      key: text(p.key) || key,
      at: text(p.at),
      outcome: text(p.outcome),
      ...(typeof p.raw === 'string' ? { raw: p.raw } : {}),
    };
  }
}
