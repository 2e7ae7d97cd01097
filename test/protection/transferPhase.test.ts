/**
 * End to end through the sandbox: a verdict at the snapshot while the job transfers data to the vault for hours, a
 * transfer that fails after a good snapshot, and both forms of a backup requested while another one runs.
 */
import type { BackupGateway } from '../../src/shared/azure/backupGateway';
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import type { Scenario, VmSpec } from '../../sandbox/index';
import { backupJobsOf, MINUTE, runOf, tick, tonight } from './cycleHelpers';
import { protectionVm, smallScenario, startProtectionWorld, type ProtectionWorld } from './protectionWorld';

const HOUR = 60 * MINUTE;
const SNAPSHOT_MINUTES = 20;

const oneVm = (backup: Scenario['backup'], vm: Partial<VmSpec> = {}): Scenario => ({
  ...smallScenario(),
  name: 'protection-transfer',
  vms: [protectionVm('iris-a', vm)],
  backup: { durationMinutes: SNAPSHOT_MINUTES, ...backup },
});

interface Calls {
  getJob: string[];
  listRecoveryPoints: number;
  triggers: number;
}

/**
 * The world's backup gateway, counting the calls that matter here; with `interfere`, another backup of the VM is
 * started just before the run's own request (as if someone pressed "Backup now" after the run looked for one).
 */
function instrumented(deps: ProtectionDeps, calls: Calls, interfere = false): ProtectionDeps {
  const real = deps.gateways.backup;
  const backup: BackupGateway = {
    listProtectedVms: (vault, o) => real.listProtectedVms(vault, o),
    triggerBackup: async (item, o) => {
      calls.triggers += 1;
      if (interfere && calls.triggers === 1) await real.triggerBackup(item, o);
      return real.triggerBackup(item, o);
    },
    getBackupOperation: (item, id, o) => real.getBackupOperation(item, id, o),
    triggerRestore: (item, r, o) => real.triggerRestore(item, r, o),
    listJobs: (vault, filter, o) => real.listJobs(vault, filter, o),
    getJob: (vault, id, o) => {
      calls.getJob.push(id);
      return real.getJob(vault, id, o);
    },
    listRecoveryPoints: (item, o) => {
      calls.listRecoveryPoints += 1;
      return real.listRecoveryPoints(item, o);
    },
  };
  return { ...deps, gateways: { ...deps.gateways, backup } };
}

