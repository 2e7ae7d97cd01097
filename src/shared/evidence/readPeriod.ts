/**
 * The summaries of a period's runs: one night partition per read, at most `concurrency` reads in flight, nights
 * ascending in the answer. A night that fails to read fails the export: a pack with a silently missing night would
 * misstate the evidence.
 */
import { AppError, isAppError, toError } from '../errors/appError';
import { promisePool } from '../protection/promisePool';
import type { EvidencePeriod } from './evidencePeriod';
import type { EvidenceSource } from './evidenceSource';
import type { RunSummary } from './runSummary';

export const DEFAULT_READ_CONCURRENCY = 8;

export async function readPeriodSummaries(
  source: Pick<EvidenceSource, 'nightSummaries'>,
  period: EvidencePeriod,
  concurrency = DEFAULT_READ_CONCURRENCY,
): Promise<RunSummary[]> {
  const results = await promisePool(period.nights, concurrency, (night) => source.nightSummaries(night));
  const summaries: RunSummary[] = [];
  results.forEach((r, i) => {
    if (!r.ok) {
      const cause = toError(r.error);
      // The code, status and retry hint stay the cause's, so callers classify the failure as they would the read's.
      throw new AppError(isAppError(cause) ? cause.code : 'INTERNAL', {
        module: 'evidence',
        message: `could not read the runs of night ${period.nights[i] ?? '?'}: ${cause.message}`,
        cause,
        retryable: isAppError(cause) ? cause.retryable : false,
        statusCode: isAppError(cause) ? cause.statusCode : undefined,
      });
    }
    for (const s of r.value) summaries.push(s);
  });
  return summaries;
}
