/**
 * The real gateways (real SDK clients, built by createGateways) against the sandbox ARM emulator: the same code
 * path as production, only AZURE_ARM_ENDPOINT and the credential differ.
 */
import { type Sandbox, startSandbox, type Scenario } from '../../sandbox';
import { loadSettings } from '../../src/shared/config/settings';
import { isAppError } from '../../src/shared/errors/appError';
import type { ProtectedVm } from '../../src/shared/azure/backupGateway';
import { createGateways, type Gateways } from '../../src/shared/gateways/createGateways';

const SUB = '11111111-2222-3333-4444-555555555555';
const WORKSPACE = '99999999-8888-7777-6666-555555555555';
const START = '2024-06-01T00:00:00.000Z';
const VAULT_ID = `/subscriptions/${SUB}/resourceGroups/backup-rg/providers/Microsoft.RecoveryServices/vaults/vault1`;
const VM_ID = `/subscriptions/${SUB}/resourceGroups/iris-rg/providers/Microsoft.Compute/virtualMachines/iris1`;

const scenario = (faults: Scenario['faults'] = []): Scenario => ({
  name: 'core-gateways',
  startTime: START,
  vaults: [{ subscriptionId: SUB, resourceGroup: 'backup-rg', name: 'vault1', location: 'westeurope' }],
  vms: [
    {
      name: 'iris1',
      subscriptionId: SUB,
      resourceGroup: 'iris-rg',
      location: 'westeurope',
      tags: { 'iris-backup-guard': 'enabled' },
      protectedBy: 'vault1',
      existingRecoveryPoints: [
        { ageHours: 48, type: 'AppConsistent' },
        { ageHours: 24, type: 'FileSystemConsistent' },
      ],
    },
    { name: 'plain', subscriptionId: SUB, resourceGroup: 'other-rg', location: 'northeurope' },
  ],
  backup: { durationMinutes: 20, transferMinutes: 120 },
  workspaces: [
    {
      id: WORKSPACE,
      deriveBackupJobs: false,
      tables: [
        {
          name: 'IbgTestTable',
          columns: [
            { name: 'JobUniqueId', type: 'string' },
            { name: 'JobDurationInSecs', type: 'real' },
          ],
          rows: [['job-1', 12.5]],
        },
      ],
    },
  ],
  faults,
});

const gatewaysFor = (sandbox: Sandbox): Gateways =>
  createGateways(
    loadSettings({
      IBG_VAULT_IDS: VAULT_ID,
      IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
      IBG_RUNS_TABLE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      AZURE_ARM_ENDPOINT: sandbox.url,
      IBG_POLL_INTERVAL_MS: '0',
    }),
    sandbox.credential,
    { warn: () => undefined },
  );

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

const errorOf = async (promise: Promise<unknown>): Promise<{ code: string; retryable: boolean }> => {
  try {
    await promise;
  } catch (e) {
    if (isAppError(e)) return { code: e.code, retryable: e.retryable };
    throw e;
  }
  throw new Error('expected an error');
};

const vault = { id: VAULT_ID, subscriptionId: SUB, resourceGroup: 'backup-rg', name: 'vault1' };

