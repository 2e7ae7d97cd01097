/**
 * Drill records in their own table: written once, never replaced (createEntity; a repeat is CONFLICT, which means
 * the same record is already there), so a later drill can never change an earlier one's evidence. Partitioned by VM,
 * one row per run, in night order.
 */
import type { TableGateway } from '../azure/tableGateway';
import { DRILL_RECORD_SCHEMA, type DrillRecord } from '../drills/drillRecord';
import { isAppError } from '../errors/appError';
import { joinChunks, splitIntoChunks, toChunkProperties } from './recordChunks';
import { tableKeyOf } from './tableKeys';

export interface DrillRecordStore {
  /** 'exists': a record for this run was already written (it is left as it is). */
  add(record: DrillRecord): Promise<'written' | 'exists'>;
  /** Every record, or one VM's; undecodable rows are skipped. */
  list(filter?: { vmId?: string }): AsyncIterable<DrillRecord>;
}

const decode = (properties: Record<string, unknown>): DrillRecord | undefined => {
  const json = joinChunks(properties);
  if (json === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || (value as { schema?: unknown }).schema !== DRILL_RECORD_SCHEMA)
      return undefined;
    return value as DrillRecord;
  } catch {
    return undefined;
  }
};

export class TableDrillRecordStore implements DrillRecordStore {
  constructor(private readonly table: TableGateway) {}

  async add(record: DrillRecord): Promise<'written' | 'exists'> {
    const chunks = splitIntoChunks(JSON.stringify(record));
    if (chunks === undefined) throw new RangeError(`Drill record of ${record.runId} is too large to store`);
    await this.table.ensureTable();
    try {
      await this.table.createEntity(tableKeyOf(record.vmId), tableKeyOf(record.runId), {
        ...toChunkProperties(chunks),
        verdict: record.verdict,
        night: record.night,
      });
      return 'written';
    } catch (e) {
      if (isAppError(e) && e.code === 'CONFLICT') return 'exists';
      throw e;
    }
  }

  async *list(filter: { vmId?: string } = {}): AsyncIterable<DrillRecord> {
    await this.table.ensureTable();
    const query = filter.vmId === undefined ? {} : { partitionKey: tableKeyOf(filter.vmId) };
    for await (const row of this.table.listEntities(query)) {
      const record = decode(row.properties);
      if (record !== undefined) yield record;
    }
  }
}
