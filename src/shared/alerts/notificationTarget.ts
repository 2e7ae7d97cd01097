/**
 * A notification target (a gateway): webhook, Teams, Slack or an Event Grid topic. `send` resolves when the target
 * accepted the alert and throws otherwise, with a message that never contains the target's URL or key.
 */
import type { AlertRecord, TargetName } from './alertRecord';

export interface NotificationTarget {
  readonly name: TargetName;
  send(record: AlertRecord): Promise<void>;
}
