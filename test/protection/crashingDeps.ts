/**
 * Simulates an instance that dies at its n-th call to a store or gateway method: the call throws (before or after the
 * real call went through), and every later call of that instance throws too, so nothing it does afterwards counts.
 */
import type { BackupGateway } from '../../src/shared/azure/backupGateway';
import type { VmCommandGateway } from '../../src/shared/azure/vmCommandGateway';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import type { RunRepository } from '../../src/shared/protection/runRepository';

export class CrashPlan {
  calls: string[] = [];
  dead = false;
  constructor(
    readonly crashAt: number,
    readonly when: 'before' | 'after',
  ) {}

  private check(name: string, phase: 'before' | 'after'): void {
    if (this.dead) throw new Error(`instance is dead (${name})`);
    if (phase === 'before') this.calls.push(name);
    if (this.calls.length === this.crashAt && this.when === phase) {
      this.dead = true;
      throw new Error(`injected crash ${phase} call ${this.crashAt} (${name})`);
    }
  }

  async call<R>(name: string, real: () => Promise<R>): Promise<R> {
    this.check(name, 'before');
    const result = await real();
    this.check(name, 'after');
    return result;
  }

  async *iterate<T>(name: string, real: () => AsyncIterable<T>): AsyncIterable<T> {
    this.check(name, 'before');
    const items: T[] = [];
    for await (const item of real()) items.push(item);
    this.check(name, 'after');
    yield* items;
  }
}

/** Counts calls without crashing (crashAt 0 never matches). */
export const countingPlan = (): CrashPlan => new CrashPlan(0, 'before');

export function crashing(deps: ProtectionDeps, plan: CrashPlan): ProtectionDeps {
  const b = deps.gateways.backup;
  const c = deps.gateways.compute;
  const s = deps.store;
  const backup: BackupGateway = {
    listProtectedVms: (vault, o) => plan.iterate('listProtectedVms', () => b.listProtectedVms(vault, o)),
    triggerBackup: (item, o) => plan.call('triggerBackup', () => b.triggerBackup(item, o)),
    getBackupOperation: (item, id, o) => plan.call('getBackupOperation', () => b.getBackupOperation(item, id, o)),
    triggerRestore: (item, r, o) => plan.call('triggerRestore', () => b.triggerRestore(item, r, o)),
    listJobs: (vault, f, o) => plan.iterate('listJobs', () => b.listJobs(vault, f, o)),
    getJob: (vault, id, o) => plan.call('getJob', () => b.getJob(vault, id, o)),
    listRecoveryPoints: (item, o) => plan.iterate('listRecoveryPoints', () => b.listRecoveryPoints(item, o)),
  };
  const compute: VmCommandGateway = {
    getVm: (id, o) => plan.call('getVm', () => c.getVm(id, o)),
    listVms: (sub, o) => plan.iterate('listVms', () => c.listVms(sub, o)),
    runScript: (id, script, o) =>
      plan.call(`runScript:${o.parameters?.[0]?.value ?? ''}`, () => c.runScript(id, script, o)),
    startScript: (id, script, o) =>
      plan.call(`startScript:${o.parameters?.[0]?.value ?? ''}`, () => c.startScript(id, script, o)),
    readScript: (id, name, o) => plan.call('readScript', () => c.readScript(id, name, o)),
    deleteScript: (id, name) => plan.call('deleteScript', () => c.deleteScript(id, name)),
    listScripts: (id, o) => plan.iterate('listScripts', () => c.listScripts(id, o)),
  };
  const store: RunRepository = {
    get: (id) => plan.call('store.get', () => s.get(id)),
    create: (run) => plan.call('store.create', () => s.create(run)),
    update: (run, etag) => plan.call('store.update', () => s.update(run, etag)),
    listActive: () => plan.call('store.listActive', () => s.listActive()),
    list: (night) => plan.call('store.list', () => s.list(night)),
    listSummaries: (night) => plan.call('store.listSummaries', () => s.listSummaries(night)),
  };
  return { ...deps, gateways: { backup, compute }, store };
}
