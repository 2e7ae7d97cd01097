/**
 * Where the dashboard's pages are: every link a page holds is made here, so that the base path and the function key
 * (`?code=`, when the page was opened with one) are carried the same way everywhere. Path segments are
 * percent-encoded, so a VM key or run id can never add a segment, a query or a fragment of its own.
 */
export interface DashboardLinks {
  fleet(): string;
  vm(vmKey: string): string;
  run(runId: string): string;
}

/**
 * base: the path the dashboard is served under, e.g. '/api/dashboard'. code: the function key the page was opened
 * with (?code=), carried on every link so navigation keeps working; absent → plain links. Routes: `${base}`,
 * `${base}/vms/{vmKey}`, `${base}/runs/{night}/{rest}` (a run id is `<night>/<rest>`; the slash is kept).
 */
export function dashboardLinks(base: string, code?: string): DashboardLinks {
  const root = base.endsWith('/') ? base.slice(0, -1) : base;
  const query = code === undefined || code === '' ? '' : `?code=${encodeURIComponent(code)}`;
  const seg = encodeURIComponent;
  return {
    fleet: () => `${root}${query}`,
    vm: (vmKey) => `${root}/vms/${seg(vmKey)}${query}`,
    run: (runId) => {
      const slash = runId.indexOf('/');
      const path = slash < 0 ? seg(runId) : `${seg(runId.slice(0, slash))}/${seg(runId.slice(slash + 1))}`;
      return `${root}/runs/${path}${query}`;
    },
  };
}
