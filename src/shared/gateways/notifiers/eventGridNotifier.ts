/**
 * The Event Grid target: publishes each alert as a CloudEvent 1.0 to a custom topic through @azure/eventgrid,
 * with the topic key when one is set, else the app's identity (EventGrid Data Sender on the topic). The SDK's own
 * retries are off: a failed publish goes back to the outbox's backoff (deliveryBackoff.ts) instead of holding
 * the invocation. Failures name the target and status, never the key.
 */
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import type { TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { alertCloudEvent } from '../../alerts/alertCloudEvent';
import type { AlertRecord, TargetName } from '../../alerts/alertRecord';
import type { NotificationTarget } from '../../alerts/notificationTarget';
import { isTimeout, NotifierError, SEND_TIMEOUT_MS } from './httpNotifier';

export interface EventGridNotifierOptions {
  /** The topic endpoint, e.g. https://<topic>.<region>-1.eventgrid.azure.net/api/events. */
  endpoint: string;
  /** Secret. Absent: `credential` is used. */
  key?: string;
  credential: () => TokenCredential;
  timeoutInMs?: number;
}

export class EventGridNotifier implements NotificationTarget {
  readonly name: TargetName = 'eventgrid';
  private readonly client: EventGridPublisherClient<'CloudEvent'>;

  constructor(private readonly options: EventGridNotifierOptions) {
    const credential = options.key !== undefined ? new AzureKeyCredential(options.key) : options.credential();
    this.client = new EventGridPublisherClient(options.endpoint, 'CloudEvent', credential, {
      retryOptions: { maxRetries: 0 },
    });
  }

  async send(record: AlertRecord): Promise<void> {
    const event = alertCloudEvent(record);
    try {
      await this.client.send([event], {
        abortSignal: AbortSignal.timeout(this.options.timeoutInMs ?? SEND_TIMEOUT_MS),
      });
    } catch (e) {
      if (isRestError(e) && e.statusCode !== undefined) {
        throw new NotifierError(this.name, `eventgrid: HTTP ${e.statusCode}`, e.statusCode);
      }
      const reason = isTimeout(e)
        ? 'no answer in time'
        : isRestError(e) && typeof e.code === 'string' && /^[A-Z0-9_]{1,64}$/.test(e.code)
          ? `request failed (${e.code})`
          : 'request failed';
      throw new NotifierError(this.name, `eventgrid: ${reason}`);
    }
  }
}
