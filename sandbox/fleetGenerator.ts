/** A generated fleet of N IRIS VMs with the hardened setup (benchmarks use 500), spread over resource groups. */
import { hardenedSetupFiles, PLUGIN_CONFIG_PATH } from './hardenedSetup';
import type { Scenario, VmFileSpec, VmSpec } from './scenario';

export interface FleetOptions {
  count: number;
  subscriptionId?: string;
  location?: string;
  /** VMs per resource group (default 50). */
  perResourceGroup?: number;
  /** Backup job duration (snapshot phase) on the sandbox clock (default 15). */
  backupMinutes?: number;
  /** Transfer-to-vault phase after a good snapshot, on the sandbox clock (default: the sandbox's, 60). */
  transferMinutes?: number;
  /** Give each VM one running IRIS instance (default true). */
  withIris?: boolean;
  /**
   * Install the hardened pre/post scripts (default true). They really run under dash at every backup, with the
   * simulated `iris`: about 0.8 s of shell CPU per VM (measured on 2 cores; 500 VMs: ~3 minutes of those cores);
   * without them backups are file-system-consistent and nearly free.
   */
  withScripts?: boolean;
  /**
   * Share of the VMs (0..1, default 0), spread evenly over the fleet, with the hardened scripts installed but a
   * typical misconfiguration: the plugin config left world-readable and not owned by root (mode 644, owner
   * nobody), so the extension refuses it (FailedPrepostPluginConfigPermissionError) and the backup is only
   * file-system-consistent. Ignored when withScripts is false.
   */
  misconfiguredShare?: number;
  pageSize?: number;
}

/** The hardened files with the plugin config world-readable and owned by nobody (the demo's iris-prod-06). */
export function misconfiguredSetupFiles(): VmFileSpec[] {
  return hardenedSetupFiles().map((f) => (f.path === PLUGIN_CONFIG_PATH ? { ...f, owner: 'nobody', mode: '644' } : f));
}

/** Whether VM i of the fleet is one of the misconfigured share (every 1/share-th VM, so 0.1 is the 10th, 20th…). */
const isMisconfigured = (i: number, share: number): boolean =>
  share > 0 && Math.floor((i + 1) * share) > Math.floor(i * share);

export function generateFleetScenario(options: FleetOptions): Scenario {
  const sub = options.subscriptionId ?? '00000000-0000-0000-0000-00000000f1ee';
  const location = options.location ?? 'westeurope';
  const perRg = Math.max(1, options.perResourceGroup ?? 50);
  const share = Math.min(1, Math.max(0, options.misconfiguredShare ?? 0));
  const vms: VmSpec[] = [];
  for (let i = 0; i < options.count; i++) {
    const n = String(i + 1).padStart(4, '0');
    const files =
      options.withScripts === false ? [] : isMisconfigured(i, share) ? misconfiguredSetupFiles() : hardenedSetupFiles();
    vms.push({
      name: `iris-${n}`,
      subscriptionId: sub,
      resourceGroup: `rg-iris-${String(Math.floor(i / perRg) + 1).padStart(2, '0')}`,
      location,
      tags: { 'iris-backup-guard': 'enabled', workload: 'iris' },
      protectedBy: 'vault-fleet',
      files,
      irisInstances: options.withIris === false ? [] : [{ name: 'IRIS', product: 'IRIS', status: 'running' }],
    });
  }
  return {
    name: `fleet-${options.count}`,
    vaults: [{ subscriptionId: sub, resourceGroup: 'rg-backup', name: 'vault-fleet', location }],
    vms,
    backup: {
      durationMinutes: options.backupMinutes ?? 15,
      ...(options.transferMinutes !== undefined ? { transferMinutes: options.transferMinutes } : {}),
    },
    pageSize: options.pageSize,
    workspaces: [{ id: 'fleet-workspace', deriveBackupJobs: true }],
  };
}
