/**
 * Why a reconcile query failed: a table the workspace does not have (the vaults send no resource-specific
 * diagnostics there), or anything else (no role, throttling, an outage). Pure; reads the thrown error structurally.
 *
 * A workspace without the table answers HTTP 400 with a OneAPI error whose innermost error is the Kusto semantic
 * error SEM0100, e.g. `{"error":{"code":"BadArgumentError","message":"The request had some invalid properties",
 * "innererror":{"code":"SemanticError","message":"A semantic error occurred.","innererror":{"code":"SEM0100",
 * "message":"'where' operator: Failed to resolve table or column expression named 'AddonAzureBackupJobs'"}}}}`.
 * Seen in the wild: Azure/azure-quickstart-templates#5174 (the same SEM0100 message, there nested as a JSON string
 * in `innererror.information.details`), MicrosoftDocs/feedback#1792 (the BadArgumentError → SemanticError → SEMxxxx
 * nesting) and learn.microsoft.com/azure/azure-monitor/logs/api/errors (query errors are 400 BadArgumentError).
 * The SDK throws a RestError (statusCode 400, code BadArgumentError, message "The request had some invalid
 * properties"): the table's name is only in the body, so every text the error carries is searched.
 */
import { isAppError } from '../errors/appError';
import { ITEMS_TABLE, JOBS_TABLE, type ReconcileTable } from './reconcileQueries';

export type QueryFailure =
  | { kind: 'table-missing'; table: ReconcileTable }
  | { kind: 'failed'; message: string; httpStatus?: number; serviceCode?: string };

const MISSING = /Failed to resolve table(?: or column)?(?: or scalar)? expression named '([^']+)'/i;
const MAX_MESSAGE = 400;

/** The error's own texts and its cause's (RestError: message, response body as text and as parsed). */
function textsOf(e: unknown, depth = 0): string[] {
  if (typeof e !== 'object' || e === null || depth > 3) return typeof e === 'string' ? [e] : [];
  const o = e as { message?: unknown; cause?: unknown; details?: unknown; response?: unknown };
  const response = (typeof o.response === 'object' && o.response !== null ? o.response : {}) as {
    bodyAsText?: unknown;
    parsedBody?: unknown;
  };
  const texts: string[] = [];
  if (typeof o.message === 'string') texts.push(o.message);
  if (typeof response.bodyAsText === 'string') texts.push(response.bodyAsText);
  for (const v of [response.parsedBody, o.details]) if (v !== undefined) texts.push(safeJson(v));
  return [...texts, ...textsOf(o.cause, depth + 1)];
}

const safeJson = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
};

export function queryFailureOf(e: unknown): QueryFailure {
  for (const text of textsOf(e)) {
    // JSON nested as a string escapes its quotes; undo that before matching.
    const named = MISSING.exec(text.replace(/\\+'/g, "'").replace(/\\+"/g, '"'))?.[1];
    if (named === undefined) continue;
    const tables: ReconcileTable[] = [JOBS_TABLE, ITEMS_TABLE];
    const table = tables.find((t) => t.toLowerCase() === named.toLowerCase());
    if (table !== undefined) return { kind: 'table-missing', table };
  }
  const message = (e instanceof Error ? e.message : String(e)).slice(0, MAX_MESSAGE);
  if (!isAppError(e)) return { kind: 'failed', message };
  return {
    kind: 'failed',
    message,
    ...(e.statusCode === undefined ? {} : { httpStatus: e.statusCode }),
    ...(e.serviceCode === undefined ? {} : { serviceCode: e.serviceCode }),
  };
}
