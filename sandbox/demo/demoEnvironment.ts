/**
 * The demo's app settings: the same names an Azure deployment uses, pointed at the sandbox and Azurite.
 * Nothing else about the app changes (DESIGN.md, "The sandbox"). Drills are on: they restore into the scenario's
 * drill resource group (its isolated `vnet-drill`, its staging account in the vault's region), and the evidence goes
 * to Azurite's blob service (the connection string's account). Alerts go to the sandbox's local webhook, Teams, Slack
 * and Event Grid receivers, and IBG_AUTO_THAW is on, so a VM left frozen shows the whole remediation.
 */
import type { Scenario } from '../scenario';

export interface DemoEndpoints {
  sandboxUrl: string;
  tableConnectionString: string;
  /** The sandbox's notification receivers (notificationReceivers.ts): every alert target is set to them. */
  notifications?: { urls: Record<'webhook' | 'teams' | 'slack' | 'eventgrid', string>; eventGridKey: string };
}

/** The drill resource group of the demo fleet's subscription: drill VMs, the drill network and staging account. */
export const DEMO_DRILL_RESOURCE_GROUP = 'rg-iris-drill';

export function demoEnvironment(scenario: Scenario, endpoints: DemoEndpoints): Record<string, string> {
  const subscription = scenario.vaults[0]?.subscriptionId ?? '';
  const drillGroup = `/subscriptions/${subscription}/resourceGroups/${DEMO_DRILL_RESOURCE_GROUP}`;
  const staging = scenario.backup?.storageAccounts?.find((a) => a.resourceGroup === DEMO_DRILL_RESOURCE_GROUP);
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
    // A VM left frozen is thawed by the app (the thaw script, after a check; README "When IRIS is frozen").
    IBG_AUTO_THAW: 'true',
    ...(endpoints.notifications === undefined
      ? {}
      : {
          IBG_ALERT_WEBHOOK_URL: endpoints.notifications.urls.webhook,
          IBG_ALERT_WEBHOOK_SECRET: 'demo-secret-not-real',
          IBG_ALERT_TEAMS_WEBHOOK_URL: endpoints.notifications.urls.teams,
          IBG_ALERT_SLACK_WEBHOOK_URL: endpoints.notifications.urls.slack,
          IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT: endpoints.notifications.urls.eventgrid,
          IBG_ALERT_EVENTGRID_TOPIC_KEY: endpoints.notifications.eventGridKey,
        }),
    // A scenario without a staging account in the drill group (--scenario) runs without drills.
    ...(staging === undefined
      ? {}
      : {
          IBG_DRILL_ENABLED: 'true',
          IBG_DRILL_RESOURCE_GROUP_ID: drillGroup,
          IBG_DRILL_SUBNET_ID: `${drillGroup}/providers/Microsoft.Network/virtualNetworks/vnet-drill/subnets/drill`,
          IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID: `${drillGroup}/providers/Microsoft.Storage/storageAccounts/${staging.name}`,
        }),
  };
}
