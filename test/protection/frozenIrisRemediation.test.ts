/**
 * End to end through the sandbox (real SDK clients, Azurite, the real probe and thaw.sh under dash against the
 * simulated IRIS, the real HTTP and Event Grid clients to the sandbox's receivers): a post-script that fails and
 * leaves IRIS frozen is alerted to every target, thawed when IBG_AUTO_THAW allows (and only then), verified, and
 * announced as recovered; the thaw waits its turn when another remediation holds the VM's lease.
 */
import { startNotificationReceivers, type NotificationReceivers } from '../../sandbox/notificationReceivers';
import { neverThawingSetupFiles } from '../../sandbox/hardenedSetup';
import { readIrisCalls, readIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import type { Scenario } from '../../sandbox/index';
import { advanceRuns } from '../../src/shared/protection/advanceRuns';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import { vmKeyOf, type Run } from '../../src/shared/runs/run';
import { MINUTE, runOf, tonight } from './cycleHelpers';
import { SUB, protectionVm, startProtectionWorld, type ProtectionWorld } from './protectionWorld';

const scenario = (): Scenario => ({
  name: 'frozen-iris',
  vaults: [{ subscriptionId: SUB, resourceGroup: 'rg-backup', name: 'vault-1', location: 'westeurope' }],
  vms: [protectionVm('iris-frozen', { files: neverThawingSetupFiles() })],
  // A short snapshot phase: the check must come before the hardened pre-script's WDSuspendLimit (300 s) resumes IRIS.
  backup: { durationMinutes: 2 },
});

/** The simulated IRIS's write daemon state, read through the sandbox's own view of the VM. */
const frozenNow = (w: ProtectionWorld): boolean =>
  readIrisInstance(w.sandbox.vmRoot(w.vmId('iris-frozen')), 'IRIS')?.frozen === true;

/** The ExternalThaw calls IRIS received (the broken post-script makes none: each one is the app's thaw). */
const thawCalls = (w: ProtectionWorld): string[] =>
  readIrisCalls(w.sandbox.vmRoot(w.vmId('iris-frozen'))).filter((c) => c.includes('ExternalThaw'));

function targetsEnv(r: NotificationReceivers): Record<string, string> {
  return {
    IBG_ALERT_WEBHOOK_URL: r.urls.webhook,
    IBG_ALERT_WEBHOOK_SECRET: 'test-secret-not-real',
    IBG_ALERT_TEAMS_WEBHOOK_URL: r.urls.teams,
    IBG_ALERT_SLACK_WEBHOOK_URL: r.urls.slack,
    IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT: r.urls.eventgrid,
    IBG_ALERT_EVENTGRID_TOPIC_KEY: r.eventGridKey,
  };
}

/** Deps whose follow-up reads wait on the sandbox clock (the VM's scripts finish in between). */
const following = (w: ProtectionWorld, deps: ProtectionDeps = w.deps): ProtectionDeps => ({
  ...deps,
  pause: async (ms) => {
    w.sandbox.clock.advance(ms);
    await w.sandbox.idle();
  },
});

/** Nightly call, then ticks until the run's remediation is over (or the ticks run out). */
async function nightWithRemediation(w: ProtectionWorld, deps: ProtectionDeps): Promise<Run> {
  const night = tonight(w);
  await runNightlyProtection(deps, night);
  for (let i = 0; i < 20; i += 1) {
    w.sandbox.clock.advance(i === 1 ? 3 * MINUTE : MINUTE);
    await w.sandbox.idle();
    await advanceRuns(deps);
    const run = await runOf(w, night, 'iris-frozen');
    if (run?.remediation?.step === 'done') return run;
  }
  const run = await runOf(w, night, 'iris-frozen');
  if (!run) throw new Error('no run');
  return run;
}

/** The title each delivery carries (every target renders it): `<SEVERITY or RESOLVED> <name> on <vm>`. */
const titlesAt = (r: NotificationReceivers, target: 'webhook' | 'teams' | 'slack' | 'eventgrid'): string[] =>
  r
    .accepted(target)
    .map((req) => /(?:CRITICAL|ERROR|WARNING|INFO|RESOLVED) [A-Za-z-]+ on iris-frozen/.exec(req.rawBody)?.[0] ?? '?');

describe('a frozen IRIS after a failed post-script (sandbox, end to end)', () => {
  let receivers: NotificationReceivers;
  let w: ProtectionWorld | undefined;
  beforeAll(async () => {
    receivers = await startNotificationReceivers();
  });
  afterAll(async () => receivers.stop());
  afterEach(async () => {
    await w?.stop();
    w = undefined;
    receivers.clear();
  });

  it('auto-thaw on: critical alert at every target, thaw, verified, recovery announced; within the tick that saw it', async () => {
    w = await startProtectionWorld(scenario(), undefined, { ...targetsEnv(receivers), IBG_AUTO_THAW: 'true' });
    const run = await nightWithRemediation(w, following(w));
    expect(run.verdict?.irisLeftFrozen).toBe(true);
    expect(run.verdict?.classifications).toContain('Post-ScriptExecutionFailed');
    expect(run.remediation).toMatchObject({ outcome: 'thawed', source: 'verdict' });
    expect(frozenNow(w)).toBe(false);
    // Check, thaw and check again in the invocation that reached the verdict (follow-up reads, sandbox time), well
    // before the hardened pre-script's own WDSuspendLimit (300 s) would have resumed IRIS.
    const rem = run.remediation;
    expect(Date.parse(rem?.finishedAt ?? '') - Date.parse(rem?.requestedAt ?? '')).toBeLessThan(MINUTE);
    expect(Date.parse(rem?.finishedAt ?? '') - Date.parse(run.verdict?.frozenAt ?? '')).toBeLessThan(5 * MINUTE);
    // The steps, in the run's history.
    const steps = run.history.flatMap((h) => (h.reason?.startsWith('Remediation:') ? [h.reason] : []));
    expect(steps.length).toBeGreaterThanOrEqual(4);
    expect(steps.join('\n')).toMatch(
      /checking whether IRIS is frozen[\s\S]*frozen: IRIS[\s\S]*thawing IRIS[\s\S]*thawed by the app/,
    );
    // Every target got the critical alerts and the recovery, each once.
    for (const target of ['webhook', 'teams', 'slack', 'eventgrid'] as const) {
      const got = titlesAt(receivers, target);
      // IrisLeftFrozen (the verdict) and IrisFrozen (the check), both titled by their classification.
      expect(got.filter((t) => t === 'CRITICAL IrisStillFrozen on iris-frozen')).toHaveLength(2);
      expect(got.filter((t) => t === 'RESOLVED IrisLeftFrozen on iris-frozen')).toHaveLength(1);
      expect(got.filter((t) => t === 'RESOLVED IrisFrozen on iris-frozen')).toHaveLength(1);
      expect(got.indexOf('RESOLVED IrisFrozen on iris-frozen')).toBeGreaterThan(
        got.indexOf('CRITICAL IrisStillFrozen on iris-frozen'),
      );
    }
    // The webhook carries the classification, the evidence and the fix, signed.
    const hook = receivers.accepted('webhook').find((r) => r.rawBody.includes('"IrisLeftFrozen"'));
    expect(hook?.headers['x-ibg-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(hook?.rawBody).toContain('Post-ScriptExecutionFailed');
    // The thaw went to the production VM only because IBG_AUTO_THAW is on (safety invariant 3).
    expect(thawCalls(w)).toHaveLength(1);
  });

  it('auto-thaw off: the alert says what to run, no thaw is sent, and IRIS stays frozen', async () => {
    w = await startProtectionWorld(scenario(), undefined, { ...targetsEnv(receivers), IBG_AUTO_THAW: 'false' });
    const night = tonight(w);
    const deps = following(w);
    await runNightlyProtection(deps, night);
    for (let i = 0; i < 3; i += 1) {
      w.sandbox.clock.advance(i === 1 ? 3 * MINUTE : 20_000);
      await w.sandbox.idle();
      await advanceRuns(deps);
    }
    const run = await runOf(w, night, 'iris-frozen');
    expect(run?.remediation?.step).toBe('watching');
    expect(thawCalls(w)).toEqual([]);
    expect(frozenNow(w)).toBe(true);
    const frozenAlert = receivers.accepted('webhook').find((r) => r.rawBody.includes('"IrisFrozen"'));
    expect(frozenAlert?.rawBody).toContain('ExternalThaw()');
    expect(frozenAlert?.rawBody).toContain('iris stat IRIS -W');
  });

  it('two remediations racing for one VM: the lease lets one thaw; the other waits and finds IRIS thawed', async () => {
    w = await startProtectionWorld(scenario(), undefined, { IBG_AUTO_THAW: 'true' });
    const deps = following(w);
    // Another run of the VM holds the lease (an operator's drill run checking the same VM, say).
    const key = `remediation~${vmKeyOf(w.vmId('iris-frozen'))}`;
    const now = w.sandbox.clock.now();
    const taken = await deps.leases?.acquire(
      key,
      'other-run',
      new Date(now.getTime() + 60 * MINUTE).toISOString(),
      now.toISOString(),
    );
    expect(taken?.acquired).toBe(true);
    const night = tonight(w);
    await runNightlyProtection(deps, night);
    for (let i = 0; i < 3; i += 1) {
      w.sandbox.clock.advance(i === 1 ? 3 * MINUTE : 20_000);
      await w.sandbox.idle();
      await advanceRuns(deps);
    }
    let run = await runOf(w, night, 'iris-frozen');
    expect(run?.remediation?.step).toBe('awaiting-thaw');
    expect(run?.remediation?.waitingFor).toContain('other-run');
    expect(thawCalls(w)).toEqual([]);
    // The other remediation ends and gives the lease back: this one thaws at its next tick.
    await deps.leases?.release(key, 'other-run');
    w.sandbox.clock.advance(5 * MINUTE);
    await advanceRuns(deps);
    run = await runOf(w, night, 'iris-frozen');
    expect(run?.remediation?.outcome).toBe('thawed');
    expect(frozenNow(w)).toBe(false);
  });
});
