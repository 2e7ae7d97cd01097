import { afterFailure, afterSuccess, isDue, MAX_ATTEMPTS, retryDelayMs } from '../../src/shared/alerts/deliveryBackoff';
import type { Delivery } from '../../src/shared/alerts/alertRecord';

const T0 = new Date('2026-12-03T01:00:00.000Z');

describe('deliveryBackoff', () => {
  it('waits longer after each failure, starting at 30 s', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelayMs(i + 1));
    expect(delays[0]).toBe(30_000);
    for (let i = 1; i < delays.length; i += 1) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
  });

  it('keeps trying for about a day, then gives up as failed', () => {
    let d: Delivery = { state: 'pending', attempts: 0 };
    let now = T0;
    while (d.state === 'pending') {
      d = afterFailure(d, now, 'webhook: HTTP 500');
      if (d.nextAttemptAt !== undefined) now = new Date(d.nextAttemptAt);
    }
    expect(d).toEqual({ state: 'failed', attempts: MAX_ATTEMPTS, lastError: 'webhook: HTTP 500' });
    const spent = now.getTime() - T0.getTime();
    expect(spent).toBeGreaterThan(20 * 3_600_000);
    expect(spent).toBeLessThan(30 * 3_600_000);
  });

  it('is due when never tried or when its time has come, never when sent', () => {
    const pending: Delivery = { state: 'pending', attempts: 1, nextAttemptAt: '2026-12-03T01:00:30.000Z' };
    expect(isDue({ state: 'pending', attempts: 0 }, T0)).toBe(true);
    expect(isDue(pending, T0)).toBe(false);
    expect(isDue(pending, new Date('2026-12-03T01:00:30.000Z'))).toBe(true);
    expect(isDue(afterSuccess(pending, T0), new Date('2027-01-01'))).toBe(false);
  });
});
