/**
 * Azure Monitor alert intake: the HTTP endpoint an action group's webhook (common alert schema) posts to. The route
 * is anonymous to the host and the app checks the key itself (IBG_ALERT_INTAKE_KEYS, which may be a Key Vault
 * reference): `x-functions-key` header or `code` query parameter, compared in constant time. Answers: 401 without a
 * right key, 413 over 256 KB, 400 for a body that is not a common-schema alert (recorded, capped), 202 otherwise,
 * whatever the app did with it (an action group retries error statuses).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { toError } from '../shared/errors/appError';
import { handleMonitorAlert } from '../shared/intake/handleMonitorAlert';
import { MONITOR_ALERT_MAX_BYTES, parseMonitorAlert } from '../shared/intake/monitorAlert';
import { capRawText } from '../shared/protection/eventLedger';
import type { ProtectionDeps } from '../shared/protection/protectionDeps';
import { depsFor } from './protectionContext';

const KEY_HELP =
  'Pass the intake key (one of IBG_ALERT_INTAKE_KEYS) in the x-functions-key header or as the code query parameter ' +
  "of the action group's webhook URI: https://<app>.azurewebsites.net/api/alerts/intake?code=<key>.";

const answer = (status: number, body: Record<string, unknown>): HttpResponseInit => ({ status, jsonBody: body });

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time over equal-length digests, so neither the key's content nor its length leaks through timing. */
export function keyMatches(given: string | null | undefined, keys: readonly string[]): boolean {
  if (given === null || given === undefined || given === '') return false;
  const d = digest(given);
  let match = false;
  for (const key of keys) if (timingSafeEqual(d, digest(key))) match = true;
  return match;
}

async function recordMalformed(deps: ProtectionDeps, raw: string, reason: string): Promise<void> {
  const capped = capRawText(raw);
  deps.log.warn('Azure Monitor alert body not accepted', { reason, raw: capped });
  try {
    await deps.events?.record({
      kind: 'malformed-alert',
      key: createHash('sha256').update(raw).digest('hex'),
      at: deps.clock.now().toISOString(),
      outcome: reason,
      raw: capped,
    });
  } catch (e) {
    deps.log.error('Could not record a malformed Azure Monitor alert body', { error: toError(e).message });
  }
}

export async function alertIntake(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deps = depsFor(context);
  const given = request.headers.get('x-functions-key') ?? request.query.get('code');
  if (!keyMatches(given, deps.settings.intakeKeys)) {
    deps.log.warn('Azure Monitor alert intake refused: no or wrong key', { keyGiven: given ? 'yes' : 'no' });
    return answer(401, {
      error: given ? 'The intake key is not valid.' : 'No intake key was given.',
      fix:
        deps.settings.intakeKeys.length === 0
          ? `No intake key is configured: set IBG_ALERT_INTAKE_KEYS. ${KEY_HELP}`
          : KEY_HELP,
    });
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MONITOR_ALERT_MAX_BYTES) {
    await recordMalformed(deps, `(${declared} bytes, not read)`, 'body larger than 256 KB');
    return answer(413, {
      error: `The body is ${declared} bytes; the intake takes at most ${MONITOR_ALERT_MAX_BYTES} bytes.`,
      fix: 'Common-schema alerts are far smaller; check what posts to this endpoint.',
    });
  }
  const raw = await request.text();
  if (Buffer.byteLength(raw, 'utf8') > MONITOR_ALERT_MAX_BYTES) {
    await recordMalformed(deps, raw, 'body larger than 256 KB');
    return answer(413, {
      error: `The body is larger than ${MONITOR_ALERT_MAX_BYTES} bytes.`,
      fix: 'Common-schema alerts are far smaller; check what posts to this endpoint.',
    });
  }
  const parsed = parseMonitorAlert(raw);
  if (!parsed.ok) {
    await recordMalformed(deps, raw, parsed.problem);
    return answer(400, { error: 'Not an Azure Monitor common-schema alert.', problem: parsed.problem });
  }
  const outcome = await handleMonitorAlert(deps, parsed.alert);
  return answer(202, { alertId: parsed.alert.alertId, ...outcome });
}

app.http('alertIntake', { methods: ['POST'], authLevel: 'anonymous', route: 'alerts/intake', handler: alertIntake });
