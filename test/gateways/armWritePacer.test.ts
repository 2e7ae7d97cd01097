import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { armWritePacer, TokenBucket } from '../../src/shared/gateways/armWritePacer';

/** A clock that only moves when the bucket sleeps, so the test measures the pacing exactly. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    at: () => now,
  };
}

describe('ARM write pacer', () => {
  it('lets a burst through at once, then one write per refill interval', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket({ burst: 3, perSecond: 5 }, t.now, t.sleep);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => bucket.take().then(() => times.push(t.at()))));
    expect(times).toEqual([0, 0, 0, 200, 400, 600]);
  });

  it('refills while idle, never above the burst', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket({ burst: 2, perSecond: 10 }, t.now, t.sleep);
    await bucket.take();
    await bucket.take();
    await t.sleep(10_000);
    const before = t.sleeps.length;
    await bucket.take();
    await bucket.take();
    expect(t.sleeps.length).toBe(before);
    await bucket.take();
    expect(t.sleeps.length).toBe(before + 1);
  });

  it('paces writes only: a GET never waits for the bucket', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket({ burst: 1, perSecond: 1 }, t.now, t.sleep);
    const policy = armWritePacer(bucket);
    const respond = async (): Promise<PipelineResponse> => ({
      request: createPipelineRequest({ url: 'https://x' }),
      status: 200,
      headers: createHttpHeaders(),
    });
    for (const method of ['GET', 'GET', 'GET'] as const) {
      await policy.sendRequest(createPipelineRequest({ url: 'https://x', method }), respond);
    }
    expect(t.sleeps).toEqual([]);
    for (const method of ['PUT', 'DELETE'] as const) {
      await policy.sendRequest(createPipelineRequest({ url: 'https://x', method }), respond);
    }
    expect(t.sleeps).toEqual([1000]);
  });
});