describe('ARM gateways against the sandbox', () => {
  let sandbox: Sandbox;
  let gateways: Gateways;
  let item: ProtectedVm;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: scenario() });
    gateways = gatewaysFor(sandbox);
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('lists the protected VMs of a vault with their container and item names', async () => {
    const vms = await collect(gateways.backup.listProtectedVms(vault));
    expect(vms).toHaveLength(1);
    const [vm] = vms;
    expect(vm?.vmId.toLowerCase()).toBe(VM_ID.toLowerCase());
    expect(vm?.vmName).toBe('iris1');
    expect(vm?.containerName.toLowerCase()).toBe('iaasvmcontainer;iaasvmcontainerv2;iris-rg;iris1');
    expect(vm?.protectedItemName.toLowerCase()).toBe('vm;iaasvmcontainerv2;iris-rg;iris1');
    if (vm === undefined) throw new Error('no protected VM');
    item = vm;
  });

  it('lists recovery points newest first', async () => {
    const points = await collect(gateways.backup.listRecoveryPoints(item));
    expect(points.map((p) => p.type)).toEqual(['FileSystemConsistent', 'AppConsistent']);
    expect(points.map((p) => p.time)).toEqual(['2024-05-31T00:00:00.000Z', '2024-05-30T00:00:00.000Z']);
    expect(points.every((p) => p.name !== '' && p.id.endsWith(`/recoveryPoints/${p.name}`))).toBe(true);
  });

  it('filters recovery points by date', async () => {
    const points = await collect(
      gateways.backup.listRecoveryPoints(item, {
        startDate: new Date('2024-05-30T12:00:00Z'),
        endDate: new Date('2024-06-01T00:00:00Z'),
      }),
    );
    expect(points.map((p) => p.type)).toEqual(['FileSystemConsistent']);
  });

  it('triggers a backup, follows its operation to the job and sees the job finish', async () => {
    const { operationId } = await gateways.backup.triggerBackup(item, {
      recoveryPointExpiry: new Date('2024-07-01T00:00:00Z'),
    });
    expect(operationId).toMatch(/^[\w-]+$/);

    const operation = await gateways.backup.getBackupOperation(item, operationId);
    expect(operation.status).toBe('Succeeded');
    const jobId = operation.jobId ?? '';
    expect(jobId).not.toBe('');

    const running = await gateways.backup.getJob(vault, jobId);
    expect(running).toMatchObject({
      jobId,
      vaultId: VAULT_ID,
      entityName: 'iris1',
      operation: 'Backup',
      status: 'InProgress',
    });

    sandbox.clock.advance(30 * 60_000);
    await sandbox.idle();
    // Snapshot taken: its point is listed in the snapshot tier while the job transfers data to the vault.
    expect((await gateways.backup.getJob(vault, jobId)).status).toBe('InProgress');
    expect((await collect(gateways.backup.listRecoveryPoints(item)))[0]?.tiers).toEqual(['InstantRP']);
    sandbox.clock.advance(120 * 60_000);
    const done = await gateways.backup.getJob(vault, jobId);
    expect(['Completed', 'CompletedWithWarnings']).toContain(done.status);
    expect(done.durationInMs).toBeGreaterThan(0);

    const window = { startTime: new Date('2024-05-31T23:00:00Z'), endTime: new Date('2024-06-01T01:00:00Z') };
    const backups = await collect(gateways.backup.listJobs(vault, { ...window, operation: 'Backup' }));
    expect(backups.map((j) => j.jobId)).toContain(jobId);
    const restores = await collect(gateways.backup.listJobs(vault, { ...window, operation: 'Restore' }));
    expect(restores.map((j) => j.jobId)).not.toContain(jobId);

    const points = await collect(gateways.backup.listRecoveryPoints(item));
    expect(points).toHaveLength(3);
    expect(points[0]?.time.startsWith('2024-06-01T')).toBe(true);
    expect(points[0]?.tiers).toEqual(['InstantRP', 'HardenedRP']);
  });

  it('reports an unknown job as NOT_FOUND', async () => {
    expect(await errorOf(gateways.backup.getJob(vault, '00000000-0000-0000-0000-00000000dead'))).toEqual({
      code: 'NOT_FOUND',
      retryable: false,
    });
  });

  it('reads a VM and gives undefined for one that does not exist', async () => {
    const vm = await gateways.compute.getVm(VM_ID);
    expect(vm).toMatchObject({ name: 'iris1', location: 'westeurope', tags: { 'iris-backup-guard': 'enabled' } });
    expect(vm?.nicIds.length).toBeGreaterThan(0);
    expect(vm?.diskIds.length).toBeGreaterThan(0);
    expect(await gateways.compute.getVm(VM_ID.replace('iris1', 'ghost'))).toBeUndefined();
  });

  it('lists the VMs of a subscription', async () => {
    const vms = await collect(gateways.compute.listVms(SUB));
    expect(vms.map((v) => v.name).sort()).toEqual(['iris1', 'plain']);
  });

  it('runs a script with parameters and returns exit code, stdout and stderr, then deletes the Run Command', async () => {
    const deletesBefore = sandbox.requestStats().byRoute['compute.runCommands.delete']?.count ?? 0;
    const result = await gateways.compute.runScript(VM_ID, 'echo "hello $GREETING"\necho oops >&2\nexit 3\n', {
      name: 'ibg-test-1',
      parameters: [{ name: 'GREETING', value: 'world' }],
      timeoutInSeconds: 60,
    });
    expect(result).toMatchObject({ executionState: 'Failed', exitCode: 3, output: 'hello world\n', error: 'oops\n' });
    expect(sandbox.requestStats().byRoute['compute.runCommands.delete']?.count).toBe(deletesBefore + 1);
  });

  it('reports a successful script', async () => {
    const result = await gateways.compute.runScript(VM_ID, 'echo ok', { name: 'ibg-test-2', timeoutInSeconds: 60 });
    expect(result).toMatchObject({ executionState: 'Succeeded', exitCode: 0, output: 'ok\n', error: '' });
  });

  it('keeps only the last 4 KiB of a long output', async () => {
    const script = 'i=0\nwhile [ $i -lt 2000 ]; do echo "line$i"; i=$((i+1)); done\n';
    const result = await gateways.compute.runScript(VM_ID, script, { name: 'ibg-test-3', timeoutInSeconds: 60 });
    expect(result.output.length).toBeLessThanOrEqual(4096);
    expect(result.output.endsWith('line1999\n')).toBe(true);
  });

  it('refuses to run a script on a VM that does not exist', async () => {
    const missing = VM_ID.replace('iris1', 'ghost');
    expect(await errorOf(gateways.compute.runScript(missing, 'true', { name: 'x', timeoutInSeconds: 60 }))).toEqual({
      code: 'NOT_FOUND',
      retryable: false,
    });
  });

  it('reports an unknown workspace as NOT_FOUND', async () => {
    const missing = '00000000-0000-0000-0000-000000000000';
    expect(await errorOf(gateways.logs.queryWorkspace(missing, 'IbgTestTable', 'P1D'))).toEqual({
      code: 'NOT_FOUND',
      retryable: false,
    });
  });

  it('queries a Log Analytics workspace', async () => {
    const tables = await gateways.logs.queryWorkspace(WORKSPACE, 'IbgTestTable | take 1', 'P1D');
    expect(tables).toEqual([
      {
        name: 'PrimaryResult',
        columns: [
          { name: 'JobUniqueId', type: 'string' },
          { name: 'JobDurationInSecs', type: 'real' },
        ],
        rows: [['job-1', 12.5]],
      },
    ]);
  });
});

