/**
 * Drill safety in the sandbox, through the real SDK clients: a target that could reach production (or that Azure
 * would refuse) is refused before any restore (safety invariant 2); cleanup retries with backoff and alerts; a failed
 * drill kept for investigation goes at its deadline (invariant 6); the orphan sweep deletes only what the app tagged
 * in the drill group (invariant 1); and the production VM receives only the read-only probe (invariant 3).
 */
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import type { FaultSpec, Scenario } from '../../sandbox/index';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { MINUTE, runOf, tick, tonight } from '../protection/cycleHelpers';
import { protectionVm, SUB, type ProtectionWorld } from '../protection/protectionWorld';
import {
  alertCodes,
  drillGroupNames,
  drillRecords,
  emptyCalls,
  groupResources,
  recordingDrillCalls,
  restoreJobs,
  untilEnded,
} from './drillHarness';
import { DRILL_RG, DRILL_RG_ID, drillScenario, startDrillWorld } from './drillWorld';

const backupOf = (s: Scenario): NonNullable<Scenario['backup']> => {
  if (s.backup === undefined) throw new Error('no backup part');
  return s.backup;
};

describe('drill safety (sandbox)', () => {
  let azurite: AzuriteTables;
  let w: ProtectionWorld | undefined;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => azurite?.stop());
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });
  const world = (): ProtectionWorld => {
    if (w === undefined) throw new Error('no world');
    return w;
  };

  describe('a target the checks refuse: inconclusive at target, no restore job, the setting named', () => {
    const vnets = (s: Scenario) => backupOf(s).virtualNetworks ?? [];
    const accounts = (s: Scenario) => backupOf(s).storageAccounts ?? [];
    const cases: [string, (s: Scenario) => void, Record<string, string>, string, RegExp][] = [
      [
        'the drill subnet inside the source VM network (invariant 2)',
        (s) => {
          const prod = vnets(s).find((n) => n.name === 'vnet-prod');
          if (prod) prod.subnets = ['default', 'drill'];
        },
        {
          IBG_DRILL_SUBNET_ID: `/subscriptions/${SUB}/resourceGroups/rg-iris/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/drill`,
        },
        'IBG_DRILL_SUBNET_ID',
        /source VM's virtual network/,
      ],
      [
        'the drill network peered with the source network',
        (s) => {
          const drill = vnets(s).find((n) => n.name === 'vnet-drill');
          if (drill) drill.peeredWith = ['vnet-prod'];
        },
        {},
        'IBG_DRILL_SUBNET_ID',
        /peered/,
      ],
      [
        'the drill subnet in another region',
        (s) => {
          const drill = vnets(s).find((n) => n.name === 'vnet-drill');
          if (drill) drill.location = 'northeurope';
        },
        {},
        'IBG_DRILL_SUBNET_ID',
        /northeurope/,
      ],
      [
        'the staging account in another region',
        (s) => {
          const a = accounts(s)[0];
          if (a) a.location = 'northeurope';
        },
        {},
        'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
        /northeurope/,
      ],
      [
        'the staging account zone-redundant',
        (s) => {
          const a = accounts(s)[0];
          if (a) a.sku = 'Standard_ZRS';
        },
        {},
        'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
        /zone-redundant/,
      ],
      [
        'the staging account missing',
        () => undefined,
        {
          IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID: `${DRILL_RG_ID}/providers/Microsoft.Storage/storageAccounts/ibgmissing`,
        },
        'IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID',
        /does not exist/,
      ],
    ];
    it.each(cases)(
      '%s',
      async (_label, change, env, setting, why) => {
        const scenario = drillScenario(['iris-a']);
        change(scenario);
        w = await startDrillWorld(scenario, env, azurite);
        const start = w.sandbox.clock.now();
        const night = tonight(w);
        await runNightlyProtection(w.deps, night);
        const run = await untilEnded(w, night, 'iris-a', { stepMs: 10 * MINUTE });
        expect(run.stage).toBe('done');
        expect(run.drill?.outcome).toMatchObject({ verdict: 'inconclusive', stage: 'target' });
        const alert = w.alerts.find((a) => a.code === 'DrillTargetRefused');
        expect(alert?.message).toContain(setting);
        expect(alert?.message).toMatch(why);
        expect(alertCodes(w, 'iris-a')).not.toContain('DrillFailed');
        expect(await restoreJobs(w, start)).toEqual([]);
        expect(await drillRecords(w)).toEqual([
          expect.objectContaining({ verdict: 'inconclusive', failedStage: 'target' }),
        ]);
        expect(await drillGroupNames(w)).toEqual([]);
      },
      120_000,
    );
  });

  it('cleanup: the drill VM delete fails 3 times (backoff, alert at the 3rd), then goes; the verifier only on the drill VM', async () => {
    const faults: FaultSpec[] = [
      {
        kind: 'serverError',
        pathPattern: `resourceGroups/${DRILL_RG}/providers/Microsoft.Compute/virtualMachines/ibg-drill-[^/]+$`,
        method: 'DELETE',
        nth: 1,
        count: 3,
        statusCode: 409,
      },
    ];
    w = await startDrillWorld(drillScenario(['iris-a'], { faults }), {}, azurite);
    const calls = emptyCalls();
    const deps = recordingDrillCalls(w.deps, calls);
    const night = tonight(w);
    await runNightlyProtection(deps, night);
    const run = await untilEnded(w, night, 'iris-a', { deps, stepMs: MINUTE, maxTicks: 400 });
    expect(run.stage).toBe('done');
    expect(run.drill?.outcome?.verdict).toBe('passed');
    const vmDeletes = calls.deleted.filter((d) => d.kind === 'vm');
    expect(vmDeletes.map((d) => d.result.startsWith('error'))).toEqual([true, true, true, false]);
    // Backoff: 1, 2, then 4 minutes after each failure (ticks every minute, so the gaps show it).
    const gaps = vmDeletes.slice(1).map((d, i) => (d.at - (vmDeletes[i]?.at ?? 0)) / MINUTE);
    expect(gaps[0]).toBeGreaterThanOrEqual(1);
    expect(gaps[1]).toBeGreaterThanOrEqual(2);
    expect(gaps[2]).toBeGreaterThanOrEqual(4);
    expect(gaps[2]).toBeLessThan(8);
    expect(run.drill?.cleanup).toMatchObject({ failures: 3, claimed: [] });
    expect(run.drill?.cleanup.deletedAt).toBeDefined();
    expect(alertCodes(world(), 'iris-a').filter((c) => c === 'DrillCleanupFailing')).toHaveLength(1);
    expect(await drillGroupNames(world())).toEqual([]);
    // Safety invariant 3: the verifier went only to the drill VM; the production VM got only the read-only probe.
    const prod = world().vmId('iris-a').toLowerCase();
    const purpose = (name: string): string => name.split('-')[1] ?? '';
    const onProd = calls.started.filter((s) => s.vmId.toLowerCase() === prod);
    const elsewhere = calls.started.filter((s) => s.vmId.toLowerCase() !== prod);
    expect(new Set(onProd.map((s) => purpose(s.name)))).toEqual(new Set(['preflight', 'logs']));
    expect(elsewhere.length).toBeGreaterThan(0);
    for (const s of elsewhere) {
      expect(s.vmId).toBe(run.drill?.vmId);
      expect(purpose(s.name)).toBe('verify');
    }
  }, 180_000);

  it('a failed drill kept for investigation: tagged until keptUntil, kept by the sweep before, deleted after', async () => {
    const faults: FaultSpec[] = [{ kind: 'restoredIntegrityErrors', vm: 'iris-a' }];
    w = await startDrillWorld(drillScenario(['iris-a'], { faults }), { IBG_DRILL_KEEP_HOURS: '2' }, azurite);
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    const run = await untilEnded(w, night, 'iris-a', { stepMs: 10 * MINUTE });
    expect(run.stage).toBe('failed');
    expect(run.drill?.outcome).toMatchObject({ verdict: 'failed', stage: 'integrity' });
    const keptUntil = run.drill?.cleanup.keptUntil;
    expect(keptUntil).toBeDefined();
    expect(run.reason).toContain(keptUntil ?? '?');
    const kept = await groupResources(w);
    expect(kept.map((r) => r.kind).sort()).toEqual(expect.arrayContaining(['disk', 'nic', 'vm']));
    for (const r of kept) expect(r.tags).toMatchObject({ 'ibg-expires': keptUntil, 'ibg-drill-run': run.id });
    // The next nightly call, before the deadline: the sweep keeps them.
    w.sandbox.clock.advance(30 * MINUTE);
    await runNightlyProtection(w.deps, night);
    expect((await groupResources(w)).length).toBe(kept.length);
    // After it: the sweep deletes them.
    w.sandbox.clock.advance(Date.parse(keptUntil ?? '') - w.sandbox.clock.nowMs() + MINUTE);
    await runNightlyProtection(w.deps, night);
    expect(await drillGroupNames(w)).toEqual([]);
    expect(await drillRecords(w)).toHaveLength(1);
  }, 180_000);

  it('the orphan sweep deletes only app-tagged resources of a gone run in the drill group (invariant 1)', async () => {
    const appTags = (run: string) => ({
      'ibg-managed-by': 'iris-backup-guard',
      'ibg-drill-run': run,
      'ibg-expires': '2099-01-01T00:00:00.000Z',
    });
    const bare = { files: [], irisInstances: [], protectedBy: undefined };
    const scenario = drillScenario(['iris-a']);
    scenario.vms.push(
      // (a) the app's tags, its run does not exist: an orphan.
      protectionVm('ibg-drill-gone-20200101-0000000', {
        ...bare,
        resourceGroup: DRILL_RG,
        tags: appTags('2020-01-01/gone'),
      }),
      // (c) the app's tags, but another resource group.
      protectionVm('ibg-drill-other-20200101-0000000', {
        ...bare,
        resourceGroup: 'rg-other',
        tags: appTags('2020-01-01/gone'),
      }),
      // (d) managed-by but no run tag.
      protectionVm('ibg-drill-norun-20200101-0000000', {
        ...bare,
        resourceGroup: DRILL_RG,
        tags: { 'ibg-managed-by': 'iris-backup-guard', 'ibg-expires': '2000-01-01T00:00:00.000Z' },
      }),
    );
    // (b) an untagged disk named like a drill disk.
    backupOf(scenario).disks = [
      {
        subscriptionId: SUB,
        resourceGroup: DRILL_RG,
        name: 'ibg-drill-lookalike-20200101-0000000-osdisk-20200101-000000',
        location: 'westeurope',
      },
    ];
    w = await startDrillWorld(scenario, {}, azurite);
    const calls = emptyCalls();
    const deps = recordingDrillCalls(w.deps, calls);
    const otherRgId = `/subscriptions/${SUB}/resourceGroups/rg-other`;
    const survivors = async (): Promise<string[]> =>
      [...(await groupResources(world())), ...(await groupResources(world(), otherRgId))]
        .map((r) => `${r.kind} ${r.name}`)
        .filter((n) => /ibg-drill-(lookalike|other|norun)/.test(n) && !/_OsDisk_|nic/i.test(n))
        .sort();
    const expected = [
      'disk ibg-drill-lookalike-20200101-0000000-osdisk-20200101-000000',
      'vm ibg-drill-norun-20200101-0000000',
      'vm ibg-drill-other-20200101-0000000',
    ];
    expect(await survivors()).toEqual(expected);
    const night = tonight(w);
    // The nightly call sweeps first, then the night's drill runs.
    await runNightlyProtection(deps, night);
    const names = await drillGroupNames(w);
    expect(names).not.toContain('vm ibg-drill-gone-20200101-0000000');
    expect(await survivors()).toEqual(expected);
    const run = await untilEnded(w, night, 'iris-a', { deps, stepMs: 10 * MINUTE });
    expect(run.drill?.outcome?.verdict).toBe('passed');
    await runNightlyProtection(deps, night);
    expect(await survivors()).toEqual(expected);
    // Every delete the app attempted was of something it tagged in the drill group.
    for (const d of calls.deleted) {
      expect(d.id).toMatch(/\/resourceGroups\/rg-drill\//i);
      expect(d.id).not.toMatch(/lookalike|norun|other/);
    }
    expect(calls.deleted.some((d) => d.id.includes('ibg-drill-gone'))).toBe(true);
  }, 180_000);

  it('a nightly call during a drill (another instance) leaves the claimed drill VM alone; the drill passes', async () => {
    w = await startDrillWorld(drillScenario(['iris-a']), {}, azurite);
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    let claimed = false;
    for (let i = 0; i < 40 && !claimed; i += 1) {
      await tick(w, w.deps, 5 * MINUTE);
      const r = await runOf(w, night, 'iris-a');
      claimed = r?.stage === 'verifying' && r.drill?.cleanup.claimedAt !== undefined;
    }
    expect(claimed).toBe(true);
    const before = await drillGroupNames(w);
    expect(before.filter((n) => n.startsWith('vm '))).toHaveLength(1);
    await runNightlyProtection(w.newInstance(), night);
    expect(await drillGroupNames(w)).toEqual(before);
    const run = await untilEnded(w, night, 'iris-a');
    expect(run.drill?.outcome?.verdict).toBe('passed');
    expect(await drillGroupNames(w)).toEqual([]);
  }, 120_000);

  it('a drill VM whose tags an operator removed mid-drill is never deleted; the run still ends (invariant 1)', async () => {
    w = await startDrillWorld(drillScenario(['iris-a']), {}, azurite);
    const calls = emptyCalls();
    const deps = recordingDrillCalls(w.deps, calls);
    const night = tonight(w);
    await runNightlyProtection(deps, night);
    let vmName: string | undefined;
    for (let i = 0; i < 40 && vmName === undefined; i += 1) {
      await tick(w, deps, 5 * MINUTE);
      const r = await runOf(w, night, 'iris-a');
      if (r?.stage === 'verifying' && r.drill?.cleanup.claimedAt !== undefined) vmName = r.drill.vmName;
    }
    if (vmName === undefined) throw new Error('the drill VM was never claimed');
    // Through the compute SDK: the operator replaces the VM's tags (PATCH), as to keep it.
    await w.compute().virtualMachines.beginUpdateAndWait(DRILL_RG, vmName, { tags: { owner: 'ops' } });
    const run = await untilEnded(w, night, 'iris-a', { deps, stepMs: 5 * MINUTE });
    expect(run.drill?.outcome?.verdict).toBe('passed');
    // What is attached to that VM is left with it, not retried until the cleanup's limit.
    expect(run.stage).toBe('done');
    expect(alertCodes(world(), 'iris-a')).not.toContain('DrillCleanupFailing');
    expect(calls.deleted.filter((d) => d.kind === 'vm')).toHaveLength(1);
    expect(calls.deleted.filter((d) => d.kind === 'vm' && d.result === 'deleted')).toEqual([]);
    expect(await drillGroupNames(w)).toContain(`vm ${vmName}`);
    // The next nightly sweep leaves it too.
    await runNightlyProtection(deps, night);
    expect(await drillGroupNames(w)).toContain(`vm ${vmName}`);
  }, 180_000);
});
