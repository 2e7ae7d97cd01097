/** One error family for the app: a machine-readable code, the module that raised it, and whether a retry may help. */
export type AppErrorCode =
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'THROTTLED'
  | 'AZURE_REQUEST_FAILED'
  | 'RUN_COMMAND_FAILED'
  | 'INVALID_INPUT'
  /** The drill clean-up refused to delete a resource it could not prove is a drill's own (nothing was deleted). */
  | 'DRILL_DELETE_REFUSED'
  | 'INTERNAL';

export interface AppErrorInit {
  module: string;
  message: string;
  cause?: unknown;
  retryable?: boolean;
  statusCode?: number;
  /** The service's own error code from the response body (e.g. AuthorizationFailed), when there was one. */
  serviceCode?: string;
}

export class AppError extends Error {
  readonly isAppError = true;
  readonly module: string;
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  readonly serviceCode: string | undefined;

  constructor(
    readonly code: AppErrorCode,
    init: AppErrorInit,
  ) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AppError';
    this.module = init.module;
    this.retryable = init.retryable ?? false;
    this.statusCode = init.statusCode;
    this.serviceCode = init.serviceCode;
  }
}

/** A bad or missing app setting. The message names the setting, what was wrong and a good example. */
export class ConfigError extends AppError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super('CONFIG_INVALID', { module: 'settings', message });
    this.name = 'ConfigError';
  }
}

export const isAppError = (e: unknown): e is AppError =>
  typeof e === 'object' && e !== null && (e as { isAppError?: unknown }).isAppError === true;

/** Another writer got there first: an insert of a key that exists, or a write with a stale ETag. */
export const isWriteRace = (e: unknown): boolean =>
  isAppError(e) && (e.code === 'CONFLICT' || e.code === 'PRECONDITION_FAILED');

/** Turns anything thrown into an Error, so it can be logged and classified. */
export const toError = (e: unknown): Error => {
  if (e instanceof Error) return e;
  if (typeof e === 'string') return new Error(e);
  try {
    return new Error(JSON.stringify(e) ?? 'Unknown error');
  } catch {
    return new Error('Unknown error');
  }
};
