/** The evidence source over the app's stores: every read is one partition or one key range. */
import type { AlertRepository } from '../alerts/alertRepository';
import type { EvidenceSource } from '../evidence/evidenceSource';
import { isAppError } from '../errors/appError';
import type { EvidenceIndex } from '../store/tableEvidenceIndex';
import type { RunRepository } from './runRepository';

/** A table that does not exist yet holds nothing: an empty answer, not an error. */
const orEmpty = async <T>(read: () => Promise<T[]>): Promise<T[]> => {
  try {
    return await read();
  } catch (e) {
    if (isAppError(e) && e.code === 'NOT_FOUND') return [];
    throw e;
  }
};

export function tableEvidenceSource(
  runs: RunRepository,
  index: EvidenceIndex,
  alerts: AlertRepository,
): EvidenceSource {
  return {
    vmIndex: () => index.vmIndex(),
    nightSummaries: (night) => orEmpty(() => runs.listSummaries(night)),
    vmHistory: (vmKey, limit) => index.vmHistory(vmKey, limit),
    async run(runId) {
      if (!/^\d{4}-\d{2}-\d{2}\/[^/]+$/.test(runId)) return undefined;
      try {
        return (await runs.get(runId))?.run;
      } catch (e) {
        if (isAppError(e) && (e.code === 'NOT_FOUND' || e.code === 'INVALID_INPUT')) return undefined;
        throw e;
      }
    },
    runAlerts: (runId) => orEmpty(() => alerts.listOfRun(runId)),
    openAlerts: () => orEmpty(() => alerts.listOpenStates()),
  };
}
