/** A generated fleet of N IRIS VMs with the hardened setup (benchmarks use 500), spread over resource groups. */
import { hardenedSetupFiles } from './hardenedSetup';
import type { Scenario, VmSpec } from './scenario';

export interface FleetOptions {
  count: number;
  subscriptionId?: string;
  location?: string;
  /** VMs per resource group (default 50). */
  perResourceGroup?: number;
  /** Backup job duration on the sandbox clock (default 15). */
  backupMinutes?: number;
  /** Give each VM one running IRIS instance (default true). */
  withIris?: boolean;
  /**
   * Install the hardened pre/post scripts (default true). They really run at every backup, about 150 ms of
   * shell per VM (500 VMs: ~50 s on 2 cores); without them backups are file-system-consistent and nearly free.
   */
  withScripts?: boolean;
  pageSize?: number;
}

export function generateFleetScenario(options: FleetOptions): Scenario {
  const sub = options.subscriptionId ?? '00000000-0000-0000-0000-00000000f1ee';
  const location = options.location ?? 'westeurope';
  const perRg = Math.max(1, options.perResourceGroup ?? 50);
  const vms: VmSpec[] = [];
  for (let i = 0; i < options.count; i++) {
    const n = String(i + 1).padStart(4, '0');
    vms.push({
      name: `iris-${n}`,
      subscriptionId: sub,
      resourceGroup: `rg-iris-${String(Math.floor(i / perRg) + 1).padStart(2, '0')}`,
      location,
      tags: { 'iris-backup-guard': 'enabled', workload: 'iris' },
      protectedBy: 'vault-fleet',
      files: options.withScripts === false ? [] : hardenedSetupFiles(),
      irisInstances: options.withIris === false ? [] : [{ name: 'IRIS', product: 'IRIS', status: 'running' }],
    });
  }
  return {
    name: `fleet-${options.count}`,
    vaults: [{ subscriptionId: sub, resourceGroup: 'rg-backup', name: 'vault-fleet', location }],
    vms,
    backup: { durationMinutes: options.backupMinutes ?? 15 },
    pageSize: options.pageSize,
    workspaces: [{ id: 'fleet-workspace', deriveBackupJobs: true }],
  };
}
