/**
 * Validation of an IaaS VM restore request (IaasVMRestoreRequest, AlternateLocation) as Azure Backup does it, in two
 * steps (reference/azure-apis.md §3.2):
 * - the POST checks the request's shape and answers 400 `{error:{code,message}}` at once: a wrong objectType or
 *   recoveryType, a missing or malformed field, ids that do not fit together (subnet outside the network, target
 *   resource group not the target VM's), a source that is not the protected VM;
 * - the restore job checks the world: regions, the staging storage account, the network, the target resource group
 *   and name. Those problems fail the job (errorDetails) shortly after it starts, as Azure's restore jobs do.
 * Codes: UserErrorStorageAccountNotFound is Azure Backup's own; the other job error codes are not documented
 * publicly under these names and are named in Azure Backup's UserError* style (a plausible choice, not verbatim).
 */
import { parseResourceGroupId, parseResourceId } from './armIds';
import { ArmError } from './armError';
import type { Scenario, StorageAccountSpec, VirtualNetworkSpec } from './scenario';
import type { VaultRecord, VmRecord, World } from './world';

/** The 400 code for a malformed restore request (the one the backup route uses for a malformed backup request). */
export const INVALID_RESTORE_INPUT = 'BMSUserErrorInvalidInput';

/** Job error codes (errorTitle) and their numeric errorCode. */
export const RESTORE_JOB_ERRORS = {
  regionMismatch: { code: 'UserErrorRestoreRegionMismatch', number: 400101 },
  storageAccountNotFound: { code: 'UserErrorStorageAccountNotFound', number: 400102 },
  storageAccountRegion: { code: 'UserErrorStorageAccountRegionMismatch', number: 400103 },
  storageAccountZoneRedundant: { code: 'UserErrorZRSStorageAccountNotSupported', number: 400104 },
  subnetNotFound: { code: 'UserErrorSubnetNotFound', number: 400105 },
  networkRegion: { code: 'UserErrorVirtualNetworkRegionMismatch', number: 400106 },
  resourceGroupNotFound: { code: 'UserErrorTargetResourceGroupNotFound', number: 400107 },
  vmNameInUse: { code: 'UserErrorVmNameAlreadyExists', number: 400108 },
} as const;

export type RestoreJobErrorKind = keyof typeof RESTORE_JOB_ERRORS;

export interface RestoreTarget {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  subnetId?: string;
  location: string;
  storageAccountId?: string;
}

export interface RestoreCheckFailure {
  kind: RestoreJobErrorKind;
  message: string;
}

const invalid = (message: string): ArmError => new ArmError(400, INVALID_RESTORE_INPUT, message);
const same = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
const normalizeRegion = (r: string): string => r.replace(/\s+/g, '').toLowerCase();

/** Whether a scenario asks for Azure's full validation (default: when it declares a network to check against). */
export function strictRestoreValidation(scenario: Scenario): boolean {
  const b = scenario.backup;
  return (
    (b?.restoreValidation ??
      ((b?.storageAccounts ?? []).length > 0 || (b?.virtualNetworks ?? []).length > 0 ? 'azure' : 'lenient')) ===
    'azure'
  );
}

const ALR_REQUIRED = [
  'sourceResourceId',
  'targetVirtualMachineId',
  'targetResourceGroupId',
  'storageAccountId',
  'virtualNetworkId',
  'subnetId',
  'region',
] as const;

/**
 * The synchronous checks of the POST: returns the restore target or throws a 400. In lenient mode only the target
 * VM and resource group are required; fields that are given are always checked.
 */
