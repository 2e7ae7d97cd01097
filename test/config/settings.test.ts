import { ConfigError } from '../../src/shared/errors/appError';
import { describeSettings, loadSettings } from '../../src/shared/config/settings';

const SUB = '00000000-0000-0000-0000-000000000000';
const VAULT = `/subscriptions/${SUB}/resourceGroups/backup-rg/providers/Microsoft.RecoveryServices/vaults/iris-vault`;
const VM = `/subscriptions/${SUB}/resourceGroups/iris-rg/providers/Microsoft.Compute/virtualMachines/iris-prod-1`;
const VAULT_EXAMPLE = VAULT;
const WEBHOOK = 'https://alerts.example.com/hooks/abc?sig=s3cr3t-token';
const CONNECTION =
  'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWtleQ==;EndpointSuffix=core.windows.net';

/** The smallest valid environment. */
const minimal = (): Record<string, string | undefined> => ({
  IBG_VAULT_IDS: VAULT,
  IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
  IBG_RUNS_TABLE_ENDPOINT: 'https://acct.table.core.windows.net',
});

const errorOf = (env: Record<string, string | undefined>): ConfigError => {
  try {
    loadSettings(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadSettings did not throw');
};

describe('loadSettings', () => {
  it('applies the documented defaults', () => {
    const s = loadSettings(minimal());
    expect(s).toEqual({
      vaults: [{ id: VAULT, subscriptionId: SUB, resourceGroup: 'backup-rg', name: 'iris-vault' }],
      enrollment: { tag: { name: 'iris-backup-guard', value: 'enabled' }, vmIds: [] },
      schedules: { nightly: '0 30 1 * * *', advance: '0 */5 * * * *', nightTimeZone: 'UTC' },
      recoveryPointRetentionDays: 30,
      maxConcurrency: 8,
      runCommandTimeoutInSeconds: 120,
      stageLimitsInMinutes: { preflight: 15, backup: 360, assess: 30, restore: 360, verify: 120, cleanup: 60 },
      skipBackupOnBlockingFindings: false,
      drill: { enabled: false, keepHours: 0 },
      alerts: { minSeverity: 'warning' },
      autoThaw: false,
      runsTable: { kind: 'endpoint', endpoint: 'https://acct.table.core.windows.net', tableName: 'ibgruns' },
      azure: { armEndpoint: 'https://management.azure.com', logsEndpoint: 'https://api.loganalytics.io/v1' },
      pollIntervalInMs: 5000,
    });
  });

  it('reads several vaults and VMs, canonicalises ids and drops case-insensitive duplicates', () => {
    const other =
      '/Subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/rg2/providers/microsoft.recoveryservices/Vaults/v2/';
    const s = loadSettings({
      ...minimal(),
      IBG_VAULT_IDS: ` ${VAULT} , ${other},${VAULT.toUpperCase()},`,
      IBG_ENROLL_TAG: undefined,
      IBG_ENROLL_VM_IDS: `${VM},${VM.toLowerCase()}`,
    });
    expect(s.vaults.map((v) => v.id)).toEqual([
      VAULT,
      '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg2/providers/Microsoft.RecoveryServices/vaults/v2',
    ]);
    expect(s.enrollment).toEqual({ vmIds: [VM] });
  });

  it('reads every optional setting when given', () => {
    const s = loadSettings({
      ...minimal(),
      IBG_NIGHTLY_SCHEDULE: '0  0 2 * * MON-FRI',
      IBG_NIGHT_TIME_ZONE: 'Europe/Paris',
      IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS: 'YES',
      IBG_AUTO_THAW: '1',
      IBG_DRILL_ENABLED: 'true',
      IBG_DRILL_RESOURCE_GROUP_ID: `/subscriptions/${SUB}/resourcegroups/drill-rg`,
      IBG_DRILL_SUBNET_ID: `/subscriptions/${SUB}/resourceGroups/drill-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn`,
      IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID: `/subscriptions/${SUB}/resourceGroups/drill-rg/providers/Microsoft.Storage/storageAccounts/stage`,
      IBG_DRILL_KEEP_HOURS: '24',
      IBG_ALERT_WEBHOOK_URL: WEBHOOK,
      IBG_ALERT_MIN_SEVERITY: 'Critical',
      IBG_LOG_ANALYTICS_WORKSPACE_ID: 'AAAAAAAA-2222-3333-4444-555555555555',
      IBG_POLL_INTERVAL_MS: '0',
    });
    expect(s.schedules).toEqual({
      nightly: '0 0 2 * * MON-FRI',
      advance: '0 */5 * * * *',
      nightTimeZone: 'Europe/Paris',
    });
    expect(s.skipBackupOnBlockingFindings).toBe(true);
    expect(s.autoThaw).toBe(true);
    expect(s.drill).toEqual({
      enabled: true,
      resourceGroupId: `/subscriptions/${SUB}/resourceGroups/drill-rg`,
      subnetId: `/subscriptions/${SUB}/resourceGroups/drill-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn`,
      stagingStorageAccountId: `/subscriptions/${SUB}/resourceGroups/drill-rg/providers/Microsoft.Storage/storageAccounts/stage`,
      keepHours: 24,
    });
    expect(s.alerts).toEqual({ webhookUrl: WEBHOOK, minSeverity: 'critical' });
    expect(s.logAnalyticsWorkspaceId).toBe('aaaaaaaa-2222-3333-4444-555555555555');
    expect(s.pollIntervalInMs).toBe(0);
  });

  it.each([
    ['https://localhost:8443', undefined, 'https://localhost:8443', 'https://localhost:8443/v1'],
    ['https://localhost:8443/', 'https://logs.local/v1/', 'https://localhost:8443', 'https://logs.local/v1'],
    [undefined, 'https://logs.local/v1', 'https://management.azure.com', 'https://logs.local/v1'],
    ['https://management.azure.com', undefined, 'https://management.azure.com', 'https://api.loganalytics.io/v1'],
  ])('AZURE_ARM_ENDPOINT=%s AZURE_LOGS_ENDPOINT=%s', (arm, logs, armEndpoint, logsEndpoint) => {
    const s = loadSettings({ ...minimal(), AZURE_ARM_ENDPOINT: arm, AZURE_LOGS_ENDPOINT: logs });
    expect(s.azure).toEqual({ armEndpoint, logsEndpoint });
  });

  it('takes a connection string instead of an endpoint', () => {
    const s = loadSettings({
      ...minimal(),
      IBG_RUNS_TABLE_ENDPOINT: '',
      IBG_RUNS_TABLE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      IBG_RUNS_TABLE_NAME: 'ibgtest',
    });
    expect(s.runsTable).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
      tableName: 'ibgtest',
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['Yes', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['0', false],
    ['', false],
  ])('boolean %j reads as %s', (text, expected) => {
    expect(loadSettings({ ...minimal(), IBG_AUTO_THAW: text }).autoThaw).toBe(expected);
  });

  const ex = (example: string): string => `. Example: ${example}`;
  it.each<[string, Record<string, string | undefined>, string]>([
    [
      'vault id that is not one',
      { IBG_VAULT_IDS: 'abc' },
      `IBG_VAULT_IDS: "abc" is not a Recovery Services vault resource id${ex(VAULT_EXAMPLE)}`,
    ],
    [
      'a VM id in the vault list',
      { IBG_VAULT_IDS: VM },
      `IBG_VAULT_IDS: "${VM}" is not a Recovery Services vault resource id${ex(VAULT_EXAMPLE)}`,
    ],
    ['missing vault ids', { IBG_VAULT_IDS: '  ' }, `IBG_VAULT_IDS: not set; it is required${ex(VAULT_EXAMPLE)}`],
    [
      'no enrolment',
      { IBG_ENROLL_TAG: undefined, IBG_ENROLL_VM_IDS: '' },
      'IBG_ENROLL_TAG / IBG_ENROLL_VM_IDS: neither is set; set at least one to choose which VMs are enrolled. Example: IBG_ENROLL_TAG=iris-backup-guard=enabled',
    ],
    [
      'tag without value',
      { IBG_ENROLL_TAG: 'iris-backup-guard' },
      'IBG_ENROLL_TAG: "iris-backup-guard" is not a tag written name=value. Example: iris-backup-guard=enabled',
    ],
    [
      'bad VM id',
      { IBG_ENROLL_VM_IDS: `${VM},vm2` },
      `IBG_ENROLL_VM_IDS: "vm2" is not a virtual machine resource id${ex(VM)}`,
    ],
    [
      'five-field cron',
      { IBG_NIGHTLY_SCHEDULE: '30 1 * * *' },
      'IBG_NIGHTLY_SCHEDULE: "30 1 * * *" is not a 6-field NCRONTAB schedule: has 5 fields, expected 6 (second minute hour day month day-of-week). Example: 0 30 1 * * *',
    ],
    [
      'hour out of range',
      { IBG_ADVANCE_SCHEDULE: '0 0 24 * * *' },
      'IBG_ADVANCE_SCHEDULE: "0 0 24 * * *" is not a 6-field NCRONTAB schedule: hour 24 is out of range 0-23. Example: 0 */5 * * * *',
    ],
    [
      'unknown time zone',
      { IBG_NIGHT_TIME_ZONE: 'Mars/Olympus' },
      'IBG_NIGHT_TIME_ZONE: "Mars/Olympus" is not an IANA time zone name. Example: Europe/Paris',
    ],
    [
      'retention above 99',
      { IBG_RECOVERY_POINT_RETENTION_DAYS: '100' },
      'IBG_RECOVERY_POINT_RETENTION_DAYS: "100" is not a whole number from 1 to 99. Example: 30',
    ],
    [
      'concurrency zero',
      { IBG_MAX_CONCURRENCY: '0' },
      'IBG_MAX_CONCURRENCY: "0" is not a whole number from 1 to 64. Example: 8',
    ],
    [
      'fractional timeout',
      { IBG_RUN_COMMAND_TIMEOUT_SECONDS: '60.5' },
      'IBG_RUN_COMMAND_TIMEOUT_SECONDS: "60.5" is not a whole number from 30 to 5400. Example: 120',
    ],
    [
      'timeout below 30',
      { IBG_RUN_COMMAND_TIMEOUT_SECONDS: '29' },
      'IBG_RUN_COMMAND_TIMEOUT_SECONDS: "29" is not a whole number from 30 to 5400. Example: 120',
    ],
    [
      'negative stage limit',
      { IBG_LIMIT_BACKUP_MINUTES: '-5' },
      'IBG_LIMIT_BACKUP_MINUTES: "-5" is not a whole number from 1 to 2880. Example: 360',
    ],
    [
      'boolean word',
      { IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS: 'maybe' },
      'IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS: "maybe" is not a boolean; use true/false, yes/no or 1/0. Example: false',
    ],
    [
      'drills without their settings',
      { IBG_DRILL_ENABLED: 'on' },
      'IBG_DRILL_ENABLED: "on" is not a boolean; use true/false, yes/no or 1/0. Example: true',
    ],
    [
      'drill subnet that is a vnet',
      {
        IBG_DRILL_SUBNET_ID: `/subscriptions/${SUB}/resourceGroups/drill-rg/providers/Microsoft.Network/virtualNetworks/vnet`,
      },
      `IBG_DRILL_SUBNET_ID: "/subscriptions/${SUB}/resourceGroups/drill-rg/providers/Microsoft.Network/virtualNetworks/vnet" is not a virtual network subnet resource id. Example: /subscriptions/${SUB}/resourceGroups/iris-drill-rg/providers/Microsoft.Network/virtualNetworks/drill-vnet/subnets/drill`,
    ],
    [
      'keep hours too long',
      { IBG_DRILL_KEEP_HOURS: '1000' },
      'IBG_DRILL_KEEP_HOURS: "1000" is not a whole number from 0 to 720. Example: 0',
    ],
    [
      'plain-http webhook (value hidden)',
      { IBG_ALERT_WEBHOOK_URL: 'http://alerts.example.com/hooks/s3cr3t' },
      'IBG_ALERT_WEBHOOK_URL: the value (not shown: secret) is not an https URL. Example: https://alerts.example.com/hooks/iris-backup-guard',
    ],
    [
      'unknown severity',
      { IBG_ALERT_MIN_SEVERITY: 'loud' },
      'IBG_ALERT_MIN_SEVERITY: "loud" is not one of critical, error, warning, info. Example: warning',
    ],
    [
      'workspace id not a GUID',
      { IBG_LOG_ANALYTICS_WORKSPACE_ID: 'my-workspace' },
      'IBG_LOG_ANALYTICS_WORKSPACE_ID: "my-workspace" is not a workspace id (a GUID). Example: 11111111-2222-3333-4444-555555555555',
    ],
    [
      'both table settings',
      { IBG_RUNS_TABLE_CONNECTION_STRING: CONNECTION },
      'IBG_RUNS_TABLE_ENDPOINT / IBG_RUNS_TABLE_CONNECTION_STRING: both are set; set exactly one. Example: IBG_RUNS_TABLE_ENDPOINT=https://irisbackupguard.table.core.windows.net',
    ],
    [
      'neither table setting',
      { IBG_RUNS_TABLE_ENDPOINT: undefined },
      'IBG_RUNS_TABLE_ENDPOINT / IBG_RUNS_TABLE_CONNECTION_STRING: neither is set; set exactly one. Example: IBG_RUNS_TABLE_ENDPOINT=https://irisbackupguard.table.core.windows.net',
    ],
    [
      'http table endpoint',
      { IBG_RUNS_TABLE_ENDPOINT: 'http://acct.table.core.windows.net' },
      'IBG_RUNS_TABLE_ENDPOINT: "http://acct.table.core.windows.net" is not an https URL. Example: https://irisbackupguard.table.core.windows.net',
    ],
    [
      'malformed connection string (value hidden)',
      { IBG_RUNS_TABLE_ENDPOINT: undefined, IBG_RUNS_TABLE_CONNECTION_STRING: 'AccountKey=c2VjcmV0' },
      'IBG_RUNS_TABLE_CONNECTION_STRING: the value (not shown: secret) is not a storage connection string. Example: UseDevelopmentStorage=true',
    ],
    [
      'table name with a dash',
      { IBG_RUNS_TABLE_NAME: 'ibg-runs' },
      'IBG_RUNS_TABLE_NAME: "ibg-runs" is not a valid table name (3-63 letters and digits, starting with a letter). Example: ibgruns',
    ],
    [
      'ARM endpoint over http',
      { AZURE_ARM_ENDPOINT: 'http://localhost:8080' },
      'AZURE_ARM_ENDPOINT: "http://localhost:8080" is not an https URL without query. Example: https://management.azure.com',
    ],
    [
      'logs endpoint with a query',
      { AZURE_LOGS_ENDPOINT: 'https://api.loganalytics.io/v1?x=1' },
      'AZURE_LOGS_ENDPOINT: "https://api.loganalytics.io/v1?x=1" is not an https URL without query. Example: https://api.loganalytics.io/v1',
    ],
    [
      'negative poll interval',
      { IBG_POLL_INTERVAL_MS: '-1' },
      'IBG_POLL_INTERVAL_MS: "-1" is not a whole number from 0 to 600000. Example: 5000',
    ],
  ])('%s', (_case, overrides, message) => {
    const error = errorOf({ ...minimal(), ...overrides });
    expect(error.message).toBe(message);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(message.startsWith(`${error.setting}: `)).toBe(true);
  });

  it('requires the three drill ids when drills are enabled, and reports them all at once', () => {
    const error = errorOf({ ...minimal(), IBG_DRILL_ENABLED: 'true' });
    expect(error.message).toBe(
      [
        '3 app settings are invalid:',
        `- IBG_DRILL_RESOURCE_GROUP_ID: not set; it is required when IBG_DRILL_ENABLED is true. Example: /subscriptions/${SUB}/resourceGroups/iris-drill-rg`,
        `- IBG_DRILL_SUBNET_ID: not set; it is required when IBG_DRILL_ENABLED is true. Example: /subscriptions/${SUB}/resourceGroups/iris-drill-rg/providers/Microsoft.Network/virtualNetworks/drill-vnet/subnets/drill`,
        `- IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID: not set; it is required when IBG_DRILL_ENABLED is true. Example: /subscriptions/${SUB}/resourceGroups/iris-drill-rg/providers/Microsoft.Storage/storageAccounts/irisdrillstaging`,
      ].join('\n'),
    );
    expect(error.setting).toBe(
      'IBG_DRILL_RESOURCE_GROUP_ID, IBG_DRILL_SUBNET_ID, IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
    );
  });

  it('reports every problem of an empty environment in one error', () => {
    const error = errorOf({});
    expect(error.message.split('\n')).toEqual([
      '3 app settings are invalid:',
      `- IBG_VAULT_IDS: not set; it is required${ex(VAULT_EXAMPLE)}`,
      expect.stringMatching(/^- IBG_ENROLL_TAG \/ IBG_ENROLL_VM_IDS: neither is set/),
      expect.stringMatching(/^- IBG_RUNS_TABLE_ENDPOINT \/ IBG_RUNS_TABLE_CONNECTION_STRING: neither is set/),
    ]);
  });

  it('never echoes secret values in error messages', () => {
    const error = errorOf({
      ...minimal(),
      IBG_RUNS_TABLE_ENDPOINT: undefined,
      IBG_RUNS_TABLE_CONNECTION_STRING: 'AccountKey=topsecretkey',
      IBG_ALERT_WEBHOOK_URL: 'ftp://hooks.example.com/topsecretpath',
      IBG_MAX_CONCURRENCY: 'many',
    });
    expect(error.message).toMatch(/^3 app settings are invalid:/);
    expect(error.message).toContain('IBG_MAX_CONCURRENCY: "many"');
    expect(error.message).not.toContain('topsecret');
  });

  it('caps long values it echoes', () => {
    const error = errorOf({ ...minimal(), IBG_VAULT_IDS: 'x'.repeat(5000) });
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toContain(`"${'x'.repeat(300)}…"`);
  });
});

describe('describeSettings', () => {
  it('redacts the webhook URL and the connection string and keeps the rest', () => {
    const s = loadSettings({
      ...minimal(),
      IBG_RUNS_TABLE_ENDPOINT: undefined,
      IBG_RUNS_TABLE_CONNECTION_STRING: CONNECTION,
      IBG_ALERT_WEBHOOK_URL: WEBHOOK,
    });
    const described = describeSettings(s);
    const text = JSON.stringify(described);
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toContain('c2VjcmV0LWtleQ');
    expect(described['alerts']).toEqual({ webhookUrl: '[redacted]', minSeverity: 'warning' });
    expect(described['runsTable']).toEqual({
      kind: 'connectionString',
      connectionString: '[redacted]',
      tableName: 'ibgruns',
    });
    expect(described['maxConcurrency']).toBe(8);
    // The settings object itself is untouched.
    expect(s.alerts.webhookUrl).toBe(WEBHOOK);
  });

  it('leaves an unset webhook out rather than pretending it is set', () => {
    expect(describeSettings(loadSettings(minimal()))['alerts']).toEqual({ minSeverity: 'warning' });
  });
});
