/**
 * What the app does with an ARM event: notes a backup triggered outside a run (the nightly and advance paths adopt
 * its job instead of triggering another), and notes a VM written with the enrollment tag (enrolled at the next
 * nightly run if a configured vault protects it).
 */
import { toError } from '../errors/appError';
import type { AzureEvent } from './azureEvent';
import { hasTag } from './enrollment';
import type { ProtectionDeps } from './protectionDeps';

export type AzureEventOutcome =
  | { outcome: 'backup-recorded'; vaultId: string; vmName?: string }
  | { outcome: 'vm-tagged'; vmId: string }
  | { outcome: 'vm-not-tagged'; vmId: string }
  | { outcome: 'ignored'; reason: string };

export async function handleAzureEvent(deps: ProtectionDeps, event: AzureEvent): Promise<AzureEventOutcome> {
  switch (event.kind) {
    case 'ignored':
      deps.log.info('Azure event ignored', { id: event.id, reason: event.reason });
      return { outcome: 'ignored', reason: event.reason };
    case 'backup-triggered':
      deps.log.info('On-demand backup accepted by Azure', {
        id: event.id,
        at: event.at,
        vaultId: event.vaultId,
        vmName: event.vmName,
        resourceUri: event.resourceUri,
      });
      return { outcome: 'backup-recorded', vaultId: event.vaultId, ...(event.vmName ? { vmName: event.vmName } : {}) };
    case 'vm-written': {
      const tag = deps.settings.enrollment.tag;
      if (!tag) return { outcome: 'vm-not-tagged', vmId: event.vmId };
      try {
        const vm = await deps.gateways.compute.getVm(event.vmId);
        if (vm && hasTag(vm, tag)) {
          deps.log.info(
            'VM carries the enrollment tag; it is enrolled at the next nightly run if a vault protects it',
            {
              vmId: event.vmId,
            },
          );
          return { outcome: 'vm-tagged', vmId: event.vmId };
        }
      } catch (e) {
        deps.log.warn('Could not read the written VM', { vmId: event.vmId, error: toError(e).message });
      }
      return { outcome: 'vm-not-tagged', vmId: event.vmId };
    }
  }
}
