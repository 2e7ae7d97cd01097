/**
 * Storage of runs (or any JSON record with a string key), with optimistic concurrency: every write carries the
 * ETag of the version it replaces, so two Functions instances can never both advance the same run.
 * `I` names the string properties that are copied out of the record and can be filtered on (e.g. `stage`).
 */
export interface StoredVersion<T> {
  value: T;
  etag: string;
}

export interface StoredRecord<T> extends StoredVersion<T> {
  partition: string;
  key: string;
}

export interface RunStore<T, I extends string = string> {
  get(partition: string, key: string): Promise<StoredVersion<T> | undefined>;
  /** Returns the ETag; throws AppError CONFLICT when the record already exists. */
  create(partition: string, key: string, value: T): Promise<string>;
  /** Returns the new ETag; throws AppError PRECONDITION_FAILED when `etag` is stale, NOT_FOUND when it is gone. */
  update(partition: string, key: string, value: T, etag: string): Promise<string>;
  list(partition?: string): AsyncIterable<StoredRecord<T>>;
  /** Records whose indexed properties equal every given value (optionally in one partition). */
  listWhere(where: Partial<Record<I, string>>, partition?: string): AsyncIterable<StoredRecord<T>>;
  /** The small view kept with each record of one partition, without the records (TableRunStoreOptions.summaryOf). */
  listSummaries(partition: string): AsyncIterable<{ key: string; summary: unknown }>;
}
