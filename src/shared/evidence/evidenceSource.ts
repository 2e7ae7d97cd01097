/**
 * What the evidence views read (the fleet page and API, the history API, run pages, the export), as a port: each
 * call is one partition (the fleet index, a night, a VM's history, a run's key, a run's alert key range) and never a scan of the
 * history. Implemented over the app's tables in protection/tableEvidenceSource.ts.
 */
import type { AlertRecord, AlertState } from '../alerts/alertRecord';
import type { Run } from '../runs/run';
import type { RunSummary } from './runSummary';
import type { VmIndexEntry } from './vmIndex';

export interface EvidenceSource {
  /** One entry per VM the app has run for (the fleet index). */
  vmIndex(): Promise<VmIndexEntry[]>;
  /** The summaries of one night's runs. */
  nightSummaries(night: string): Promise<RunSummary[]>;
  /** One VM's run summaries, newest first (the VM's history partition), at most `limit`. */
  vmHistory(vmKey: string, limit: number): Promise<RunSummary[]>;
  /** One run in full; undefined when there is none with that id. */
  run(runId: string): Promise<Run | undefined>;
  /** The alerts one run decided, oldest first. */
  runAlerts(runId: string): Promise<AlertRecord[]>;
  /** Problems not yet recovered (open dedup states), with their latest alert. */
  openAlerts(): Promise<AlertState[]>;
}
