/** Shared pieces for the sandbox tests: SDK clients pointed at a sandbox, and small scenario builders. */
import { ComputeManagementClient } from '@azure/arm-compute';
import { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import type { Sandbox, Scenario, VmFileSpec, VmSpec } from '../../sandbox';

export const SUB = '00000000-0000-0000-0000-0000000000aa';
export const VAULT_RG = 'rg-backup';
export const VAULT = 'vault1';
export const VM_RG = 'rg-vms';
export const LOCATION = 'westeurope';

export function clients(sandbox: Sandbox, subscriptionId = SUB) {
  return {
    backup: new RecoveryServicesBackupClient(sandbox.credential, subscriptionId, {
      endpoint: sandbox.url,
      $host: sandbox.url,
      credentialScopes: ['https://management.azure.com/.default'],
    }),
    compute: new ComputeManagementClient(sandbox.credential, subscriptionId, { endpoint: sandbox.url }),
    logs: new LogsQueryClient(sandbox.credential, { endpoint: `${sandbox.url}/v1` }),
  };
}

export const containerOf = (vm: string, rg = VM_RG): string => `IaasVMContainer;iaasvmcontainerv2;${rg};${vm}`;
export const itemOf = (vm: string, rg = VM_RG): string => `VM;iaasvmcontainerv2;${rg};${vm}`;
/** A recovery point as the tests compare it: type, time and tiers (`InstantRP:Valid`), read through the real SDK. */
export interface ListedPoint {
  type: string;
  time: string;
  tiers: string[];
}

/** Every recovery point of a VM's protected item, in the order the vault lists them. */
export async function recoveryPointsOf(
  sandbox: Sandbox,
  vm: string,
  at: { subscriptionId?: string; vault?: string; vaultRg?: string; vmRg?: string } = {},
): Promise<ListedPoint[]> {
  const vmRg = at.vmRg ?? VM_RG;
  const points: ListedPoint[] = [];
  for await (const rp of clients(sandbox, at.subscriptionId ?? SUB).backup.recoveryPoints.list(
    at.vault ?? VAULT,
    at.vaultRg ?? VAULT_RG,
    'Azure',
    containerOf(vm, vmRg),
    itemOf(vm, vmRg),
  )) {
    const props = rp.properties as {
      recoveryPointType?: string;
      recoveryPointTime?: Date;
      recoveryPointTierDetails?: { type?: string; status?: string }[];
    };
    points.push({
      type: props.recoveryPointType ?? '',
      time: props.recoveryPointTime?.toISOString() ?? '',
      tiers: (props.recoveryPointTierDetails ?? []).map((t) => `${t.type ?? ''}:${t.status ?? ''}`),
    });
  }
  return points;
}

export const vmIdOf = (vm: string, rg = VM_RG): string =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${vm}`;

/** A plugin config in the extension's template shape, with overrides. */
export function pluginConfig(overrides: Record<string, unknown> = {}): string {
  return `${JSON.stringify({
    pluginName: 'ScriptRunner',
    preScriptLocation: '/etc/azure/pre.sh',
    postScriptLocation: '/etc/azure/post.sh',
    preScriptParams: [],
    postScriptParams: [],
    preScriptNoOfRetries: 0,
    postScriptNoOfRetries: 0,
    timeoutInSeconds: 30,
    continueBackupOnFailure: true,
    fsFreezeEnabled: true,
    ScriptsExecutionPollTimeSeconds: 1,
    ...overrides,
  })}\n`;
}

/** Config + two scripts that write a marker into the VM and exit with the given codes. */
export function scriptSetup(
  opts: { preExit?: number; postExit?: number; config?: Record<string, unknown>; preMode?: string } = {},
): VmFileSpec[] {
  return [
    {
      path: '/etc/azure/VMSnapshotScriptPluginConfig.json',
      content: pluginConfig(opts.config),
      owner: 'root',
      mode: '600',
    },
    {
      path: '/etc/azure/pre.sh',
      content: `echo "pre $#" >> "$IBG_ROOT/var/log/calls.log"\nexit ${opts.preExit ?? 0}\n`,
      owner: 'root',
      mode: opts.preMode ?? '700',
    },
    {
      path: '/etc/azure/post.sh',
      content: `echo "post $#" >> "$IBG_ROOT/var/log/calls.log"\nexit ${opts.postExit ?? 0}\n`,
      owner: 'root',
      mode: '700',
    },
  ];
}

export function testVm(name: string, files: VmFileSpec[], extra: Partial<VmSpec> = {}): VmSpec {
  return {
    name,
    subscriptionId: SUB,
    resourceGroup: VM_RG,
    location: LOCATION,
    protectedBy: VAULT,
    tags: { app: 'iris' },
    files,
    ...extra,
  };
}

export function testScenario(vms: VmSpec[], extra: Partial<Scenario> = {}): Scenario {
  return {
    name: 'test',
    startTime: '2026-03-01T01:00:00.000Z',
    vaults: [{ subscriptionId: SUB, resourceGroup: VAULT_RG, name: VAULT, location: LOCATION }],
    vms,
    // A ten-minute snapshot phase, then an hour of transfer to the vault before the job ends.
    backup: { durationMinutes: 10, transferMinutes: 60, restoreDurationMinutes: 20 },
    ...extra,
  };
}

/** Triggers a backup and returns the operation id (from the 202's Azure-AsyncOperation header) and the job id. */
export interface VaultAt {
  subscriptionId: string;
  vaultRg: string;
  vault: string;
  vmRg: string;
}

const TEST_VAULT: VaultAt = { subscriptionId: SUB, vaultRg: VAULT_RG, vault: VAULT, vmRg: VM_RG };

export async function triggerBackup(
  sandbox: Sandbox,
  vm: string,
  at: VaultAt = TEST_VAULT,
): Promise<{ operationId: string; jobId: string; status: number }> {
  const { backup } = clients(sandbox, at.subscriptionId);
  const container = containerOf(vm, at.vmRg);
  const item = itemOf(vm, at.vmRg);
  let asyncOp = '';
  let status = 0;
  await backup.backups.trigger(
    at.vault,
    at.vaultRg,
    'Azure',
    container,
    item,
    {
      properties: { objectType: 'IaasVMBackupRequest', recoveryPointExpiryTimeInUTC: new Date('2026-04-01T00:00:00Z') },
    },
    {
      onResponse: (r) => {
        status = r.status;
        asyncOp = r.headers.get('azure-asyncoperation') ?? '';
      },
    },
  );
  const operationId = new URL(asyncOp).pathname.split('/').pop() ?? '';
  const op = await backup.protectedItemOperationStatuses.get(
    at.vault,
    at.vaultRg,
    'Azure',
    container,
    item,
    operationId,
  );
  const jobId = (op.properties as { jobId?: string } | undefined)?.jobId ?? '';
  return { operationId, jobId, status };
}
