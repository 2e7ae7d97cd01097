import { ConfigError } from '../../src/shared/errors/appError';
import { describeSettings, loadSettings } from '../../src/shared/config/settings';

const SUB = '00000000-0000-0000-0000-000000000000';
const VAULT = `/subscriptions/${SUB}/resourceGroups/backup-rg/providers/Microsoft.RecoveryServices/vaults/iris-vault`;
const VM = `/subscriptions/${SUB}/resourceGroups/iris-rg/providers/Microsoft.Compute/virtualMachines/iris-prod-1`;
const VAULT_EXAMPLE = VAULT;
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
      schedules: { nightTimeZone: 'UTC' },
      recoveryPointRetentionDays: 30,
      maxConcurrency: 8,
      runCommandTimeoutInSeconds: 120,
      runCommandsPerSubscription: 100,
      stageLimitsInMinutes: { preflight: 15, backup: 1440, assess: 30 },
      skipBackupOnBlockingFindings: false,
      runsTable: { kind: 'endpoint', endpoint: 'https://acct.table.core.windows.net', tableName: 'ibgruns' },
      azure: { armEndpoint: 'https://management.azure.com', logsEndpoint: 'https://api.loganalytics.io/v1' },
      pollIntervalInMs: 5000,
      alerts: { minSeverity: 'warning', renotifyMinutes: 360 },
      autoThaw: false,
      intakeKeys: [],
      reporting: { rpoTargetHours: 26, rtoTargetMinutes: 240, apiAuth: 'function-key' },
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
      IBG_NIGHT_TIME_ZONE: 'Europe/Paris',
      IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS: 'YES',
      IBG_LIMIT_ASSESS_MINUTES: '45',
      IBG_POLL_INTERVAL_MS: '0',
    });
    expect(s.schedules).toEqual({ nightTimeZone: 'Europe/Paris' });
    expect(s.skipBackupOnBlockingFindings).toBe(true);
    expect(s.stageLimitsInMinutes.assess).toBe(45);
    expect(s.pollIntervalInMs).toBe(0);
  });

  it('does not need the timer schedules, which only the Functions host reads (the CLI runs without them)', () => {
    expect(() => loadSettings(minimal())).not.toThrow();
  });

  it('reads the Log Analytics workspace (a GUID) only when it is set', () => {
    expect(loadSettings(minimal()).logAnalytics).toBeUndefined();
    const ws = 'AAAAAAAA-1111-2222-3333-444444444444';
    expect(loadSettings({ ...minimal(), IBG_LOG_ANALYTICS_WORKSPACE_ID: ws }).logAnalytics).toEqual({
      workspaceId: ws.toLowerCase(),
    });
  });

  it.each([
    [
      'IBG_LOG_ANALYTICS_WORKSPACE_ID',
      '/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z',
    ],
    ['AZURE_LOGS_ENDPOINT', 'http://api.loganalytics.io/v1'],
  ])('rejects %s=%s', (name, value) => {
    expect(() => loadSettings({ ...minimal(), [name]: value })).toThrow(name);
  });

  it.each([
    ['https://localhost:8443', 'https://localhost:8443', 'https://localhost:8443/v1'],
    ['https://localhost:8443/', 'https://localhost:8443', 'https://localhost:8443/v1'],
    [undefined, 'https://management.azure.com', 'https://api.loganalytics.io/v1'],
    ['https://management.azure.com', 'https://management.azure.com', 'https://api.loganalytics.io/v1'],
  ])(
    'AZURE_ARM_ENDPOINT=%s: without AZURE_LOGS_ENDPOINT the Log Analytics endpoint follows it',
    (arm, armEndpoint, logsEndpoint) => {
      const s = loadSettings({ ...minimal(), AZURE_ARM_ENDPOINT: arm });
      expect(s.azure).toEqual({ armEndpoint, logsEndpoint });
    },
  );

  it('takes AZURE_LOGS_ENDPOINT as given (another cloud), whatever the ARM endpoint', () => {
    const s = loadSettings({
      ...minimal(),
      AZURE_ARM_ENDPOINT: 'https://management.usgovcloudapi.net',
      AZURE_LOGS_ENDPOINT: 'https://api.loganalytics.us/v1/',
    });
    expect(s.azure).toEqual({
      armEndpoint: 'https://management.usgovcloudapi.net',
      logsEndpoint: 'https://api.loganalytics.us/v1',
    });
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
    expect(
      loadSettings({ ...minimal(), IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS: text }).skipBackupOnBlockingFindings,
    ).toBe(expected);
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
      'IBG_LIMIT_BACKUP_MINUTES: "-5" is not a whole number from 1 to 2880. Example: 1440',
    ],
    [
      'boolean word',
      { IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS: 'maybe' },
      'IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS: "maybe" is not a boolean; use true/false, yes/no or 1/0. Example: false',
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
      IBG_MAX_CONCURRENCY: 'many',
    });
    expect(error.message).toMatch(/^2 app settings are invalid:/);
    expect(error.message).toContain('IBG_MAX_CONCURRENCY: "many"');
    expect(error.message).not.toContain('topsecret');
  });

  it.each([
    [
      'a connection string pasted into the endpoint',
      { IBG_RUNS_TABLE_ENDPOINT: CONNECTION },
      'IBG_RUNS_TABLE_ENDPOINT: "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];EndpointSuffix=core.windows.net" is not an https URL. Example: https://irisbackupguard.table.core.windows.net',
      'c2VjcmV0LWtleQ',
    ],
    [
      'a SAS URL as the endpoint',
      { IBG_RUNS_TABLE_ENDPOINT: 'https://acct.table.core.windows.net/?sv=2022-11-02&sp=r&sig=s3cr3tsig' },
      'IBG_RUNS_TABLE_ENDPOINT: "https://acct.table.core.windows.net/?sv=2022-11-02&sp=r&sig=[redacted]" is not an https URL. Example: https://irisbackupguard.table.core.windows.net',
      's3cr3tsig',
    ],
    [
      'a password in the ARM endpoint',
      { AZURE_ARM_ENDPOINT: 'https://ops:hunter2@proxy.example.com' },
      'AZURE_ARM_ENDPOINT: "https://ops:[redacted]@proxy.example.com" is not an https URL without query. Example: https://management.azure.com',
      'hunter2',
    ],
  ])('redacts %s and keeps the rest of the message', (_case, overrides, message, secret) => {
    const error = errorOf({ ...minimal(), ...overrides });
    expect(error.message).toBe(message);
    expect(error.message).not.toContain(secret);
  });

  it('caps long values it echoes', () => {
    const error = errorOf({ ...minimal(), IBG_VAULT_IDS: 'x'.repeat(5000) });
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).toContain(`"${'x'.repeat(300)}…"`);
  });
});

describe('describeSettings', () => {
  it('redacts the connection string and keeps the rest', () => {
    const s = loadSettings({
      ...minimal(),
      IBG_RUNS_TABLE_ENDPOINT: undefined,
      IBG_RUNS_TABLE_CONNECTION_STRING: CONNECTION,
    });
    const described = describeSettings(s);
    expect(JSON.stringify(described)).not.toContain('c2VjcmV0LWtleQ');
    expect(described['runsTable']).toEqual({
      kind: 'connectionString',
      connectionString: '[redacted]',
      tableName: 'ibgruns',
    });
    expect(described['maxConcurrency']).toBe(8);
    // The settings object itself is untouched.
    expect(s.runsTable).toEqual({ kind: 'connectionString', connectionString: CONNECTION, tableName: 'ibgruns' });
  });

  it('redacts a secret that reached a value which is not secret', () => {
    const s = loadSettings(minimal());
    const leaky = { ...s, enrollment: { vmIds: ['https://ops:hunter2@example.com/x'] } };
    const described = describeSettings(leaky);
    expect(described['enrollment']).toEqual({ vmIds: ['https://ops:[redacted]@example.com/x'] });
  });
});
