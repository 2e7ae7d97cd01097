/** How the phases read a backup job's and an operation's status. */
import type { JobStatus } from '../../azure/backupGateway';

export const COMPLETED: readonly JobStatus[] = ['Completed', 'CompletedWithWarnings'];
export const UNSUCCESSFUL: readonly JobStatus[] = ['Failed', 'Cancelled'];
export const OPERATION_FAILED = ['Failed', 'Canceled', 'Invalid'];
