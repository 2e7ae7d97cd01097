/**
 * Lists what enrolment is decided from (every configured vault's protected VMs, and with a tag every VM of the
 * vaults' subscriptions), one vault and one subscription at a time, so that one that fails (a missing role, an
 * Azure outage) costs only its own VMs their night: the others are listed, and the failure comes back as an alert
 * naming the scope, the call and the role probably missing.
 */
import { scopeFailureAlert, type ScopeFailure } from '../alerts/scopeFailureAlert';
import type { Alert } from '../alerts/alert';
import { AZURE_CALLS, type AzureCallKind } from '../alerts/azureCalls';
import { isAppError, toError } from '../errors/appError';
import type { ProtectedVm, VaultRef } from '../azure/backupGateway';
import type { VmInfo } from '../azure/vmCommandGateway';
import { decideEnrollment, type Enrollment } from './enrollment';
import type { ProtectionDeps } from './protectionDeps';

export interface ListedEnrollment {
  enrollment: Enrollment;
  /** One per vault or subscription whose listing failed. */
  alerts: Alert[];
}

export function failureOf(
  e: unknown,
  call: AzureCallKind,
  scope: ScopeFailure['scope'],
  scopeLabel: string,
  consequence: string,
): ScopeFailure {
  const status = isAppError(e) ? e.statusCode : undefined;
  const serviceCode = isAppError(e) ? e.serviceCode : undefined;
  return {
    scope,
    scopeLabel,
    call,
    consequence,
    ...(status === undefined ? {} : { httpStatus: status }),
    ...(serviceCode === undefined ? {} : { serviceCode }),
  };
}

export async function listEnrollment(deps: ProtectionDeps): Promise<ListedEnrollment> {
  const { settings, gateways } = deps;
  const at = deps.clock.now().toISOString();
  const alerts: Alert[] = [];
  const fail = (e: unknown, failure: ScopeFailure, details: Record<string, unknown>): void => {
    const operation = AZURE_CALLS[failure.call].operation;
    deps.log.warn(`${operation} failed for ${failure.scopeLabel}`, { ...details, error: toError(e).message });
    alerts.push(scopeFailureAlert(failure, at));
  };

  const protectedVms: ProtectedVm[] = [];
  const unreadVaultSubscriptions: string[] = [];
  for (const vault of settings.vaults) {
    try {
      // Items listed before a failure are kept: they are protected, and a run for them is worth having.
      for await (const item of gateways.backup.listProtectedVms(vault)) protectedVms.push(item);
    } catch (e) {
      unreadVaultSubscriptions.push(vault.subscriptionId);
      fail(e, vaultFailure(e, vault), { vaultId: vault.id });
    }
  }

  const vms: VmInfo[] = [];
  const unreadVmSubscriptions: string[] = [];
  const tag = settings.enrollment.tag;
  if (tag) {
    // A vault protects VMs of its own subscription, so those are the only ones worth listing.
    const subscriptions = [...new Set(settings.vaults.map((v) => v.subscriptionId.toLowerCase()))];
    for (const sub of subscriptions) {
      const listed: VmInfo[] = [];
      try {
        for await (const vm of gateways.compute.listVms(sub)) listed.push(vm);
        vms.push(...listed);
      } catch (e) {
        // A partial list would make the unlisted tagged VMs look untagged; none of this subscription's tags count.
        unreadVmSubscriptions.push(sub);
        const failure = failureOf(
          e,
          'listVms',
          { kind: 'subscription', subscriptionId: sub },
          `subscription ${sub}`,
          'Its VMs are enrolled tonight only if listed in IBG_ENROLL_VM_IDS; the tagged ones get no run',
        );
        fail(e, failure, { subscriptionId: sub });
      }
    }
  }
  const enrollment = decideEnrollment({
    protectedVms,
    vms,
    listedVmIds: settings.enrollment.vmIds,
    unreadVaultSubscriptions,
    unreadVmSubscriptions,
    ...(tag ? { tag } : {}),
  });
  return { enrollment, alerts };
}

export const vaultFailure = (
  e: unknown,
  vault: VaultRef,
  call: AzureCallKind = 'listProtectedItems',
  consequence = 'The VMs it protects that were not listed get no run tonight',
): ScopeFailure =>
  failureOf(
    e,
    call,
    { kind: 'vault', vaultId: vault.id },
    `vault ${vault.name} (resource group ${vault.resourceGroup}, subscription ${vault.subscriptionId})`,
    consequence,
  );
