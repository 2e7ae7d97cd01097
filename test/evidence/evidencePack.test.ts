import { CONTROLS } from '../../src/shared/evidence/controlMapping';
import { EVIDENCE_SCHEMA, evidencePackOf, type EvidencePack } from '../../src/shared/evidence/evidencePack';
import { parseEvidencePeriod, type EvidencePeriod } from '../../src/shared/evidence/evidencePeriod';
import type { RunSummary } from '../../src/shared/evidence/runSummary';
import { backedUp, drilled, summary } from './summaryFixture';

const period = (from: string, to: string): EvidencePeriod => {
  const p = parseEvidencePeriod(from, to, to);
  if ('error' in p) throw new Error(p.error);
  return p;
};

const TARGETS = { rpoTargetHours: 26, rtoTargetMinutes: 60 };
const P = period('2026-11-01', '2026-11-03');
/** Long after the period: the RPO is measured at its end. */
const LATER = new Date('2026-12-20T10:00:00.000Z');

const packOf = (summaries: readonly RunSummary[]): EvidencePack => evidencePackOf(summaries, P, TARGETS, LATER);

const statusOf = (pack: EvidencePack, vmName: string, id: string): string | undefined =>
  pack.vms.find((v) => v.vmName === vmName)?.controls.find((c) => c.id === id)?.status;
const noteOf = (pack: EvidencePack, vmName: string, id: string): string | undefined =>
  pack.vms.find((v) => v.vmName === vmName)?.controls.find((c) => c.id === id)?.note;

describe('evidencePackOf: rows', () => {
  const nightly = backedUp('2026-11-02', 'iris-a');
  const external = summary('2026-11-02', 'iris-a', 'external', {
    backup: { jobId: 'ext-job', jobStatus: 'Completed', jobStart: '2026-11-02T12:00:00Z' },
    recoveryPoint: null,
  });
  const check = summary('2026-11-02', 'iris-c', 'check', { stage: 'done' });
  const skipped = summary('2026-11-01', 'iris-b', 'nightly', { stage: 'failed', reason: 'preflight: agent not ready' });
  const drill = drilled('2026-11-02', 'iris-a');
  const running = summary('2026-11-03', 'iris-b', 'nightly', {
    stage: 'restore-running',
    terminal: false,
    drill: { queuedAt: '2026-11-03T04:00:00.000Z', drillVmName: 'ibgdrill-b', cleanedUp: false },
  });
  const pack = packOf([running, drill, check, skipped, external, nightly]);

  it('one backup row per nightly or external run, none for a check run', () => {
    expect(pack.schema).toBe(EVIDENCE_SCHEMA);
    expect(pack.backups.map((b) => b.runId)).toEqual([skipped.runId, nightly.runId, external.runId, running.runId]);
    expect(pack.totals).toEqual({ runs: 6, vms: 3, backups: 4, drills: 2, drillsPassed: 1 });
  });

  it("a backup row's fields are the summary's, unchanged", () => {
    const row = pack.backups.find((b) => b.runId === nightly.runId);
    expect(row).toEqual({
      runId: nightly.runId,
      night: nightly.night,
      vmName: nightly.vmName,
      vmId: nightly.vmId,
      kind: nightly.kind,
      jobId: nightly.backup.jobId,
      jobStatus: nightly.backup.jobStatus,
      jobStart: nightly.backup.jobStart,
      jobEnd: nightly.backup.jobEnd,
      recoveryPointTime: nightly.recoveryPoint?.time,
      recoveryPointType: nightly.recoveryPoint?.type,
      consistency: nightly.verdict?.consistency,
      irisLeftFrozen: nightly.verdict?.irisLeftFrozen,
      freezeWindowMs: nightly.verdict?.freezeWindowMs,
      reason: nightly.verdict?.reason,
      stage: nightly.stage,
    });
  });

  it('a field the summary lacks is absent from the row (not null, not empty)', () => {
    const row = pack.backups.find((b) => b.runId === skipped.runId) ?? {};
    expect(Object.keys(row).sort()).toEqual(['kind', 'night', 'reason', 'runId', 'stage', 'vmId', 'vmName']);
    expect(row).toMatchObject({ reason: skipped.reason, stage: 'failed' });
    const ext = pack.backups.find((b) => b.runId === external.runId) ?? {};
    expect('recoveryPointTime' in ext).toBe(false);
  });

  it("a drill row's fields are the summary's drill, numbers unrounded, verdict in-progress while it has none", () => {
    const row = pack.drills.find((d) => d.runId === drill.runId);
    const d = drill.drill;
    expect(row).toMatchObject({
      verdict: d?.verdict,
      queuedAt: d?.queuedAt,
      startedAt: d?.startedAt,
      finishedAt: d?.finishedAt,
      recoveryPointTime: d?.recoveryPointTime,
      ageHoursAtRestore: d?.ageHoursAtRestore,
      rtoMs: d?.rtoMs,
      rtoVsTarget: 'pass',
      integrity: d?.integrity,
      drillVmName: d?.drillVmName,
      restoreJobId: d?.restoreJobId,
      evidenceBlob: d?.evidenceBlob,
      cleanedUp: d?.cleanedUp,
    });
    expect(pack.drills.find((x) => x.runId === running.runId)).toEqual({
      runId: running.runId,
      night: running.night,
      vmName: 'iris-b',
      vmId: running.vmId,
      verdict: 'in-progress',
      queuedAt: running.drill?.queuedAt,
      drillVmName: 'ibgdrill-b',
      cleanedUp: false,
    });
  });

  it('the same rows in the same order whatever order the summaries came in', () => {
    const all = [running, drill, check, skipped, external, nightly];
    const reversed = packOf([...all].reverse());
    expect(reversed).toEqual(pack);
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(pack));
    const keys = pack.backups.map((b) => `${b.night} ${b.vmName} ${b.runId}`);
    expect([...keys].sort()).toEqual(keys);
  });

  it('rows sort by night, then VM name, then run id', () => {
    const p = packOf([backedUp('2026-11-02', 'b'), backedUp('2026-11-01', 'z'), backedUp('2026-11-02', 'a')]);
    expect(p.backups.map((b) => `${b.night}/${b.vmName}`)).toEqual(['2026-11-01/z', '2026-11-02/a', '2026-11-02/b']);
  });

  it('runs of nights outside the period are not in the pack', () => {
    const p = packOf([
      backedUp('2026-10-31', 'iris-a'),
      backedUp('2026-11-04', 'iris-a'),
      backedUp('2026-11-03', 'iris-a'),
    ]);
    expect(p.backups.map((b) => b.night)).toEqual(['2026-11-03']);
    expect(p.totals.runs).toBe(1);
  });
});

