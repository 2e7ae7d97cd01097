/**
 * The demo's app settings: the same names an Azure deployment uses, pointed at the sandbox and Azurite.
 * Nothing else about the app changes (DESIGN.md, "The sandbox").
 */
import type { Scenario } from '../scenario';

export interface DemoEndpoints {
  sandboxUrl: string;
  tableConnectionString: string;
}

export function demoEnvironment(scenario: Scenario, endpoints: DemoEndpoints): Record<string, string> {
  const vaultIds = scenario.vaults.map(
    (v) =>
      `/subscriptions/${v.subscriptionId}/resourceGroups/${v.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${v.name}`,
  );
  return {
    IBG_VAULT_IDS: vaultIds.join(','),
    IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
    IBG_RUNS_TABLE_CONNECTION_STRING: endpoints.tableConnectionString,
    IBG_RUNS_TABLE_NAME: 'ibgdemoruns',
    AZURE_ARM_ENDPOINT: endpoints.sandboxUrl,
    IBG_POLL_INTERVAL_MS: '0',
    IBG_RUN_COMMAND_TIMEOUT_SECONDS: '60',
  };
}
