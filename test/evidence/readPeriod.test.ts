import { AppError } from '../../src/shared/errors/appError';
import { parseEvidencePeriod, type EvidencePeriod } from '../../src/shared/evidence/evidencePeriod';
import { readPeriodSummaries } from '../../src/shared/evidence/readPeriod';
import type { RunSummary } from '../../src/shared/evidence/runSummary';
import { backedUp } from './summaryFixture';

const period = (from: string, to: string): EvidencePeriod => {
  const p = parseEvidencePeriod(from, to, to);
  if ('error' in p) throw new Error(p.error);
  return p;
};

/** A source whose reads finish in an order unlike the nights', counting reads in flight. */
function slowSource(fail?: string) {
  const reads: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    reads,
    maxInFlight: () => maxInFlight,
    async nightSummaries(night: string): Promise<RunSummary[]> {
      reads.push(night);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const day = Number(night.slice(8));
      await new Promise((resolve) => setTimeout(resolve, (day * 7) % 5));
      inFlight -= 1;
      if (night === fail)
        throw new AppError('THROTTLED', { module: 'table', message: 'slow down', retryable: true, statusCode: 429 });
      return [backedUp(night, 'iris-b'), backedUp(night, 'iris-a')];
    },
  };
}

describe('readPeriodSummaries', () => {
  it('reads each night once, at most `concurrency` at a time, and answers in night order', async () => {
    const p = period('2026-11-01', '2026-11-20');
    const source = slowSource();
    const summaries = await readPeriodSummaries(source, p, 4);
    expect([...source.reads].sort()).toEqual(p.nights);
    expect(source.maxInFlight()).toBeLessThanOrEqual(4);
    expect(source.maxInFlight()).toBeGreaterThan(1);
    expect(summaries.map((s) => s.night)).toEqual(p.nights.flatMap((n) => [n, n]));
  });

  it('a night that cannot be read fails the whole read, naming the night and keeping the code', async () => {
    const p = period('2026-11-01', '2026-11-05');
    const read = readPeriodSummaries(slowSource('2026-11-03'), p, 2);
    await expect(read).rejects.toMatchObject({
      code: 'THROTTLED',
      retryable: true,
      statusCode: 429,
      message: 'could not read the runs of night 2026-11-03: slow down',
    });
  });
});
