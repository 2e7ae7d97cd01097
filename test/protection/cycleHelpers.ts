/** Reading the outcome of a nightly cycle back from the sandbox and the store. */
import type { BackupJob } from '../../src/shared/azure/backupGateway';
import { advanceRuns, type AdvanceResult } from '../../src/shared/protection/advanceRuns';
import { nightOf } from '../../src/shared/protection/night';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import { isTerminalStage, runIdOf, vmKeyOf, type Run } from '../../src/shared/runs/run';
import type { ProtectionWorld } from './protectionWorld';

export const MINUTE = 60_000;

export const tonight = (w: ProtectionWorld): string => nightOf(w.sandbox.clock.now(), 'UTC');

/**
 * For tests whose steps must share one night: when the sandbox clock (which starts at the real time) is within
 * `hours` of midnight UTC, it is moved on to 02:00 UTC of the next day, so that the test's work cannot cross midnight.
 */
export function awayFromMidnight(w: ProtectionWorld, hours = 8): void {
  const now = w.sandbox.clock.now().getTime();
  const nextMidnight = Math.ceil((now + 1) / 86_400_000) * 86_400_000;
  if (nextMidnight - now < hours * 3_600_000) w.sandbox.clock.advance(nextMidnight + 2 * 3_600_000 - now);
}

/** Backup jobs of a VM that started at or after `since`, read through the real gateway. */
export async function backupJobsOf(w: ProtectionWorld, vmName: string, since: Date): Promise<BackupJob[]> {
  const vault = w.deps.settings.vaults[0];
  if (!vault) throw new Error('no vault');
  const jobs: BackupJob[] = [];
  const filter = {
    startTime: new Date(since.getTime() - MINUTE),
    endTime: new Date(w.sandbox.clock.nowMs() + MINUTE),
    operation: 'Backup' as const,
  };
  for await (const j of w.deps.gateways.backup.listJobs(vault, filter)) {
    if (j.entityName === vmName && j.startTime !== undefined && Date.parse(j.startTime) >= since.getTime())
      jobs.push(j);
  }
  return jobs;
}

export async function runOf(w: ProtectionWorld, night: string, vmName: string): Promise<Run | undefined> {
  return (await w.deps.store.get(runIdOf(night, vmKeyOf(w.vmId(vmName)))))?.run;
}

/**
 * One tick of the advance timer after `ms` of sandbox time: the VM scripts started earlier really finish first
 * (sandbox.idle), as they would while time passes on a real VM, then advanceRuns reads them and moves the runs on.
 */
export async function tick(w: ProtectionWorld, deps: ProtectionDeps, ms = 0): Promise<AdvanceResult> {
  if (ms > 0) w.sandbox.clock.advance(ms);
  await w.sandbox.idle();
  return advanceRuns(deps);
}

/** Moves time on and advances runs until every run of the night has ended (or the attempts run out). */
export async function settle(
  w: ProtectionWorld,
  deps: ProtectionDeps,
  night: string,
  vmNames: string[],
  stepMs = 10 * MINUTE,
): Promise<Run[]> {
  for (let i = 0; i < 12; i += 1) {
    const runs = await Promise.all(vmNames.map((n) => runOf(w, night, n)));
    if (runs.every((r) => r !== undefined && isTerminalStage(r.stage))) return runs as Run[];
    w.sandbox.clock.advance(stepMs);
    await w.sandbox.idle();
    await advanceRuns(deps);
  }
  return (await Promise.all(vmNames.map((n) => runOf(w, night, n)))).filter((r): r is Run => r !== undefined);
}

/**
 * Records the name of every Run Command PUT that really reached the gateway (so not one a crash stopped before),
 * and, with `deletes`, every DELETE and whether it succeeded.
 */
export function recordingStarts(
  deps: ProtectionDeps,
  started: string[],
  deletes?: { name: string; ok: boolean }[],
): ProtectionDeps {
  const c = deps.gateways.compute;
  const compute: ProtectionDeps['gateways']['compute'] = {
    getVm: (id, o) => c.getVm(id, o),
    listVms: (sub, o) => c.listVms(sub, o),
    runScript: (id, script, o) => c.runScript(id, script, o),
    startScript: async (id, script, o) => {
      started.push(o.name);
      return c.startScript(id, script, o);
    },
    readScript: (id, name, o) => c.readScript(id, name, o),
    deleteScript: async (id, name) => {
      try {
        await c.deleteScript(id, name);
        deletes?.push({ name, ok: true });
      } catch (e) {
        deletes?.push({ name, ok: false });
        throw e;
      }
    },
    listScripts: (id, o) => c.listScripts(id, o),
  };
  return { ...deps, gateways: { ...deps.gateways, compute } };
}
