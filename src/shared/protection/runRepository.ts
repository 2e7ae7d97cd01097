/**
 * The slice of the run store the use cases need. `create` throws AppError 'CONFLICT' when the run exists;
 * `update` throws AppError 'PRECONDITION_FAILED' when the ETag is stale (another instance wrote first).
 */
import type { Run } from '../runs/run';
import type { RunSummary } from '../evidence/runSummary';

export interface StoredRun {
  run: Run;
  etag: string;
}

export interface RunRepository {
  get(id: string): Promise<StoredRun | undefined>;
  create(run: Run): Promise<StoredRun>;
  update(run: Run, etag: string): Promise<StoredRun>;
  /** Runs not in a terminal stage, and finished runs with open tracks (an alert to record, a remediation). */
  listActive(): Promise<StoredRun[]>;
  /** Every run of one night, or of every night when `night` is absent (finished runs included). */
  list(night?: string): Promise<StoredRun[]>;
  /** The summaries of one night's runs (evidence/runSummary.ts): one partition of small values, not the runs. */
  listSummaries(night: string): Promise<RunSummary[]>;
}
