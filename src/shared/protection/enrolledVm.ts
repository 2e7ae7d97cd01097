/**
 * One VM's enrollment, decided as the nightly run decides it (enrollment.ts) but without listing the fleet: its
 * protected item in a configured vault, and the explicit list or the enrollment tag.
 */
import type { ProtectedVm } from '../azure/backupGateway';
import { isAppError } from '../errors/appError';
import { hasTag } from './enrollment';
import { findProtectedVm } from './protectVmNow';
import type { ProtectionDeps } from './protectionDeps';

/** The VM's protected item when it is enrolled; undefined when it is not protected by a configured vault or not enrolled. */
export async function enrolledVm(deps: ProtectionDeps, vmId: string): Promise<ProtectedVm | undefined> {
  let item: ProtectedVm;
  try {
    item = await findProtectedVm(deps, vmId);
  } catch (e) {
    if (isAppError(e) && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
  return (await isEnrolled(deps, item)) ? item : undefined;
}

export async function isEnrolled(deps: ProtectionDeps, item: ProtectedVm): Promise<boolean> {
  const { vmIds, tag } = deps.settings.enrollment;
  if (vmIds.some((id) => id.toLowerCase() === item.vmId.toLowerCase())) return true;
  if (tag === undefined) return false;
  const vm = await deps.gateways.compute.getVm(item.vmId);
  return vm !== undefined && hasTag(vm, tag);
}