export function parseRestoreRequest(body: unknown, source: VmRecord, rpName: string, strict: boolean): RestoreTarget {
  const props = (body as { properties?: Record<string, unknown> } | null)?.properties;
  if (typeof props !== 'object' || props === null) throw invalid('Request body must have "properties".');
  if (props.objectType !== 'IaasVMRestoreRequest' && props.objectType !== 'IaasVMRestoreWithRehydrationRequest') {
    throw invalid(`properties.objectType '${String(props.objectType)}' is not an IaaS VM restore request.`);
  }
  if (props.recoveryType !== 'AlternateLocation') {
    throw invalid(
      `recoveryType '${String(props.recoveryType)}' is not supported by the sandbox (use AlternateLocation).`,
    );
  }
  const str = (key: string): string | undefined => {
    const v = props[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw invalid(`properties.${key} must be a string.`);
    return v.trim() === '' ? undefined : v;
  };
  const required = strict ? ALR_REQUIRED : (['targetVirtualMachineId', 'targetResourceGroupId'] as const);
  const missing = required.filter((k) => str(k) === undefined);
  if (missing.length > 0) {
    throw invalid(
      `A restore to a new virtual machine (AlternateLocation) needs ${missing.map((k) => `properties.${k}`).join(', ')}.`,
    );
  }
  for (const key of ['createNewCloudService', 'originalStorageAccountOption'] as const) {
    if (props[key] !== undefined && typeof props[key] !== 'boolean')
      throw invalid(`properties.${key} must be true or false.`);
  }
  if (props.createNewCloudService === true) {
    throw invalid('properties.createNewCloudService applies to classic VMs only; send false.');
  }
  const recoveryPointId = str('recoveryPointId');
  if (recoveryPointId !== undefined && !same(recoveryPointId, rpName)) {
    throw invalid(`properties.recoveryPointId '${recoveryPointId}' is not the recovery point of the URL (${rpName}).`);
  }
  const sourceId = str('sourceResourceId');
  if (sourceId !== undefined && !same(sourceId, source.id)) {
    throw invalid(`properties.sourceResourceId '${sourceId}' is not the protected virtual machine ${source.id}.`);
  }
  const targetVmId = str('targetVirtualMachineId') ?? '';
  const target = parseResourceId(targetVmId);
  if (!target || target.type.toLowerCase() !== 'microsoft.compute/virtualmachines') {
    throw invalid('properties.targetVirtualMachineId must be a virtual machine resource id.');
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(target.name) || /[.-]$/.test(target.name)) {
    throw invalid(`The target virtual machine name '${target.name}' is not a valid Linux VM name.`);
  }
  const targetRg = parseResourceGroupId(str('targetResourceGroupId') ?? '');
  if (
    !targetRg ||
    !same(targetRg.resourceGroup, target.resourceGroup) ||
    !same(targetRg.subscriptionId, target.subscriptionId)
  ) {
    throw invalid('properties.targetResourceGroupId must be the resource group of targetVirtualMachineId.');
  }
  const storageAccountId = str('storageAccountId');
  if (storageAccountId !== undefined) {
    const sa = parseResourceId(storageAccountId);
    if (!sa || sa.type.toLowerCase() !== 'microsoft.storage/storageaccounts') {
      throw invalid('properties.storageAccountId must be a storage account resource id.');
    }
  }
  const vnetId = str('virtualNetworkId');
  if (vnetId !== undefined) {
    const vnet = parseResourceId(vnetId);
    if (!vnet || vnet.type.toLowerCase() !== 'microsoft.network/virtualnetworks') {
      throw invalid('properties.virtualNetworkId must be a virtual network resource id.');
    }
  }
  const subnetId = str('subnetId');
  if (subnetId !== undefined) {
    const m = /^(.*)\/subnets\/([^/]+)$/i.exec(subnetId.trim());
    if (!m?.[1] || !parseResourceId(m[1])) throw invalid('properties.subnetId must be a subnet resource id.');
    if (vnetId !== undefined && !same(m[1], vnetId.trim())) {
      throw invalid('properties.subnetId must be a subnet of properties.virtualNetworkId.');
    }
  }
  const region = str('region');
  return {
    subscriptionId: target.subscriptionId,
    resourceGroup: target.resourceGroup,
    name: target.name,
    subnetId,
    location: region ?? source.location,
    storageAccountId,
  };
}

const ZONE_REDUNDANT = /ZRS$/i;

/**
 * The checks Azure makes in the restore job, in its order: region, staging storage account, network, target
 * resource group, target name. Storage accounts and networks are checked for existence only when the scenario
 * declares some (or in strict mode); the target resource group only in strict mode.
 */
export function checkRestoreTarget(
  world: World,
  scenario: Scenario,
  vault: VaultRecord,
  source: VmRecord,
  target: RestoreTarget,
  strict: boolean,
  nameInUseByRestore: boolean,
): RestoreCheckFailure | undefined {
  const region = normalizeRegion(target.location);
  if (region !== normalizeRegion(vault.location) || region !== normalizeRegion(source.location)) {
    return {
      kind: 'regionMismatch',
      message: `The target region '${target.location}' must be the region of the vault (${vault.location}) and of the source VM (${source.location}): restore to another region needs Cross Region Restore.`,
    };
  }
  const accounts = scenario.backup?.storageAccounts ?? [];
  if (target.storageAccountId !== undefined && (strict || accounts.length > 0)) {
    const id = parseResourceId(target.storageAccountId);
    const account = accounts.find(
      (a: StorageAccountSpec) =>
        same(a.subscriptionId, id?.subscriptionId) &&
        same(a.resourceGroup, id?.resourceGroup) &&
        same(a.name, id?.name),
    );
    if (!account) {
      return {
        kind: 'storageAccountNotFound',
        message: `Operation failed as the specified storage account does not exist anymore: ${target.storageAccountId}.`,
      };
    }
    if (normalizeRegion(account.location) !== region) {
      return {
        kind: 'storageAccountRegion',
        message: `The staging storage account ${account.name} is in ${account.location}, a different region from the Recovery Services vault (${vault.location}). Use a storage account in the vault's region.`,
      };
    }
    if (ZONE_REDUNDANT.test(account.sku ?? 'Standard_LRS')) {
      return {
        kind: 'storageAccountZoneRedundant',
        message: `The staging storage account ${account.name} is zone-redundant (${account.sku ?? ''}); restore needs a storage account that is not zone redundant (LRS or GRS).`,
      };
    }
  }
  const networks = scenario.backup?.virtualNetworks ?? [];
  if (target.subnetId !== undefined && (strict || networks.length > 0)) {
    const m = /^(.*)\/subnets\/([^/]+)$/i.exec(target.subnetId.trim());
    const vnetId = parseResourceId(m?.[1] ?? '');
    const vnet = networks.find(
      (n: VirtualNetworkSpec) =>
        same(n.subscriptionId, vnetId?.subscriptionId) &&
        same(n.resourceGroup, vnetId?.resourceGroup) &&
        same(n.name, vnetId?.name),
    );
    if (!vnet || !vnet.subnets.some((s) => same(s, m?.[2]))) {
      return { kind: 'subnetNotFound', message: `The subnet ${target.subnetId} was not found.` };
    }
    if (normalizeRegion(vnet.location) !== region) {
      return {
        kind: 'networkRegion',
        message: `The virtual network ${vnet.name} is in ${vnet.location}; the restored VM must be in its region (${target.location}).`,
      };
    }
  }
  if (strict && !resourceGroupExists(world, scenario, target.subscriptionId, target.resourceGroup)) {
    return {
      kind: 'resourceGroupNotFound',
      message: `Resource group '${target.resourceGroup}' could not be found in subscription ${target.subscriptionId}.`,
    };
  }
  if (world.vm(target.subscriptionId, target.resourceGroup, target.name) || nameInUseByRestore) {
    return {
      kind: 'vmNameInUse',
      message: `A virtual machine named ${target.name} already exists in resource group ${target.resourceGroup}${nameInUseByRestore ? ' or is being created by another restore' : ''}. Choose another name for the restored VM.`,
    };
  }
  return undefined;
}

/** Resource groups that exist: the vaults', the VMs', the declared storage accounts' and networks', the declared ones. */
export function resourceGroupExists(world: World, scenario: Scenario, subscriptionId: string, rg: string): boolean {
  const b = scenario.backup;
  const groups: { subscriptionId: string; resourceGroup: string }[] = [
    ...world.vaults.values(),
    ...world.vms.values(),
    ...(b?.storageAccounts ?? []),
    ...(b?.virtualNetworks ?? []),
    ...(b?.resourceGroups ?? []).map((g) => ({ subscriptionId: g.subscriptionId, resourceGroup: g.name })),
  ];
  return groups.some((g) => same(g.subscriptionId, subscriptionId) && same(g.resourceGroup, rg));
}
