import { vmKeyOf } from '../../runs/run';
import type { CommandHandler } from './commandHandler';

/** The lease's key: one per VM, whichever run (nightly, drill, tracked) remediates it. */
const leaseKey = (vmId: string): string => `remediation~${vmKeyOf(vmId)}`;

/**
 * Takes the VM's remediation lease for the run. Without a lease store nothing may thaw (the lease is what keeps two
 * remediations of one VM apart), so the answer is "busy" with the reason.
 */
export const acquireRemediationLease: CommandHandler<'AcquireRemediationLease'> = async ({
  deps,
  run,
  command,
  at,
}) => {
  if (deps.leases === undefined) {
    return [{ type: 'RemediationLeaseBusy', at, holder: 'no lease store is configured', until: command.until }];
  }
  const outcome = await deps.leases.acquire(leaseKey(run.target.vmId), run.id, command.until, at);
  return outcome.acquired
    ? [{ type: 'RemediationLeaseAcquired', at, until: outcome.lease.until }]
    : [{ type: 'RemediationLeaseBusy', at, holder: outcome.heldBy.holder, until: outcome.heldBy.until }];
};

export const releaseRemediationLease: CommandHandler<'ReleaseRemediationLease'> = async ({ deps, run }) => {
  await deps.leases?.release(leaseKey(run.target.vmId), run.id);
  return [];
};
