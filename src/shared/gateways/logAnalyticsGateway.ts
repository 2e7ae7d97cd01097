/** LogQueryGateway over @azure/monitor-query-logs. A partial result is an error: a cross-check must not trust half a table. */
import { LogsQueryResultStatus, type LogsQueryClient, type LogsTable } from '@azure/monitor-query-logs';
import { AppError } from '../errors/appError';
import type { AbortOptions } from '../azure/backupGateway';
import { toAzureAppError } from './azureError';
import type { LogQueryGateway, LogTable } from '../azure/logQueryGateway';

const MODULE = 'logAnalyticsGateway';

export class LogAnalyticsGateway implements LogQueryGateway {
  constructor(private readonly client: () => LogsQueryClient) {}

  async queryWorkspace(
    workspaceId: string,
    kql: string,
    timespan: string,
    options: AbortOptions = {},
  ): Promise<LogTable[]> {
    let result;
    try {
      result = await this.client().queryWorkspace(
        workspaceId,
        kql,
        { duration: timespan },
        { abortSignal: options.abortSignal },
      );
    } catch (e) {
      throw toAzureAppError(e, MODULE, `query workspace ${workspaceId}`);
    }
    if (result.status !== LogsQueryResultStatus.Success) {
      const code = result.partialError.code ?? 'unknown';
      throw new AppError('AZURE_REQUEST_FAILED', {
        module: MODULE,
        message: `query workspace ${workspaceId} returned a partial result (${code}): ${result.partialError.message ?? ''}`,
        retryable: true,
      });
    }
    return result.tables.map(toLogTable);
  }
}

const toLogTable = (table: LogsTable): LogTable => ({
  name: table.name,
  columns: table.columnDescriptors.map((c) => ({ name: c.name ?? '', type: c.type ?? 'string' })),
  rows: table.rows,
});
