/**
 * Microsoft.Network (2024-03-01: network interfaces, virtual networks, subnets) and Microsoft.Storage (storage
 * account GET) routes over the simulated world. Deletes answer 200 at once: the spec allows it, and it keeps the
 * traffic free of Network async-operation polls, whose spec is not in the local set.
 */
import { nicResourceId, resourceKey, storageAccountResourceId, virtualNetworkResourceId } from './armIds';
import { ArmError, badRequest, notFound } from './armError';
import { type Route, json, page } from './armRouter';
import { nicJson, storageAccountJson, subnetJson, virtualNetworkJson } from './networkResources';
import type { World } from './world';

const RG = '/subscriptions/{sub}/resourceGroups/{rg}';
const NIC = `${RG}/providers/Microsoft.Network/networkInterfaces/{nic}`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/{vnet}`;

/** `{tags}` of a PATCH: an object of strings (TagsObject), or absent. */
export const tagsOfPatch = (body: unknown): Record<string, string> | undefined => {
  const tags = (body as { tags?: unknown } | null)?.tags;
  if (tags === undefined) return undefined;
  if (typeof tags !== 'object' || tags === null || Object.values(tags).some((v) => typeof v !== 'string')) {
    throw badRequest('tags must be an object of strings.', 'InvalidParameter');
  }
  return { ...(tags as Record<string, string>) };
};

export function networkRoutes(world: World, pageSize: number): Route[] {
  const nicKey = (p: Record<string, string>) => resourceKey(nicResourceId(p.sub ?? '', p.rg ?? '', p.nic ?? ''));
  const vnetOf = (p: Record<string, string>) => {
    const vnet = world.virtualNetwork(virtualNetworkResourceId(p.sub ?? '', p.rg ?? '', p.vnet ?? ''));
    if (!vnet) throw notFound(`Resource 'Microsoft.Network/virtualNetworks/${p.vnet}' under resource group '${p.rg}'`);
    return vnet;
  };
  const nicIdsIn = (subnetId: string): string[] =>
    [...world.nics.values()].filter((n) => n.subnetId?.toLowerCase() === subnetId.toLowerCase()).map((n) => n.id);

  return [
    {
      name: 'network.nics.listByResourceGroup',
      method: 'GET',
      template: `${RG}/providers/Microsoft.Network/networkInterfaces`,
      handler: (req, p) => {
        const nics = [...world.nics.values()].filter(
          (n) =>
            n.subscriptionId.toLowerCase() === (p.sub ?? '').toLowerCase() &&
            n.resourceGroup.toLowerCase() === (p.rg ?? '').toLowerCase(),
        );
        return json(200, page(req, nics.map(nicJson), pageSize));
      },
    },
    {
      name: 'network.nics.get',
      method: 'GET',
      template: NIC,
      handler: (_req, p) => {
        const nic = world.nics.get(nicKey(p));
        if (!nic)
          throw notFound(`Resource 'Microsoft.Network/networkInterfaces/${p.nic}' under resource group '${p.rg}'`);
        return json(200, nicJson(nic));
      },
    },
    {
      name: 'network.nics.updateTags',
      method: 'PATCH',
      template: NIC,
      handler: (req, p) => {
        const nic = world.nics.get(nicKey(p));
        if (!nic)
          throw notFound(`Resource 'Microsoft.Network/networkInterfaces/${p.nic}' under resource group '${p.rg}'`);
        // TagsObject replaces the tags, as Azure's updateTags does.
        const tags = tagsOfPatch(req.body);
        if (tags !== undefined) nic.tags = tags;
        return json(200, nicJson(nic));
      },
    },
    {
      name: 'network.nics.delete',
      method: 'DELETE',
      template: NIC,
      handler: (_req, p) => {
        const key = nicKey(p);
        const nic = world.nics.get(key);
        if (!nic) return { status: 204 };
        if (nic.virtualMachineId) {
          throw new ArmError(
            400,
            'NicInUse',
            `Network Interface ${nic.id} is used by existing resource ${nic.virtualMachineId}. In order to delete the network interface, it must be dissociated from the resource.`,
          );
        }
        world.nics.delete(key);
        return { status: 200 };
      },
    },
    {
      name: 'network.virtualNetworks.get',
      method: 'GET',
      template: VNET,
      handler: (_req, p) =>
        json(
          200,
          virtualNetworkJson(vnetOf(p), (id) => world.virtualNetwork(id), nicIdsIn),
        ),
    },
    {
      name: 'network.subnets.get',
      method: 'GET',
      template: `${VNET}/subnets/{subnet}`,
      handler: (_req, p) => {
        const vnet = vnetOf(p);
        const subnet = vnet.subnets.find((s) => s.name.toLowerCase() === (p.subnet ?? '').toLowerCase());
        if (!subnet) throw notFound(`Resource '${vnet.name}/subnets/${p.subnet}'`);
        return json(200, subnetJson(vnet, subnet, nicIdsIn(`${vnet.id}/subnets/${subnet.name}`)));
      },
    },
    {
      name: 'storage.accounts.getProperties',
      method: 'GET',
      template: `${RG}/providers/Microsoft.Storage/storageAccounts/{account}`,
      handler: (_req, p) => {
        const account = world.storageAccounts.get(
          resourceKey(storageAccountResourceId(p.sub ?? '', p.rg ?? '', p.account ?? '')),
        );
        if (!account) {
          throw notFound(`Resource 'Microsoft.Storage/storageAccounts/${p.account}' under resource group '${p.rg}'`);
        }
        return json(200, storageAccountJson(account));
      },
    },
  ];
}
