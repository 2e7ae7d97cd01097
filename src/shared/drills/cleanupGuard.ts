/**
 * The last word before the drill clean-up deletes anything: a resource may go only when its id puts it in the
 * drill's own subscription and resource group, it is the kind it claims to be, and it carries the app's drill tags.
 * Ids are parsed segment by segment (never substring-matched), so `rg-drill2`, `/resourceGroups/rg-drill/` inside
 * another segment, or extra trailing segments never pass for the drill resource group.
 */
import { parseResourceGroupId } from '../azure/armResourceId';
import type { DrillResource, DrillResourceKind, DrillScope } from '../azure/drillResources';
import { DRILL_TAG_MANAGED_BY, DRILL_TAG_RUN, MANAGED_BY_VALUE } from './drillTags';

export type CleanupDecision = { ok: true } | { ok: false; reason: string };

const RESOURCE_TYPE: Record<DrillResourceKind, string> = {
  vm: 'microsoft.compute/virtualmachines',
  disk: 'microsoft.compute/disks',
  nic: 'microsoft.network/networkinterfaces',
};

/** Exactly /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}: no more, no fewer segments. */
const parseTopLevelResourceId = (
  id: string,
): { subscriptionId: string; resourceGroup: string; type: string; name: string } | undefined => {
  const parts = id.split('/');
  if (parts.length !== 9 || parts[0] !== '') return undefined;
  const [, subs, subscriptionId, groups, resourceGroup, providers, namespace, type, name] = parts;
  if (
    subs?.toLowerCase() !== 'subscriptions' ||
    groups?.toLowerCase() !== 'resourcegroups' ||
    providers?.toLowerCase() !== 'providers' ||
    !subscriptionId ||
    !resourceGroup ||
    !namespace ||
    !type ||
    !name
  ) {
    return undefined;
  }
  return { subscriptionId, resourceGroup, type: `${namespace}/${type}`, name };
};

/** Azure tag names are case-insensitive; values are compared as written. */
const tagValue = (tags: Record<string, string>, name: string): string | undefined => {
  const key = Object.keys(tags).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : tags[key];
};

export const mayDeleteDrillResource = (resource: DrillResource, scope: DrillScope): CleanupDecision => {
  const refuse = (reason: string): CleanupDecision => ({ ok: false, reason });
  const scopeRef = parseResourceGroupId(scope.resourceGroupId);
  if (scopeRef === undefined) return refuse(`the drill scope '${scope.resourceGroupId}' is not a resource group id`);
  const ref = parseTopLevelResourceId(resource.id);
  if (ref === undefined)
    return refuse(`'${resource.id}' is not a resource id of the form /subscriptions/…/providers/…`);
  if (ref.type.toLowerCase() !== RESOURCE_TYPE[resource.kind]) {
    return refuse(`'${resource.id}' is not a ${resource.kind} (${RESOURCE_TYPE[resource.kind]})`);
  }
  if (ref.subscriptionId.toLowerCase() !== scopeRef.subscriptionId.toLowerCase()) {
    return refuse(`it is in subscription ${ref.subscriptionId}, not the drill's ${scopeRef.subscriptionId}`);
  }
  if (ref.resourceGroup.toLowerCase() !== scopeRef.resourceGroup.toLowerCase()) {
    return refuse(`it is in resource group ${ref.resourceGroup}, not the drill's ${scopeRef.resourceGroup}`);
  }
  const managedBy = tagValue(resource.tags, DRILL_TAG_MANAGED_BY);
  if (managedBy !== MANAGED_BY_VALUE) {
    return refuse(
      managedBy === undefined
        ? `it has no tag ${DRILL_TAG_MANAGED_BY}`
        : `its tag ${DRILL_TAG_MANAGED_BY} is '${managedBy}', not '${MANAGED_BY_VALUE}'`,
    );
  }
  const run = tagValue(resource.tags, DRILL_TAG_RUN);
  if (run === undefined || run.trim() === '') return refuse(`it has no non-empty tag ${DRILL_TAG_RUN}`);
  return { ok: true };
};

/** The kind of drill resource (VM, disk, NIC) an ARM id names; undefined for any other id. */
export const drillResourceKindOf = (id: string): DrillResourceKind | undefined => {
  const type = parseTopLevelResourceId(id)?.type.toLowerCase();
  return (Object.keys(RESOURCE_TYPE) as DrillResourceKind[]).find((k) => RESOURCE_TYPE[k] === type);
};

/** Whether an ARM id names a resource of the drill's own subscription and resource group (the guard's first rule). */
export const inDrillGroup = (id: string, scope: DrillScope): boolean => {
  const scopeRef = parseResourceGroupId(scope.resourceGroupId);
  const ref = parseTopLevelResourceId(id);
  return (
    scopeRef !== undefined &&
    ref !== undefined &&
    ref.subscriptionId.toLowerCase() === scopeRef.subscriptionId.toLowerCase() &&
    ref.resourceGroup.toLowerCase() === scopeRef.resourceGroup.toLowerCase()
  );
};
