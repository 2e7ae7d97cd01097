/**
 * One backup of the hardened demo VM in a time zone, end to end in the sandbox: the VM's processes run with its zone
 * (its /etc/localtime link), so the simulated IRIS writes messages.log in local time while the extension writes
 * extension.log in UTC; the real probe (logs mode, through Run Command), parseProbeOutput, evidenceFromProbeLogs
 * and backupVerdict must still find IRIS frozen across the snapshot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Sandbox, loadScenario, startSandbox } from '../../sandbox';
import type { ProbeFacts } from '../../src/shared/checks/probeFacts';
import { ArmComputeGateway } from '../../src/shared/gateways/armComputeGateway';
import { runProbe } from '../../src/shared/protection/vmProbe';
import { type BackupEvidence, type BackupVerdict, backupVerdict, epochMs } from '../../src/shared/runs/backupVerdict';
import { evidenceFromProbeLogs } from '../../src/shared/runs/backupEvidence';
import { clients, recoveryPointsOf, triggerBackup } from './sandboxFixtures';

const DEMO = path.join(__dirname, '..', '..', 'sandbox', 'scenarios', 'demo-fleet.json');
const VM = 'iris-prod-01';
const MINUTE = 60_000;
const MESSAGES = '/usr/irissys/mgr/messages.log';

const ZONES: [string, string, string, number, number][] = [
  // label, zone, sandbox start (the backup's trigger), offsets (minutes) when the probe runs 20 minutes later and
  // when its window opened, 10 minutes before the backup
  ['UTC-8', 'America/Los_Angeles', '2026-12-03T01:30:00.000Z', -480, -480],
  ['UTC+9', 'Asia/Tokyo', '2026-12-03T01:30:00.000Z', 540, 540],
  // Freeze at about 02:02 CET, after the 03:00 CEST -> 02:00 CET fall-back; the window opened at 02:52 CEST.
  ['across the fall-back in Europe/Berlin', 'Europe/Berlin', '2026-10-25T01:02:00.000Z', 60, 120],
  ['across the fall-back in America/New_York', 'America/New_York', '2026-11-01T06:02:00.000Z', -300, -240],
];

describe.each(ZONES)('a backup of a VM %s (%s)', (_label, zone, startTime, offset, sinceOffset) => {
  let sandbox: Sandbox;
  let facts: ProbeFacts;
  let evidence: BackupEvidence;
  let verdict: BackupVerdict;
  let pointTime = '';
  let messagesLog = '';
  const scenario = loadScenario(DEMO);
  const sub = scenario.vaults[0]?.subscriptionId ?? '';
  const vmId = `/subscriptions/${sub}/resourceGroups/rg-iris-prod/providers/Microsoft.Compute/virtualMachines/${VM}`;

  beforeAll(async () => {
    const vms = scenario.vms
      .filter((v) => v.name === VM)
      .map((v) => ({
        ...v,
        existingRecoveryPoints: [],
        files: [...(v.files ?? []), { path: '/etc/localtime', symlinkTo: `/usr/share/zoneinfo/${zone}` }],
      }));
    sandbox = await startSandbox({ scenario: { ...scenario, startTime, vms } });
    const at = { subscriptionId: sub, vaultRg: 'rg-backup', vault: 'vault-prod', vmRg: 'rg-iris-prod' };
    const { jobId } = await triggerBackup(sandbox, VM, at);
    await sandbox.idle();
    sandbox.clock.advance(20 * MINUTE);
    const { backup } = clients(sandbox, sub);
    const compute = new ArmComputeGateway(() => clients(sandbox, sub).compute, {
      pollIntervalInMs: 0,
      logger: { warn: () => undefined },
    });
    const job = (await backup.jobDetails.get('vault-prod', 'rg-backup', jobId)).properties;
    const since = new Date((job?.startTime?.getTime() ?? Number.NaN) - 10 * MINUTE).toISOString();
    const probe = await runProbe(compute, vmId, { mode: 'logs', since, name: 'logs-tz', timeoutInSeconds: 60 });
    if (!probe.facts) throw new Error(`no probe facts: ${probe.problems.join('; ')}`);
    facts = probe.facts;
    const points = await recoveryPointsOf(sandbox, VM, at);
    pointTime = points[0]?.time ?? '';
    evidence = evidenceFromProbeLogs(facts, probe.problems, since);
    verdict = backupVerdict({
      job: { status: job?.status ?? '', errorDetails: [] },
      recoveryPoint: points[0] ?? null,
      evidence,
    });
    messagesLog = fs.readFileSync(path.join(sandbox.vmRoot(vmId), MESSAGES), 'utf8');
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('the VM reports its zone, and IRIS wrote the freeze in the VM’s local time', () => {
    expect(facts.tz).toEqual({ name: zone, source: 'TZ', offsetMinutes: offset, sinceOffsetMinutes: sinceOffset });
    const frozen = /^(\d{2})\/(\d{2})\/(\d{2})-(\d{2}):(\d{2})\S* .*System suspended/m.exec(messagesLog);
    expect(frozen).not.toBeNull();
    const [, mm, dd, yy, hh, mi] = frozen ?? [];
    const wall = Date.UTC(2000 + Number(yy), Number(mm) - 1, Number(dd), Number(hh), Number(mi));
    // The wall time is the UTC snapshot time shifted by the zone's offset (to the minute, give or take one).
    const expectedWall = Date.parse(pointTime) + offset * MINUTE;
    expect(Math.abs(wall - expectedWall)).toBeLessThanOrEqual(2 * MINUTE);
  });

  it('the freeze and thaw are placed around the snapshot on the UTC timeline: IRIS-consistent', () => {
    const ms = (t: string | undefined): number => epochMs(t ?? '');
    expect(evidence.iris?.frozenAt).toMatch(/Z$/);
    expect(ms(evidence.iris?.frozenAt)).toBeLessThanOrEqual(ms(evidence.extension?.snapshotAt));
    expect(ms(evidence.iris?.thawedAt)).toBeGreaterThanOrEqual(ms(pointTime));
    expect(ms(evidence.iris?.thawedAt) - ms(evidence.iris?.frozenAt)).toBeLessThan(2 * MINUTE);
    expect(verdict).toMatchObject({ consistency: 'iris-consistent', irisLeftFrozen: false });
  });
});
