/** The function handlers, called directly with a real InvocationContext (the library's test mode), over the sandbox. */
import { InvocationContext, type Timer } from '@azure/functions';
import { advanceRuns } from '../../src/functions/advanceRuns';
import { azureEvents } from '../../src/functions/azureEvents';
import { nightlyProtection } from '../../src/functions/nightlyProtection';
import { setProtectionDeps } from '../../src/functions/protectionContext';
import { ConfigError } from '../../src/shared/errors/appError';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

function context(functionName: string): { ctx: InvocationContext; lines: string[] } {
  const lines: string[] = [];
  const ctx = new InvocationContext({
    functionName,
    logHandler: (level, ...args) => lines.push(`${level}: ${String(args[0])}`),
  });
  return { ctx, lines };
}

describe('function handlers (sandbox)', () => {
  let w: ProtectionWorld;
  beforeAll(async () => {
    w = await startProtectionWorld();
    setProtectionDeps(w.deps);
  });
  afterAll(async () => {
    setProtectionDeps(undefined);
    await w?.stop();
  });

  it('nightlyProtection then advanceRuns: logs the outcome of each', async () => {
    const night = w.sandbox.clock.now().toISOString().slice(0, 10);
    const nightly = context('nightlyProtection');
    await nightlyProtection(timer, nightly.ctx);
    expect(nightly.lines).toEqual([
      'warning: Enrolled VMs that no configured vault protects cannot be backed up',
      `information: nightlyProtection ${night}: 3 enrolled VMs, 3 started, 0 already had a run, 0 superseded, 0 errors`,
    ]);

    const again = context('nightlyProtection');
    await nightlyProtection({ ...timer, isPastDue: true }, again.ctx);
    expect(again.lines).toEqual([
      'warning: nightlyProtection is running late (past due)',
      'warning: Enrolled VMs that no configured vault protects cannot be backed up',
      `information: nightlyProtection ${night}: 3 enrolled VMs, 0 started, 3 already had a run, 0 superseded, 0 errors`,
    ]);

    w.sandbox.clock.advance(30 * 60_000);
    await w.sandbox.idle();
    const advance = context('advanceRuns');
    await advanceRuns(timer, advance.ctx);
    expect(advance.lines).toContain(
      'information: advanceRuns: 3 active runs, 3 advanced, 0 unchanged, 0 superseded, 0 errors',
    );
    // The first tick read the preflights and triggered the backups; the next starts the logs' probes at the
    // snapshots, and the one after reads them for the verdicts.
    for (let tick = 0; tick < 2; tick += 1) {
      w.sandbox.clock.advance(30 * 60_000);
      await w.sandbox.idle();
      await advanceRuns(timer, context('advanceRuns').ctx);
    }
    // The file-system-consistent backup of the VM without config is alerted.
    expect(w.alerts.map((x) => [x.code, x.vmId])).toContainEqual(['BackupNotAppConsistent', w.vmId('iris-noconfig')]);
  });

  it('azureEvents: a tagged VM that no configured vault protects is reported, not checked', async () => {
    const { ctx, lines } = context('azureEvents');
    await azureEvents(
      {
        id: 'e1',
        eventType: 'Microsoft.Resources.ResourceWriteSuccess',
        eventTime: w.sandbox.clock.now().toISOString(),
        subject: w.vmId('iris-unprotected'),
        data: { resourceUri: w.vmId('iris-unprotected'), operationName: 'Microsoft.Compute/virtualMachines/write' },
      },
      ctx,
    );
    expect(lines).toEqual([
      'warning: A VM carries the enrollment tag but no configured vault protects it: it cannot be backed up',
      'information: Azure event handled: vm-not-protected',
      'information: azureEvents e1: vm-not-protected',
    ]);
  });

  it('azureEvents: anything else is explicitly ignored', async () => {
    const { ctx, lines } = context('azureEvents');
    await azureEvents(
      {
        id: 'e2',
        eventType: 'Microsoft.Storage.BlobCreated',
        eventTime: w.sandbox.clock.now().toISOString(),
        data: {},
      },
      ctx,
    );
    expect(lines).toEqual([
      'information: Azure event ignored: event type Microsoft.Storage.BlobCreated is not handled',
      'information: azureEvents e2: ignored',
    ]);
  });

  it('azureEvents: a malformed event is logged and the handler does not throw', async () => {
    const { ctx, lines } = context('azureEvents');
    await expect(azureEvents([{ id: 'batch' }], ctx)).resolves.toBeUndefined();
    expect(lines).toEqual([
      'warning: Malformed Azure event: not acted on',
      'information: azureEvents (no id): malformed',
    ]);
  });
});

describe('start-up', () => {
  it('a bad configuration stops start-up with a ConfigError naming the setting', () => {
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(process.env)) if (k.startsWith('IBG_')) delete process.env[k];
      let thrown: unknown;
      jest.isolateModules(() => {
        try {
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry is the point
          require('../../src/functions/index');
        } catch (e) {
          thrown = e;
        }
      });
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as ConfigError).code).toBe('CONFIG_INVALID');
      expect((thrown as Error).message).toMatch(/IBG_VAULT_IDS/);
    } finally {
      process.env = saved;
    }
  });
});
