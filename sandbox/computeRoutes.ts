/** Compute (2026-03-01; disks 2025-01-02) routes over the simulated world (Network: networkRoutes.ts). */
import { resourceKey, diskResourceId } from './armIds';
import { ArmError, badRequest, conflict, notFound } from './armError';
import { type ArmRequest, type ArmResponse, type Route, json, page } from './armRouter';
import { computeOperationJson, diskJson, runCommandJson, vmInstanceViewJson, vmJson } from './computeResources';
import { tagsOfPatch } from './networkRoutes';
import type { RunCommandService } from './runCommandService';
import type { VmRecord, World } from './world';

const RG = '/subscriptions/{sub}/resourceGroups/{rg}';
const VM = `${RG}/providers/Microsoft.Compute/virtualMachines/{vm}`;

export function computeRoutes(world: World, runCommands: RunCommandService, pageSize: number): Route[] {
  const vmOf = (p: Record<string, string>): VmRecord => {
    const vm = world.vm(p.sub ?? '', p.rg ?? '', p.vm ?? '');
    if (!vm)
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Compute/virtualMachines/${p.vm}' under resource group '${p.rg}' was not found.`,
      );
    return vm;
  };
  const diskOf = (id: string) => world.disks.get(resourceKey(id));
  const instanceViewOf = (vm: VmRecord) => vmInstanceViewJson(vm, world.runtimeState(vm), diskOf);
  const vmBody = (vm: VmRecord, expand?: string | null) =>
    vmJson(vm, diskOf, expand?.toLowerCase() === 'instanceview' ? instanceViewOf(vm) : undefined);
  /** An LRO that is already done: 202 with both poll headers on the compute operations URL. */
  const acceptedDone = (req: ArmRequest, sub: string, location: string): ArmResponse => {
    const op = runCommands.newOperation(sub, location, true);
    const url = operationUrl(req, sub, location, op.id);
    return { status: 202, headers: { Location: url, 'Azure-AsyncOperation': url, 'Retry-After': '0' } };
  };

  return [
    {
      name: 'compute.vms.listBySubscription',
      method: 'GET',
      template: '/subscriptions/{sub}/providers/Microsoft.Compute/virtualMachines',
      handler: (req, p) =>
        json(
          200,
          page(
            req,
            world.vmsIn(p.sub ?? '').map((vm) => vmBody(vm, req.query.get('$expand'))),
            pageSize,
          ),
        ),
    },
    {
      name: 'compute.vms.listByResourceGroup',
      method: 'GET',
      template: `${RG}/providers/Microsoft.Compute/virtualMachines`,
      handler: (req, p) =>
        json(
          200,
          page(
            req,
            world.vmsIn(p.sub ?? '', p.rg).map((vm) => vmBody(vm, req.query.get('$expand'))),
            pageSize,
          ),
        ),
    },
    {
      name: 'compute.vms.get',
      method: 'GET',
      template: VM,
      handler: (req, p) => json(200, vmBody(vmOf(p), req.query.get('$expand'))),
    },
    {
      name: 'compute.vms.instanceView',
      method: 'GET',
      template: `${VM}/instanceView`,
      handler: (_req, p) => json(200, instanceViewOf(vmOf(p))),
    },
    {
      name: 'compute.vms.update',
      method: 'PATCH',
      template: VM,
      handler: (req, p) => {
        const vm = vmOf(p);
        const tags = tagsOfPatch(req.body);
        if (tags !== undefined) vm.tags = tags;
        return json(200, vmBody(vm));
      },
    },
    {
      name: 'compute.vms.delete',
      method: 'DELETE',
      template: VM,
      handler: (req, p) => {
        const vm = world.vm(p.sub ?? '', p.rg ?? '', p.vm ?? '');
        if (!vm) return { status: 204 };
        runCommands.deleteAllOf(vm);
        world.deleteVm(vm);
        return acceptedDone(req, vm.subscriptionId, vm.location);
      },
    },
    {
      name: 'compute.disks.listByResourceGroup',
      method: 'GET',
      template: `${RG}/providers/Microsoft.Compute/disks`,
      handler: (req, p) => {
        const disks = [...world.disks.values()].filter(
          (d) =>
            d.subscriptionId.toLowerCase() === (p.sub ?? '').toLowerCase() &&
            d.resourceGroup.toLowerCase() === (p.rg ?? '').toLowerCase(),
        );
        return json(200, page(req, disks.map(diskJson), pageSize));
      },
    },
    {
      name: 'compute.disks.get',
      method: 'GET',
      template: `${RG}/providers/Microsoft.Compute/disks/{disk}`,
      handler: (_req, p) => {
        const disk = world.disks.get(resourceKey(diskResourceId(p.sub ?? '', p.rg ?? '', p.disk ?? '')));
        if (!disk) throw notFound(`Disk '${p.disk}'`);
        return json(200, diskJson(disk));
      },
    },
    {
      name: 'compute.disks.update',
      method: 'PATCH',
      template: `${RG}/providers/Microsoft.Compute/disks/{disk}`,
      handler: (req, p) => {
        const disk = world.disks.get(resourceKey(diskResourceId(p.sub ?? '', p.rg ?? '', p.disk ?? '')));
        if (!disk) throw notFound(`Disk '${p.disk}'`);
        // DiskUpdate's tags replace the disk's tags; the sandbox changes nothing else.
        const tags = tagsOfPatch(req.body);
        if (tags !== undefined) disk.tags = tags;
        return json(200, diskJson(disk));
      },
    },
    {
      name: 'compute.disks.delete',
      method: 'DELETE',
      template: `${RG}/providers/Microsoft.Compute/disks/{disk}`,
      handler: (req, p) => {
        const key = resourceKey(diskResourceId(p.sub ?? '', p.rg ?? '', p.disk ?? ''));
        const disk = world.disks.get(key);
        if (!disk) return { status: 204 };
        if (disk.managedBy) throw conflict(`Disk ${disk.name} is attached to VM ${disk.managedBy}.`);
        world.disks.delete(key);
        return acceptedDone(req, disk.subscriptionId, disk.location);
      },
    },
    {
      name: 'compute.runCommands.list',
      method: 'GET',
      template: `${VM}/runCommands`,
      handler: (req, p) => {
        const expand = req.query.get('$expand') === 'instanceView';
        return json(
          200,
          page(
            req,
            runCommands.list(vmOf(p)).map((rc) => runCommandJson(rc, expand)),
            pageSize,
          ),
        );
      },
    },
    {
      name: 'compute.runCommands.createOrUpdate',
      method: 'PUT',
      template: `${VM}/runCommands/{name}`,
      handler: (req, p) => {
        const vm = vmOf(p);
        const name = p.name ?? '';
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(name))
          throw badRequest(`Invalid run command name '${name}'.`, 'InvalidParameter');
        const { record, created } = runCommands.createOrUpdate(vm, name, req.body, {
          skip: req.skipRunCommand === true,
        });
        const url = operationUrl(req, vm.subscriptionId, record.location, record.operationId);
        return json(created ? 201 : 200, runCommandJson(record, false), {
          'Azure-AsyncOperation': url,
          'Retry-After': '0',
        });
      },
    },
    {
      name: 'compute.runCommands.get',
      method: 'GET',
      template: `${VM}/runCommands/{name}`,
      handler: (req, p) =>
        json(200, runCommandJson(runCommands.get(vmOf(p), p.name ?? ''), req.query.get('$expand') === 'instanceView')),
    },
    {
      name: 'compute.runCommands.delete',
      method: 'DELETE',
      template: `${VM}/runCommands/{name}`,
      handler: (req, p) => {
        const vm = vmOf(p);
        // Fault runCommandDeleteFailure: refused while it has refusals left; the Run Command stays.
        runCommands.refuseDelete(vm);
        if (!runCommands.delete(vm, p.name ?? '')) return { status: 204 };
        return acceptedDone(req, vm.subscriptionId, vm.location);
      },
    },
    {
      name: 'compute.operations.get',
      method: 'GET',
      template: '/subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/operations/{op}',
      handler: (_req, p) => {
        const op = runCommands.operation(p.op ?? '');
        return json(200, computeOperationJson(op), op.result ? {} : { 'Retry-After': '0' });
      },
    },
  ];
}

function operationUrl(req: ArmRequest, sub: string, location: string, opId: string): string {
  const v = req.query.get('api-version') ?? '2026-03-01';
  return `${req.baseUrl}/subscriptions/${sub}/providers/Microsoft.Compute/locations/${location}/operations/${opId}?api-version=${v}`;
}
