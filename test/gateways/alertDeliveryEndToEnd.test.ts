/**
 * The alert outbox end to end: recordAlert and deliverPending over Azurite, through the real HTTP and Event Grid
 * clients, to the sandbox's local HTTPS receivers. Targets fail and recover, instances crash and race; every alert
 * reaches every routed target exactly once, and no secret reaches a log or a stored error.
 */
import { startAzurite } from '../../sandbox/azurite';
import {
  startNotificationReceivers,
  type NotificationReceivers,
  type ReceiverName,
} from '../../sandbox/notificationReceivers';
import type { Alert } from '../../src/shared/alerts/alert';
import type { TargetName } from '../../src/shared/alerts/alertRecord';
import type { AlertRepository } from '../../src/shared/alerts/alertRepository';
import { RAISED_TYPE, RESOLVED_TYPE } from '../../src/shared/alerts/alertCloudEvent';
import { dedupKey } from '../../src/shared/alerts/alertDedup';
import { verifyWebhookSignature } from '../../src/shared/alerts/webhookSignature';
import { loadSettings, type Settings } from '../../src/shared/config/settings';
import { createNotificationTargets } from '../../src/shared/gateways/notifiers/createNotificationTargets';
import { createTableGateway } from '../../src/shared/gateways/sdkTableGateway';
import { deliverPending, recordAlert } from '../../src/shared/protection/alertDelivery';
import type { ProtectionDeps, ProtectionLog } from '../../src/shared/protection/protectionDeps';
import { TableAlertStore } from '../../src/shared/store/tableAlertStore';
import { frozenAlert, recordOf, RUN_ID } from '../alerts/alertFixtures';
import { MAX_ATTEMPTS } from '../../src/shared/alerts/deliveryBackoff';

const SIGNING_SECRET = 'test-signing-secret-not-real';
const T0 = Date.parse('2026-12-03T01:04:13.000Z');
const ALL: TargetName[] = ['webhook', 'teams', 'slack', 'eventgrid'];

const noCredential = (): never => {
  throw new Error('the topic key is set; no token credential is needed');
};

type Deps = Pick<ProtectionDeps, 'settings' | 'clock' | 'log' | 'notifications'>;

