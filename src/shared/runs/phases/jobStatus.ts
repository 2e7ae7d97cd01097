/** How the phases read a backup job's and an operation's status, and record a job's end. */
import type { BackupJob, JobStatus } from '../../azure/backupGateway';
import type { RunBackup } from '../run';

export const COMPLETED: readonly JobStatus[] = ['Completed', 'CompletedWithWarnings'];
export const UNSUCCESSFUL: readonly JobStatus[] = ['Failed', 'Cancelled'];
export const OPERATION_FAILED = ['Failed', 'Canceled', 'Invalid'];

/** The run's backup with the job's final status, errors and times recorded. */
export const withJobEnd = (backup: RunBackup, job: BackupJob): RunBackup => ({
  ...backup,
  jobStatus: job.status,
  errorDetails: job.errorDetails,
  ...(job.endTime === undefined ? {} : { jobEndTime: job.endTime }),
  ...(job.durationInMs === undefined ? {} : { durationInMs: job.durationInMs }),
});

/** A job's error details as one line each: "title: message". */
export const jobErrorLines = (job: BackupJob): string[] =>
  job.errorDetails.map((d) => [d.title, d.message].filter(Boolean).join(': ')).filter(Boolean);
