/**
 * The custom roles in infra/roles/ hold exactly the ARM actions the gateways can call: derived from the SDK calls in
 * src/shared/gateways (armCalls.ts), mapped to actions by the table below. The table maps SDK operations to what
 * ARM checks for them; it is not the list of what the app calls. A call with no entry fails, so a new call forces
 * the roles (and the README's permissions table) to be updated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { armCallsInGateways, ROOT } from './armCalls';

type Role = 'operator' | 'drill';
interface Requirement {
  role: Role;
  action: string;
}

const RS = 'Microsoft.RecoveryServices/Vaults';
const ITEM = `${RS}/backupFabrics/protectionContainers/protectedItems`;
const VM = 'Microsoft.Compute/virtualMachines';
const DISK = 'Microsoft.Compute/disks';
const NIC = 'Microsoft.Network/networkInterfaces';
const op = (...actions: string[]): Requirement[] => actions.map((action) => ({ role: 'operator', action }));
const drill = (...actions: string[]): Requirement[] => actions.map((action) => ({ role: 'drill', action }));

/** `<operationGroup>.<method>` → the actions ARM authorises the call with, and the role that grants them. */
const SDK_OPERATION_ACTIONS: Record<string, Requirement[]> = {
  'backupProtectedItems.list': op(`${ITEM}/read`),
  'backups.trigger': op(`${ITEM}/backup/action`),
  // An alternate-location restore creates the VM, its disks and NIC with the caller's rights, in the drill group.
  'restores.beginTrigger': [
    ...op(`${ITEM}/recoveryPoints/restore/action`, `${VM}/read`),
    ...drill(
      `${VM}/write`,
      `${DISK}/write`,
      `${NIC}/write`,
      `${NIC}/join/action`,
      'Microsoft.Network/virtualNetworks/subnets/join/action',
      'Microsoft.Storage/storageAccounts/write',
    ),
  ],
  'protectedItemOperationStatuses.get': op(`${ITEM}/operationsStatus/read`),
  'backupJobs.list': op(`${RS}/backupJobs/read`),
  'jobDetails.get': op(`${RS}/backupJobs/read`),
  'recoveryPoints.list': op(`${ITEM}/recoveryPoints/read`),
  'recoveryPoints.get': op(`${ITEM}/recoveryPoints/read`),
  'virtualMachines.get': op(`${VM}/read`),
  'virtualMachines.list': op(`${VM}/read`),
  'virtualMachines.listAll': op(`${VM}/read`),
  'virtualMachines.update': drill(`${VM}/write`),
  'virtualMachines.delete': drill(`${VM}/delete`),
  'virtualMachines.beginDelete': drill(`${VM}/delete`),
  'virtualMachineRunCommands.createOrUpdate': op(`${VM}/runCommands/write`),
  'virtualMachineRunCommands.beginCreateOrUpdate': op(`${VM}/runCommands/write`),
  'virtualMachineRunCommands.getByVirtualMachine': op(`${VM}/runCommands/read`),
  'virtualMachineRunCommands.listByVirtualMachine': op(`${VM}/runCommands/read`),
  'virtualMachineRunCommands.delete': op(`${VM}/runCommands/delete`),
  'virtualMachineRunCommands.beginDelete': op(`${VM}/runCommands/delete`),
  'disks.get': op(`${DISK}/read`),
  'disks.listByResourceGroup': op(`${DISK}/read`),
  'disks.update': drill(`${DISK}/write`),
  'disks.delete': drill(`${DISK}/delete`),
  'disks.beginDelete': drill(`${DISK}/delete`),
  'networkInterfaces.get': op(`${NIC}/read`),
  'networkInterfaces.list': op(`${NIC}/read`),
  'networkInterfaces.updateTags': drill(`${NIC}/write`),
  'networkInterfaces.beginDelete': drill(`${NIC}/delete`),
  'networkInterfaces.beginDeleteAndWait': drill(`${NIC}/delete`),
  'virtualNetworks.get': op('Microsoft.Network/virtualNetworks/read'),
  'storageAccounts.getProperties': op('Microsoft.Storage/storageAccounts/read'),
};

/** Writes and deletes that must never be granted outside the drill resource group. */
const DRILL_ONLY = /^Microsoft\.(Compute\/(virtualMachines|disks)|Network\/networkInterfaces)\/(write|delete)$/i;

interface RoleDefinition {
  Name: string;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
}
const ROLE_FILES: Record<Role, string> = {
  operator: 'infra/roles/iris-backup-guard-operator.json',
  drill: 'infra/roles/iris-backup-guard-drill.json',
};
const readRole = (role: Role): RoleDefinition =>
  JSON.parse(readFileSync(join(ROOT, ROLE_FILES[role]), 'utf8')) as RoleDefinition;

const diff = (expected: Set<string>, actual: readonly string[]): { missing: string[]; extra: string[] } => ({
  missing: [...expected].filter((a) => !actual.includes(a)).sort(),
  extra: actual.filter((a) => !expected.has(a)).sort(),
});

describe('custom roles against the gateway code', () => {
  const calls = armCallsInGateways();

  it('finds the SDK calls of every ARM gateway', () => {
    const files = new Set(calls.map((c) => c.file.replace(/^.*\//, '')));
    expect(files).toEqual(new Set(['armBackupGateway.ts', 'armComputeGateway.ts', 'armDrillGateway.ts']));
  });

  it('knows the actions of every SDK operation the gateways call', () => {
    const unmapped = calls
      .filter((c) => SDK_OPERATION_ACTIONS[`${c.group}.${c.method}`] === undefined)
      .map((c) => `${c.group}.${c.method} (${c.file}): add it to SDK_OPERATION_ACTIONS and to the role`);
    expect(unmapped).toEqual([]);
  });

  it.each(['operator', 'drill'] as const)('the %s role holds exactly the actions the code needs', (role) => {
    const needed = new Set(
      calls.flatMap((c) => SDK_OPERATION_ACTIONS[`${c.group}.${c.method}`] ?? []).filter((r) => r.role === role),
    );
    const expected = new Set([...needed].map((r) => r.action));
    const definition = readRole(role);
    expect({ role: definition.Name, ...diff(expected, definition.Actions) }).toEqual({
      role: definition.Name,
      missing: [],
      extra: [],
    });
    expect(new Set(definition.Actions).size).toBe(definition.Actions.length);
    expect(definition.NotActions).toEqual([]);
    expect(definition.DataActions).toEqual([]);
  });

  it('keeps VM, disk and NIC writes and deletes out of the operator role', () => {
    expect(readRole('operator').Actions.filter((a) => DRILL_ONLY.test(a))).toEqual([]);
    expect(readRole('drill').Actions.filter((a) => DRILL_ONLY.test(a)).length).toBeGreaterThan(0);
  });
});
