/**
 * What `check --vm` and `install --vm` need to reach one VM: a credential and the few settings of a Run Command
 * (the ARM endpoint, its time limit, the poll interval). Nothing about vaults, enrolment or the runs table: an
 * operator checks or fixes a VM from a laptop with `az login` and the VM's id, before the app is deployed.
 */
import type { VmAccessSettings } from '../shared/config/settings';
import { ArmComputeGateway } from '../shared/gateways/armComputeGateway';
import { createAzureClients } from '../shared/gateways/azureClients';
import type { TokenCredential } from '../shared/gateways/azureCredential';
import type { VmCommandGateway } from '../shared/azure/vmCommandGateway';

/** The VM-facing gateway, from those settings and a credential that has already signed in (see azureSignIn.ts). */
export function vmCommandGateway(settings: VmAccessSettings, credential: TokenCredential): VmCommandGateway {
  // Only the compute client is used; Log Analytics is never called from here.
  const clients = createAzureClients(
    { armEndpoint: settings.armEndpoint, logsEndpoint: `${settings.armEndpoint}/v1` },
    credential,
  );
  return new ArmComputeGateway(clients.compute, { pollIntervalInMs: settings.pollIntervalInMs });
}
