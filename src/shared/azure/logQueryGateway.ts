/** Log Analytics queries (cross-checks and reporting). Implemented over @azure/monitor-query-logs. */
import type { AbortOptions } from './backupGateway';

export interface LogTable {
  name: string;
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export interface LogQueryGateway {
  /** `timespan` is an ISO 8601 duration such as "P1D". */
  queryWorkspace(workspaceId: string, kql: string, timespan: string, options?: AbortOptions): Promise<LogTable[]>;
}
