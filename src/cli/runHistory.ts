/**
 * The runs table, read-only, for `status`: a person looking at the history must not change it. The app's store
 * creates the table on first use, which is right for the functions and wrong here; this view never creates
 * anything, and tells a missing table (nothing recorded yet) apart from an empty night.
 */
import { createDrillRecordStore, createRunRepository } from '../composition/composition';
import type { TableGateway } from '../shared/azure/tableGateway';
import type { Settings } from '../shared/config/settings';
import type { DrillRecord } from '../shared/drills/drillRecord';
import { isAppError } from '../shared/errors/appError';
import type { Run } from '../shared/runs/run';
import type { TokenCredential } from '../shared/gateways/azureCredential';

const refuse = (what: string): Promise<never> => Promise.reject(new Error(`status only reads; refused to ${what}`));

/** The table gateway without its writes: no table created, no entity written. */
export const readOnlyTable = (table: TableGateway): TableGateway => ({
  ensureTable: async () => undefined,
  getEntity: (partitionKey, rowKey) => table.getEntity(partitionKey, rowKey),
  createEntity: () => refuse('create an entity'),
  replaceEntity: () => refuse('replace an entity'),
  listEntities: (query) => table.listEntities(query),
});

export type RunHistory = { tableExists: false } | { tableExists: true; runs: Run[] };

/** The runs of the given nights (one partition each), or that the table does not exist yet. */
export async function readRunHistory(
  settings: Settings,
  credential: TokenCredential | undefined,
  nights: readonly string[],
  warn: (message: string) => void,
): Promise<RunHistory> {
  const store = createRunRepository(settings, { credential, warn: (message) => warn(message), table: readOnlyTable });
  const runs: Run[] = [];
  try {
    for (const night of nights) for (const stored of await store.list(night)) runs.push(stored.run);
  } catch (e) {
    // Table Storage answers 404 (TableNotFound) for a query on a table that does not exist.
    if (isAppError(e) && e.code === 'NOT_FOUND') return { tableExists: false };
    throw e;
  }
  return { tableExists: true, runs };
}

export type DrillHistory =
  /** Drills are off (IBG_DRILL_ENABLED), or the drill records table does not exist yet. */
  { recorded: false; why: 'drills-off' | 'no-table' } | { recorded: true; records: DrillRecord[] };

/**
 * Every drill record, read-only like the runs: the records table is never created here. Drills off: nothing is read.
 * The table holds one small row per drill, partitioned by VM; the whole of it is read (a fleet's drills over months).
 */
export async function readDrillHistory(
  settings: Settings,
  credential: TokenCredential | undefined,
): Promise<DrillHistory> {
  if (settings.drills === undefined) return { recorded: false, why: 'drills-off' };
  const store = createDrillRecordStore(settings, credential, readOnlyTable);
  const records: DrillRecord[] = [];
  try {
    for await (const r of store.list()) records.push(r);
  } catch (e) {
    if (isAppError(e) && e.code === 'NOT_FOUND') return { recorded: false, why: 'no-table' };
    throw e;
  }
  return { recorded: true, records };
}
