/**
 * A crash between deciding an alert and recording it, end to end (sandbox, Azurite, the real HTTP client to the
 * sandbox's webhook receiver): the instance that decided it dies before the alert store holds it; the next tick, by
 * another instance, records and delivers it, once, under the id it was given when it was decided.
 */
import { startNotificationReceivers, type NotificationReceivers } from '../../sandbox/notificationReceivers';
import { hardenedSetupFiles } from '../../sandbox/hardenedSetup';
import type { Scenario } from '../../sandbox/index';
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import { MINUTE, runOf, tonight } from './cycleHelpers';
import { SUB, protectionVm, startProtectionWorld, type ProtectionWorld } from './protectionWorld';

/** No plugin config: a silent file-system fallback, so the verdict raises BackupNotAppConsistent. */
const scenario = (): Scenario => ({
  name: 'outbox-crash',
  vaults: [{ subscriptionId: SUB, resourceGroup: 'rg-backup', name: 'vault-1', location: 'westeurope' }],
  vms: [protectionVm('iris-noconfig', { files: hardenedSetupFiles().filter((f) => !f.path.endsWith('.json')) })],
  backup: { durationMinutes: 2 },
});

/** An instance whose alert store dies at its first insert: nothing after that call of it counts. */
function dyingAtFirstInsert(deps: ProtectionDeps): ProtectionDeps {
  const n = deps.notifications;
  if (n === undefined) throw new Error('notifications not wired');
  return {
    ...deps,
    notifications: {
      ...n,
      store: {
        ...n.store,
        insert: async () => {
          throw new Error('injected crash before the alert was recorded');
        },
        listPending: n.store.listPending.bind(n.store),
        get: n.store.get.bind(n.store),
        update: n.store.update.bind(n.store),
        listSince: n.store.listSince.bind(n.store),
        getState: n.store.getState.bind(n.store),
        putState: n.store.putState.bind(n.store),
      },
    },
  };
}

describe('a crash between deciding an alert and recording it (sandbox)', () => {
  let receivers: NotificationReceivers;
  let w: ProtectionWorld;
  beforeAll(async () => {
    receivers = await startNotificationReceivers();
    w = await startProtectionWorld(scenario(), undefined, {
      IBG_ALERT_WEBHOOK_URL: receivers.urls.webhook,
      IBG_ALERT_MIN_SEVERITY: 'warning',
    });
  });
  afterAll(async () => {
    await w?.stop();
    await receivers?.stop();
  });

  it('neither loses nor doubles it', async () => {
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    // Ticks of an instance that dies whenever it records an alert, until the verdict's alert is decided.
    const dying = dyingAtFirstInsert(w.newInstance());
    for (let i = 0; i < 6 && ((await runOf(w, night, 'iris-noconfig'))?.alerts ?? []).length === 0; i += 1) {
      w.sandbox.clock.advance(2 * MINUTE);
      await w.sandbox.idle();
      await advanceRuns(dying);
    }
    const pending = (await runOf(w, night, 'iris-noconfig'))?.alerts ?? [];
    expect(pending.map((a) => a.code)).toContain('BackupNotAppConsistent');
    expect(receivers.accepted('webhook')).toEqual([]);
    const id = pending.find((a) => a.code === 'BackupNotAppConsistent')?.id;
    expect(id).toMatch(/#\d+$/);

    // Another instance's ticks: recorded and delivered once, under the same id; later ticks send nothing more.
    for (let i = 0; i < 3; i += 1) {
      w.sandbox.clock.advance(MINUTE);
      await w.sandbox.idle();
      await advanceRuns(w.newInstance());
    }
    const delivered = receivers
      .accepted('webhook')
      .map((r) => r.body as { id?: string; code?: string })
      .filter((b) => b.code === 'BackupNotAppConsistent');
    expect(delivered.map((b) => b.id)).toEqual([id]);
    expect((await runOf(w, night, 'iris-noconfig'))?.alerts ?? []).toEqual([]);
  });
});