describe('evidencePackOf: per VM', () => {
  it('counts backups by consistency and drills by verdict; best and last RTO; RPO at the end of the period', () => {
    const pack = packOf([
      backedUp('2026-11-01', 'iris-a'),
      backedUp('2026-11-02', 'iris-a', 'file-system-consistent'),
      backedUp('2026-11-03', 'iris-a'),
      drilled('2026-11-01', 'iris-a', { rtoMs: 1_800_000 }),
      drilled('2026-11-02', 'iris-a', {
        verdict: 'failed',
        failedStage: 'restore',
        rtoMs: undefined,
        reason: 'job failed',
      }),
      drilled('2026-11-03', 'iris-a', { rtoMs: 2_400_000 }),
    ]);
    const [vm] = pack.vms;
    expect(vm?.backups.total).toBe(3);
    expect(vm?.backups.byConsistency).toMatchObject({ 'iris-consistent': 2, 'file-system-consistent': 1, failed: 0 });
    expect(vm?.drills).toEqual({ total: 3, passed: 2, failed: 1, inconclusive: 0, inProgress: 0 });
    expect(vm?.bestRtoMs).toBe(1_800_000);
    expect(vm?.lastRto).toEqual({ runId: '2026-11-03/iris-a~drill-1', rtoMs: 2_400_000, vsTarget: 'pass' });
    expect(vm?.lastDrill).toEqual({ runId: '2026-11-03/iris-a~drill-1', night: '2026-11-03', verdict: 'passed' });
    // The newest point that passed a drill, measured at the end of the period (2026-11-04T00:00Z), not at LATER.
    const point = '2026-11-03T01:02:03.456Z';
    expect(pack.period.endsAt).toBe('2026-11-04T00:00:00.000Z');
    expect(vm?.rpo).toEqual({
      recoveryPointTime: point,
      runId: '2026-11-03/iris-a~drill-1',
      ageMs: Date.parse(pack.period.endsAt) - Date.parse(point),
      vsTarget: 'pass',
    });
  });

  it('a period that ends after the generation time measures the RPO at the generation time', () => {
    const now = new Date('2026-11-03T12:00:00.000Z');
    const pack = evidencePackOf([drilled('2026-11-03', 'iris-a')], P, TARGETS, now);
    expect(pack.period.endsAt).toBe(now.toISOString());
    expect(pack.vms[0]?.rpo?.ageMs).toBe(now.getTime() - Date.parse('2026-11-03T01:02:03.456Z'));
  });

  it('an RTO over the target fails it; over three quarters of it still passes', () => {
    const pack = packOf([
      drilled('2026-11-01', 'slow', { rtoMs: TARGETS.rtoTargetMinutes * 60_000 + 1 }),
      drilled('2026-11-01', 'close', { rtoMs: TARGETS.rtoTargetMinutes * 60_000 }),
    ]);
    expect(pack.drills.map((d) => [d.vmName, d.rtoVsTarget])).toEqual([
      ['close', 'pass'],
      ['slow', 'fail'],
    ]);
    expect(pack.vms.find((v) => v.vmName === 'slow')?.lastRto?.vsTarget).toBe('fail');
  });
});

