/** Which of the tapped ARM requests are a restore drill's, and a short route name for each, for the drill benchmark. */
import type { TappedRequest } from './latencyNight';

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** The backup job listing's operation filter (Backup or Restore), when the request is one. */
export function jobListOperation(r: TappedRequest): string | undefined {
  if (r.method !== 'GET' || !/\/backupJobs$/i.test(r.path)) return undefined;
  return /operation eq '([A-Za-z]+)'/i.exec(decoded(r.query))?.[1] ?? 'any';
}

/**
 * "GET Compute/virtualMachines/runCommands": the method and the resource types of the path after its last provider
 * (names dropped, an action kept), with the operation of a backup job listing.
 */
export function routeOf(r: TappedRequest): string {
  const p = decoded(r.path);
  const i = p.toLowerCase().lastIndexOf('/providers/');
  const segs = (i < 0 ? p : p.slice(i + '/providers/'.length)).split('/').filter(Boolean);
  const [ns, ...rest] = segs;
  const types = rest.filter((_, k) => k % 2 === 0);
  const op = jobListOperation(r);
  return `${r.method} ${(ns ?? '').replace(/^Microsoft\./i, '')}/${types.join('/')}${op ? ` [${op}]` : ''}`;
}

export interface DrillScope {
  /** The drill resource group's name (lower case): everything in it is the drill's. */
  drillResourceGroup: string;
  /** Source VMs whose Run Commands and recovery points belong to their backup, not to the drill (lower case). */
  sourceVms: ReadonlySet<string>;
}

/**
 * Whether a request made after a drill started is the drill's: everything but the backup's own traffic that goes on
 * meanwhile (the backup job listing while the job transfers to the vault, Run Commands on the source VM, recovery
 * point reads).
 */
export function isDrillRequest(r: TappedRequest, scope: DrillScope): boolean {
  const p = decoded(r.path).toLowerCase();
  if (p.includes(`/resourcegroups/${scope.drillResourceGroup}/`)) return true;
  const op = jobListOperation(r);
  if (op !== undefined) return op.toLowerCase() === 'restore';
  const rc = /\/virtualmachines\/([^/]+)\/runcommands/.exec(p);
  if (rc?.[1] !== undefined && scope.sourceVms.has(rc[1])) return false;
  return !/\/recoverypoints(\/[^/]+)?$/.test(p);
}

/** Only the requests that certainly are a drill's, whenever made: the drill group, restores, restore job listings. */
export function isSurelyDrillRequest(r: TappedRequest, drillResourceGroup: string): boolean {
  const p = decoded(r.path).toLowerCase();
  return (
    p.includes(`/resourcegroups/${drillResourceGroup}/`) ||
    /\/restore$/.test(p) ||
    jobListOperation(r)?.toLowerCase() === 'restore'
  );
}

/** Count by route, busiest first. */
export function byRoute(requests: readonly TappedRequest[]): [string, number][] {
  const m = new Map<string, number>();
  for (const r of requests) m.set(routeOf(r), (m.get(routeOf(r)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
}
