import { promisePool } from '../../src/shared/protection/promisePool';

describe('promisePool', () => {
  it('never runs more than the limit at once, and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const results = await promisePool([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      return n * 10;
    });
    expect(peak).toBe(2);
    expect(results).toEqual([50, 10, 40, 20, 30, 0].map((value) => ({ ok: true, value })));
  });

  it('reports a failure in its slot and carries on', async () => {
    const results = await promisePool([1, 2, 3], 3, async (n) => {
      if (n === 2) throw new Error('two');
      return n;
    });
    expect(results[0]).toEqual({ ok: true, value: 1 });
    expect(results[1]).toEqual({ ok: false, error: new Error('two') });
    expect(results[2]).toEqual({ ok: true, value: 3 });
  });

  it.each([[0], [-1], [Number.NaN]])('treats limit %p as 1', async (limit) => {
    let running = 0;
    let peak = 0;
    await promisePool([1, 2, 3], limit, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running -= 1;
    });
    expect(peak).toBe(1);
  });

  it('handles no items', async () => expect(await promisePool([], 4, async () => 1)).toEqual([]));
});
