/** The operator's drill-only run: its id, its drill VM name, and that the store reads it back. */
import { decodeRun } from '../../src/shared/runs/decodeRun';
import { drillRunIdOf, drillRunNumber, newDrillRun } from '../../src/shared/runs/drillRun';
import { newRun, runIdOf, vmKeyOf, type RunTarget } from '../../src/shared/runs/run';
import { drillVmName } from '../../src/shared/drills/drillTarget';
import { decide } from '../../src/shared/runs/decide';
import { DEFAULT_RUN_POLICY } from '../../src/shared/runs/runPolicy';

const SUB = '00000000-0000-0000-0000-0000000000aa';
const target: RunTarget = {
  vmId: `/subscriptions/${SUB}/resourceGroups/rg-iris/providers/Microsoft.Compute/virtualMachines/iris-a`,
  vmName: 'iris-a',
  vaultId: `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`,
  containerName: 'c',
  protectedItemName: 'p',
};
const drillTarget = {
  resourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-drill`,
  subnetId: `/subscriptions/${SUB}/resourceGroups/rg-drill/providers/Microsoft.Network/virtualNetworks/v/subnets/drill`,
  stagingStorageAccountId: `/subscriptions/${SUB}/resourceGroups/rg-drill/providers/Microsoft.Storage/storageAccounts/s`,
};
const point = {
  id: 'rp-id',
  name: '123',
  time: '2026-12-02T01:00:00.000Z',
  type: 'AppConsistent',
  tiers: ['InstantRP'],
};
const night = '2026-12-02';
const at = '2026-12-02T09:00:00.000Z';
const drillRun = (n: number) => newDrillRun({ night, target, point, n, drillTarget, at });

describe('newDrillRun', () => {
  it('starts in restore-running with its point and drill, no backup and no verdict', () => {
    const run = drillRun(1);
    expect(run).toMatchObject({ stage: 'restore-running', backup: {}, recoveryPoint: { name: '123' } });
    expect(run.verdict).toBeUndefined();
    expect(run.drill).toMatchObject({ onDemand: true, point: { name: '123', tier: 'snapshot' }, queuedAt: at });
    expect(run.drill?.startedAt).toBeUndefined();
    expect(run.drill?.vmId).toBe(
      `${drillTarget.resourceGroupId}/providers/Microsoft.Compute/virtualMachines/${run.drill?.vmName}`,
    );
  });

  it('never collides with the nightly run or another drill, in its id or its drill VM name', () => {
    const nightly = newRun(night, target, at);
    const ids = [nightly.id, drillRun(1).id, drillRun(2).id];
    expect(new Set(ids).size).toBe(3);
    const nightlyVm = drillVmName(nightly.id, 'iris-a', night);
    const names = [nightlyVm, drillRun(1).drill?.vmName, drillRun(2).drill?.vmName];
    expect(new Set(names).size).toBe(3);
    // Table keys refuse these; the id's only '/' is the night's separator.
    for (const id of ids) {
      expect(id).not.toMatch(/[#?\\]/);
      expect(id.split('/')).toHaveLength(2);
    }
  });

  it('its number is read back from its id, and from no other', () => {
    const key = vmKeyOf(target.vmId);
    expect(drillRunNumber(drillRunIdOf(night, key, 3), night, key)).toBe(3);
    expect(drillRunNumber(runIdOf(night, key), night, key)).toBeUndefined();
    expect(drillRunNumber(drillRunIdOf('2026-12-01', key, 3), night, key)).toBeUndefined();
  });

  it('decodeRun reads it back', () => {
    const run = drillRun(1);
    expect(decodeRun(JSON.parse(JSON.stringify(run)))).toEqual(run);
  });

  it('an operator drill restores its own point, never a sampled older one', () => {
    const policy = {
      ...DEFAULT_RUN_POLICY,
      drill: {
        schedule: { kind: 'every' as const },
        target: drillTarget,
        keepFailedMs: 0,
        perSubscription: 5,
        verifyTimeoutMs: 3_600_000,
        irisUpSeconds: 600,
        olderPointEvery: 1,
        staleAfterDays: 0,
      },
    };
    const { run, commands } = decide(drillRun(1), { type: 'DrillSlotGranted', at }, policy);
    expect(commands.map((c) => c.type)).toEqual(['TriggerRestore']);
    expect(run.drill?.listingPoints).toBeFalsy();
    expect(run.drill?.restoreRequestedAt).toBe(at);
  });
});
