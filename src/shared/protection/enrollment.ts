/**
 * Which VMs are enrolled: protected VMs (in any configured vault) that carry the enrollment tag or are listed
 * explicitly. Pure; the shell lists vaults and VMs. A VM that is tagged or listed but protected by no configured
 * vault cannot be backed up on demand, so it is reported rather than silently dropped. When a vault's or a
 * subscription's listing failed, the VMs it would have decided about are reported as undecided instead.
 */
import type { TagSelector } from '../config/settings';
import type { ProtectedVm } from '../azure/backupGateway';
import type { VmInfo } from '../azure/vmCommandGateway';

export interface EnrolledVm {
  item: ProtectedVm;
  via: 'tag' | 'list' | 'tag-and-list';
}

export interface Enrollment {
  enrolled: EnrolledVm[];
  /** VM ids with the tag that no configured vault protects. */
  taggedNotProtected: string[];
  /** Listed VM ids that no configured vault protects. */
  listedNotProtected: string[];
  /** VMs protected by more than one configured vault: the first vault is used. */
  protectedTwice: string[];
  /**
   * VM ids whose enrolment could not be decided because a listing failed: tagged or listed VMs of a subscription
   * whose vault could not be read (protected or not is unknown), and protected VMs of a subscription whose VMs
   * could not be listed (tagged or not is unknown).
   */
  undecided: string[];
}

export interface EnrollmentInput {
  protectedVms: readonly ProtectedVm[];
  /** VMs of the vaults' subscriptions (only needed when a tag is configured). */
  vms: readonly VmInfo[];
  tag?: TagSelector;
  listedVmIds: readonly string[];
  /** Subscriptions (any letter case) with a configured vault whose protected items could not all be listed. */
  unreadVaultSubscriptions?: readonly string[];
  /** Subscriptions whose VMs could not be listed (only matters with a tag). */
  unreadVmSubscriptions?: readonly string[];
}

const key = (id: string): string => id.toLowerCase();

/** The subscription id of an ARM resource id ('' when it has none). */
const subscriptionOf = (id: string): string => /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? '';

/** ARM matches tag names case-insensitively and values exactly. */
export const hasTag = (vm: Pick<VmInfo, 'tags'>, tag: TagSelector): boolean =>
  Object.entries(vm.tags).some(([name, value]) => name.toLowerCase() === tag.name.toLowerCase() && value === tag.value);

export function decideEnrollment(input: EnrollmentInput): Enrollment {
  const byVm = new Map<string, ProtectedVm>();
  const protectedTwice: string[] = [];
  for (const item of input.protectedVms) {
    const k = key(item.vmId);
    if (byVm.has(k)) {
      if (!protectedTwice.includes(item.vmId)) protectedTwice.push(item.vmId);
      continue;
    }
    byVm.set(k, item);
  }
  const tagged = new Set(
    input.tag ? input.vms.filter((vm) => hasTag(vm, input.tag as TagSelector)).map((vm) => key(vm.id)) : [],
  );
  const listed = new Set(input.listedVmIds.map(key));

  const enrolled: EnrolledVm[] = [];
  for (const [k, item] of byVm) {
    const t = tagged.has(k);
    const l = listed.has(k);
    if (t || l) enrolled.push({ item, via: t && l ? 'tag-and-list' : t ? 'tag' : 'list' });
  }
  const vmIdOf = new Map(input.vms.map((vm) => [key(vm.id), vm.id]));
  const unreadVaults = new Set((input.unreadVaultSubscriptions ?? []).map(key));
  const unreadVms = new Set((input.unreadVmSubscriptions ?? []).map(key));
  const inUnreadVault = (id: string): boolean => unreadVaults.has(key(subscriptionOf(id)));
  const notProtected = (ids: readonly string[]): string[] => ids.filter((id) => !byVm.has(key(id)));
  const taggedNotProtected = notProtected([...tagged].map((k) => vmIdOf.get(k) ?? k));
  const listedNotProtected = notProtected(input.listedVmIds);
  const tagUnknown = input.tag
    ? [...byVm.values()]
        .filter((item) => unreadVms.has(key(subscriptionOf(item.vmId))) && !listed.has(key(item.vmId)))
        .map((item) => item.vmId)
    : [];
  const undecided = [...taggedNotProtected, ...listedNotProtected].filter(inUnreadVault).concat(tagUnknown);
  return {
    enrolled,
    taggedNotProtected: taggedNotProtected.filter((id) => !inUnreadVault(id)),
    listedNotProtected: listedNotProtected.filter((id) => !inUnreadVault(id)),
    protectedTwice,
    undecided: [...new Set(undecided)],
  };
}
