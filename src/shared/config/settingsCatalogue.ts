/**
 * Every app setting the app reads, with its documentation. The README table is generated from this list, the
 * loader takes its defaults from it, and a test checks that local.settings.sample.json lists the same names.
 * Settings that would have no effect yet are not in it: they are listed in PLANNED_SETTINGS.
 */
export interface SettingDescription {
  name: string;
  /** `yes`, `no`, or the condition under which the setting is required. */
  required: string;
  /** The value used when the setting is unset or empty; parsed by the same rules as a value that was set. */
  default?: string;
  description: string;
  example: string;
  /** Secrets are never echoed in error messages or logs. */
  secret: boolean;
}

/**
 * Settings of features that are not built yet. They are not offered in the README's table or the sample, and a
 * deployment that already sets them still starts: each one is ignored with a start-up warning (unusedSettings.ts).
 */
export const PLANNED_SETTINGS: readonly { name: string; feature: string }[] = [];

const GUID = '00000000-0000-0000-0000-000000000000';
const SUB = `/subscriptions/${GUID}`;

export const SETTINGS_CATALOGUE = [
  {
    name: 'IBG_VAULT_IDS',
    required: 'yes',
    description:
      'Comma-separated ARM ids of the Recovery Services vaults that protect the IRIS VMs. Several vaults and subscriptions are allowed.',
    example: `${SUB}/resourceGroups/backup-rg/providers/Microsoft.RecoveryServices/vaults/iris-vault`,
    secret: false,
  },
  {
    name: 'IBG_ENROLL_TAG',
    required: 'this or IBG_ENROLL_VM_IDS',
    description: 'Enrols every protected VM that carries this tag, written `name=value`.',
    example: 'iris-backup-guard=enabled',
    secret: false,
  },
  {
    name: 'IBG_ENROLL_VM_IDS',
    required: 'this or IBG_ENROLL_TAG',
    description: 'Comma-separated ARM ids of VMs to enrol explicitly (in addition to tagged VMs).',
    example: `${SUB}/resourceGroups/iris-rg/providers/Microsoft.Compute/virtualMachines/iris-prod-1`,
    secret: false,
  },
  {
    name: 'IBG_NIGHTLY_SCHEDULE',
    required: 'yes (Functions app)',
    description:
      "When the nightly protection run starts: 6-field NCRONTAB (second minute hour day month day-of-week), in UTC (the Functions host's time base). The host reads it as `%IBG_NIGHTLY_SCHEDULE%` before the app starts, so it has no default. Pick a time that falls between 00:00 and 06:00 in IBG_NIGHT_TIME_ZONE all year; otherwise a warning is logged at start-up.",
    example: '0 0 1 * * *',
    secret: false,
  },
  {
    name: 'IBG_ADVANCE_SCHEDULE',
    required: 'yes (Functions app)',
    description:
      "How often in-flight runs are moved forward: 6-field NCRONTAB, in UTC (the Functions host's time base). The host reads it as `%IBG_ADVANCE_SCHEDULE%`, so it has no default.",
    example: '0 */5 * * * *',
    secret: false,
  },
  {
    name: 'IBG_RECONCILE_SCHEDULE',
    required: 'with IBG_LOG_ANALYTICS_WORKSPACE_ID',
    description:
      "When the daily reconcile with Log Analytics runs: 6-field NCRONTAB, in UTC (the Functions host's time base). The host reads it as `%IBG_RECONCILE_SCHEDULE%`, so it has no default. Only read when IBG_LOG_ANALYTICS_WORKSPACE_ID is set (without a workspace the reconcile timer is not registered). Pick a time some hours after the nightly backups end: the vaults' diagnostics arrive with a delay.",
    example: '0 0 9 * * *',
    secret: false,
  },
  {
    name: 'IBG_NIGHT_TIME_ZONE',
    required: 'no',
    default: 'UTC',
    description:
      'IANA time zone that names nights: a run belongs to the calendar date, in this zone, at which it starts. It does not move the timers (they run in UTC).',
    example: 'Europe/Paris',
    secret: false,
  },
  {
    name: 'IBG_RECOVERY_POINT_RETENTION_DAYS',
    required: 'no',
    default: '30',
    description: 'How long the on-demand recovery points the app triggers are kept, in days (1-99).',
    example: '30',
    secret: false,
  },
  {
    name: 'IBG_MAX_CONCURRENCY',
    required: 'no',
    default: '8',
    description: 'How many VMs are worked on at the same time (1-64).',
    example: '8',
    secret: false,
  },
  {
    name: 'IBG_RUN_COMMAND_TIMEOUT_SECONDS',
    required: 'no',
    default: '120',
    description: 'Time limit of each Run Command script on a VM, in seconds (30-5400).',
    example: '120',
    secret: false,
  },
  {
    name: 'IBG_RUN_COMMANDS_PER_SUBSCRIPTION',
    required: 'no',
    default: '100',
    description:
      'How many Run Command scripts the app keeps running at once per subscription (1-500); the others wait for the next tick. Each costs two ARM writes from the budget the subscription shares with every other tool.',
    example: '100',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_PREFLIGHT_MINUTES',
    required: 'no',
    default: '15',
    description:
      'Time limit of the preflight stage of a run, in minutes (1-2880). The triggering stage gets this limit plus the 10-minute wait before a lost backup request is asked again and two retry intervals (5 minutes each, or twice IBG_RUN_COMMAND_TIMEOUT_SECONDS).',
    example: '15',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_BACKUP_MINUTES',
    required: 'no',
    default: '1440',
    description:
      "Time limit of the backup stage of a run, in minutes (1-2880): for the job's snapshot, and again for its transfer to the vault, which can take hours (under 24 h for a daily backup).",
    example: '1440',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_ASSESS_MINUTES',
    required: 'no',
    default: '30',
    description: 'Time limit of the assessing stage (log collection and verdict), in minutes (1-2880).',
    example: '30',
    secret: false,
  },
  {
    name: 'IBG_DRILL_ENABLED',
    required: 'no',
    default: 'false',
    description:
      'Restore-and-verify drills: after a backup is assessed, restore its recovery point into an isolated VM in the drill resource group, verify IRIS there (crash recovery, integrity of every database), record the result and the restore time, then delete the VM.',
    example: 'true',
    secret: false,
  },
  {
    name: 'IBG_DRILL_RESOURCE_GROUP_ID',
    required: 'when drills are enabled',
    description:
      'The resource group drills restore into. The app deletes only resources here that carry its drill tags; use a group of its own, not a production one.',
    example: `${SUB}/resourceGroups/iris-drills`,
    secret: false,
  },
  {
    name: 'IBG_DRILL_SUBNET_ID',
    required: 'when drills are enabled',
    description:
      "The subnet drill VMs are attached to: in the vault's region, in a virtual network that is not the source VM's and not peered with it (a drill is refused otherwise).",
    example: `${SUB}/resourceGroups/iris-drills/providers/Microsoft.Network/virtualNetworks/drill-vnet/subnets/drill`,
    secret: false,
  },
  {
    name: 'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    required: 'when drills are enabled',
    description:
      "The restore's staging storage account: in the vault's region and not zone-redundant (LRS or GRS), as Azure requires.",
    example: `${SUB}/resourceGroups/iris-drills/providers/Microsoft.Storage/storageAccounts/irisdrillstaging`,
    secret: false,
  },
  {
    name: 'IBG_DRILL_SCHEDULE',
    required: 'no',
    default: 'every',
    description:
      'Which backups are drilled: `every` one, `every-nth:<N>` (each VM every Nth night, spread over the nights) or `weekday` (each VM on one weekday of its own).',
    example: 'every-nth:7',
    secret: false,
  },
  {
    name: 'IBG_DRILL_MAX_CONCURRENT',
    required: 'no',
    default: '5',
    description: 'Drills under way at once per subscription (1-100); the others wait for a slot.',
    example: '5',
    secret: false,
  },
  {
    name: 'IBG_DRILL_KEEP_HOURS',
    required: 'no',
    default: '0',
    description:
      'Keep the VM of a failed or inconclusive drill this many hours for investigation (0-720) before the daily sweep deletes it; 0 deletes it at once.',
    example: '24',
    secret: false,
  },
  {
    name: 'IBG_DRILL_VERIFY_TIMEOUT_MINUTES',
    required: 'no',
    default: '60',
    description: "The verifier's Run Command time-out (5-1440): IRIS start plus the integrity check of every database.",
    example: '60',
    secret: false,
  },
  {
    name: 'IBG_DRILL_IRIS_START_MINUTES',
    required: 'no',
    default: '10',
    description: 'How long the verifier waits for IRIS to come up on the drill VM (1-120).',
    example: '10',
    secret: false,
  },
  {
    name: 'IBG_DRILL_OLDER_POINT_EVERY',
    required: 'no',
    default: '0',
    description:
      "Every Nth drill night of a VM restores a random older recovery point instead of the night's (0-366; 0: never).",
    example: '10',
    secret: false,
  },
  {
    name: 'IBG_DRILL_STALE_DAYS',
    required: 'no',
    default: '8',
    description: 'Alert on a VM with no passed drill for this many days (0-366; 0: never).',
    example: '8',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_RESTORE_MINUTES',
    required: 'no',
    default: '360',
    description: "Time limit of a drill's restore (waiting for a slot, the restore job), in minutes (1-2880).",
    example: '360',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_VERIFY_MINUTES',
    required: 'no',
    default: '120',
    description: "Time limit of a drill's verification (VM boot, agent, verifier, evidence), in minutes (1-2880).",
    example: '120',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_CLEANUP_MINUTES',
    required: 'no',
    default: '60',
    description: "Time limit of a drill's cleanup (record, deletes with retries), in minutes (1-2880).",
    example: '60',
    secret: false,
  },
  {
    name: 'IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS',
    required: 'no',
    default: 'false',
    description:
      'When true, a VM whose preflight finds a blocking problem is not backed up that night (the finding is alerted either way).',
    example: 'false',
    secret: false,
  },
  {
    name: 'IBG_ALERT_MIN_SEVERITY',
    required: 'no',
    default: 'warning',
    description:
      'The least severe alert sent to each notification target that has no minimum of its own (critical, error, warning or info). The Functions log gets every alert.',
    example: 'warning',
    secret: false,
  },
  {
    name: 'IBG_ALERT_RENOTIFY_MINUTES',
    required: 'no',
    default: '360',
    description:
      'A problem that stays open on the same VM is notified again after this many minutes (5-10080), not at every tick; the repeat says how many alerts were held back. A recovery is announced once.',
    example: '360',
    secret: false,
  },
  {
    name: 'IBG_ALERT_WEBHOOK_URL',
    required: 'no',
    description:
      'Generic webhook (https) that receives each alert as JSON (schema `iris-backup-guard/alert@1`), signed when IBG_ALERT_WEBHOOK_SECRET is set. May be a Key Vault reference (`@Microsoft.KeyVault(SecretUri=...)`).',
    example: 'https://hooks.example.com/iris-backup-guard',
    secret: true,
  },
  {
    name: 'IBG_ALERT_WEBHOOK_SECRET',
    required: 'no',
    description:
      'HMAC-SHA256 key for the webhook: each request carries `X-IBG-Signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">`. May be a Key Vault reference (`@Microsoft.KeyVault(SecretUri=...)`).',
    example: 'a-long-random-string',
    secret: true,
  },
  {
    name: 'IBG_ALERT_WEBHOOK_MIN_SEVERITY',
    required: 'no',
    description:
      'The least severe alert the webhook receives (default IBG_ALERT_MIN_SEVERITY); needs IBG_ALERT_WEBHOOK_URL.',
    example: 'error',
    secret: false,
  },
  {
    name: 'IBG_ALERT_TEAMS_WEBHOOK_URL',
    required: 'no',
    description:
      'Microsoft Teams Workflows webhook URL ("Post to a channel when a webhook request is received"); alerts arrive as Adaptive Cards. The URL is a credential. May be a Key Vault reference (`@Microsoft.KeyVault(SecretUri=...)`).',
    example: 'https://prod-00.westeurope.logic.azure.com/workflows/0000/triggers/manual/paths/invoke',
    secret: true,
  },
  {
    name: 'IBG_ALERT_TEAMS_MIN_SEVERITY',
    required: 'no',
    description:
      'The least severe alert Teams receives (default IBG_ALERT_MIN_SEVERITY); needs IBG_ALERT_TEAMS_WEBHOOK_URL.',
    example: 'error',
    secret: false,
  },
  {
    name: 'IBG_ALERT_SLACK_WEBHOOK_URL',
    required: 'no',
    description:
      'Slack incoming webhook URL; alerts arrive as Block Kit messages. The URL is a credential. May be a Key Vault reference (`@Microsoft.KeyVault(SecretUri=...)`).',
    example: 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXX',
    secret: true,
  },
  {
    name: 'IBG_ALERT_SLACK_MIN_SEVERITY',
    required: 'no',
    description:
      'The least severe alert Slack receives (default IBG_ALERT_MIN_SEVERITY); needs IBG_ALERT_SLACK_WEBHOOK_URL.',
    example: 'critical',
    secret: false,
  },
  {
    name: 'IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT',
    required: 'no',
    description:
      'Event Grid custom topic endpoint (CloudEvents 1.0 input schema) that receives `IrisBackupGuard.Alert.Raised` and `IrisBackupGuard.Alert.Resolved` events. Without IBG_ALERT_EVENTGRID_TOPIC_KEY the managed identity publishes (it needs EventGrid Data Sender on the topic).',
    example: 'https://iris-alerts.westeurope-1.eventgrid.azure.net/api/events',
    secret: false,
  },
  {
    name: 'IBG_ALERT_EVENTGRID_TOPIC_KEY',
    required: 'no',
    description:
      'Access key of the Event Grid topic; unset, the managed identity is used. May be a Key Vault reference (`@Microsoft.KeyVault(SecretUri=...)`).',
    example: '<topic access key>',
    secret: true,
  },
  {
    name: 'IBG_ALERT_EVENTGRID_MIN_SEVERITY',
    required: 'no',
    description:
      'The least severe alert published to Event Grid (default IBG_ALERT_MIN_SEVERITY); needs IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT.',
    example: 'info',
    secret: false,
  },
  {
    name: 'IBG_AUTO_THAW',
    required: 'no',
    default: 'false',
    description:
      'When true, an IRIS instance that a check finds still frozen after a backup is thawed by the app (ExternalThaw through Run Command, then checked again). Off, the alert says exactly what to run.',
    example: 'false',
    secret: false,
  },
  {
    name: 'IBG_RPO_TARGET_HOURS',
    required: 'no',
    default: '26',
    description:
      "The recovery point objective per VM, in hours (1-8760). The dashboard and the fleet API mark a VM red when its newest recovery point that passed a restore drill is older than this (amber in the last quarter of it): measured RPO = age of that point. The daily reconcile checks the vault's own newest recovery point (Log Analytics) against it.",
    example: '26',
    secret: false,
  },
  {
    name: 'IBG_RTO_TARGET_MINUTES',
    required: 'no',
    default: '240',
    description:
      "The recovery time objective per VM, in minutes (1-10080): a VM whose last passed drill's measured recovery time (restore request to integrity checked) exceeds it is red (amber above three quarters of it).",
    example: '240',
    secret: false,
  },
  {
    name: 'IBG_LOG_ANALYTICS_WORKSPACE_ID',
    required: 'for the daily reconcile',
    description:
      "The Log Analytics workspace id (a GUID, the workspace's Workspace ID, not its ARM id) to which the vaults send their backup diagnostics in resource-specific mode (AddonAzureBackupJobs, CoreAzureBackup). Set, the daily reconcile cross-checks the app against them (needs Log Analytics Reader on the workspace, and IBG_RECONCILE_SCHEDULE). Unset, there is no reconcile.",
    example: '00000000-0000-0000-0000-000000000000',
    secret: false,
  },
  {
    name: 'IBG_API_AUTH',
    required: 'no',
    default: 'function-key',
    description:
      "How the read-only API and the dashboard are protected. `function-key`: every call needs a function key (`x-functions-key` header or `?code=`). `app-service`: the routes are anonymous to the Functions host and the app answers only requests that App Service authentication (Entra ID) signed in (the platform's `x-ms-client-principal-id` header); set it only with App Service authentication on and 'Require authentication' chosen.",
    example: 'function-key',
    secret: false,
  },
  {
    name: 'IBG_ALERT_INTAKE_KEYS',
    required: 'for the Azure Monitor alert intake',
    description:
      'Comma-separated keys that the Azure Monitor alert intake function accepts (the action group calls it with one). Unset, the intake refuses every call with 401. May be a Key Vault reference (`@Microsoft.KeyVault(SecretUri=...)`).',
    example: '<random key 1>,<random key 2>',
    secret: true,
  },
  {
    name: 'IBG_RUNS_TABLE_ENDPOINT',
    required: 'this or IBG_RUNS_TABLE_CONNECTION_STRING',
    description: 'Table Storage endpoint for run history, used with the managed identity (DefaultAzureCredential).',
    example: 'https://irisbackupguard.table.core.windows.net',
    secret: false,
  },
  {
    name: 'IBG_RUNS_TABLE_CONNECTION_STRING',
    required: 'this or IBG_RUNS_TABLE_ENDPOINT',
    description: 'Table Storage connection string, for local development with Azurite.',
    example: 'UseDevelopmentStorage=true',
    secret: true,
  },
  {
    name: 'IBG_RUNS_TABLE_NAME',
    required: 'no',
    default: 'ibgruns',
    description: 'Name of the table that holds runs (3-63 letters and digits, starting with a letter).',
    example: 'ibgruns',
    secret: false,
  },
  {
    name: 'IBG_EVIDENCE_CONTAINER_URL',
    required: 'no',
    description:
      "Blob container that keeps each restore drill's whole verifier output, used with the managed identity (it needs Storage Blob Data Contributor there, and signs short-lived user delegation SAS URLs for the Run Command). Unset with IBG_RUNS_TABLE_CONNECTION_STRING: the container ibg-evidence of that storage account.",
    example: 'https://irisbackupguard.blob.core.windows.net/ibg-evidence',
    secret: false,
  },
  {
    name: 'AZURE_ARM_ENDPOINT',
    required: 'no',
    default: 'https://management.azure.com',
    description: 'Azure Resource Manager endpoint for every Azure client (another cloud, or the local sandbox).',
    example: 'https://management.azure.com',
    secret: false,
  },
  {
    name: 'AZURE_LOGS_ENDPOINT',
    required: 'no',
    description:
      'Log Analytics query endpoint, with its /v1 path. Unset: https://api.loganalytics.io/v1, or AZURE_ARM_ENDPOINT followed by /v1 when that is not the public ARM endpoint (another cloud, or the local sandbox, which answers both).',
    example: 'https://api.loganalytics.io/v1',
    secret: false,
  },
  {
    name: 'IBG_POLL_INTERVAL_MS',
    required: 'no',
    default: '5000',
    description:
      'Delay between polls of Azure long-running operations, in milliseconds (0-600000; the sandbox uses 0).',
    example: '5000',
    secret: false,
  },
] as const satisfies readonly SettingDescription[];

export type SettingName = (typeof SETTINGS_CATALOGUE)[number]['name'];

export const describeSetting = (name: SettingName): SettingDescription => {
  const found = SETTINGS_CATALOGUE.find((s) => s.name === name);
  if (found === undefined) throw new Error(`Unknown setting ${name}`);
  return found;
};
