/**
 * What `check --vm` and `install --vm` need to reach one VM: a credential and the few settings of a Run Command
 * (the ARM endpoint, its time limit, the poll interval). Nothing about vaults, enrolment or the runs table: an
 * operator checks or fixes a VM from a laptop with `az login` and the VM's id, before the app is deployed.
 */
import { ConfigError } from '../shared/errors/appError';
import { SettingReader } from '../shared/config/settingReader';
import { parseHttpsBaseUrl } from '../shared/config/settingFormats';
import { ArmComputeGateway } from '../shared/gateways/armComputeGateway';
import { createAzureClients } from '../shared/gateways/azureClients';
import type { TokenCredential } from '../shared/gateways/azureCredential';
import type { VmCommandGateway } from '../shared/gateways/vmCommandGateway';

export interface VmAccessSettings {
  armEndpoint: string;
  runCommandTimeoutInSeconds: number;
  pollIntervalInMs: number;
}

const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';

/** The same names, ranges and defaults as the app settings (settings.ts); throws one ConfigError for every problem. */
export function loadVmAccessSettings(env: Record<string, string | undefined>): VmAccessSettings {
  const r = new SettingReader(env);
  const settings: VmAccessSettings = {
    armEndpoint:
      r.optional('AZURE_ARM_ENDPOINT', parseHttpsBaseUrl, 'is not an https URL without query') ?? DEFAULT_ARM_ENDPOINT,
    runCommandTimeoutInSeconds: r.int('IBG_RUN_COMMAND_TIMEOUT_SECONDS', 30, 5400),
    pollIntervalInMs: r.int('IBG_POLL_INTERVAL_MS', 0, 600_000),
  };
  if (r.problems.length > 0) {
    throw new ConfigError(r.problems.map((p) => p.setting).join(', '), r.problems.map((p) => p.message).join('\n'));
  }
  return settings;
}

/** The VM-facing gateway, from those settings and a credential that has already signed in (see azureSignIn.ts). */
export function vmCommandGateway(settings: VmAccessSettings, credential: TokenCredential): VmCommandGateway {
  // Only the compute client is used; Log Analytics is never called from here.
  const clients = createAzureClients(
    { armEndpoint: settings.armEndpoint, logsEndpoint: `${settings.armEndpoint}/v1` },
    credential,
  );
  return new ArmComputeGateway(clients.compute, { pollIntervalInMs: settings.pollIntervalInMs });
}