describe('alert delivery end to end (Azurite, sandbox receivers)', () => {
  let azurite: Awaited<ReturnType<typeof startAzurite>>;
  let receivers: NotificationReceivers;
  let settings: Settings;
  let tableName: string;
  let tableCount = 0;
  let now: number;
  let logs: string[];

  const env = (): Record<string, string> => ({
    IBG_VAULT_IDS:
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/backup-rg/providers/Microsoft.RecoveryServices/vaults/iris-vault',
    IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
    IBG_RUNS_TABLE_CONNECTION_STRING: azurite.connectionString,
    IBG_MAX_CONCURRENCY: '4',
    IBG_ALERT_MIN_SEVERITY: 'error',
    IBG_ALERT_RENOTIFY_MINUTES: '60',
    IBG_ALERT_WEBHOOK_URL: receivers.urls.webhook,
    IBG_ALERT_WEBHOOK_SECRET: SIGNING_SECRET,
    IBG_ALERT_TEAMS_WEBHOOK_URL: receivers.urls.teams,
    IBG_ALERT_SLACK_WEBHOOK_URL: receivers.urls.slack,
    IBG_ALERT_SLACK_MIN_SEVERITY: 'critical',
    IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT: receivers.urls.eventgrid,
    IBG_ALERT_EVENTGRID_TOPIC_KEY: receivers.eventGridKey,
  });

  /** A fresh "instance": its own store client and targets over the same table, as after a restart. */
  const instance = (overrides: Partial<Settings> = {}): Deps => {
    const s = { ...settings, ...overrides };
    const log: ProtectionLog = {
      info: (m, d) => void logs.push(`${m} ${JSON.stringify(d ?? {})}`),
      warn: (m, d) => void logs.push(`${m} ${JSON.stringify(d ?? {})}`),
      error: (m, d) => void logs.push(`${m} ${JSON.stringify(d ?? {})}`),
    };
    const table = createTableGateway(
      { kind: 'connectionString', connectionString: azurite.connectionString, tableName },
      noCredential,
    );
    return {
      settings: s,
      clock: { now: () => new Date(now) },
      log,
      notifications: {
        store: new TableAlertStore(table),
        targets: createNotificationTargets(s.alerts, noCredential, { timeoutInMs: 1500 }),
      },
    };
  };

  /** Deliveries of alert `id` a target accepted: by the id header of the HTTP targets, by the event id on Event Grid. */
  const acceptedFor = (target: ReceiverName, id: string): number =>
    receivers
      .accepted(target)
      .filter((r) =>
        target === 'eventgrid'
          ? (r.body as { id?: string }[]).some((e) => e.id === id)
          : r.headers['x-ibg-alert-id'] === encodeURIComponent(id),
      ).length;

  beforeAll(async () => {
    azurite = await startAzurite();
    receivers = await startNotificationReceivers();
    settings = loadSettings(env());
  });

  afterAll(async () => {
    await receivers?.stop();
    await azurite?.stop();
  });

  beforeEach(() => {
    tableCount += 1;
    tableName = `ibgalerts${Date.now()}${tableCount}`;
    now = T0;
    logs = [];
    receivers.clear();
    for (const t of ALL) receivers.recover(t);
  });

  it('records a critical alert and delivers it to all four targets, each in its own format', async () => {
    const deps = instance();
    const id = `${RUN_ID}#1`;
    await expect(recordAlert(deps, id, frozenAlert())).resolves.toBe('recorded');
    const report = await deliverPending(deps);
    expect(report).toMatchObject({ records: 1, sent: 4, retrying: 0, failed: 0, skipped: 0 });

    const [hook] = receivers.accepted('webhook');
    expect(hook?.body).toMatchObject({
      schema: 'iris-backup-guard/alert@1',
      id,
      classification: 'Post-ScriptExecutionFailed',
    });
    expect(
      verifyWebhookSignature({
        body: hook?.rawBody ?? '',
        header: hook?.headers['x-ibg-signature'],
        secret: SIGNING_SECRET,
      }),
    ).toEqual({ valid: true });

    const [teams] = receivers.accepted('teams');
    expect(teams?.body).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    });

    const [slack] = receivers.accepted('slack');
    expect((slack?.body as { blocks: unknown[] }).blocks.length).toBeGreaterThan(2);

    const [grid] = receivers.accepted('eventgrid');
    expect(grid?.headers['content-type']).toBe('application/cloudevents-batch+json; charset=utf-8');
    expect(grid?.query['api-version']).toBeDefined();
    expect(grid?.body).toEqual([
      expect.objectContaining({
        specversion: '1.0',
        id,
        type: RAISED_TYPE,
        source: '/iris-backup-guard',
        data: expect.objectContaining({ id }),
      }),
    ]);

    const stored = await deps.notifications?.store.get(id);
    expect(Object.values(stored?.value.deliveries ?? {}).map((d) => d?.state)).toEqual([
      'sent',
      'sent',
      'sent',
      'sent',
    ]);
    await expect(deps.notifications?.store.listPending()).resolves.toEqual([]);
    expect(logs.filter((l) => l.startsWith('ALERT critical IrisStillFrozen: '))).toHaveLength(1);
  });

  it('routes by severity: an error alert skips Slack (critical only)', async () => {
    const deps = instance();
    await recordAlert(deps, `${RUN_ID}#2`, frozenAlert({ severity: 'error' }));
    const report = await deliverPending(deps);
    expect(Object.keys(report.byTarget).sort()).toEqual(['eventgrid', 'teams', 'webhook']);
    expect(receivers.accepted('slack')).toEqual([]);
  });

  it.each<[ReceiverName, Parameters<NotificationReceivers['fail']>[1]]>([
    ['webhook', { kind: 'status', status: 500 }],
    ['teams', { kind: 'status', status: 429 }],
    ['slack', { kind: 'hang' }],
    ['eventgrid', { kind: 'status', status: 503 }],
  ])('%s down (%j) then back: retried after the backoff and delivered once', async (target, fault) => {
    const deps = instance();
    const id = `${RUN_ID}#3`;
    receivers.fail(target, fault);
    await recordAlert(deps, id, frozenAlert());
    const first = await deliverPending(deps);
    expect(first.byTarget[target]).toEqual({ sent: 0, retrying: 1, failed: 0 });
    expect(first.sent).toBe(3);
    const error = first.results.find((r) => r.target === target)?.error;
    expect(error).toBe(fault.kind === 'hang' ? `${target}: no answer in time` : `${target}: HTTP ${fault.status}`);

    // Not due yet: nothing is sent again, and no other target is repeated.
    receivers.recover(target);
    expect((await deliverPending(deps)).results).toEqual([]);
    now += 31_000;
    const second = await deliverPending(deps);
    expect(second.results).toEqual([{ alertId: id, target, outcome: 'sent' }]);
    for (const t of ALL) expect(acceptedFor(t, id)).toBe(1);
    const stored = await deps.notifications?.store.get(id);
    expect(stored?.value.deliveries[target]).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a crash between recordAlert and deliverPending: a new instance delivers exactly once per target', async () => {
    const id = `${RUN_ID}#4`;
    await recordAlert(instance(), id, frozenAlert());
    // The first instance is gone; two new ones run deliverPending at the same time.
    const [a, b] = await Promise.all([deliverPending(instance()), deliverPending(instance())]);
    expect(a.sent + b.sent).toBe(4);
    await deliverPending(instance());
    for (const t of ALL) expect(acceptedFor(t, id)).toBe(1);
  });

  it('a crash between writing the dedup state and inserting the record: the retry still records and sends it', async () => {
    const crashing = instance();
    const store = crashing.notifications?.store;
    if (store === undefined) throw new Error('no store');
    // The process dies after the state write, before the record is inserted.
    const dying: AlertRepository = {
      insert: () => Promise.reject(new Error('process killed')),
      get: (id) => store.get(id),
      update: (r, e) => store.update(r, e),
      listPending: () => store.listPending(),
      listSince: (since) => store.listSince(since),
      getState: (k) => store.getState(k),
      putState: (st, e) => store.putState(st, e),
      listOpenStates: () => store.listOpenStates(),
      listOfRun: (runId) => store.listOfRun(runId),
    };
    const deps: Deps = { ...crashing, notifications: { store: dying, targets: crashing.notifications?.targets ?? [] } };
    const id = `${RUN_ID}#8`;
    await expect(recordAlert(deps, id, frozenAlert())).rejects.toThrow('process killed');
    await expect(recordAlert(instance(), id, frozenAlert())).resolves.toBe('recorded');
    await deliverPending(instance());
    for (const t of ALL) expect(acceptedFor(t, id)).toBe(1);
  });

  it('two instances recording the same problem at once: one is told, the other held back (ETag on the state)', async () => {
    const outcomes = await Promise.all([
      recordAlert(instance(), 'tick-a#1', frozenAlert()),
      recordAlert(instance(), 'tick-b#1', frozenAlert()),
      recordAlert(instance(), 'tick-c#1', frozenAlert()),
    ]);
    expect([...outcomes].sort()).toEqual(['recorded', 'suppressed', 'suppressed']);
    const state = await instance().notifications?.store.getState(dedupKey(frozenAlert()));
    expect(state?.value.suppressedSince).toBe(2);
  });

  it('gives a delivery up as failed after its last attempt, and the record is no longer pending', async () => {
    const deps = instance();
    const record = recordOf(frozenAlert(), `${RUN_ID}#9`, {
      deliveries: { webhook: { state: 'pending', attempts: MAX_ATTEMPTS - 1, lastError: 'webhook: HTTP 500' } },
    });
    await deps.notifications?.store.insert(record);
    receivers.fail('webhook', { kind: 'status', status: 500 });
    const report = await deliverPending(deps);
    expect(report.byTarget.webhook).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect((await deps.notifications?.store.get(record.id))?.value.deliveries.webhook).toEqual({
      state: 'failed',
      attempts: MAX_ATTEMPTS,
      lastError: 'webhook: HTTP 500',
    });
    await expect(deps.notifications?.store.listPending()).resolves.toEqual([]);
  });

  it('the same id recorded twice is one record', async () => {
    const deps = instance();
    const id = `${RUN_ID}#5`;
    await expect(recordAlert(deps, id, frozenAlert())).resolves.toBe('recorded');
    await expect(recordAlert(instance(), id, frozenAlert())).resolves.toBe('duplicate');
    expect(await deps.notifications?.store.listSince('2026-01-01T00:00:00Z')).toHaveLength(1);
    await deliverPending(deps);
    for (const t of ALL) expect(acceptedFor(t, id)).toBe(1);
  });

  it('holds a repeat inside the interval, tells it again after, and announces the recovery once', async () => {
    const deps = instance();
    const problem = frozenAlert();
    await recordAlert(deps, 'night-1#1', problem);
    now += 10 * 60_000;
    await expect(recordAlert(deps, 'night-1#2', problem)).resolves.toBe('suppressed');
    now += 60 * 60_000;
    await expect(recordAlert(deps, 'night-1#3', problem)).resolves.toBe('recorded');
    const recovery: Alert = frozenAlert({ kind: 'recovery', message: 'IRIS was thawed and accepts writes again' });
    await expect(recordAlert(deps, 'night-1#4', recovery)).resolves.toBe('recorded');
    await expect(recordAlert(deps, 'night-1#5', recovery)).resolves.toBe('suppressed');
    await deliverPending(deps);
    const events = receivers
      .accepted('eventgrid')
      .map((r) => (r.body as { id: string; type: string; data: { repeats?: number } }[])[0]);
    expect(events.map((e) => [e?.id, e?.type, e?.data.repeats])).toEqual(
      expect.arrayContaining([
        ['night-1#1', RAISED_TYPE, undefined],
        ['night-1#3', RAISED_TYPE, 1],
        ['night-1#4', RESOLVED_TYPE, undefined],
      ]),
    );
    expect(events).toHaveLength(3);
    // The recovery is logged, but not as an ALERT line a log alert rule would fire on again.
    expect(logs.some((l) => l.startsWith('RESOLVED critical IrisStillFrozen'))).toBe(true);
  });

  it('without notifications, recordAlert only logs', async () => {
    const deps = { ...instance(), notifications: undefined };
    await expect(recordAlert(deps, `${RUN_ID}#6`, frozenAlert())).resolves.toBe('recorded');
    expect(logs).toEqual([expect.stringMatching(/^ALERT critical IrisStillFrozen: /)]);
    await expect(deliverPending(deps)).resolves.toMatchObject({ records: 0, sent: 0 });
  });

  it('never puts a URL, key or signing secret in a log line or a stored error', async () => {
    // Every target fails, one of them at a port where nothing listens.
    const closed = loadSettings({
      ...env(),
      IBG_ALERT_SLACK_WEBHOOK_URL: 'https://127.0.0.1:9/services/T0/B0/slack-token-not-real',
    });
    const deps = instance({ alerts: closed.alerts });
    receivers.fail('webhook', { kind: 'status', status: 500 });
    receivers.fail('teams', { kind: 'status', status: 401 });
    receivers.fail('eventgrid', { kind: 'hang' });
    const id = `${RUN_ID}#7`;
    await recordAlert(deps, id, frozenAlert());
    const report = await deliverPending(deps);
    expect(report.retrying).toBe(4);
    const stored = await deps.notifications?.store.get(id);
    const text = [...logs, JSON.stringify(stored?.value), JSON.stringify(report)].join('\n');
    for (const secret of [
      'hook-token-not-real',
      'flow-sig-not-real',
      'teams-sig-not-real',
      'slack-token-not-real',
      receivers.eventGridKey,
      SIGNING_SECRET,
      '127.0.0.1',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(stored?.value.deliveries.slack?.lastError).toMatch(/^slack: request failed/);
  });
});
