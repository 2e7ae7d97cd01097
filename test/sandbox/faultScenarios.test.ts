import { type Sandbox, startSandbox } from '../../sandbox';
import { rbacActionOf } from '../../sandbox/faultInjector';
import { hardenedSetupFiles } from '../../sandbox/hardenedSetup';
import { readIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import {
  SUB,
  VAULT,
  VAULT_RG,
  clients,
  containerOf,
  itemOf,
  testScenario,
  testVm,
  triggerBackup,
  vmIdOf,
} from './sandboxFixtures';

const IRIS = [{ name: 'IRIS', product: 'IRIS' as const, status: 'running' as const }];

describe('sandbox job-level faults', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          testVm('never-thaws', hardenedSetupFiles(), { irisInstances: IRIS }),
          testVm('healthy', hardenedSetupFiles(), { irisInstances: IRIS }),
          testVm('platform-error', [], {
            backup: { forceFailure: { errorCode: 400230, errorString: 'Snapshot failed (simulated).' } },
          }),
          testVm('slow', [], { backup: { durationMinutes: 120 } }),
          testVm('restore-fails', [], { existingRecoveryPoints: [{ ageHours: 2, type: 'AppConsistent' }] }),
        ],
        {
          faults: [
            { kind: 'freezeNeverThaws', vm: 'never-thaws' },
            { kind: 'restoreFailure', vm: 'restore-fails' },
          ],
        },
      ),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  /** The status of the VM's only backup job, as the vault's job list shows it. */
  const statusOf = async (vm: string): Promise<string | undefined> => {
    const statuses: (string | undefined)[] = [];
    for await (const j of clients(sandbox).backup.backupJobs.list(VAULT, VAULT_RG, {
      filter: "operation eq 'Backup'",
    })) {
      if (j.properties?.entityFriendlyName === vm) statuses.push(j.properties.status);
    }
    expect(statuses).toHaveLength(1);
    return statuses[0];
  };

  const jobAfter = async (vm: string, minutes: number) => {
    const { jobId } = await triggerBackup(sandbox, vm);
    await sandbox.idle();
    sandbox.clock.advance(minutes * 60_000);
    return (await clients(sandbox).backup.jobDetails.get(VAULT, VAULT_RG, jobId)).properties as {
      status?: string;
      errorDetails?: { errorCode?: number }[];
    };
  };

  it('keeps IRIS frozen after the post-script when the freeze never thaws, and reports the post-script failure', async () => {
    const job = await jobAfter('never-thaws', 70);
    expect(job.status).toBe('CompletedWithWarnings');
    expect(job.errorDetails?.[0]?.errorCode).toBe(301);
    expect(readIrisInstance(sandbox.vmRoot(vmIdOf('never-thaws')), 'IRIS')?.frozen).toBe(true);
  });

  it('thaws IRIS after an app-consistent backup with the hardened scripts', async () => {
    const job = await jobAfter('healthy', 70);
    expect(job.status).toBe('Completed');
    expect(readIrisInstance(sandbox.vmRoot(vmIdOf('healthy')), 'IRIS')?.frozen).toBe(false);
  });

  it('boots a restored VM with its IRIS instances down and not frozen (memory is not in a disk snapshot)', async () => {
    const { backup } = clients(sandbox);
    const points = [];
    for await (const rp of backup.recoveryPoints.list(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('healthy'),
      itemOf('healthy'),
    )) {
      points.push(rp);
    }
    expect((points[0]?.properties as { recoveryPointType?: string }).recoveryPointType).toBe('AppConsistent');
    await backup.restores.beginTriggerAndWait(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('healthy'),
      itemOf('healthy'),
      points[0]?.name ?? '',
      {
        properties: {
          objectType: 'IaasVMRestoreRequest',
          recoveryType: 'AlternateLocation',
          targetVirtualMachineId: vmIdOf('healthy-drill', 'rg-drill'),
          targetResourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-drill`,
        },
      },
      { updateIntervalInMs: 0 },
    );
    sandbox.clock.advance(20 * 60_000);
    const iris = readIrisInstance(sandbox.vmRoot(vmIdOf('healthy-drill', 'rg-drill')), 'IRIS');
    expect(iris).toMatchObject({ status: 'down', frozen: false });
  });

  it('fails a job with a forced platform error and keeps no recovery point', async () => {
    const job = await jobAfter('platform-error', 10);
    expect(job).toMatchObject({ status: 'Failed', errorDetails: [{ errorCode: 400230 }] });
    const { backup } = clients(sandbox);
    const points = [];
    for await (const rp of backup.recoveryPoints.list(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('platform-error'),
      itemOf('platform-error'),
    )) {
      points.push(rp);
    }
    expect(points).toEqual([]);
  });

  it('keeps a slow job in progress until the clock passes its duration', async () => {
    expect((await jobAfter('slow', 60)).status).toBe('InProgress');
    // Past the 120-minute snapshot phase the job still transfers for an hour.
    sandbox.clock.advance(60 * 60_000);
    expect(await statusOf('slow')).toBe('InProgress');
    sandbox.clock.advance(60 * 60_000);
    expect(await statusOf('slow')).toBe('Completed');
  });

  it('fails a restore with a restore-failure fault and creates no VM', async () => {
    const { backup, compute } = clients(sandbox);
    const points = [];
    for await (const rp of backup.recoveryPoints.list(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('restore-fails'),
      itemOf('restore-fails'),
    )) {
      points.push(rp);
    }
    expect(points).toHaveLength(1);
    let jobId = '';
    await backup.restores.beginTriggerAndWait(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('restore-fails'),
      itemOf('restore-fails'),
      points[0]?.name ?? '',
      {
        properties: {
          objectType: 'IaasVMRestoreRequest',
          recoveryType: 'AlternateLocation',
          targetVirtualMachineId: vmIdOf('drill-x', 'rg-drill'),
          targetResourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-drill`,
        },
      },
      {
        updateIntervalInMs: 0,
        onResponse: (r) => {
          jobId = (r.parsedBody as { properties?: { jobId?: string } } | undefined)?.properties?.jobId ?? jobId;
        },
      },
    );
    sandbox.clock.advance(30 * 60_000);
    expect((await backup.jobDetails.get(VAULT, VAULT_RG, jobId)).properties?.status).toBe('Failed');
    await expect(compute.virtualMachines.get('rg-drill', 'drill-x')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('rejects a restore that is not AlternateLocation with a 400', async () => {
    const { backup } = clients(sandbox);
    const points = [];
    for await (const rp of backup.recoveryPoints.list(
      VAULT,
      VAULT_RG,
      'Azure',
      containerOf('restore-fails'),
      itemOf('restore-fails'),
    )) {
      points.push(rp);
    }
    await expect(
      backup.restores.beginTriggerAndWait(
        VAULT,
        VAULT_RG,
        'Azure',
        containerOf('restore-fails'),
        itemOf('restore-fails'),
        points[0]?.name ?? '',
        { properties: { objectType: 'IaasVMRestoreRequest', recoveryType: 'RestoreDisks' } },
        { updateIntervalInMs: 0 },
      ),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('sandbox request fault: forbidden (403 AuthorizationFailed)', () => {
  const VAULT_PATH = `/subscriptions/${SUB}/resourceGroups/${VAULT_RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`;

  it.each([
    [
      'GET',
      `${VAULT_PATH}/backupProtectedItems`,
      'Microsoft.RecoveryServices/vaults/backupProtectedItems/read',
      VAULT_PATH,
    ],
    [
      'GET',
      `/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines`,
      'Microsoft.Compute/virtualMachines/read',
      `/subscriptions/${SUB}`,
    ],
    [
      'PUT',
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/runCommands/probe`,
      'Microsoft.Compute/virtualMachines/runCommands/write',
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/runCommands/probe`,
    ],
  ])('%s %s needs %s over %s', (method, path, action, scope) => {
    expect(rbacActionOf(method, path)).toEqual({ action, scope });
  });

  it("answers every matching request with ARM's error body, through the real SDK", async () => {
    const sandbox = await startSandbox({
      scenario: testScenario([testVm('vm1', [])], {
        faults: [{ kind: 'forbidden', pathPattern: '/backupProtectedItems$', method: 'GET' }],
      }),
    });
    try {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const error = await (async () => {
          for await (const item of clients(sandbox).backup.backupProtectedItems.list(VAULT, VAULT_RG)) void item;
        })().catch((e: unknown) => e);
        expect(error).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
        expect((error as Error).message).toContain(
          `does not have authorization to perform action 'Microsoft.RecoveryServices/vaults/backupProtectedItems/read' over scope '${VAULT_PATH}'`,
        );
      }
      expect(sandbox.requestStats().byRoute['fault.forbidden']?.count).toBe(2);
    } finally {
      await sandbox.stop();
    }
  });
});
