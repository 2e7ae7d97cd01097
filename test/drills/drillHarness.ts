/** Reading a drill's outcome back from the sandbox (through the SDK gateways) and the store, for the drill tests. */
import type { BackupJob } from '../../src/shared/azure/backupGateway';
import type { DrillResource } from '../../src/shared/azure/drillResources';
import type { DrillRecord } from '../../src/shared/drills/drillRecord';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import { isTerminalStage, type Run } from '../../src/shared/runs/run';
import { MINUTE, runOf, tick } from '../protection/cycleHelpers';
import type { ProtectionWorld } from '../protection/protectionWorld';
import { DRILL_RG_ID } from './drillWorld';

/** Ticks every `stepMs` of sandbox time until the run has ended. */
export async function untilEnded(
  w: ProtectionWorld,
  night: string,
  vm: string,
  {
    deps = w.deps,
    maxTicks = 60,
    stepMs = 5 * MINUTE,
  }: { deps?: ProtectionDeps; maxTicks?: number; stepMs?: number } = {},
): Promise<Run> {
  for (let i = 0; i < maxTicks; i += 1) {
    const run = await runOf(w, night, vm);
    if (run !== undefined && isTerminalStage(run.stage)) return run;
    await tick(w, deps, stepMs);
  }
  const run = await runOf(w, night, vm);
  throw new Error(`run of ${vm} did not end: ${run?.stage} ${run?.reason ?? ''} ${JSON.stringify(run?.drill ?? {})}`);
}

/** Everything in a resource group, as Azure lists it through the drill gateway (VMs, disks, NICs). */
export async function groupResources(w: ProtectionWorld, groupId = DRILL_RG_ID): Promise<DrillResource[]> {
  const out: DrillResource[] = [];
  for await (const r of w.deps.gateways.drills?.listResources(groupId) ?? []) out.push(r);
  return out;
}

export const drillGroupNames = async (w: ProtectionWorld): Promise<string[]> =>
  (await groupResources(w)).map((r) => `${r.kind} ${r.name}`).sort();

export async function drillRecords(w: ProtectionWorld): Promise<DrillRecord[]> {
  const out: DrillRecord[] = [];
  for await (const r of w.deps.drillRecords?.list() ?? []) out.push(r);
  return out;
}

/** The vault's Restore jobs that started at or after `since`. */
export async function restoreJobs(w: ProtectionWorld, since: Date): Promise<BackupJob[]> {
  const vault = w.deps.settings.vaults[0];
  if (!vault) throw new Error('no vault');
  const filter = {
    startTime: new Date(since.getTime() - MINUTE),
    endTime: new Date(w.sandbox.clock.nowMs() + MINUTE),
    operation: 'Restore' as const,
  };
  const jobs: BackupJob[] = [];
  for await (const j of w.deps.gateways.backup.listJobs(vault, filter)) jobs.push(j);
  return jobs.filter((j) => j.operation.toLowerCase().includes('restore'));
}

/** The alert codes raised for a VM's runs, in order. */
export const alertCodes = (w: ProtectionWorld, vm: string): string[] =>
  w.alerts.filter((a) => a.vmId.toLowerCase() === w.vmId(vm).toLowerCase()).map((a) => a.code);

export const alertOf = (w: ProtectionWorld, code: string) => w.alerts.find((a) => a.code === code);

/** The drill VM's Run Commands with the app's prefix, listed through the compute SDK (none once it is gone). */
export async function ibgRunCommandsOnDrillVm(w: ProtectionWorld, drillVmName: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const rc of w.compute().virtualMachineRunCommands.listByVirtualMachine('rg-drill', drillVmName))
      if ((rc.name ?? '').startsWith('ibg-')) names.push(rc.name ?? '');
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return [];
    throw e;
  }
  return names;
}

/** What the app asked Azure to do during a drill, as seen at the gateways. */
export interface DrillCalls {
  tagged: { kind: string; id: string; tags: Record<string, string> }[];
  /** `at`: the sandbox time of the attempt. */
  deleted: { kind: string; id: string; result: string; at: number }[];
  /** Every Run Command PUT: the VM it went to and its name. */
  started: { vmId: string; name: string }[];
}

export const emptyCalls = (): DrillCalls => ({ tagged: [], deleted: [], started: [] });

/** Deps whose drill gateway and compute gateway record tags, deletes and Run Command starts into `calls`. */
export function recordingDrillCalls(deps: ProtectionDeps, calls: DrillCalls): ProtectionDeps {
  const d = deps.gateways.drills;
  const c = deps.gateways.compute;
  if (d === undefined) return deps;
  const drills: typeof d = {
    getDrillVm: (id, o) => d.getDrillVm(id, o),
    listResources: (g, o) => d.listResources(g, o),
    addTags: async (kind, id, tags, o) => {
      await d.addTags(kind, id, tags, o);
      calls.tagged.push({ kind, id, tags });
    },
    deleteDrillResource: async (kind, id, scope, o) => {
      try {
        const at = deps.clock.now().getTime();
        const result = await d.deleteDrillResource(kind, id, scope, o);
        calls.deleted.push({ kind, id, result, at });
        return result;
      } catch (e) {
        calls.deleted.push({ kind, id, result: `error: ${(e as Error).message}`, at: deps.clock.now().getTime() });
        throw e;
      }
    },
    getSubnet: (id, o) => d.getSubnet(id, o),
    getNic: (id, o) => d.getNic(id, o),
    getStorageAccount: (id, o) => d.getStorageAccount(id, o),
  };
  const compute: typeof c = {
    ...c,
    getVm: (id, o) => c.getVm(id, o),
    listVms: (sub, o) => c.listVms(sub, o),
    runScript: (id, script, o) => c.runScript(id, script, o),
    startScript: async (id, script, o) => {
      calls.started.push({ vmId: id, name: o.name });
      return c.startScript(id, script, o);
    },
    readScript: (id, name, o) => c.readScript(id, name, o),
    deleteScript: (id, name) => c.deleteScript(id, name),
    listScripts: (id, o) => c.listScripts(id, o),
  };
  return { ...deps, gateways: { ...deps.gateways, drills, compute } };
}
