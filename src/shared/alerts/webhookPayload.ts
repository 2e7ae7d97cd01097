/**
 * The generic webhook's JSON body (schema `iris-backup-guard/alert@1`), also the `data` of the Event Grid event.
 * JSON escapes everything itself; the content is already neutralised and capped. Receivers drop a repeated `id`.
 */
import type { AlertRecord } from './alertRecord';
import { notificationContent } from './notificationContent';

export const WEBHOOK_SCHEMA = 'iris-backup-guard/alert@1';

export interface WebhookPayload {
  schema: typeof WEBHOOK_SCHEMA;
  id: string;
  kind: 'problem' | 'recovery';
  severity: string;
  code: string;
  classification?: string;
  title: string;
  message: string;
  vmId?: string;
  vmName?: string;
  runId?: string;
  scopeId?: string;
  evidence: string[];
  evidenceOmitted: number;
  fix?: string;
  at: string;
  decidedAt: string;
  repeats?: number;
}

export function webhookPayload(record: AlertRecord): WebhookPayload {
  const { alertId, ...content } = notificationContent(record);
  return { schema: WEBHOOK_SCHEMA, id: alertId, ...content };
}
