/**
 * A restore request is never sent twice by the SDK (gateways/restoreResendGuard.ts), through the real recovery
 * services client against the sandbox: an answer lost after the vault started the job, or a 500, fails the call
 * with exactly the one job (or none) the vault made; a 429 or a 503 is still retried.
 */
import { type FaultSpec, type Sandbox, startSandbox } from '../../sandbox';
import type { ProtectedVm } from '../../src/shared/azure/backupGateway';
import { loadSettings } from '../../src/shared/config/settings';
import { createGateways, type Gateways } from '../../src/shared/gateways/createGateways';
import { LOCATION, SUB, VAULT, VAULT_RG, testScenario, testVm, vmIdOf } from '../sandbox/sandboxFixtures';

const DRILL_RG = 'rg-drill';
const RG_ID = (rg: string): string => `/subscriptions/${SUB}/resourceGroups/${rg}`;
const VNET = `${RG_ID(DRILL_RG)}/providers/Microsoft.Network/virtualNetworks/vnet-drill`;
const VAULT_ID = `${RG_ID(VAULT_RG)}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`;
const VAULT_REF = { id: VAULT_ID, subscriptionId: SUB, resourceGroup: VAULT_RG, name: VAULT };
const RESTORE = '/recoveryPoints/[^/]+/restore$';

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

interface World {
  sandbox: Sandbox;
  gateways: Gateways;
  source: ProtectedVm;
}

async function start(faults: FaultSpec[]): Promise<World> {
  const sandbox = await startSandbox({
    scenario: testScenario([testVm('src', [], { existingRecoveryPoints: [{ ageHours: 2, type: 'AppConsistent' }] })], {
      backup: {
        storageAccounts: [
          { subscriptionId: SUB, resourceGroup: DRILL_RG, name: 'staging', location: LOCATION, sku: 'Standard_LRS' },
        ],
        virtualNetworks: [
          {
            subscriptionId: SUB,
            resourceGroup: DRILL_RG,
            name: 'vnet-drill',
            location: LOCATION,
            subnets: ['default'],
          },
        ],
      },
      faults,
    }),
  });
  const gateways = createGateways(
    loadSettings({
      IBG_VAULT_IDS: VAULT_ID,
      IBG_ENROLL_TAG: 'app=iris',
      IBG_RUNS_TABLE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      AZURE_ARM_ENDPOINT: sandbox.url,
      IBG_POLL_INTERVAL_MS: '0',
    }),
    sandbox.credential,
    { warn: () => undefined },
  );
  const source = (await collect(gateways.backup.listProtectedVms(VAULT_REF))).find((i) => i.vmName === 'src');
  if (source === undefined) throw new Error('no protected item for src');
  return { sandbox, gateways, source };
}

async function restore(w: World): Promise<unknown> {
  const [point] = await collect(w.gateways.backup.listRecoveryPoints(w.source));
  return w.gateways.backup.triggerRestore(w.source, {
    recoveryPointName: point?.name ?? '',
    sourceVmId: w.source.vmId,
    targetVmId: vmIdOf('src-drill', DRILL_RG),
    targetResourceGroupId: RG_ID(DRILL_RG),
    storageAccountId: `${RG_ID(DRILL_RG)}/providers/Microsoft.Storage/storageAccounts/staging`,
    virtualNetworkId: VNET,
    subnetId: `${VNET}/subnets/default`,
    region: LOCATION,
  });
}

const restoreJobs = async (w: World): Promise<number> =>
  (
    await collect(
      w.gateways.backup.listJobs(VAULT_REF, {
        startTime: new Date(w.sandbox.clock.nowMs() - 3_600_000),
        endTime: new Date(w.sandbox.clock.nowMs() + 60_000),
        operation: 'Restore',
      }),
    )
  ).length;

describe('a restore request is not sent twice (sandbox, real SDK client)', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.sandbox.stop();
    w = undefined;
  });

  it('an answer lost after the vault started the job: the call fails, and the vault has one job, not four', async () => {
    w = await start([{ kind: 'chaos', seed: 1, pathPattern: RESTORE, method: 'POST', timeoutAfter: 1, hangMs: 10 }]);
    await expect(restore(w)).rejects.toMatchObject({ message: expect.stringContaining('not sent again') });
    expect(w.sandbox.faultCounts().timeoutAfter).toBe(1);
    expect(await restoreJobs(w)).toBe(1);
  });

  it('a 500: the call fails with the status, sent once, no job', async () => {
    w = await start([{ kind: 'serverError', pathPattern: RESTORE, method: 'POST', nth: 1, count: 1, statusCode: 500 }]);
    await expect(restore(w)).rejects.toMatchObject({ statusCode: 500 });
    expect(w.sandbox.faultCounts().serverError).toBe(1);
    expect(await restoreJobs(w)).toBe(0);
  });

  it('a 503 (not taken) is retried by the SDK: one job', async () => {
    w = await start([{ kind: 'serverError', pathPattern: RESTORE, method: 'POST', nth: 1, count: 2, statusCode: 503 }]);
    await expect(restore(w)).resolves.toMatchObject({ operationId: expect.any(String) });
    expect(w.sandbox.faultCounts().serverError).toBe(2);
    expect(await restoreJobs(w)).toBe(1);
  });

  it('a 429 is retried after its Retry-After: one job', async () => {
    w = await start([
      { kind: 'throttle', pathPattern: RESTORE, method: 'POST', nth: 1, count: 1, retryAfterSeconds: 0 },
    ]);
    await expect(restore(w)).resolves.toMatchObject({ operationId: expect.any(String) });
    expect(w.sandbox.faultCounts().throttle).toBe(1);
    expect(await restoreJobs(w)).toBe(1);
  });
});
