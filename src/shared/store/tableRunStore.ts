/**
 * RunStore over Azure Table Storage (through TableGateway). Each record is one entity: PartitionKey/RowKey are
 * the record's partition and key, its JSON is spread over `json0…jsonN` (see recordChunks.ts), and the values
 * returned by `indexOf` are copied into `ix_<name>` string properties so that listWhere can filter on the server.
 * Writes are ETag-guarded: create fails if the entity exists, update replaces only the version it read.
 */
import { AppError } from '../errors/appError';
import type { GatewayLogger } from '../azure/gatewayLogger';
import type { TableEntityRecord, TableGateway, TableProperties } from '../azure/tableGateway';
import { joinChunks, MAX_CHUNKS, CHUNK_CHARS, splitIntoChunks, toChunkProperties } from './recordChunks';
import type { RunStore, StoredRecord, StoredVersion } from './runStore';

const MODULE = 'tableRunStore';
const INDEX_PREFIX = 'ix_';
// Characters Azure Tables refuses in PartitionKey/RowKey: / \ # ? and control characters.
const isBadKeyChar = (char: string): boolean => {
  const code = char.charCodeAt(0);
  return '/\\#?'.includes(char) || code <= 0x1f || (code >= 0x7f && code <= 0x9f);
};
const MAX_KEY_CHARS = 512;
const SUMMARY = 'summary';
const MAX_SUMMARY_CHARS = 32_000;

export interface TableRunStoreOptions<T, I extends string> {
  /** The indexed string properties of a record, e.g. `{ stage: run.stage.kind }`. Names: letters, digits, `_`. */
  indexOf: (value: T) => Record<I, string>;
  /** Checks and converts the parsed JSON (e.g. a schemaVersion guard). Default: trust the stored JSON. */
  decode?: (json: unknown) => T;
  /**
   * A small view of the record, kept in the same entity as the property `summary` (JSON, written with every
   * write, so it is never out of step) and read alone by listSummaries.
   */
  summaryOf?: (value: T) => unknown;
  /** Told about entities that cannot be read back; list() skips them so one bad row cannot block the rest. */
  logger?: GatewayLogger;
}

export class TableRunStore<T, I extends string = string> implements RunStore<T, I> {
  private readonly decode: (json: unknown) => T;

  constructor(
    private readonly table: TableGateway,
    private readonly options: TableRunStoreOptions<T, I>,
  ) {
    this.decode = options.decode ?? ((json) => json as T);
  }

  async get(partition: string, key: string): Promise<StoredVersion<T> | undefined> {
    checkKeys(partition, key);
    await this.table.ensureTable();
    const entity = await this.table.getEntity(partition, key);
    if (entity === undefined) return undefined;
    const value = this.read(entity);
    if (value === undefined) {
      throw new AppError('INTERNAL', { module: MODULE, message: `record ${partition}/${key} cannot be read back` });
    }
    return { value, etag: entity.etag };
  }

  async create(partition: string, key: string, value: T): Promise<string> {
    checkKeys(partition, key);
    const properties = this.toProperties(partition, key, value);
    await this.table.ensureTable();
    return this.table.createEntity(partition, key, properties);
  }

  async update(partition: string, key: string, value: T, etag: string): Promise<string> {
    checkKeys(partition, key);
    const properties = this.toProperties(partition, key, value);
    await this.table.ensureTable();
    return this.table.replaceEntity(partition, key, properties, etag);
  }

  async *list(partition?: string): AsyncIterable<StoredRecord<T>> {
    yield* this.query({}, partition);
  }

  /** Records of one partition whose keys lie in [from, to). */
  async *listRange(partition: string, from: string, to: string): AsyncIterable<StoredRecord<T>> {
    await this.table.ensureTable();
    for await (const entity of this.table.listEntities({ partitionKey: partition, rowKeyRange: { from, to } })) {
      const value = this.read(entity);
      if (value !== undefined) yield { partition: entity.partitionKey, key: entity.rowKey, value, etag: entity.etag };
    }
  }

  async *listWhere(where: Partial<Record<I, string>>, partition?: string): AsyncIterable<StoredRecord<T>> {
    yield* this.query(where, partition);
  }

