/**
 * The read-only evidence API and the dashboard over HTTP (routes under /api: fleet, vms, runs, drills, evidence,
 * dashboard), all answered by one router (shared/api/evidenceApi.ts). Protection, by IBG_API_AUTH:
 * - `function-key` (default): the host checks a function key (`x-functions-key` or `?code=`) before the handler runs;
 *   the dashboard carries `?code=` on its links so that a page opened with a key can be browsed.
 * - `app-service`: the routes are anonymous to the host; App Service authentication (Entra ID, "Require
 *   authentication") signs the user in and adds `x-ms-client-principal-id`, and the handler refuses any request
 *   without it. "External requests aren't allowed to set these headers, so they're present only if set by App
 *   Service" (learn.microsoft.com/azure/app-service/configure-authentication-user-identities).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { handleEvidenceRequest } from '../shared/api/evidenceApi';
import { errorResponse, type ApiResponse } from '../shared/api/apiMessage';
import { parseApiAuth } from '../shared/config/settings';
import { evidenceSource, protectionDeps, invocationLog } from './protectionContext';

/** The host's default route prefix (host.json has no `extensions.http.routePrefix`). */
const ROUTE_PREFIX = '/api';

const toInit = (answer: ApiResponse): HttpResponseInit => ({
  status: answer.status,
  headers: answer.headers,
  body: answer.body,
});

export async function evidenceApi(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deps = protectionDeps();
  if (deps.settings.reporting.apiAuth === 'app-service' && !request.headers.get('x-ms-client-principal-id')) {
    return toInit(
      errorResponse(
        401,
        'Not signed in.',
        'IBG_API_AUTH is app-service: turn on App Service authentication with "Require authentication", or set IBG_API_AUTH=function-key.',
      ),
    );
  }
  const url = new URL(request.url);
  const path = url.pathname.startsWith(`${ROUTE_PREFIX}/`) ? url.pathname.slice(ROUTE_PREFIX.length) : url.pathname;
  const answer = await handleEvidenceRequest(
    { method: request.method, path, query: url.searchParams, header: (name) => request.headers.get(name) ?? undefined },
    { source: evidenceSource(), settings: deps.settings, now: deps.clock.now(), log: invocationLog(context) },
  );
  return toInit(answer);
}

// Read when the host indexes the functions, before any settings check: a bad value falls back to the safer
// function key (and the settings check at start-up reports it).
const authLevel = parseApiAuth(process.env['IBG_API_AUTH'] ?? '') === 'app-service' ? 'anonymous' : 'function';
// Every method reaches the handler, so that a write gets a clear 405 instead of the host's bare 404.
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

// A catch-all (`{*rest}`) also matches the bare prefix (ASP.NET route templates), so `runs` and `runs/<id>` are one
// function, and so are `dashboard` and its pages.
for (const [name, route] of [
  ['fleetApi', 'fleet'],
  ['vmsApi', 'vms/{vmKey}'],
  ['runsApi', 'runs/{*rest}'],
  ['drillsApi', 'drills'],
  ['evidenceExportApi', 'evidence'],
  ['dashboard', 'dashboard/{*rest}'],
] as const) {
  app.http(name, { methods: [...methods], authLevel, route, handler: evidenceApi });
}
