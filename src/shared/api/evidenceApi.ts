/**
 * The read-only evidence API and the dashboard, one router for both hosts (the Functions app and the CLI's local
 * server): JSON under /fleet, /vms, /runs, /drills and /evidence, HTML under /dashboard. Every answer is built from
 * the evidence source by partition (the fleet index, a night, a VM's history, one run) and never by scanning the
 * history. Only GET; anything else is 405. Bad parameters are 400 with what was wrong.
 */
import type { Settings } from '../config/settings';
import { toError } from '../errors/appError';
import type { EvidenceSource } from '../evidence/evidenceSource';
import { fleetStatusOf, vmStatusOf, type FleetStatus, type VmStatus } from '../evidence/fleetStatus';
import { parseHistoryQuery, quoted, readHistoryPage } from '../evidence/historyQuery';
import { runSummaryOf } from '../evidence/runSummary';
import { runTimelineOf } from '../evidence/runTimeline';
import { drillRecordOf } from '../drills/drillRecord';
import { nightOf } from '../protection/night';
import type { ApiRequest, ApiResponse } from './apiMessage';
import { errorResponse, jsonResponse } from './apiMessage';
import { evidenceExport } from './evidenceExportRoute';
import { fleetDashboard, runDashboard, vmDashboard } from './dashboardRoutes';

export const RUNS_SCHEMA = 'iris-backup-guard/runs@1';
export const DRILLS_SCHEMA = 'iris-backup-guard/drills@1';
export const RUN_SCHEMA = 'iris-backup-guard/run@1';
export const VM_SCHEMA = 'iris-backup-guard/vm@1';

/** How many of a VM's runs its page and answer show. */
export const VM_HISTORY_DEFAULT = 90;
const VM_HISTORY_MAX = 400;

export interface ApiContext {
  source: EvidenceSource;
  settings: Pick<Settings, 'reporting' | 'schedules'>;
  now: Date;
  log?: { warn(message: string, details?: Record<string, unknown>): void };
}

type Handler = (req: ApiRequest, ctx: ApiContext, params: string[]) => Promise<ApiResponse>;

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** The VM's status and its index entry, or undefined when the fleet index does not know it. */
export async function vmStatusFor(
  ctx: ApiContext,
  vmKey: string,
): Promise<{ status: VmStatus; vmKey: string } | undefined> {
  const key = vmKey.toLowerCase();
  const [entries, alerts] = await Promise.all([ctx.source.vmIndex(), ctx.source.openAlerts()]);
  const entry = entries.find((e) => e.vmKey === key);
  return entry && { status: vmStatusOf(entry, alerts, ctx.settings.reporting, ctx.now), vmKey: key };
}

const historyLimit = (req: ApiRequest): number | { error: string } => {
  const given = req.query.get('limit');
  if (given === null) return VM_HISTORY_DEFAULT;
  const n = Number(given);
  return /^\d{1,3}$/.test(given) && n >= 1 && n <= VM_HISTORY_MAX
    ? n
    : { error: `limit ${quoted(given)} must be 1-${VM_HISTORY_MAX}` };
};

/** The fleet's status from its two reads (the fleet index and the open alerts): for GET /fleet and the fleet page. */
export async function fleetStatusFor(ctx: ApiContext): Promise<FleetStatus> {
  const [entries, alerts] = await Promise.all([ctx.source.vmIndex(), ctx.source.openAlerts()]);
  return fleetStatusOf(entries, alerts, ctx.settings.reporting, ctx.now);
}

const fleet: Handler = async (_req, ctx) => jsonResponse(200, await fleetStatusFor(ctx));

const vm: Handler = async (req, ctx, [vmKey = '']) => {
  const limit = historyLimit(req);
  if (typeof limit !== 'number') return errorResponse(400, limit.error);
  const found = await vmStatusFor(ctx, vmKey);
  if (found === undefined)
    return errorResponse(404, `No VM ${quoted(vmKey)} in the fleet index`, 'GET /fleet lists the VMs and their keys.');
  const history = await ctx.source.vmHistory(found.vmKey, limit);
  return jsonResponse(200, { schema: VM_SCHEMA, status: found.status, history });
};