  /**
   * The summaries of one partition (`summaryOf`), without the records: a list of small values that does not grow
   * with the records' size. A record written before it had a summary (an older version of the app) is read whole
   * and summarised here, so it is never left out.
   */
  async *listSummaries(partition: string): AsyncIterable<{ key: string; summary: unknown }> {
    await this.table.ensureTable();
    const without: string[] = [];
    for await (const entity of this.table.listEntities({ partitionKey: partition, select: [SUMMARY] })) {
      const text = entity.properties[SUMMARY];
      let summary: unknown;
      try {
        summary = typeof text === 'string' ? JSON.parse(text) : undefined;
      } catch {
        summary = undefined;
      }
      if (summary === undefined) without.push(entity.rowKey);
      else yield { key: entity.rowKey, summary };
    }
    const summarise = this.options.summaryOf;
    if (summarise === undefined) return;
    for (const key of without) {
      const entity = await this.table.getEntity(partition, key);
      const value = entity === undefined ? undefined : this.read(entity);
      if (value === undefined) {
        this.options.logger?.warn(`Skipped unreadable record ${partition}/${key}`, { module: MODULE });
        continue;
      }
      yield { key, summary: summarise(value) };
    }
  }

  private async *query(where: Partial<Record<I, string>>, partition?: string): AsyncIterable<StoredRecord<T>> {
    const equals: Record<string, string> = {};
    for (const [name, value] of Object.entries(where) as [string, string | undefined][]) {
      if (value !== undefined) equals[indexProperty(name)] = value;
    }
    await this.table.ensureTable();
    const entities = this.table.listEntities({
      equals,
      ...(partition === undefined ? {} : { partitionKey: partition }),
    });
    for await (const entity of entities) {
      const value = this.read(entity);
      if (value === undefined) {
        this.options.logger?.warn(`Skipped unreadable record ${entity.partitionKey}/${entity.rowKey}`, {
          module: MODULE,
        });
        continue;
      }
      yield { partition: entity.partitionKey, key: entity.rowKey, value, etag: entity.etag };
    }
  }

  private toProperties(partition: string, key: string, value: T): TableProperties {
    const json = JSON.stringify(value);
    const chunks = json === undefined ? undefined : splitIntoChunks(json);
    if (chunks === undefined) {
      throw new AppError('INVALID_INPUT', {
        module: MODULE,
        message:
          json === undefined
            ? `record ${partition}/${key} is not JSON-serialisable`
            : `record ${partition}/${key} is ${json.length} characters of JSON; the limit is ${MAX_CHUNKS * CHUNK_CHARS}`,
      });
    }
    const properties: TableProperties = toChunkProperties(chunks);
    for (const [name, indexed] of Object.entries(this.options.indexOf(value)) as [string, string][]) {
      properties[indexProperty(name)] = indexed;
    }
    if (this.options.summaryOf !== undefined) {
      const summary = JSON.stringify(this.options.summaryOf(value));
      // A string property holds at most 32K characters (64 KiB); a summary is meant to be a few hundred.
      if (summary !== undefined && summary.length <= MAX_SUMMARY_CHARS) properties[SUMMARY] = summary;
    }
    return properties;
  }

  private read(entity: TableEntityRecord): T | undefined {
    const json = joinChunks(entity.properties);
    if (json === undefined) return undefined;
    try {
      return this.decode(JSON.parse(json));
    } catch {
      return undefined;
    }
  }
}

const indexProperty = (name: string): string => {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) {
    throw new AppError('INVALID_INPUT', { module: MODULE, message: `invalid index name: ${JSON.stringify(name)}` });
  }
  return `${INDEX_PREFIX}${name}`;
};

const checkKeys = (partition: string, key: string): void => {
  for (const [what, value] of [
    ['partition', partition],
    ['key', key],
  ] as const) {
    if (value === '' || value.length > MAX_KEY_CHARS || [...value].some(isBadKeyChar)) {
      throw new AppError('INVALID_INPUT', {
        module: MODULE,
        message: `invalid ${what} ${JSON.stringify(value.slice(0, 80))}: 1-${MAX_KEY_CHARS} characters, none of / \\ # ? or control characters`,
      });
    }
  }
};
