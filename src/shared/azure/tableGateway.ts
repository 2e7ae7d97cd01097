/**
 * The one table the run store needs, as a port: entities in, entities out, failures as AppError (409 → CONFLICT,
 * 412 → PRECONDITION_FAILED, 404 → NOT_FOUND). The store logic lives in src/shared/store; the adapter over
 * @azure/data-tables is src/shared/gateways/sdkTableGateway.ts.
 */
export type TablePropertyValue = string | number | boolean;
export type TableProperties = Record<string, TablePropertyValue>;

export interface TableEntityRecord {
  partitionKey: string;
  rowKey: string;
  properties: TableProperties;
  etag: string;
}

export interface TableQuery {
  partitionKey?: string;
  /** Properties that must equal the given strings (joined with `and`). */
  equals?: Record<string, string>;
  /** RowKey >= from and RowKey < to (a prefix as a range: from = prefix, to = prefix with its last character + 1). */
  rowKeyRange?: { from: string; to: string };
  /**
   * Only these properties come back (OData $select), so a list of small columns never transfers the big ones.
   * PartitionKey, RowKey and the ETag always come back.
   */
  select?: string[];
}

export interface TableGateway {
  /** Creates the table if it is missing; runs once per gateway (again only after a failure). */
  ensureTable(): Promise<void>;
  getEntity(partitionKey: string, rowKey: string): Promise<TableEntityRecord | undefined>;
  /** Returns the new ETag; throws AppError CONFLICT when the entity exists. */
  createEntity(partitionKey: string, rowKey: string, properties: TableProperties): Promise<string>;
  /** Replaces the whole entity if its ETag still matches; throws PRECONDITION_FAILED otherwise. */
  replaceEntity(partitionKey: string, rowKey: string, properties: TableProperties, etag: string): Promise<string>;
  listEntities(query?: TableQuery): AsyncIterable<TableEntityRecord>;
}