const list =
  (drillsOnly: boolean): Handler =>
  async (req, ctx) => {
    const today = nightOf(ctx.now, ctx.settings.schedules.nightTimeZone);
    const query = parseHistoryQuery(req.query, today, drillsOnly);
    if ('error' in query) return errorResponse(400, query.error);
    const page = await readHistoryPage(query, (night) => ctx.source.nightSummaries(night));
    return jsonResponse(200, {
      schema: drillsOnly ? DRILLS_SCHEMA : RUNS_SCHEMA,
      from: query.nights[query.nights.length - 1],
      to: query.nights[0],
      ...page,
    });
  };

/**
 * One run in full: its summary, its timeline (freeze window … cleanup), the drill's record (verdict, RTO by phase,
 * the evidence lines and the blob of the verifier's whole output), the run as stored, and the alerts it decided.
 */
const run: Handler = async (_req, ctx, [night = '', rest = '']) => {
  const runId = `${night}/${rest}`;
  const found = await ctx.source.run(runId);
  if (found === undefined)
    return errorResponse(404, `No run ${quoted(runId)}`, 'GET /runs lists the runs and their ids.');
  const alerts = await ctx.source.runAlerts(found.id);
  const drill = drillRecordOf(found);
  return jsonResponse(200, {
    schema: RUN_SCHEMA,
    summary: runSummaryOf(found),
    timeline: runTimelineOf(found),
    ...(drill === undefined ? {} : { drill }),
    run: found,
    alerts,
  });
};

interface Route {
  /** Path segments; `*` matches one segment, `**` the rest (at least one segment, slashes kept). */
  pattern: string[];
  handler: Handler;
}

const ROUTES: readonly Route[] = [
  { pattern: ['fleet'], handler: fleet },
  { pattern: ['vms', '*'], handler: vm },
  { pattern: ['runs'], handler: list(false) },
  { pattern: ['runs', '*', '*'], handler: run },
  { pattern: ['drills'], handler: list(true) },
  { pattern: ['evidence'], handler: (req, ctx) => evidenceExport(req, ctx) },
  { pattern: ['dashboard'], handler: (req, ctx) => fleetDashboard(req, ctx) },
  { pattern: ['dashboard', 'vms', '*'], handler: (req, ctx, [vmKey = '']) => vmDashboard(req, ctx, vmKey) },
  {
    pattern: ['dashboard', 'runs', '*', '*'],
    handler: (req, ctx, [night = '', rest = '']) => runDashboard(req, ctx, `${night}/${rest}`),
  },
];

const match = (pattern: string[], segments: string[]): string[] | undefined => {
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i += 1) {
    const p = pattern[i];
    const s = segments[i];
    if (s === undefined) return undefined;
    if (p === '*') params.push(s);
    else if (p !== s) return undefined;
  }
  return segments.length === pattern.length ? params : undefined;
};

export async function handleEvidenceRequest(req: ApiRequest, ctx: ApiContext): Promise<ApiResponse> {
  const raw = req.path.split('/').filter((s) => s !== '');
  const segments: string[] = [];
  for (const s of raw) {
    const decoded = decodeSegment(s);
    if (decoded === undefined || decoded.includes('/') || decoded === '..' || decoded === '.')
      return errorResponse(400, `The path segment "${s.slice(0, 80)}" is not valid.`);
    segments.push(decoded);
  }
  const found = ROUTES.map((r) => ({ route: r, params: match(r.pattern, segments) })).find(
    (m) => m.params !== undefined,
  );
  if (found === undefined || found.params === undefined)
    return errorResponse(404, `No such resource: ${req.path.slice(0, 200)}`, 'See the README, section "Evidence API".');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const answer = errorResponse(
      405,
      `${req.method.slice(0, 16)} is not allowed: the evidence API only reads.`,
      'Use GET.',
    );
    answer.headers['Allow'] = 'GET, HEAD';
    return answer;
  }
  try {
    const answer = await found.route.handler(req, ctx, found.params);
    return req.method === 'HEAD' ? { ...answer, body: '' } : answer;
  } catch (e) {
    const error = toError(e);
    ctx.log?.warn('Evidence API could not read the store', { path: req.path.slice(0, 200), error: error.message });
    return errorResponse(
      503,
      'The evidence store could not be read; try again in a minute.',
      error.message.slice(0, 300),
    );
  }
}
