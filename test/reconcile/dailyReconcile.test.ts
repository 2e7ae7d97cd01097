/**
 * The dailyReconcile function: registered with `%IBG_RECONCILE_SCHEDULE%` only when a workspace is set, and a
 * handler that does nothing but say so when there is none.
 */
import { InvocationContext, type Timer } from '@azure/functions';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';

/** Loads the function module in a fresh registry with `env`, recording the timers it registers. */
function register(env: Record<string, string>): { name: string; schedule: string }[] {
  const saved = process.env;
  const timers: { name: string; schedule: string }[] = [];
  process.env = { ...env };
  try {
    jest.isolateModules(() => {
      jest.doMock('@azure/functions', () => ({
        app: { timer: (name: string, o: { schedule: string }) => timers.push({ name, schedule: o.schedule }) },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry is the point
      require('../../src/functions/dailyReconcile');
    });
  } finally {
    process.env = saved;
    jest.dontMock('@azure/functions');
  }
  return timers;
}

describe('dailyReconcile', () => {
  it('is registered with the schedule setting when a workspace is set', () => {
    expect(register({ IBG_LOG_ANALYTICS_WORKSPACE_ID: '11111111-2222-3333-4444-555555555555' })).toEqual([
      { name: 'dailyReconcile', schedule: '%IBG_RECONCILE_SCHEDULE%' },
    ]);
  });

  it.each<Record<string, string>>([{}, { IBG_LOG_ANALYTICS_WORKSPACE_ID: '  ' }])(
    'is not registered without a workspace (%j)',
    (env) => {
      expect(register(env)).toEqual([]);
    },
  );

  it('without a workspace the handler only says there is nothing to reconcile with', async () => {
    const { dailyReconcile } = await import('../../src/functions/dailyReconcile');
    const { setProtectionDeps } = await import('../../src/functions/protectionContext');
    const lines: unknown[][] = [];
    const listSummaries = jest.fn();
    setProtectionDeps({ settings: { logAnalytics: undefined }, store: { listSummaries } } as unknown as ProtectionDeps);
    try {
      const context = new InvocationContext({
        functionName: 'dailyReconcile',
        logHandler: (_l, ...a) => lines.push(a),
      });
      const timer: Timer = {
        isPastDue: false,
        schedule: { adjustForDST: true },
        scheduleStatus: { last: '', next: '', lastUpdated: '' },
      };
      await dailyReconcile(timer, context);
    } finally {
      setProtectionDeps(undefined);
    }
    expect(lines.map((l) => l[0])).toEqual([
      'dailyReconcile: IBG_LOG_ANALYTICS_WORKSPACE_ID is not set; there is nothing to reconcile with',
    ]);
    expect(listSummaries).not.toHaveBeenCalled();
  });
});
