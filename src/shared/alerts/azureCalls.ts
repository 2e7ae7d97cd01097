/**
 * The Azure calls the app makes that a missing role assignment can refuse, each with the RBAC action it needs and
 * the least built-in role that grants it (Azure built-in roles: Backup Reader can read vaults, items and jobs;
 * Backup Operator can also trigger backups; Reader can list VMs; Virtual Machine Contributor, or a custom role with
 * Microsoft.Compute/virtualMachines/runCommands/*, can run commands on VMs).
 */
export type AzureCallKind = 'listProtectedItems' | 'listBackupJobs' | 'listVms' | 'triggerBackup' | 'runCommand';

export interface AzureCall {
  operation: string;
  action: string;
  /** Where the role must be assigned. */
  scope: 'vault' | 'subscription' | 'vm';
  role: string;
}

export const AZURE_CALLS: Record<AzureCallKind, AzureCall> = {
  listProtectedItems: {
    operation: 'list protected items',
    action: 'Microsoft.RecoveryServices/vaults/backupProtectedItems/read',
    scope: 'vault',
    role: 'Backup Reader',
  },
  listBackupJobs: {
    operation: 'list backup jobs',
    action: 'Microsoft.RecoveryServices/vaults/backupJobs/read',
    scope: 'vault',
    role: 'Backup Reader',
  },
  listVms: {
    operation: 'list virtual machines',
    action: 'Microsoft.Compute/virtualMachines/read',
    scope: 'subscription',
    role: 'Reader',
  },
  triggerBackup: {
    operation: 'trigger backup',
    action: 'Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/backup/action',
    scope: 'vault',
    role: 'Backup Operator',
  },
  runCommand: {
    operation: 'run command',
    action: 'Microsoft.Compute/virtualMachines/runCommands/write',
    scope: 'vm',
    role: 'Virtual Machine Contributor (or a custom role with Microsoft.Compute/virtualMachines/runCommands/*)',
  },
};

/**
 * On a refusal (401, 403), what to say about the role, e.g. "the app's identity probably lacks the role Backup
 * Operator (at least) on the vault"; nothing for any other answer, which no role assignment would change.
 */
export function missingRoleHint(kind: AzureCallKind, httpStatus: number | undefined): string | undefined {
  if (httpStatus !== 401 && httpStatus !== 403) return undefined;
  const call = AZURE_CALLS[kind];
  const where = call.scope === 'vm' ? 'the VM' : `the ${call.scope}`;
  return `the app's identity probably lacks the role ${call.role} (at least) on ${where}`;
}
