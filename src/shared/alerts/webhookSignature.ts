/**
 * The webhook's HMAC signature, in the style of Stripe's: `X-IBG-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256
 * of "<t>.<raw body>">`. The timestamp is signed too, so a receiver that checks it within a tolerance refuses a
 * replayed request. `verifyWebhookSignature` is what a receiver runs (constant-time compare).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-IBG-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');

export const signWebhookBody = (body: string, secret: string, now: Date): string => {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
};

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  /** The X-IBG-Signature header value. */
  header: string | undefined;
  secret: string;
  now?: Date;
  toleranceSeconds?: number;
}

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

export function verifyWebhookSignature(options: VerifyWebhookOptions): SignatureCheck {
  const header = options.header ?? '';
  if (header.length > 1024) return { valid: false, reason: 'signature header too long' };
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (t === undefined || signatures.length === 0) return { valid: false, reason: 'no t= or v1= in the header' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return { valid: false, reason: 'timestamp outside the tolerance' };
  }
  const expected = Buffer.from(hmac(options.secret, t, options.body), 'hex');
  const match = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match ? { valid: true } : { valid: false, reason: 'signature does not match' };
}
