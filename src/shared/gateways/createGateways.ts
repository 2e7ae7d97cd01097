/**
 * The composition root for Azure access: the only place that picks endpoints and builds SDK clients. Tests pass
 * the sandbox's URL through the settings (AZURE_ARM_ENDPOINT) and a fake credential; nothing else changes.
 */
import type { Settings } from '../config/settings';
import { ArmBackupGateway } from './armBackupGateway';
import { ArmComputeGateway } from './armComputeGateway';
import { getDefaultCredential, type TokenCredential } from './azureCredential';
import { createAzureClients } from './azureClients';
import type { BackupGateway } from '../azure/backupGateway';
import type { GatewayLogger } from '../azure/gatewayLogger';
import { LogAnalyticsGateway } from './logAnalyticsGateway';
import type { LogQueryGateway } from '../azure/logQueryGateway';
import type { TableGateway } from '../azure/tableGateway';
import { createTableGateway } from './sdkTableGateway';
import type { VmCommandGateway } from '../azure/vmCommandGateway';

export interface Gateways {
  backup: BackupGateway;
  compute: VmCommandGateway;
  logs: LogQueryGateway;
}

export const createGateways = (
  settings: Settings,
  credential: TokenCredential = getDefaultCredential(),
  logger?: GatewayLogger,
): Gateways => {
  const clients = createAzureClients(settings.azure, credential);
  return {
    backup: new ArmBackupGateway(clients.backup),
    compute: new ArmComputeGateway(clients.compute, {
      pollIntervalInMs: settings.pollIntervalInMs,
      ...(logger === undefined ? {} : { logger }),
    }),
    logs: new LogAnalyticsGateway(clients.logs),
  };
};

/** The runs table, from IBG_RUNS_TABLE_ENDPOINT (with the credential) or IBG_RUNS_TABLE_CONNECTION_STRING. */
export const createRunsTableGateway = (settings: Settings, credential?: TokenCredential): TableGateway =>
  createTableGateway(settings.runsTable, () => credential ?? getDefaultCredential());
