/**
 * The webhook, Teams and Slack targets: one JSON POST per alert, with a time limit. Any answer but 2xx is a failure
 * whose message names the target and the status and never the URL: a Slack or Teams webhook URL is its own
 * credential. The signature header is added when the webhook has a signing secret (webhookSignature.ts).
 */
import type { AlertRecord, TargetName } from '../../alerts/alertRecord';
import type { NotificationTarget } from '../../alerts/notificationTarget';
import { SIGNATURE_HEADER, signWebhookBody } from '../../alerts/webhookSignature';

export const SEND_TIMEOUT_MS = 10_000;

export interface HttpNotifierOptions {
  name: TargetName;
  /** Secret: never put in a message or a log. */
  url: string;
  render: (record: AlertRecord) => unknown;
  /** Secret: signs the body with X-IBG-Signature. */
  signingSecret?: string;
  timeoutInMs?: number;
  now?: () => Date;
}

/** A failed delivery; its message is safe to store and log. */
export class NotifierError extends Error {
  constructor(
    readonly target: TargetName,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NotifierError';
  }
}

/** The error's name, without trusting `instanceof` (fetch's DOMException may come from another realm). */
export const errorName = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string'
    ? (e as { name: string }).name
    : undefined;

export const isTimeout = (e: unknown): boolean => errorName(e) === 'TimeoutError' || errorName(e) === 'AbortError';

const reasonOf = (e: unknown): string => {
  if (isTimeout(e)) return 'no answer in time';
  // fetch's own message is generic; the cause's code (ECONNREFUSED, CERT_…) says what happened without the URL.
  const cause = typeof e === 'object' && e !== null ? (e as { cause?: { code?: unknown } }).cause : undefined;
  const code = typeof cause?.code === 'string' && /^[A-Z0-9_]{1,64}$/.test(cause.code) ? cause.code : undefined;
  return code === undefined ? 'request failed' : `request failed (${code})`;
};

export class HttpNotifier implements NotificationTarget {
  readonly name: TargetName;

  constructor(private readonly options: HttpNotifierOptions) {
    this.name = options.name;
  }

  async send(record: AlertRecord): Promise<void> {
    const body = JSON.stringify(this.options.render(record));
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'iris-backup-guard',
      'x-ibg-alert-id': encodeURIComponent(record.id),
    };
    if (this.options.signingSecret !== undefined) {
      headers[SIGNATURE_HEADER] = signWebhookBody(
        body,
        this.options.signingSecret,
        (this.options.now ?? (() => new Date()))(),
      );
    }
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutInMs ?? SEND_TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (e) {
      throw new NotifierError(this.name, `${this.name}: ${reasonOf(e)}`);
    }
    // The body is read and dropped so the connection can be reused; what it says is not logged (it may echo input).
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status > 299) {
      throw new NotifierError(this.name, `${this.name}: HTTP ${response.status}`, response.status);
    }
  }
}
