/**
 * The dashboard's pages over the evidence source: the fleet, one VM, one run. Each page is rendered by
 * report/dashboard/ from the same data the JSON routes answer with; links carry the function key the page was
 * opened with (`?code=`), so that a dashboard opened with a key can be browsed.
 */
import { quoted } from '../evidence/historyQuery';
import { dashboardLinks, type DashboardLinks } from '../report/dashboard/links';
import { renderFleetPage } from '../report/dashboard/fleetPage';
import { renderVmPage } from '../report/dashboard/vmPage';
import { renderRunPage } from '../report/dashboard/runPage';
import { renderNotFoundPage } from '../report/dashboard/notFoundPage';
import type { RenderedPage } from '../report/dashboard/page';
import { fileResponse, type ApiRequest, type ApiResponse } from './apiMessage';
import { fleetStatusFor, vmStatusFor, VM_HISTORY_DEFAULT, type ApiContext } from './evidenceApi';

export const DASHBOARD_BASE = '/api/dashboard';

const linksFor = (req: ApiRequest): DashboardLinks =>
  dashboardLinks(DASHBOARD_BASE, req.query.get('code') ?? undefined);

const pageResponse = (page: RenderedPage): ApiResponse =>
  fileResponse(page.status, 'text/html; charset=utf-8', page.html, {
    'Content-Security-Policy': page.contentSecurityPolicy,
    'X-Frame-Options': 'DENY',
  });

export async function fleetDashboard(req: ApiRequest, ctx: ApiContext): Promise<ApiResponse> {
  return pageResponse(renderFleetPage(await fleetStatusFor(ctx), linksFor(req)));
}

export async function vmDashboard(req: ApiRequest, ctx: ApiContext, vmKey: string): Promise<ApiResponse> {
  const links = linksFor(req);
  const found = await vmStatusFor(ctx, vmKey);
  if (found === undefined) return pageResponse(renderNotFoundPage(`No VM ${quoted(vmKey)} in the fleet.`, links));
  const history = await ctx.source.vmHistory(found.vmKey, VM_HISTORY_DEFAULT);
  const targets = {
    rpoHours: ctx.settings.reporting.rpoTargetHours,
    rtoMinutes: ctx.settings.reporting.rtoTargetMinutes,
  };
  return pageResponse(renderVmPage(found.status, history, targets, links, ctx.now));
}

export async function runDashboard(req: ApiRequest, ctx: ApiContext, runId: string): Promise<ApiResponse> {
  const links = linksFor(req);
  const run = await ctx.source.run(runId);
  if (run === undefined) return pageResponse(renderNotFoundPage(`No run ${quoted(runId)}.`, links));
  return pageResponse(renderRunPage(run, await ctx.source.runAlerts(run.id), links, ctx.now));
}
