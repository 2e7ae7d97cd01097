/**
 * Paces the app's ARM writes (PUT, POST, PATCH, DELETE) per subscription to half of Azure Resource Manager's
 * per-subscription write budget (a token bucket of 200 refilled at 10 per second): the other half stays for
 * everything else in the subscription, and a 500-VM night never meets a 429. Reads are not paced (their budget is
 * larger, and the app reads one job list per vault per tick).
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export interface WriteBudget {
  /** Writes that may go out at once. */
  burst: number;
  /** Writes per second the bucket refills. */
  perSecond: number;
}

/** Half of ARM's budget per subscription (learn.microsoft.com, "Understand how Azure Resource Manager throttles requests"). */
export const HALF_OF_ARM_WRITE_BUDGET: WriteBudget = { burst: 100, perSecond: 5 };

const WRITES = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);

/** A token bucket; `take` resolves when a token is free (first come, first served). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly budget: WriteBudget,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = budget.burst;
    this.last = now();
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeNow());
    this.queue = turn;
    return turn;
  }

  private async takeNow(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.budget.burst, this.tokens + ((t - this.last) / 1000) * this.budget.perSecond);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.budget.perSecond) * 1000));
    }
  }
}

/** A pipeline policy that waits for the bucket before each write; one bucket per subscription's clients. */
export const armWritePacer = (bucket: TokenBucket): PipelinePolicy => ({
  name: 'ibgArmWritePacer',
  async sendRequest(request, next) {
    if (WRITES.has(request.method.toUpperCase())) await bucket.take();
    return next(request);
  },
});
