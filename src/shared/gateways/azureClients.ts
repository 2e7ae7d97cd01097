/**
 * Builds the SDK clients, all pointed at the endpoints from the settings (Azure, another cloud, or the sandbox).
 * ARM token scopes stay https://management.azure.com/.default whatever the endpoint: without them the Backup
 * client would ask for `${endpoint}/.default`, which Entra ID does not know for a sandbox or proxy URL.
 * Clients are cached per subscription; each holds its own pipeline, which is safe to share.
 */
import { ComputeManagementClient } from '@azure/arm-compute';
import { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import type { TokenCredential } from '@azure/identity';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import type { AzureEndpointSettings } from '../config/settings';

export const ARM_SCOPE = 'https://management.azure.com/.default';

export interface AzureClients {
  backup(subscriptionId: string): RecoveryServicesBackupClient;
  compute(subscriptionId: string): ComputeManagementClient;
  logs(): LogsQueryClient;
}

export const createAzureClients = (endpoints: AzureEndpointSettings, credential: TokenCredential): AzureClients => {
  const backupClients = new Map<string, RecoveryServicesBackupClient>();
  const computeClients = new Map<string, ComputeManagementClient>();
  let logsClient: LogsQueryClient | undefined;
  const base = endpoints.armEndpoint;
  return {
    backup: (subscriptionId) =>
      cached(backupClients, subscriptionId, () => {
        return new RecoveryServicesBackupClient(credential, subscriptionId, {
          endpoint: base,
          $host: base,
          credentialScopes: [ARM_SCOPE],
        });
      }),
    compute: (subscriptionId) =>
      cached(computeClients, subscriptionId, () => {
        return new ComputeManagementClient(credential, subscriptionId, {
          endpoint: base,
          credentials: { scopes: [ARM_SCOPE] },
        });
      }),
    logs: () => (logsClient ??= new LogsQueryClient(credential, { endpoint: endpoints.logsEndpoint })),
  };
};

const cached = <T>(map: Map<string, T>, key: string, make: () => T): T => {
  const lower = key.toLowerCase();
  const found = map.get(lower);
  if (found !== undefined) return found;
  const made = make();
  map.set(lower, made);
  return made;
};
