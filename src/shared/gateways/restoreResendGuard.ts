/**
 * A restore request is never sent twice by the SDK. Its retry policy sends a request again after a dropped
 * connection or a 5xx, but a restore POST that reached Azure before its answer was lost has already started a restore
 * job, and a second POST starts another one (Azure refuses a second backup of an item while one runs, not a second
 * restore). So for a restore POST this policy turns a dropped connection or a 5xx other than 503 into an error the
 * retry policy does not retry; the drill's own logic then decides from the vault's job list whether to ask again
 * (phases/restore.ts: at most once, after a grace period without a job). A 429 and a 503 are still retried: both
 * say the request was not taken (ARM throttles before the vault sees it; 503 is "not available", not "failed").
 */
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';

/** …/protectedItems/<item>/recoveryPoints/<point>/restore, the path of RecoveryPoints_Restore / Restores_Trigger. */
const RESTORE_PATH = /\/recoveryPoints\/[^/]+\/restore$/i;

/** The code the retry policy sees instead of a system error's: not one it retries. */
export const RESTORE_NOT_RESENT = 'RestoreNotResent';

const isRestorePost = (method: string, url: string): boolean =>
  method.toUpperCase() === 'POST' && RESTORE_PATH.test(new URL(url).pathname);

export const restoreResendGuard: PipelinePolicy = {
  name: 'restoreResendGuard',
  async sendRequest(request, next) {
    if (!isRestorePost(request.method, request.url)) return next(request);
    let response;
    try {
      response = await next(request);
    } catch (e) {
      if (e instanceof RestError && e.response === undefined && e.statusCode === undefined) {
        // The connection dropped: the request may have reached the vault.
        throw new RestError(`${e.message} (the restore request may have reached Azure; not sent again)`, {
          code: RESTORE_NOT_RESENT,
          request,
        });
      }
      throw e;
    }
    if (response.status < 500 || response.status === 503) return response;
    // Without `response` the retry policy has nothing it retries; the status stays on the error.
    throw new RestError(`The restore request was answered ${response.status}; not sent again`, {
      code: RESTORE_NOT_RESENT,
      statusCode: response.status,
      request,
    });
  },
};