describe('backup jobs with a transfer phase (sandbox)', () => {
  let w: ProtectionWorld | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  const start = async (scenario: Scenario, interfere = false) => {
    const world = await startProtectionWorld(scenario);
    w = world;
    const calls: Calls = { getJob: [], listRecoveryPoints: 0, triggers: 0 };
    const deps = instrumented(world.deps, calls, interfere);
    const night = tonight(world);
    const since = world.sandbox.clock.now();
    await runNightlyProtection(deps, night);
    // The first tick reads the preflight probe and triggers the backup.
    await tick(world, deps);
    expect((await runOf(world, night, 'iris-a'))?.stage).toBe('backup-running');
    return { world, deps, calls, night, since };
  };

  it('gives the verdict on the tick after the snapshot (which starts the logs probe), waits out a ten-hour transfer cheaply, then records it', async () => {
    const { world, deps, calls, night, since } = await start(oneVm({ transferMinutes: 600 }));
    // The tick at the snapshot starts the logs' probe; the next one reads it and gives the verdict.
    await tick(world, deps, SNAPSHOT_MINUTES * MINUTE);
    expect((await runOf(world, night, 'iris-a'))?.stage).toBe('assessing');
    await tick(world, deps);
    const assessed = await runOf(world, night, 'iris-a');
    expect(assessed?.stage).toBe('transfer-running');
    expect(assessed?.verdict?.consistency).toBe('iris-consistent');
    expect(assessed?.recoveryPoint).toEqual(expect.objectContaining({ type: 'AppConsistent', tiers: ['InstantRP'] }));
    expect(assessed?.backup.jobStatus).toBe('InProgress');

    // Nine and a half hours of ticks: no timeout, no write, no recovery point listing, no jobDetails.get.
    const before = { points: calls.listRecoveryPoints, getJob: calls.getJob.length };
    for (let i = 0; i < 19; i += 1) {
      world.sandbox.clock.advance(HOUR / 2);
      const tick = await advanceRuns(deps);
      expect(tick).toEqual(expect.objectContaining({ active: 1, unchanged: 1, advanced: 0 }));
    }
    expect((await runOf(world, night, 'iris-a'))?.stage).toBe('transfer-running');
    expect([calls.listRecoveryPoints, calls.getJob.length]).toEqual([before.points, before.getJob]);

    world.sandbox.clock.advance(HOUR);
    await advanceRuns(deps);
    const done = await runOf(world, night, 'iris-a');
    expect(done?.stage).toBe('done');
    expect(done?.backup).toEqual(expect.objectContaining({ jobStatus: 'Completed' }));
    // The point, read once more after the transfer, is now in the vault too.
    expect(done?.recoveryPoint?.tiers).toEqual(['InstantRP', 'HardenedRP']);
    expect(done?.recoveryPoint?.name).toBe(assessed?.recoveryPoint?.name);
    expect(calls.listRecoveryPoints).toBe(before.points + 1);
    expect(Date.parse(done?.backup.jobEndTime ?? '') - Date.parse(done?.backup.jobStartTime ?? '')).toBeGreaterThan(
      10 * HOUR,
    );
    // A Completed job has no errors to read.
    expect(calls.getJob).toEqual([]);
    expect(world.alerts.map((a) => a.code)).toEqual([]);
    expect(await backupJobsOf(world, 'iris-a', since)).toHaveLength(1);
  });

  it('makes a transfer that fails after a good snapshot its own alert and outcome, with errors from jobDetails.get', async () => {
    const { world, deps, calls, night } = await start(
      oneVm(
        { transferMinutes: 180 },
        {
          backup: {
            transferFailure: {
              errorCode: 400402,
              errorTitle: 'UserErrorTransferToVaultFailed',
              errorString: 'Copying the snapshot to the vault failed (simulated).',
            },
          },
        },
      ),
    );
    await tick(world, deps, SNAPSHOT_MINUTES * MINUTE);
    await tick(world, deps);
    expect((await runOf(world, night, 'iris-a'))?.verdict?.consistency).toBe('iris-consistent');

    world.sandbox.clock.advance(3 * HOUR);
    await advanceRuns(deps);
    const run = await runOf(world, night, 'iris-a');
    expect(run?.stage).toBe('failed');
    expect(run?.backup).toEqual(
      expect.objectContaining({
        jobStatus: 'Failed',
        transferFailed: true,
        errorDetails: [expect.objectContaining({ code: 400402, title: 'UserErrorTransferToVaultFailed' })],
      }),
    );
    expect(calls.getJob).toEqual([run?.backup.jobId]);
    expect(world.alerts.map((a) => a.code)).toEqual(['BackupTransferFailed']);
  });

  it.each([
    ['refused at once (400)', 'refuse' as const],
    ['accepted, then failed as a job', 'failJob' as const],
  ])('adopts the backup already running when its own request collides: %s', async (_label, collision) => {
    const { world, deps, calls, night, since } = await start(oneVm({ transferMinutes: 120, collision }), true);
    const jobs = await backupJobsOf(world, 'iris-a', since);
    // The backup started by someone else just before the run's own request: the first of the night.
    const running = [...jobs].sort((a, b) => Date.parse(a.startTime ?? '') - Date.parse(b.startTime ?? ''))[0];
    expect(running?.status).toBe('InProgress');
    expect(running).toBeDefined();
    expect(calls.triggers).toBe(1);

    await tick(world, deps, SNAPSHOT_MINUTES * MINUTE);
    await tick(world, deps, 5 * MINUTE);
    await tick(world, deps);
    const assessed = await runOf(world, night, 'iris-a');
    expect(assessed?.backup.jobId).toBe(running?.jobId);
    expect(assessed?.backup.adopted).toBe(true);
    expect(assessed?.stage).toBe('transfer-running');

    world.sandbox.clock.advance(2 * HOUR);
    await advanceRuns(deps);
    const done = await runOf(world, night, 'iris-a');
    expect(done?.stage).toBe('done');
    expect(world.alerts.map((a) => a.code)).toEqual([]);
    // One real backup of the VM tonight; the refused request left at most a job Azure failed at once.
    const all = await backupJobsOf(world, 'iris-a', since);
    expect(all.filter((j) => j.status !== 'Failed').map((j) => j.jobId)).toEqual([running?.jobId]);
    if (collision === 'failJob') {
      expect(done?.backup.collidedJobIds).toHaveLength(1);
      expect(all).toHaveLength(2);
      expect(calls.getJob).toEqual(done?.backup.collidedJobIds);
    } else {
      expect(all).toHaveLength(1);
    }
  });
});
