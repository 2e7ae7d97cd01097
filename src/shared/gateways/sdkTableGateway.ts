/**
 * A thin wrapper over @azure/data-tables for one table: entities in, entities out, SDK errors mapped to AppError
 * (409 → CONFLICT, 412 → PRECONDITION_FAILED, 404 → NOT_FOUND). The store logic (serialising records, chunking,
 * ETag rules) lives in src/shared/store; this file only chooses the endpoint and talks to the SDK.
 */
import { TableClient, type TableEntityResult } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { RunsTableSettings } from '../config/settings';
import { isAppError } from '../errors/appError';
import type { TableEntityRecord, TableGateway, TableProperties, TableQuery } from '../azure/tableGateway';
import { toAzureAppError } from './azureError';

const MODULE = 'tableGateway';

// Plain-HTTP endpoints are only accepted for the local emulator (Azurite), never for a real account.
const LOCAL_EMULATOR = /usedevelopmentstorage=true|defaultendpointsprotocol=http;|tableendpoint=http:/i;

/** `credential` is called only for an endpoint (a connection string carries its own key). */
export const createTableGateway = (settings: RunsTableSettings, credential: () => TokenCredential): TableGateway => {
  const client =
    settings.kind === 'endpoint'
      ? new TableClient(settings.endpoint, settings.tableName, credential())
      : TableClient.fromConnectionString(settings.connectionString, settings.tableName, {
          allowInsecureConnection: LOCAL_EMULATOR.test(settings.connectionString),
        });
  return new SdkTableGateway(client);
};

const SYSTEM_PROPERTIES = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp', 'odata.metadata', 'odata.etag']);

const toRecord = (entity: TableEntityResult<Record<string, unknown>>): TableEntityRecord => {
  const properties: TableProperties = {};
  for (const [key, value] of Object.entries(entity)) {
    if (SYSTEM_PROPERTIES.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') properties[key] = value;
  }
  return { partitionKey: entity.partitionKey ?? '', rowKey: entity.rowKey ?? '', properties, etag: entity.etag };
};

// An OData string literal: quotes are escaped by doubling them.
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

const buildFilter = (query: TableQuery): string | undefined => {
  const parts: string[] = [];
  if (query.partitionKey !== undefined) parts.push(`PartitionKey eq ${literal(query.partitionKey)}`);
  for (const [name, value] of Object.entries(query.equals ?? {})) {
    // Property names cannot be escaped in OData; only identifiers are allowed through.
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) throw new Error(`Invalid table property name: ${name}`);
    parts.push(`${name} eq ${literal(value)}`);
  }
  if (query.rowKeyRange !== undefined) {
    parts.push(`RowKey ge ${literal(query.rowKeyRange.from)}`, `RowKey lt ${literal(query.rowKeyRange.to)}`);
  }
  return parts.length === 0 ? undefined : parts.join(' and ');
};

const checkSelect = (names: readonly string[]): string[] => {
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) throw new Error(`Invalid table property name: ${name}`);
  }
  return ['PartitionKey', 'RowKey', ...names];
};

class SdkTableGateway implements TableGateway {
  private tableReady: Promise<void> | undefined;

  constructor(private readonly client: TableClient) {}

  ensureTable(): Promise<void> {
    this.tableReady ??= this.client.createTable().catch((e: unknown) => {
      this.tableReady = undefined;
      throw toAzureAppError(e, MODULE, `create table ${this.client.tableName}`);
    });
    return this.tableReady;
  }

  async getEntity(partitionKey: string, rowKey: string): Promise<TableEntityRecord | undefined> {
    try {
      return toRecord(await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey));
    } catch (e) {
      const error = toAzureAppError(e, MODULE, `get entity ${partitionKey}/${rowKey}`);
      if (isAppError(error) && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async createEntity(partitionKey: string, rowKey: string, properties: TableProperties): Promise<string> {
    try {
      const response = await this.client.createEntity({ ...properties, partitionKey, rowKey });
      return response.etag ?? '';
    } catch (e) {
      throw toAzureAppError(e, MODULE, `create entity ${partitionKey}/${rowKey}`);
    }
  }

  async replaceEntity(
    partitionKey: string,
    rowKey: string,
    properties: TableProperties,
    etag: string,
  ): Promise<string> {
    try {
      const response = await this.client.updateEntity({ ...properties, partitionKey, rowKey }, 'Replace', { etag });
      return response.etag ?? '';
    } catch (e) {
      throw toAzureAppError(e, MODULE, `replace entity ${partitionKey}/${rowKey}`);
    }
  }

  async *listEntities(query: TableQuery = {}): AsyncIterable<TableEntityRecord> {
    const filter = buildFilter(query);
    try {
      const select = query.select === undefined ? undefined : checkSelect(query.select);
      const entities = this.client.listEntities<Record<string, unknown>>({
        queryOptions: {
          ...(filter === undefined ? {} : { filter }),
          ...(select === undefined ? {} : { select }),
        },
      });
      for await (const entity of entities) yield toRecord(entity);
    } catch (e) {
      throw toAzureAppError(e, MODULE, `list entities of ${this.client.tableName}`);
    }
  }
}
