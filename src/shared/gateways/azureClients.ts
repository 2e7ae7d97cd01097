/**
 * Builds the SDK clients, all pointed at the endpoints from the settings (Azure, another cloud, or the sandbox).
 * ARM token scopes stay https://management.azure.com/.default whatever the endpoint: without them the Backup
 * client would ask for `${endpoint}/.default`, which Entra ID does not know for a sandbox or proxy URL.
 * Clients are cached per subscription; each holds its own pipeline, which is safe to share. Every ARM write goes
 * through the subscription's write pacer (armWritePacer.ts).
 */
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/identity';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import type { AzureEndpointSettings } from '../config/settings';
import { armWritePacer, HALF_OF_ARM_WRITE_BUDGET, TokenBucket, type WriteBudget } from './armWritePacer';
import { restoreResendGuard } from './restoreResendGuard';

export const ARM_SCOPE = 'https://management.azure.com/.default';

export interface AzureClients {
  backup(subscriptionId: string): RecoveryServicesBackupClient;
  compute(subscriptionId: string): ComputeManagementClient;
  network(subscriptionId: string): NetworkManagementClient;
  storage(subscriptionId: string): StorageManagementClient;
  logs(): LogsQueryClient;
}

export const createAzureClients = (
  endpoints: AzureEndpointSettings,
  credential: TokenCredential,
  writeBudget: WriteBudget = HALF_OF_ARM_WRITE_BUDGET,
): AzureClients => {
  const backupClients = new Map<string, RecoveryServicesBackupClient>();
  const computeClients = new Map<string, ComputeManagementClient>();
  const networkClients = new Map<string, NetworkManagementClient>();
  const storageClients = new Map<string, StorageManagementClient>();
  // One write bucket per subscription, shared by all its ARM clients (ARM counts their writes together).
  const buckets = new Map<string, TokenBucket>();
  const pacer = (subscriptionId: string) => [
    {
      policy: armWritePacer(cached(buckets, subscriptionId, () => new TokenBucket(writeBudget))),
      position: 'perRetry' as const,
    },
  ];
  let logsClient: LogsQueryClient | undefined;
  const base = endpoints.armEndpoint;
  return {
    backup: (subscriptionId) =>
      cached(backupClients, subscriptionId, () => {
        return new RecoveryServicesBackupClient(credential, subscriptionId, {
          endpoint: base,
          $host: base,
          credentialScopes: [ARM_SCOPE],
          additionalPolicies: [...pacer(subscriptionId), { policy: restoreResendGuard, position: 'perRetry' }],
        });
      }),
    compute: (subscriptionId) =>
      cached(computeClients, subscriptionId, () => {
        return new ComputeManagementClient(credential, subscriptionId, {
          endpoint: base,
          credentials: { scopes: [ARM_SCOPE] },
          additionalPolicies: pacer(subscriptionId),
        });
      }),
    network: (subscriptionId) =>
      cached(networkClients, subscriptionId, () => {
        return new NetworkManagementClient(credential, subscriptionId, {
          endpoint: base,
          $host: base,
          credentialScopes: [ARM_SCOPE],
          additionalPolicies: pacer(subscriptionId),
        });
      }),
    storage: (subscriptionId) =>
      cached(storageClients, subscriptionId, () => {
        return new StorageManagementClient(credential, subscriptionId, {
          endpoint: base,
          $host: base,
          credentialScopes: [ARM_SCOPE],
          additionalPolicies: pacer(subscriptionId),
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
