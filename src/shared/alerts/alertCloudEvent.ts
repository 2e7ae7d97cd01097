/**
 * The CloudEvent (1.0) an alert becomes on an Event Grid topic, so other automation can react: type
 * IrisBackupGuard.Alert.Raised or .Resolved, source /iris-backup-guard, subject the VM (or vault, subscription)
 * id, id the alert record's id (Event Grid subscribers deduplicate on it), data the webhook payload. Pure.
 */
import type { AlertRecord } from './alertRecord';
import { webhookPayload, type WebhookPayload } from './webhookPayload';

export const CLOUD_EVENT_SOURCE = '/iris-backup-guard';
export const RAISED_TYPE = 'IrisBackupGuard.Alert.Raised';
export const RESOLVED_TYPE = 'IrisBackupGuard.Alert.Resolved';

export interface AlertCloudEvent {
  type: typeof RAISED_TYPE | typeof RESOLVED_TYPE;
  source: typeof CLOUD_EVENT_SOURCE;
  id: string;
  subject: string;
  time: Date;
  datacontenttype: 'application/json';
  data: WebhookPayload;
}

export function alertCloudEvent(record: AlertRecord): AlertCloudEvent {
  const data = webhookPayload(record);
  return {
    type: data.kind === 'recovery' ? RESOLVED_TYPE : RAISED_TYPE,
    source: CLOUD_EVENT_SOURCE,
    id: record.id,
    subject: data.vmId ?? data.scopeId ?? '/',
    time: new Date(record.decidedAt),
    datacontenttype: 'application/json',
    data,
  };
}