describe('evidencePackOf: a renamed VM', () => {
  it('is one VM (by its key), shown under the name of its newest run, whatever the input order', () => {
    const old = backedUp('2026-11-01', 'iris-old');
    const renamed = { ...backedUp('2026-11-02', 'iris-new'), vmKey: old.vmKey };
    for (const order of [
      [old, renamed],
      [renamed, old],
    ]) {
      const pack = packOf(order);
      expect(pack.vms.map((v) => [v.vmName, v.backups.total])).toEqual([['iris-new', 2]]);
      // The rows keep each run's own name, as stored.
      expect(pack.backups.map((b) => b.vmName)).toEqual(['iris-old', 'iris-new']);
    }
  });
});

describe('evidencePackOf: controls', () => {
  const RESTORE_TESTING = ['SOC2-A1.3', 'NIST-CP-4', 'NIST-CP-9(1)', 'NIST-CP-9(2)', 'DORA-12(2)', 'DORA-12(3)'];

  it('a VM with backups and a passed drill (clean, within the targets) meets every control', () => {
    const pack = evidencePackOf(
      [backedUp('2026-11-03', 'iris-a'), drilled('2026-11-03', 'iris-a')],
      P,
      TARGETS,
      new Date('2026-11-03T12:00:00Z'),
    );
    expect(pack.vms[0]?.controls.map((c) => c.status)).toEqual(CONTROLS.map(() => 'met'));
    expect(pack.controls.every((c) => c.met === 1 && c.notMetVms.length === 0)).toBe(true);
  });

  it('a VM with no passed drill meets none of the restore-testing controls, and says so', () => {
    const pack = packOf([
      backedUp('2026-11-02', 'iris-a'),
      drilled('2026-11-02', 'iris-a', { verdict: 'inconclusive', failedStage: 'isolation', rtoMs: undefined }),
      drilled('2026-11-03', 'iris-a', { verdict: undefined, finishedAt: undefined, rtoMs: undefined }),
    ]);
    for (const id of RESTORE_TESTING) {
      expect(statusOf(pack, 'iris-a', id)).toBe('not-met');
      expect(noteOf(pack, 'iris-a', id)).toMatch(
        /no restore drill passed in the period \(1 drill failed or inconclusive\)/,
      );
    }
    expect(statusOf(pack, 'iris-a', 'ISO27001-A.8.13')).toBe('not-met');
    expect(noteOf(pack, 'iris-a', 'ISO27001-A.8.13')).toBe('backups taken, but none tested by a passed restore drill');
    // A drill that did not pass is still a record of a test: an exception for HIPAA (D), to revise the plan.
    expect(statusOf(pack, 'iris-a', 'HIPAA-164.308(a)(7)(ii)(D)')).toBe('exception');
    const fleet = pack.controls.find((c) => c.id === 'NIST-CP-4');
    expect(fleet).toMatchObject({ vms: 1, met: 0, notMet: 1, notMetVms: ['iris-a'] });
  });

  it('a VM with only a check run has no evidence: nothing met', () => {
    const pack = packOf([summary('2026-11-02', 'iris-c', 'check')]);
    expect(pack.vms[0]?.controls.map((c) => c.status)).toEqual(CONTROLS.map(() => 'not-met'));
    expect(noteOf(pack, 'iris-c', 'HIPAA-164.308(a)(7)(ii)(D)')).toBe('no restore test recorded in the period');
  });

  it('an RTO over the target is an exception to A1.3 (objectives) but testing is still done for CP-4', () => {
    const pack = packOf([backedUp('2026-11-03', 'iris-a'), drilled('2026-11-03', 'iris-a', { rtoMs: 2 * 3_600_000 })]);
    expect(statusOf(pack, 'iris-a', 'SOC2-A1.3')).toBe('exception');
    expect(noteOf(pack, 'iris-a', 'SOC2-A1.3')).toMatch(/measured RTO is over the target/);
    expect(statusOf(pack, 'iris-a', 'NIST-CP-4')).toBe('met');
  });

  it('an RPO over the target at the end of the period is an exception to A1.3', () => {
    const pack = packOf([backedUp('2026-11-01', 'iris-a'), drilled('2026-11-01', 'iris-a')]);
    // The point is of 2026-11-01 01:02 and the period ends 2026-11-04 00:00: about 71 h against 26 h.
    expect(pack.vms[0]?.rpo?.vsTarget).toBe('fail');
    expect(noteOf(pack, 'iris-a', 'SOC2-A1.3')).toMatch(/measured RPO is over the target/);
  });

  it('a passed drill whose integrity check was not clean does not answer CP-9(1)', () => {
    const pack = packOf([drilled('2026-11-03', 'iris-a', { integrity: 'incomplete' })]);
    expect(statusOf(pack, 'iris-a', 'NIST-CP-9(1)')).toBe('not-met');
    expect(statusOf(pack, 'iris-a', 'NIST-CP-9(2)')).toBe('met');
  });

  it('tested, but no backup IRIS-consistent: an exception to A.8.13', () => {
    const pack = packOf([backedUp('2026-11-03', 'iris-a', 'file-system-consistent'), drilled('2026-11-03', 'iris-a')]);
    expect(statusOf(pack, 'iris-a', 'ISO27001-A.8.13')).toBe('exception');
  });
});
