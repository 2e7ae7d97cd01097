/**
 * AlertRepository over Azure Table Storage, in a table of its own next to the runs (`<runs table>alerts`). Records
 * live in partition `record`, with `ix_pending` ('true' while a delivery is pending) so that listPending is a
 * server-side filter; dedup states live in partition `state`. Ids and dedup keys hold characters Table keys
 * refuse (`#` in `<runId>#<n>`, `/` in ARM ids), so keys are percent-encoded. Writes are ETag-guarded
 * (TableRunStore).
 */
import { createHash } from 'node:crypto';
import type { AlertRecord, AlertState } from '../alerts/alertRecord';
import type { AlertRepository } from '../alerts/alertRepository';
import type { GatewayLogger } from '../azure/gatewayLogger';
import type { TableGateway } from '../azure/tableGateway';
import { isAppError } from '../errors/appError';
import type { StoredVersion } from './runStore';
import { TableRunStore } from './tableRunStore';

const RECORDS = 'record';
const STATES = 'state';
const MAX_KEY = 400;

/** The alerts table of a runs table: `<name>alerts`, within Table Storage's 63 characters. */
export const alertsTableName = (runsTableName: string): string => `${runsTableName}alerts`.slice(0, 63);

/**
 * A Table key for any string: percent-encoding leaves only unreserved characters and `%`, none of them refused;
 * a very long one is replaced by its hash (still one key per string).
 */
export const tableKey = (text: string): string => {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return encoded.length <= MAX_KEY ? encoded : `sha256-${createHash('sha256').update(text, 'utf8').digest('hex')}`;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const decodeRecord = (json: unknown): AlertRecord => {
  if (!isObject(json) || typeof json['id'] !== 'string' || !isObject(json['alert']) || !isObject(json['deliveries'])) {
    throw new TypeError('not an alert record');
  }
  return json as unknown as AlertRecord;
};

const decodeState = (json: unknown): AlertState => {
  if (!isObject(json) || typeof json['dedupKey'] !== 'string' || typeof json['open'] !== 'boolean') {
    throw new TypeError('not an alert state');
  }
  return json as unknown as AlertState;
};

export const isPending = (record: AlertRecord): boolean =>
  Object.values(record.deliveries).some((d) => d?.state === 'pending');

export class TableAlertStore implements AlertRepository {
  private readonly records: TableRunStore<AlertRecord, 'pending'>;
  private readonly states: TableRunStore<AlertState, never>;

  constructor(table: TableGateway, logger?: GatewayLogger) {
    const log = logger === undefined ? {} : { logger };
    this.records = new TableRunStore(table, {
      indexOf: (r) => ({ pending: isPending(r) ? 'true' : 'false' }),
      decode: decodeRecord,
      ...log,
    });
    this.states = new TableRunStore(table, { indexOf: () => ({}), decode: decodeState, ...log });
  }

  async insert(record: AlertRecord): Promise<boolean> {
    try {
      await this.records.create(RECORDS, tableKey(record.id), record);
      return true;
    } catch (e) {
      if (isAppError(e) && e.code === 'CONFLICT') return false;
      throw e;
    }
  }

  get(id: string): Promise<StoredVersion<AlertRecord> | undefined> {
    return this.records.get(RECORDS, tableKey(id));
  }

  update(record: AlertRecord, etag: string): Promise<string> {
    return this.records.update(RECORDS, tableKey(record.id), record, etag);
  }

  async listPending(): Promise<StoredVersion<AlertRecord>[]> {
    const out: StoredVersion<AlertRecord>[] = [];
    for await (const r of this.records.listWhere({ pending: 'true' }, RECORDS))
      out.push({ value: r.value, etag: r.etag });
    return out;
  }

  async listSince(since: string): Promise<AlertRecord[]> {
    const from = Date.parse(since);
    const out: AlertRecord[] = [];
    for await (const r of this.records.list(RECORDS)) {
      if (Date.parse(r.value.decidedAt) >= from) out.push(r.value);
    }
    return out.sort((a, b) => Date.parse(a.decidedAt) - Date.parse(b.decidedAt) || a.id.localeCompare(b.id));
  }

  getState(dedupKey: string): Promise<StoredVersion<AlertState> | undefined> {
    return this.states.get(STATES, tableKey(dedupKey));
  }

  async listOpenStates(): Promise<AlertState[]> {
    const out: AlertState[] = [];
    for await (const r of this.states.list(STATES)) if (r.value.open) out.push(r.value);
    return out;
  }

  async listOfRun(runId: string): Promise<AlertRecord[]> {
    // Ids are `<runId>#<n>`: their keys all start with the encoded `<runId>#`, a range of row keys.
    const prefix = tableKey(`${runId}#`);
    const out: AlertRecord[] = [];
    for await (const r of this.records.listRange(RECORDS, prefix, `${prefix}\uffff`)) out.push(r.value);
    return out.sort((a, b) => Date.parse(a.decidedAt) - Date.parse(b.decidedAt) || a.id.localeCompare(b.id));
  }

  putState(state: AlertState, etag?: string): Promise<string> {
    const key = tableKey(state.dedupKey);
    return etag === undefined ? this.states.create(STATES, key, state) : this.states.update(STATES, key, state, etag);
  }
}
