/** The notifiers against the sandbox receivers: what goes on the wire, and what a failure says. */
import type { TokenCredential } from '@azure/core-auth';
import { startNotificationReceivers, type NotificationReceivers } from '../../sandbox/notificationReceivers';
import { EventGridNotifier } from '../../src/shared/gateways/notifiers/eventGridNotifier';
import { createNotificationTargets } from '../../src/shared/gateways/notifiers/createNotificationTargets';
import { HttpNotifier } from '../../src/shared/gateways/notifiers/httpNotifier';
import { webhookPayload } from '../../src/shared/alerts/webhookPayload';
import { frozenAlert, recordOf } from '../alerts/alertFixtures';

const fakeToken: TokenCredential = {
  getToken: async () => ({ token: 'fake-token-not-real', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

describe('notifiers (sandbox receivers)', () => {
  let receivers: NotificationReceivers;
  const record = recordOf(frozenAlert());

  beforeAll(async () => {
    receivers = await startNotificationReceivers({ acceptBearer: true });
  });

  afterAll(async () => {
    await receivers?.stop();
  });

  beforeEach(() => receivers.clear());

  it('creates only the configured targets', () => {
    const targets = createNotificationTargets(
      { minSeverity: 'warning', renotifyMinutes: 60, slack: { url: receivers.urls.slack, minSeverity: 'critical' } },
      fakeToken,
    );
    expect(targets.map((t) => t.name)).toEqual(['slack']);
  });

  it('sends no signature header when the webhook has no secret', async () => {
    await new HttpNotifier({ name: 'webhook', url: receivers.urls.webhook, render: webhookPayload }).send(record);
    const [request] = receivers.accepted('webhook');
    expect(request?.headers['x-ibg-signature']).toBeUndefined();
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('publishes to Event Grid with the app identity when no key is set', async () => {
    await new EventGridNotifier({ endpoint: receivers.urls.eventgrid, credential: () => fakeToken }).send(record);
    const [request] = receivers.accepted('eventgrid');
    expect(request?.headers['authorization']).toBe('Bearer fake-token-not-real');
    expect(request?.headers['aeg-sas-key']).toBeUndefined();
  });

  it('reports a refused key as HTTP 401 without the key', async () => {
    const notifier = new EventGridNotifier({
      endpoint: receivers.urls.eventgrid,
      key: 'wrong-key-not-real',
      credential: () => fakeToken,
    });
    await expect(notifier.send(record)).rejects.toThrow(/^eventgrid: HTTP 401$/);
  });

  it('reports a refused webhook with its status only', async () => {
    receivers.fail('teams', { kind: 'status', status: 404 });
    const notifier = new HttpNotifier({ name: 'teams', url: receivers.urls.teams, render: () => ({}) });
    await expect(notifier.send(record)).rejects.toThrow(/^teams: HTTP 404$/);
    receivers.recover('teams');
  });
});
