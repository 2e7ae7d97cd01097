/**
 * Turns whatever an Azure SDK call threw into an AppError, classified by HTTP status (checked with isRestError,
 * not instanceof, so two copies of core-rest-pipeline do not break it). Cancellation is passed through unchanged
 * so that callers still see an AbortError.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import { AppError, isAppError, type AppErrorCode } from '../errors/appError';

const byStatus = (status: number | undefined): { code: AppErrorCode; retryable: boolean } => {
  if (status === 404) return { code: 'NOT_FOUND', retryable: false };
  if (status === 409) return { code: 'CONFLICT', retryable: false };
  if (status === 412) return { code: 'PRECONDITION_FAILED', retryable: false };
  if (status === 429) return { code: 'THROTTLED', retryable: true };
  // No status means the request never got an answer (connection reset, DNS): worth another try.
  if (status === undefined || status >= 500 || status === 408) return { code: 'AZURE_REQUEST_FAILED', retryable: true };
  return { code: 'AZURE_REQUEST_FAILED', retryable: false };
};

export const isAbortError = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';

/** `action` says what was attempted, e.g. `trigger backup of VM;iaasvmcontainerv2;rg;vm1`. */
export const toAzureAppError = (e: unknown, module: string, action: string): Error => {
  if (isAppError(e) || isAbortError(e)) return e as Error;
  if (isRestError(e)) {
    const { code, retryable } = byStatus(e.statusCode);
    const status = e.statusCode === undefined ? 'no response' : `HTTP ${e.statusCode}`;
    const serviceCode = e.code === undefined ? '' : ` ${e.code}`;
    return new AppError(code, {
      module,
      message: `${action} failed (${status}${serviceCode}): ${e.message}`,
      cause: e,
      retryable,
      ...(e.statusCode === undefined ? {} : { statusCode: e.statusCode }),
      ...(e.code === undefined ? {} : { serviceCode: e.code }),
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new AppError('AZURE_REQUEST_FAILED', { module, message: `${action} failed: ${message}`, cause: e });
};
