/**
 * The composition root for Azure access: the only place that picks endpoints and builds SDK clients. Tests pass
 * the sandbox's URL through the settings (AZURE_ARM_ENDPOINT) and a fake credential; nothing else changes.
 */
import type { Settings, VmAccessSettings } from '../config/settings';
import { ArmBackupGateway } from './armBackupGateway';
import { ArmComputeGateway } from './armComputeGateway';
import { ArmDrillGateway } from './armDrillGateway';
import { createBlobEvidenceStore } from './blobEvidenceStore';
import { getDefaultCredential, type TokenCredential } from './azureCredential';
import { createAzureClients, type AzureClients } from './azureClients';
import type { BackupGateway } from '../azure/backupGateway';
import type { DrillResourceGateway, EvidenceStore } from '../azure/drillResources';
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
  drills: DrillResourceGateway;
  /** The drill evidence container; absent when no setting names one (evidenceSettings.ts). */
  evidence?: EvidenceStore;
}

export const createGateways = (
  settings: Settings,
  credential: TokenCredential = getDefaultCredential(),
  logger?: GatewayLogger,
): Gateways => {
  const clients = createAzureClients(settings.azure, credential);
  return {
    backup: new ArmBackupGateway(clients.backup),
    compute: computeGateway(clients, settings.pollIntervalInMs, logger),
    logs: new LogAnalyticsGateway(clients.logs),
    drills: new ArmDrillGateway(clients, { pollIntervalInMs: settings.pollIntervalInMs }),
    ...(settings.evidence === undefined
      ? {}
      : { evidence: createBlobEvidenceStore(settings.evidence, () => credential) }),
  };
};

/**
 * The VM-facing gateway alone, for callers that have only the VM access settings (the CLI's `check` and `install`
 * run before the app is deployed): no vault, no runs table, no Log Analytics workspace.
 */
export const createVmCommandGateway = (
  settings: VmAccessSettings,
  credential: TokenCredential,
  logger?: GatewayLogger,
): VmCommandGateway => {
  // Only the compute client is ever built; the logs endpoint is required by the type and never called from here.
  const clients = createAzureClients(
    { armEndpoint: settings.armEndpoint, logsEndpoint: `${settings.armEndpoint}/v1` },
    credential,
  );
  return computeGateway(clients, settings.pollIntervalInMs, logger);
};

const computeGateway = (clients: AzureClients, pollIntervalInMs: number, logger?: GatewayLogger): VmCommandGateway =>
  new ArmComputeGateway(clients.compute, { pollIntervalInMs, ...(logger === undefined ? {} : { logger }) });

/** The runs table, from IBG_RUNS_TABLE_ENDPOINT (with the credential) or IBG_RUNS_TABLE_CONNECTION_STRING. */
export const createRunsTableGateway = (settings: Settings, credential?: TokenCredential): TableGateway =>
  createTableGateway(settings.runsTable, () => credential ?? getDefaultCredential());
