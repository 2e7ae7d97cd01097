/**
 * Where alert records and their dedup states live (Table Storage: store/tableAlertStore.ts). Writes carry ETags:
 * two instances delivering at once cannot both mark one delivery.
 */
import type { StoredVersion } from '../store/runStore';
import type { AlertRecord, AlertState } from './alertRecord';

export interface AlertRepository {
  /** Inserts the record; false when one with its id exists already (it was recorded before a crash). */
  insert(record: AlertRecord): Promise<boolean>;
  get(id: string): Promise<StoredVersion<AlertRecord> | undefined>;
  /** Throws AppError PRECONDITION_FAILED when `etag` is stale. */
  update(record: AlertRecord, etag: string): Promise<string>;
  /** Records with a delivery still pending. */
  listPending(): Promise<StoredVersion<AlertRecord>[]>;
  /** Every record decided at or after `since` (ISO 8601), oldest first: for status, the demo and tests. */
  listSince(since: string): Promise<AlertRecord[]>;
  getState(dedupKey: string): Promise<StoredVersion<AlertState> | undefined>;
  /** Creates (no etag) or replaces (etag) the state; throws CONFLICT / PRECONDITION_FAILED when another wrote first. */
  putState(state: AlertState, etag?: string): Promise<string>;
  /** Every dedup state that is open (a problem not yet recovered): one partition, for the fleet view. */
  listOpenStates(): Promise<AlertState[]>;
  /** The records of one run (ids `<runId>#<n>`), oldest first: a key range, not a scan. */
  listOfRun(runId: string): Promise<AlertRecord[]>;
}
