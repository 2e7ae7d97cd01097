/**
 * Every app setting the app reads, with its documentation. The README table is generated from this list, the
 * loader takes its defaults from it, and a test checks that local.settings.sample.json lists the same names.
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
    required: 'no',
    default: '0 30 1 * * *',
    description:
      'When the nightly protection run starts: 6-field NCRONTAB (second minute hour day month day-of-week), in IBG_NIGHT_TIME_ZONE.',
    example: '0 30 1 * * *',
    secret: false,
  },
  {
    name: 'IBG_ADVANCE_SCHEDULE',
    required: 'no',
    default: '0 */5 * * * *',
    description: 'How often in-flight runs are moved forward: 6-field NCRONTAB.',
    example: '0 */5 * * * *',
    secret: false,
  },
  {
    name: 'IBG_NIGHT_TIME_ZONE',
    required: 'no',
    default: 'UTC',
    description: 'IANA time zone that defines a "night" (which calendar night a backup belongs to).',
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
    name: 'IBG_LIMIT_PREFLIGHT_MINUTES',
    required: 'no',
    default: '15',
    description:
      'Time limit of the preflight stage of a run, in minutes (1-2880). The triggering stage gets this limit plus the 10-minute wait before a lost backup request is retried.',
    example: '15',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_BACKUP_MINUTES',
    required: 'no',
    default: '360',
    description: 'Time limit of the backup stage of a run, in minutes (1-2880).',
    example: '360',
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
    name: 'IBG_LIMIT_RESTORE_MINUTES',
    required: 'no',
    default: '360',
    description: 'Time limit of the restore stage of a drill, in minutes (1-2880).',
    example: '360',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_VERIFY_MINUTES',
    required: 'no',
    default: '120',
    description: 'Time limit of the verifying stage of a drill, in minutes (1-2880).',
    example: '120',
    secret: false,
  },
  {
    name: 'IBG_LIMIT_CLEANUP_MINUTES',
    required: 'no',
    default: '60',
    description: 'Time limit of the clean-up stage of a drill, in minutes (1-2880).',
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
    name: 'IBG_DRILL_ENABLED',
    required: 'no',
    default: 'false',
    description: 'Restore-and-verify drills after each backup.',
    example: 'true',
    secret: false,
  },
  {
    name: 'IBG_DRILL_RESOURCE_GROUP_ID',
    required: 'when IBG_DRILL_ENABLED is true',
    description:
      'ARM id of the resource group where drill VMs are created; the app deletes only what it created there.',
    example: `${SUB}/resourceGroups/iris-drill-rg`,
    secret: false,
  },
  {
    name: 'IBG_DRILL_SUBNET_ID',
    required: 'when IBG_DRILL_ENABLED is true',
    description: 'ARM id of the isolated subnet drill VMs are attached to (never inside a source VM network).',
    example: `${SUB}/resourceGroups/iris-drill-rg/providers/Microsoft.Network/virtualNetworks/drill-vnet/subnets/drill`,
    secret: false,
  },
  {
    name: 'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    required: 'when IBG_DRILL_ENABLED is true',
    description: 'ARM id of the staging storage account that Azure Backup restores use.',
    example: `${SUB}/resourceGroups/iris-drill-rg/providers/Microsoft.Storage/storageAccounts/irisdrillstaging`,
    secret: false,
  },
  {
    name: 'IBG_DRILL_KEEP_HOURS',
    required: 'no',
    default: '0',
    description: 'How long a drill VM is kept after verification for inspection, in hours (0-720; 0 deletes at once).',
    example: '0',
    secret: false,
  },
  {
    name: 'IBG_ALERT_WEBHOOK_URL',
    required: 'no',
    description: 'HTTPS webhook that receives alerts. Secret: never logged.',
    example: 'https://alerts.example.com/hooks/iris-backup-guard',
    secret: true,
  },
  {
    name: 'IBG_ALERT_MIN_SEVERITY',
    required: 'no',
    default: 'warning',
    description: 'Lowest severity that is alerted: critical, error, warning or info.',
    example: 'warning',
    secret: false,
  },
  {
    name: 'IBG_AUTO_THAW',
    required: 'no',
    default: 'false',
    description: 'When true, an IRIS instance found frozen after a backup is thawed automatically (and verified).',
    example: 'false',
    secret: false,
  },
  {
    name: 'IBG_LOG_ANALYTICS_WORKSPACE_ID',
    required: 'no',
    description: 'Log Analytics workspace (GUID) that receives the vault diagnostics, for the daily cross-check.',
    example: '11111111-2222-3333-4444-555555555555',
    secret: false,
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
    description: 'Table Storage connection string, for local development with Azurite. Secret: never logged.',
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
      'Log Analytics query endpoint. Default: https://api.loganalytics.io/v1, or AZURE_ARM_ENDPOINT + /v1 when AZURE_ARM_ENDPOINT is set.',
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