describe('ARM gateway errors from the sandbox', () => {
  let sandbox: Sandbox;

  afterEach(async () => {
    await sandbox?.stop();
  });

  it('turns persistent throttling into a retryable THROTTLED error', async () => {
    sandbox = await startSandbox({
      scenario: scenario([{ kind: 'throttle', pathPattern: '/backupJobs/', nth: 1, count: 10, retryAfterSeconds: 0 }]),
    });
    const error = await errorOf(gatewaysFor(sandbox).backup.getJob(vault, 'any-job'));
    expect(error).toEqual({ code: 'THROTTLED', retryable: true });
  });

  it('logs a failed Run Command clean-up instead of hiding the script result', async () => {
    sandbox = await startSandbox({
      scenario: scenario([
        { kind: 'serverError', pathPattern: '/runCommands/', method: 'DELETE', nth: 1, count: 1, statusCode: 400 },
      ]),
    });
    const warnings: string[] = [];
    const gateways = createGateways(
      loadSettings({
        IBG_VAULT_IDS: VAULT_ID,
        IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
        IBG_RUNS_TABLE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        AZURE_ARM_ENDPOINT: sandbox.url,
        IBG_POLL_INTERVAL_MS: '0',
      }),
      sandbox.credential,
      { warn: (message) => warnings.push(message) },
    );
    const result = await gateways.compute.runScript(VM_ID, 'echo ok', { name: 'ibg-cleanup', timeoutInSeconds: 60 });
    expect(result).toMatchObject({ executionState: 'Succeeded', exitCode: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^delete run command ibg-cleanup on VM iris1 failed \(HTTP 400/);
  });

  it('rides out a single 429 thanks to the SDK retry policy', async () => {
    sandbox = await startSandbox({
      scenario: scenario([
        { kind: 'throttle', pathPattern: '/backupProtectedItems', nth: 1, count: 1, retryAfterSeconds: 0 },
      ]),
    });
    const vms = await collect(gatewaysFor(sandbox).backup.listProtectedVms(vault));
    expect(vms.map((v) => v.vmName)).toEqual(['iris1']);
  });
});
