/**
 * One timeline, end to end: a backup of each demo-fleet VM in the sandbox, then the real probe in logs mode through
 * Run Command (real gateway), its output through parseProbeOutput and evidenceFromProbeLogs, and the verdict.
 * Measures two things: the probe's 4 KB selection loses nothing the evidence uses (same evidence as from the whole
 * logs), and the VM's own clock (scripts, IRIS messages.log) agrees with extension.log and the recovery point time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Sandbox, loadScenario, startSandbox } from '../../sandbox';
import type { ProbeFacts, ProbeLogTail } from '../../src/shared/checks/probeFacts';
import { ArmComputeGateway } from '../../src/shared/gateways/armComputeGateway';
import { runProbe } from '../../src/shared/protection/vmProbe';
import { evidenceFromProbeLogs } from '../../src/shared/runs/backupEvidence';
import { type BackupVerdict, backupVerdict } from '../../src/shared/runs/backupVerdict';
import { clients, recoveryPointsOf, triggerBackup } from './sandboxFixtures';

const DEMO = path.join(__dirname, '..', '..', 'sandbox', 'scenarios', 'demo-fleet.json');
const VMS = [
  'iris-prod-01',
  'iris-prod-02',
  'cache-legacy-01',
  'cache-legacy-02',
  'iris-prod-03',
  'iris-prod-04',
  'iris-prod-05',
  'iris-prod-06',
];
const MINUTE = 60_000;

interface Outcome {
  facts: ProbeFacts;
  since: string;
  verdict: BackupVerdict;
  pointTime: string;
  /** Evidence from the probe's output, and from the same facts with every log read whole. */
  evidence: ReturnType<typeof evidenceFromProbeLogs>;
  wholeEvidence: ReturnType<typeof evidenceFromProbeLogs>;
}

function wholeLog(root: string, tail: ProbeLogTail | undefined): ProbeLogTail | undefined {
  if (!tail) return undefined;
  const file = path.join(root, tail.path);
  const lines = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
  return { ...tail, lines, truncated: false };
}

