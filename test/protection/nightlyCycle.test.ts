/** End to end through the sandbox: real gateways (ARM emulator), real Table store (Azurite), real VM scripts. */
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { backupJobsOf, MINUTE, runOf, tick, tonight } from './cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from './protectionWorld';

const ENROLLED = ['iris-a', 'iris-b', 'iris-noconfig'];

describe('nightly protection cycle (sandbox)', () => {
  let w: ProtectionWorld;
  beforeEach(async () => {
    w = await startProtectionWorld();
  });
  afterEach(async () => w?.stop());

  it('gives every VM its run before any preflight, so a cut-short invocation leaves no VM without one', async () => {
    const night = tonight(w);
    // One VM at a time, and the first preflight never returns: the host will stop this invocation there.
    let preflightStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (preflightStarted = resolve));
    const compute = w.deps.gateways.compute;
    const cutShort = {
      ...w.deps,
      settings: { ...w.deps.settings, maxConcurrency: 1 },
      gateways: {
        ...w.deps.gateways,
        compute: {
          getVm: compute.getVm.bind(compute),
          listVms: compute.listVms.bind(compute),
          runScript: compute.runScript.bind(compute),
          readScript: compute.readScript.bind(compute),
          deleteScript: compute.deleteScript.bind(compute),
          listScripts: compute.listScripts.bind(compute),
          startScript: () => {
            preflightStarted();
            return new Promise<never>(() => undefined);
          },
        },
      },
    };
    void runNightlyProtection(cutShort, night);
    await started;
    for (const name of ENROLLED) expect((await runOf(w, night, name))?.stage).toBe('preflight');

    // The next ticks of advanceRuns (another invocation) take the runs left behind from there: the first starts the
    // probes (the lost PUT's name is read as absent and started again under a new one), the next reads them.
    await tick(w, w.deps, 10 * MINUTE);
    await tick(w, w.deps);
    for (const name of ENROLLED) expect((await runOf(w, night, name))?.backup.triggerRequestedAt).toBeDefined();
  });

  it('creates one run per enrolled VM, triggers one backup each, and advancing yields verdicts', async () => {
    const night = tonight(w);
    const start = w.sandbox.clock.now();
    const result = await runNightlyProtection(w.deps, night);

    // The nightly call starts the probes and waits for none of them.
    expect(result.vms.map((v) => [v.vmId, v.outcome, v.outcome === 'started' ? v.stage : ''])).toEqual(
      ENROLLED.map((n) => [w.vmId(n), 'started', 'preflight']),
    );
    expect(result.enrollment.taggedNotProtected).toEqual([w.vmId('iris-unprotected')]);
    // The next tick reads the probes and triggers the backups.
    expect(await tick(w, w.deps)).toEqual(expect.objectContaining({ active: 3, advanced: 3, errors: [] }));
    for (const name of ENROLLED) expect((await runOf(w, night, name))?.stage).toBe('backup-running');
    const noconfig = await runOf(w, night, 'iris-noconfig');
    expect(noconfig?.preflight?.findings.map((f) => f.code)).toContain('PluginConfigNotFound');

    // At the snapshot the logs' probes start; the tick after reads them.
    const advanced = await tick(w, w.deps, 30 * MINUTE);
    expect(advanced).toEqual(expect.objectContaining({ active: 3, advanced: 3, superseded: 0, errors: [] }));
    expect(await tick(w, w.deps)).toEqual(expect.objectContaining({ active: 3, advanced: 3, errors: [] }));

    // Verdicts at the snapshot, while the jobs transfer to the vault; the next tick after the transfer ends them.
    for (const name of ENROLLED) expect((await runOf(w, night, name))?.stage).toBe('transfer-running');
    w.sandbox.clock.advance(60 * MINUTE);
    expect(await advanceRuns(w.deps)).toEqual(expect.objectContaining({ active: 3, advanced: 3, errors: [] }));
    for (const name of ENROLLED) {
      const run = await runOf(w, night, name);
      expect(run?.stage).toBe('done');
      expect(run?.backup.jobStatus).toBe('Completed');
      expect(run?.recoveryPoint).toEqual(
        expect.objectContaining({ type: name === 'iris-noconfig' ? 'FileSystemConsistent' : 'AppConsistent' }),
      );
      expect(await backupJobsOf(w, name, start)).toHaveLength(1);
    }
    const fs = (await runOf(w, night, 'iris-noconfig'))?.verdict;
    expect(fs).toEqual(
      expect.objectContaining({ consistency: 'file-system-consistent', extensionCode: 316, irisLeftFrozen: false }),
    );
    for (const name of ['iris-a', 'iris-b']) {
      const v = (await runOf(w, night, name))?.verdict;
      expect([name, v?.consistency, v?.irisLeftFrozen]).toEqual([name, 'iris-consistent', false]);
      // The hardened scripts freeze IRIS for moments, never for minutes.
      expect(v?.freezeWindowMs).toBeGreaterThan(0);
      expect(v?.freezeWindowMs).toBeLessThan(3 * MINUTE);
    }
    expect(w.alerts.filter((a) => a.code === 'BackupNotAppConsistent').map((a) => a.vmId)).toEqual([
      w.vmId('iris-noconfig'),
    ]);
    expect(w.alerts.filter((a) => a.severity === 'critical')).toEqual([]);

    // Nothing left to do: a further tick changes nothing.
    expect(await advanceRuns(w.deps)).toEqual(expect.objectContaining({ active: 0 }));
  });

  it('is idempotent: a second nightly call starts no second backup', async () => {
    const night = tonight(w);
    const start = w.sandbox.clock.now();
    await runNightlyProtection(w.deps, night);
    const again = await runNightlyProtection(w.newInstance(), night);
    expect(again.vms.map((v) => v.outcome)).toEqual(['exists', 'exists', 'exists']);
    // The backups are triggered once the probes are read, by whichever instance ticks.
    await tick(w, w.newInstance());
    await tick(w, w.deps);
    for (const name of ENROLLED) expect(await backupJobsOf(w, name, start)).toHaveLength(1);
  });

  it('two advanceRuns in parallel advance each run once and repeat no work', async () => {
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    await tick(w, w.deps);
    for (const name of ENROLLED) expect((await runOf(w, night, name))?.stage).toBe('backup-running');
    w.sandbox.clock.advance(30 * MINUTE);
    await w.sandbox.idle();
    const logProbes: string[] = [];
    const counting = (deps: typeof w.deps): typeof w.deps => ({
      ...deps,
      gateways: {
        ...deps.gateways,
        compute: {
          ...deps.gateways.compute,
          getVm: (id, o) => deps.gateways.compute.getVm(id, o),
          listVms: (sub, o) => deps.gateways.compute.listVms(sub, o),
          runScript: (id, script, o) => deps.gateways.compute.runScript(id, script, o),
          readScript: (id, name, o) => deps.gateways.compute.readScript(id, name, o),
          deleteScript: (id, name) => deps.gateways.compute.deleteScript(id, name),
          listScripts: (id, o) => deps.gateways.compute.listScripts(id, o),
          startScript: (id, script, o) => {
            if (o.parameters?.some((p) => p.value === 'logs')) logProbes.push(id);
            return deps.gateways.compute.startScript(id, script, o);
          },
        },
      },
    });
    const [one, two] = await Promise.all([
      advanceRuns(counting(w.newInstance())),
      advanceRuns(counting(w.newInstance())),
    ]);
    expect((one?.advanced ?? 0) + (two?.advanced ?? 0)).toBe(3);
    expect((one?.superseded ?? 0) + (two?.superseded ?? 0) + (one?.unchanged ?? 0) + (two?.unchanged ?? 0)).toBe(3);
    expect([...logProbes].sort()).toEqual(ENROLLED.map((n) => w.vmId(n)).sort());
    // The next tick reads the logs: assessed at the snapshot; the jobs still transfer (the scenario's default hour).
    await tick(w, w.deps);
    for (const name of ENROLLED) expect((await runOf(w, night, name))?.stage).toBe('transfer-running');
  });
});
