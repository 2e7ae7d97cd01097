/** The notification targets the settings configure, each with its renderer; none when no target is set. */
import type { TokenCredential } from '@azure/core-auth';
import type { NotificationTarget } from '../../alerts/notificationTarget';
import { slackBlocks } from '../../alerts/slackBlocks';
import { teamsCard } from '../../alerts/teamsCard';
import { webhookPayload } from '../../alerts/webhookPayload';
import type { AlertSettings } from '../../config/alertSettings';
import { EventGridNotifier } from './eventGridNotifier';
import { HttpNotifier } from './httpNotifier';

export interface NotificationTargetOptions {
  /** Per-request time limit (default 10 s). */
  timeoutInMs?: number;
}

export function createNotificationTargets(
  settings: AlertSettings,
  /** Called only for an Event Grid topic without a key. */
  credential: TokenCredential | (() => TokenCredential),
  options: NotificationTargetOptions = {},
): NotificationTarget[] {
  const timeout = options.timeoutInMs === undefined ? {} : { timeoutInMs: options.timeoutInMs };
  const targets: NotificationTarget[] = [];
  const { webhook, teams, slack, eventGrid } = settings;
  if (webhook !== undefined) {
    targets.push(
      new HttpNotifier({
        name: 'webhook',
        url: webhook.url,
        render: webhookPayload,
        ...(webhook.signingSecret === undefined ? {} : { signingSecret: webhook.signingSecret }),
        ...timeout,
      }),
    );
  }
  if (teams !== undefined)
    targets.push(new HttpNotifier({ name: 'teams', url: teams.url, render: teamsCard, ...timeout }));
  if (slack !== undefined)
    targets.push(new HttpNotifier({ name: 'slack', url: slack.url, render: slackBlocks, ...timeout }));
  if (eventGrid !== undefined) {
    targets.push(
      new EventGridNotifier({
        endpoint: eventGrid.url,
        ...(eventGrid.key === undefined ? {} : { key: eventGrid.key }),
        credential: typeof credential === 'function' ? credential : () => credential,
        ...timeout,
      }),
    );
  }
  return targets;
}