describe.each([
  ['a clock that starts now', undefined],
  ['a fixed start time in the past', '2025-01-15T01:00:00.000Z'],
])('demo-fleet backups judged from the logs-mode probe, with %s', (_label, startTime) => {
  let sandbox: Sandbox;
  const outcomes = new Map<string, Outcome>();
  const scenario = loadScenario(DEMO);
  const sub = scenario.vaults[0]?.subscriptionId ?? '';
  const vmId = (name: string): string =>
    `/subscriptions/${sub}/resourceGroups/rg-iris-prod/providers/Microsoft.Compute/virtualMachines/${name}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: startTime === undefined ? scenario : { ...scenario, startTime } });
    const at = { subscriptionId: sub, vaultRg: 'rg-backup', vault: 'vault-prod', vmRg: 'rg-iris-prod' };
    const jobIds = new Map<string, string>();
    for (const vm of VMS) jobIds.set(vm, (await triggerBackup(sandbox, vm, at)).jobId);
    await sandbox.idle();
    sandbox.clock.advance(20 * MINUTE);
    const { backup } = clients(sandbox, sub);
    const compute = new ArmComputeGateway(() => clients(sandbox, sub).compute, {
      pollIntervalInMs: 0,
      logger: { warn: () => undefined },
    });
    for (const vm of VMS) {
      const job = (await backup.jobDetails.get('vault-prod', 'rg-backup', jobIds.get(vm) ?? '')).properties;
      const start = job?.startTime?.getTime() ?? Number.NaN;
      const since = new Date(start - 10 * MINUTE).toISOString();
      const probe = await runProbe(compute, vmId(vm), {
        mode: 'logs',
        since,
        name: `logs-${vm}`,
        timeoutInSeconds: 60,
      });
      if (!probe.facts) throw new Error(`${vm}: no probe facts: ${probe.problems.join('; ')}`);
      expect(probe.problems).toEqual([]);
      const points = await recoveryPointsOf(sandbox, vm, {
        subscriptionId: sub,
        vault: 'vault-prod',
        vaultRg: 'rg-backup',
        vmRg: 'rg-iris-prod',
      });
      const evidence = evidenceFromProbeLogs(probe.facts, probe.problems, since);
      const root = sandbox.vmRoot(vmId(vm));
      const whole: ProbeFacts = { ...probe.facts, logs: {} };
      for (const key of ['extension', 'scripts', 'otherScriptLog', 'messages'] as const) {
        const tail = wholeLog(root, probe.facts.logs[key]);
        if (tail) whole.logs[key] = tail;
      }
      const verdict = backupVerdict({
        job: { status: job?.status ?? '', errorDetails: [] },
        recoveryPoint: points[0] ?? null,
        evidence,
      });
      outcomes.set(vm, {
        facts: probe.facts,
        since,
        verdict,
        pointTime: points[0]?.time ?? '',
        evidence,
        wholeEvidence: evidenceFromProbeLogs(whole, [], since),
      });
    }
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
  });

  it.each(VMS)('%s: the probe keeps every line the evidence uses (same evidence as the whole logs)', (vm) => {
    const o = outcomes.get(vm);
    expect(o?.evidence).toEqual(o?.wholeEvidence);
    expect(Object.values(o?.facts.logs ?? {}).filter((t) => t.truncated)).toEqual([]);
  });

  it('keeps the freeze, thaw and script lines of the hardened VM', () => {
    const logs = outcomes.get('iris-prod-01')?.facts.logs;
    const text = (tail: ProbeLogTail | undefined): string => tail?.lines.join('\n') ?? '';
    for (const line of [
      'Loading script modules now...',
      'Validate Scripts output: errorCode - 0',
      'Prescript for ScriptRunner successfully executed.',
      'T:S freeze',
      'T:S thaw result',
      'Postscript for ScriptRunner successfully executed.',
      'Enable Succeeded with App Consistent Snapshot',
    ]) {
      expect(text(logs?.extension)).toContain(line);
    }
    expect(text(logs?.messages)).toContain('Backup.General.ExternalFreeze: System suspended');
    expect(text(logs?.messages)).toContain('Backup.General.ExternalThaw: System resumed');
    expect(text(logs?.scripts)).toMatch(/event=frozen [\s\S]*event=thawed /);
  });

  it('the hardened VM is IRIS-consistent: frozen before the snapshot, thawed after it, on the sandbox timeline', () => {
    const o = outcomes.get('iris-prod-01');
    const iris = o?.evidence.iris;
    expect(iris?.frozenAt).toBeDefined();
    expect(iris?.thawedAt).toBeDefined();
    const ms = (t: string | undefined): number => Date.parse(/Z$/.test(t ?? '') ? (t ?? '') : `${t ?? ''}Z`);
    const snapshotAt = o?.evidence.extension?.snapshotAt;
    expect(ms(iris?.frozenAt)).toBeLessThanOrEqual(ms(snapshotAt));
    expect(ms(snapshotAt)).toBeLessThanOrEqual(ms(o?.pointTime));
    expect(ms(o?.pointTime)).toBeLessThanOrEqual(ms(iris?.thawedAt));
    // The VM's clock is the sandbox's: the freeze is after the logs window opened, on the scenario's day.
    expect(ms(iris?.frozenAt)).toBeGreaterThanOrEqual(ms(o?.since));
    if (startTime !== undefined) expect(iris?.frozenAt?.slice(0, 10)).toBe(startTime.slice(0, 10));
    expect(o?.verdict).toMatchObject({ consistency: 'iris-consistent', irisLeftFrozen: false });
  });

  it.each([
    ['iris-prod-01', 'iris-consistent'],
    ['iris-prod-02', 'file-system-consistent'],
    ['cache-legacy-01', 'file-system-consistent'],
    ['cache-legacy-02', 'file-system-consistent'],
    ['iris-prod-03', 'file-system-consistent'],
    ['iris-prod-04', 'file-system-consistent'],
    ['iris-prod-05', 'failed'],
    ['iris-prod-06', 'file-system-consistent'],
  ])('%s: verdict %s', (vm, consistency) => {
    expect(outcomes.get(vm)?.verdict.consistency).toBe(consistency);
  });

  it('names the cause of the file-system-consistent backup of iris-prod-06 (JSON owned by nobody, mode 644)', () => {
    const v = outcomes.get('iris-prod-06')?.verdict;
    expect(v?.extensionCode).toBe(317);
    expect(v?.reasons[0]).toMatch(/^PluginConfigPermissionError \(code 317\): the extension did not run the scripts/);
    expect(v?.reasons[0]).toContain('is nobody but not root');
  });

  it('cache-legacy-02 (Caché sample after dos2unix): the pre-script exited 5, and IRIS was thawed', () => {
    const v = outcomes.get('cache-legacy-02')?.verdict;
    expect(v).toMatchObject({ extensionCode: 300, failedScript: 'pre', scriptExitCode: 5, irisLeftFrozen: false });
    expect(v?.reasons[0]).toMatch(/^Pre-ScriptExecutionFailed: the pre-script exited 5 /);
    expect(v?.reasons).toContain(
      "Post-ScriptExecutionFailed: the post-script exited 5 (IRIS's success code, which the extension reads as failure)",
    );
    expect(outcomes.get('cache-legacy-01')?.verdict.irisLeftFrozen).toBe(true);
  });
});
