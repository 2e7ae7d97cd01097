/**
 * The generic webhook's JSON body (schema `iris-backup-guard/alert@1`), also the `data` of the Event Grid event.
 * JSON escapes everything itself; the content is already neutralised and capped. Receivers drop a repeated `id`.
 */
import type { AlertRecord } from './alertRecord';
import { notificationContent, type NotificationContent } from './notificationContent';

export const WEBHOOK_SCHEMA = 'iris-backup-guard/alert@1';

/** The content every target renders, with the alert's id as `id` and the schema named. */
export type WebhookPayload = { schema: typeof WEBHOOK_SCHEMA; id: string } & Omit<NotificationContent, 'alertId'>;

export function webhookPayload(record: AlertRecord): WebhookPayload {
  const { alertId, ...content } = notificationContent(record);
  return { schema: WEBHOOK_SCHEMA, id: alertId, ...content };
}
