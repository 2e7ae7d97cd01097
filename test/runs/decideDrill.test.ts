/**
 * The restore drill's phases of the run state machine: entry at the verdict, restore-running (a slot, one restore,
 * its job), verifying (claim, boot, agent, the verifier on the drill VM, evidence, verdict) and cleaning-up (record,
 * claim, delete or keep, the run's end), and the backup job's end while its snapshot is drilled.
 */
import fc from 'fast-check';
import type { RecoveryPoint } from '../../src/shared/azure/backupGateway';
import {
  DRILL_TAG_EXPIRES,
  DRILL_TAG_MANAGED_BY,
  DRILL_TAG_RUN,
  DRILL_TAG_SOURCE_VM,
} from '../../src/shared/drills/drillTags';
import type { IntegrityVerdict } from '../../src/shared/drills/integrityVerdict';
import { RETRIGGER_GRACE_MS, decide } from '../../src/shared/runs/decide';
import { CLEANUP_ALERT_AFTER } from '../../src/shared/runs/phases/cleanup';
import { isTerminalStage, type Run } from '../../src/shared/runs/run';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import type { RunEvent } from '../../src/shared/runs/runEvent';
import type { RunPolicy } from '../../src/shared/runs/runPolicy';
import {
  CLAIMED,
  RESTORE_JOB,
  TONIGHT,
  alertCodes,
  atSnapshot,
  ofType,
  playAll,
  queued,
  requested,
  restoreJob,
  restoring,
  snapshotEvents,
  types,
  verifierEnded,
  verifierOutput,
  verifierQueued,
  verifierStarted,
  verifyingRun,
} from './drillSamples';
import {
  DRILL_POLICY,
  POLICY,
  T0,
  TARGET,
  at,
  inBackupRunning,
  job,
  play,
  recordAlerts,
  withPoint,
} from './runSamples';

const D = DRILL_POLICY;
const MIN = 60_000;
const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
const drillPolicy = (over: Partial<NonNullable<RunPolicy['drill']>>): RunPolicy => ({
  ...D,
  drill: { ...(D.drill as NonNullable<RunPolicy['drill']>), ...over },
});

describe('drill entry at the verdict', () => {
  it('drills on: restore-running with a drill VM name, while the backup job still transfers', () => {
    const run = atSnapshot();
    expect(run.stage).toBe('restore-running');
    expect(run.backup.jobStatus).toBe('InProgress');
    const name = run.drill?.vmName ?? '';
    expect(name.startsWith('ibg-drill-')).toBe(true);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[a-z0-9-]+$/);
    expect(run.drill?.vmId).toBe(
      `${D.drill?.target.resourceGroupId}/providers/Microsoft.Compute/virtualMachines/${name}`,
    );
    expect(run.drill?.point).toEqual({ name: 'rp1', time: at(4), type: 'AppConsistent', tier: 'snapshot' });
    expect(run.drill?.startedAt).toBeUndefined();
    expect(run.drill?.restoreRequestedAt).toBeUndefined();
  });

  it('the drill VM name is unique per run (another VM of the same name, another night)', () => {
    const other = { ...TARGET, vmId: TARGET.vmId.replace('iris-rg', 'iris-rg-2') };
    const a = atSnapshot();
    const b = play(
      { ...inBackupRunning(), id: `2026-03-10/${other.vmId.toLowerCase()}`, target: other },
      snapshotEvents,
      D,
    );
    const c = play({ ...inBackupRunning(), id: `2026-03-11/x`, night: '2026-03-11' }, snapshotEvents, D);
    const names = [a, b, c].map((r) => r.drill?.vmName);
    expect(names.every((n) => n !== undefined)).toBe(true);
    expect(new Set(names).size).toBe(3);
  });

  it('drills off: transfer-running while the job transfers, done when it had completed', () => {
    expect(atSnapshot(POLICY).stage).toBe('transfer-running');
    expect(atSnapshot(POLICY).drill).toBeUndefined();
    const done = play(withPoint(), [{ type: 'LogsCollected', at: at(32), problems: ['no output'] }], POLICY);
    expect(done.stage).toBe('done');
  });

  it('a failed verdict never drills', () => {
    const noPoint = play(inBackupRunning(), [{ type: 'JobObserved', at: at(30), job: job('Failed') }], D);
    const r = play(noPoint, [{ type: 'LogsCollected', at: at(32), problems: ['no output'] }], D);
    expect(r.stage).toBe('failed');
    expect(r.drill).toBeUndefined();
  });

  it('a night that is not the VM drill night goes on as without drills', () => {
    const policy = drillPolicy({ schedule: { kind: 'every-nth', n: 1000 } });
    const r = atSnapshot(policy);
    // Nights are spread over 1000: this is (almost surely) not the VM's; assert consistency with the schedule.
    expect(['transfer-running', 'restore-running']).toContain(r.stage);
    expect(r.stage === 'restore-running').toBe(r.drill !== undefined);
  });
});

describe('restore-running', () => {
  it('waits for a slot: ticks send nothing', () => {
    const run = queued();
    const d = decide(run, { type: 'Tick', at: at(60) }, D);
    expect(d.commands).toEqual([]);
    expect(d.run).toBe(run);
  });

  it('a slot sends one TriggerRestore, its request time written in the same decision', () => {
    const d = decide(queued(), { type: 'DrillSlotGranted', at: at(17) }, D);
    expect(types(d.commands)).toEqual(['TriggerRestore']);
    const [cmd] = ofType(d.commands, 'TriggerRestore');
    expect(cmd?.request).toEqual(
      expect.objectContaining({
        recoveryPointName: 'rp1',
        sourceVmId: TARGET.vmId,
        targetVmId: d.run.drill?.vmId,
        subnetId: D.drill?.target.subnetId,
        targetResourceGroupId: D.drill?.target.resourceGroupId,
      }),
    );
    expect(d.run.drill?.restoreRequestedAt).toBe(at(17));
    expect(d.run.drill?.startedAt).toBe(at(17));
    // A second grant, a replayed one or ticks inside the grace period never send it again.
    for (const e of [
      { type: 'DrillSlotGranted', at: at(18) },
      { type: 'DrillSlotGranted', at: at(17) },
      { type: 'Tick', at: at(28) },
      { type: 'Tick', at: at(26) },
    ] as RunEvent[])
      expect(ofType(decide(d.run, e, D).commands, 'TriggerRestore')).toEqual([]);
  });

  it('RestoreTriggered waits for the job list, reading the operation only if no job shows up; a completed job moves to verifying', () => {
    const d = decide(requested(), { type: 'RestoreTriggered', at: at(17), operationId: 'op-restore' }, D);
    // The per-vault restore job list finds the job within a tick: no read of the operation yet.
    expect(d.commands).toEqual([]);
    expect(decide(d.run, { type: 'Tick', at: at(22) }, D).commands).toEqual([]);
    const stale = decide(d.run, { type: 'Tick', at: plus(at(17), D.retryAfterMs + MIN) }, D);
    expect(stale.commands).toEqual([expect.objectContaining({ type: 'ReadOperation', operationId: 'op-restore' })]);
    const withJob = decide(
      d.run,
      { type: 'OperationObserved', at: at(18), status: 'InProgress', jobId: RESTORE_JOB },
      D,
    ).run;
    expect(withJob.drill?.restoreJobId).toBe(RESTORE_JOB);
    // Another VM's or another drill's restore job is not this one.
    const other = decide(
      withJob,
      { type: 'RestoreJobObserved', at: at(30), job: restoreJob('Completed', { jobId: 'x' }) },
      D,
    );
    expect(other.run).toBe(withJob);
    const done = decide(
      withJob,
      { type: 'RestoreJobObserved', at: at(40), job: restoreJob('Completed', { endTime: at(39) }) },
      D,
    );
    expect(done.run.stage).toBe('verifying');
    expect(done.run.drill?.restoreJobEnd).toBe(at(39));
    expect(done.commands).toEqual([]);
  });

  it('a failed restore job: cleaning-up, failed at restore, DrillFailed alert and RecordDrill', () => {
    const d = decide(
      restoring(),
      {
        type: 'RestoreJobObserved',
        at: at(30),
        job: restoreJob('Failed', {
          errorDetails: [{ code: 400, title: 'UserErrorX', message: 'quota', recommendations: [] }],
        }),
      },
      D,
    );
    expect(d.run.stage).toBe('cleaning-up');
    expect(d.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'failed', stage: 'restore' }));
    expect(d.run.drill?.outcome?.reason).toContain('quota');
    expect(alertCodes(d.commands)).toEqual(['DrillFailed']);
    const [rec] = ofType(d.commands, 'RecordDrill');
    expect(rec?.record).toEqual(
      expect.objectContaining({ verdict: 'failed', failedStage: 'restore', restoreJobId: RESTORE_JOB }),
    );
  });

  it('refused by the target checks: inconclusive at target, DrillTargetRefused', () => {
    const d = decide(
      requested(),
      { type: 'RestoreTriggerFailed', at: at(17), reason: 'peered', refusedBy: 'checks' },
      D,
    );
    expect(d.run.stage).toBe('cleaning-up');
    expect(d.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'inconclusive', stage: 'target' }));
    expect(alertCodes(d.commands)).toEqual(['DrillTargetRefused']);
    expect(types(d.commands)).toContain('RecordDrill');
  });

  it('refused by Azure: failed at restore; transient: stays, nothing sent', () => {
    const az = decide(
      requested(),
      { type: 'RestoreTriggerFailed', at: at(17), reason: 'HTTP 400', refusedBy: 'azure' },
      D,
    );
    expect(az.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'failed', stage: 'restore' }));
    expect(alertCodes(az.commands)).toEqual(['DrillFailed']);
    const tr = decide(requested(), { type: 'RestoreTriggerFailed', at: at(17), reason: 'socket hang up' }, D);
    expect(tr.run.stage).toBe('restore-running');
    expect(tr.commands).toEqual([]);
  });

  it('past the grace period with no restore job listed, asks once more, then gives up inconclusive', () => {
    const first = requested();
    const g1 = plus(at(17), RETRIGGER_GRACE_MS);
    const t1 = decide(first, { type: 'Tick', at: g1 }, D);
    expect(t1.commands).toEqual([expect.objectContaining({ type: 'FindRestoreJob', since: at(17) })]);
    const again = decide(t1.run, { type: 'NoRestoreJobSinceRequest', at: g1, since: at(17) }, D);
    expect(types(again.commands).sort()).toEqual(['Alert', 'TriggerRestore']);
    expect(again.run.drill?.retriggeredAt).toBe(g1);
    expect(again.run.drill?.restoreRequestedAt).toBe(at(17));
    const g2 = plus(g1, RETRIGGER_GRACE_MS);
    // The shell recorded the RestoreRetriggered alert: it left the run's outbox.
    const t2 = decide(recordAlerts(again, D), { type: 'Tick', at: g2 }, D);
    expect(t2.commands).toEqual([expect.objectContaining({ type: 'FindRestoreJob', since: g1 })]);
    const end = decide(t2.run, { type: 'NoRestoreJobSinceRequest', at: g2, since: g1 }, D);
    expect(ofType(end.commands, 'TriggerRestore')).toEqual([]);
    expect(end.run.stage).toBe('cleaning-up');
    expect(end.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'inconclusive', stage: 'restore' }));
  });

  it('past its time limit: cleaning-up inconclusive (not timed-out); cleanup waits for the restore job still running', () => {
    const limit = D.stageLimitsMs['restore-running'];
    const late = plus(at(16), limit + MIN);
    const d = decide(restoring(), { type: 'Tick', at: late }, D);
    expect(d.run.stage).toBe('cleaning-up');
    expect(d.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'inconclusive', stage: 'restore' }));
    expect(alertCodes(d.commands)).toEqual(['DrillInconclusive']);
    const recorded = decide(d.run, { type: 'DrillRecorded', at: plus(late, MIN) }, D);
    expect(recorded.commands).toEqual([]);
    const tick = decide(recorded.run, { type: 'Tick', at: plus(late, 30 * MIN) }, D);
    expect(ofType(tick.commands, 'ClaimDrillResources')).toEqual([]);
    const ended = decide(
      recorded.run,
      { type: 'RestoreJobObserved', at: plus(late, 20 * MIN), job: restoreJob('Completed') },
      D,
    );
    expect(ofType(ended.commands, 'ClaimDrillResources')).toHaveLength(1);
  });

  it('past its limit with a restore whose job was never seen: cleanup asks for the proof, and claims only once it has it', () => {
    const limit = D.stageLimitsMs['restore-running'];
    const late = plus(at(17), limit + MIN);
    // The restore was asked at minute 17; no operation, no job was ever seen.
    const d = decide(requested(), { type: 'Tick', at: late }, D);
    expect(d.run.stage).toBe('cleaning-up');
    const recorded = decide(recordAlerts(d, D), { type: 'DrillRecorded', at: plus(late, MIN) }, D).run;
    // No claim, no end while the request is unaccounted for: a job may still create the VM.
    const tick = decide(recorded, { type: 'Tick', at: plus(late, 20 * MIN) }, D);
    expect(types(tick.commands)).toEqual(['FindRestoreJob']);
    expect(tick.run.stage).toBe('cleaning-up');
    // A late job turns up: it is followed, then claimed once it ends.
    const late2 = plus(late, 21 * MIN);
    const seen = decide(tick.run, { type: 'RestoreJobObserved', at: late2, job: restoreJob('InProgress') }, D).run;
    expect(
      ofType(decide(seen, { type: 'Tick', at: plus(late2, 20 * MIN) }, D).commands, 'ClaimDrillResources'),
    ).toEqual([]);
    // Or the list proves there is none: then the claim goes ahead (it finds nothing) and the run ends.
    const none = decide(tick.run, { type: 'NoRestoreJobSinceRequest', at: late2, since: at(17) }, D);
    expect(ofType(none.commands, 'ClaimDrillResources')).toHaveLength(1);
    const ended = decide(none.run, { type: 'DrillResourcesClaimed', at: plus(late2, MIN), resourceIds: [] }, D).run;
    // Cleanup is over; the backup job of these samples still transfers to the vault.
    expect(ended.stage).toBe('transfer-running');
    expect(ended.reason ?? '').not.toMatch(/kept for investigation/);
  });

  it('a refused restore created nothing: cleanup does not wait for a job', () => {
    const d = decide(
      requested(),
      { type: 'RestoreTriggerFailed', at: at(18), reason: 'drill refused: peered', refusedBy: 'checks' },
      D,
    );
    const recorded = decide(d.run, { type: 'DrillRecorded', at: at(19) }, D);
    expect(types(recorded.commands)).toEqual(['ClaimDrillResources']);
  });

  it('older point sampling: lists points, restores an older one, the same one on every replay', () => {
    const policy = drillPolicy({ olderPointEvery: 1 });
    const run = atSnapshot(policy);
    const g = decide(run, { type: 'DrillSlotGranted', at: at(17) }, policy);
    expect(types(g.commands)).toEqual(['ListDrillPoints']);
    const points: RecoveryPoint[] = [0, 1, 2, 3, 4].map((i) => ({
      id: `p${i}`,
      name: `p${i}`,
      time: plus(at(4), -(i + 1) * 86_400_000),
      type: 'AppConsistent',
      tiers: i < 2 ? ['InstantRP', 'HardenedRP'] : ['HardenedRP'],
    }));
    const listed = (pts: RecoveryPoint[]) =>
      decide(g.run, { type: 'DrillPointsListed', at: at(18), points: pts }, policy);
    const a = listed([TONIGHT, ...points, { ...TONIGHT, id: 'newer', name: 'newer', time: at(5) }]);
    const b = listed([...points].reverse().concat(TONIGHT));
    const [cmd] = ofType(a.commands, 'TriggerRestore');
    const chosen = a.run.drill?.point;
    expect(chosen?.sampled).toBe(true);
    expect(Date.parse(chosen?.time ?? '')).toBeLessThan(Date.parse(TONIGHT.time));
    expect(cmd?.request.recoveryPointName).toBe(chosen?.name);
    expect(b.run.drill?.point).toEqual(chosen);
  });
});

describe('restore-running: one restore (property)', () => {
  const eventAt = (t: string, kind: number, firstAsk: string): RunEvent => {
    switch (kind) {
      case 0:
        return { type: 'DrillSlotGranted', at: t };
      case 1:
        return { type: 'RestoreTriggerFailed', at: t, reason: 'socket hang up' };
      case 2:
        return { type: 'NoRestoreJobSinceRequest', at: t, since: firstAsk };
      case 3:
        return { type: 'NoRestoreJobSinceRequest', at: t, since: t };
      case 4:
        return { type: 'OperationObserved', at: t, status: 'InProgress' };
      case 5:
        return { type: 'CommandFailed', at: t, command: 'FindRestoreJob', reason: 'throttled' };
      default:
        return { type: 'Tick', at: t };
    }
  };

  it('at most one TriggerRestore before the grace period, two ever, the second only on NoRestoreJobSinceRequest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 40 })), { maxLength: 40 }),
        (steps) => {
          let run = queued();
          let t = Date.parse(at(17));
          let first: number | undefined;
          let count = 0;
          for (const [kind, gap] of steps) {
            t += gap * MIN;
            const iso = new Date(t).toISOString();
            const e = eventAt(iso, kind, run.drill?.restoreRequestedAt ?? iso);
            const d = decide(run, e, D);
            const n = ofType(d.commands, 'TriggerRestore').length;
            if (n > 0) {
              expect(n).toBe(1);
              count += 1;
              if (first === undefined) first = t;
              else {
                expect(e.type).toBe('NoRestoreJobSinceRequest');
                expect(t - first).toBeGreaterThanOrEqual(RETRIGGER_GRACE_MS);
              }
            }
            // Written in the same decision as the command.
            if (n > 0) expect(d.run.drill?.restoreRequestedAt).toBeDefined();
            run = d.run;
          }
          expect(count).toBeLessThanOrEqual(2);
        },
      ),
    );
  });
});

describe('verifying', () => {
  it('claims first, with the tags that mark the resources as this run’s', () => {
    const run = verifyingRun();
    const d = decide(run, { type: 'Tick', at: at(41) }, D);
    const [claim] = ofType(d.commands, 'ClaimDrillResources');
    expect(types(d.commands)).toEqual(['ClaimDrillResources']);
    expect(claim?.drillVmId).toBe(run.drill?.vmId);
    expect(claim?.tags[DRILL_TAG_MANAGED_BY]).toBe('iris-backup-guard');
    expect(claim?.tags[DRILL_TAG_RUN]).toBe(run.id);
    expect(claim?.tags[DRILL_TAG_SOURCE_VM]).toBe(TARGET.vmId);
    expect(Date.parse(claim?.tags[DRILL_TAG_EXPIRES] ?? '')).toBeGreaterThan(Date.parse(at(41)));
    // Within retryAfterMs the claim is not asked again.
    expect(decide(d.run, { type: 'Tick', at: at(42) }, D).commands).toEqual([]);
  });

  it('reads the drill VM each tick until running and ready, recording both times, then queues the verifier on it', () => {
    const r = verifyingRun();
    const { run, commands } = playAll(r, [
      { type: 'Tick', at: at(41) },
      { type: 'DrillResourcesClaimed', at: at(41), resourceIds: CLAIMED },
      { type: 'Tick', at: at(42) },
      { type: 'DrillVmObserved', at: at(42), exists: true, powerState: 'starting', agentReady: false },
      { type: 'Tick', at: at(43) },
      { type: 'DrillVmObserved', at: at(43), exists: true, powerState: 'running', agentReady: false },
      { type: 'Tick', at: at(44) },
    ]);
    expect(ofType(commands, 'ReadDrillVm').map((c) => c.drillVmId)).toEqual([
      r.drill?.vmId,
      r.drill?.vmId,
      r.drill?.vmId,
    ]);
    expect(run.drill?.vmRunningAt).toBe(at(43));
    expect(run.drill?.agentReadyAt).toBeUndefined();
    const q = verifierQueued();
    expect(q.drill?.vmRunningAt).toBe(at(43));
    expect(q.drill?.agentReadyAt).toBe(at(45));
    expect(q.script).toEqual(expect.objectContaining({ purpose: 'verify', vmId: q.drill?.vmId }));
  });

  it('every script command goes to the drill VM, never the production VM (invariant 3)', () => {
    const q = verifierQueued();
    const drillVm = q.drill?.vmId;
    const { commands } = playAll(q, [
      { type: 'ScriptSlotGranted', at: at(46) },
      { type: 'Tick', at: at(50) },
      verifierEnded(q, 60, verifierOutput()),
      { type: 'Tick', at: at(61) },
    ]);
    const scriptCmds = commands.filter((c) => ['StartScript', 'ReadScript', 'DeleteScript'].includes(c.type));
    expect(types(scriptCmds)).toEqual(expect.arrayContaining(['StartScript', 'ReadScript']));
    // The verifier's Run Command goes with the drill VM: no delete of its own (one ARM write fewer per drill).
    expect(types(scriptCmds)).not.toContain('DeleteScript');
    for (const c of scriptCmds) {
      expect(c.vmId).toBe(drillVm);
      expect(c.vmId).not.toBe(TARGET.vmId);
    }
  });

  it('whatever the verifier’s Run Command does (skipped, gone, failed to start, retried), its commands go to the drill VM (property)', () => {
    const q = verifierQueued();
    const drillVm = q.drill?.vmId;
    const states = ['Succeeded', 'Failed', 'Skipped', 'TimedOut', 'Canceled', 'Running', 'Pending', undefined] as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 30 })),
          {
            maxLength: 30,
          },
        ),
        (steps) => {
          let run = q;
          let t = Date.parse(at(46));
          const commands: RunCommand[] = [];
          for (const [kind, state, gap] of steps) {
            t += gap * MIN;
            const iso = new Date(t).toISOString();
            const name = run.script?.name ?? run.scriptsToDelete?.[0]?.name ?? 'x';
            const st = states[state];
            const e: RunEvent =
              kind === 0
                ? { type: 'ScriptSlotGranted', at: iso }
                : kind === 1
                  ? {
                      type: 'ScriptObserved',
                      at: iso,
                      name,
                      ...(st === undefined
                        ? {}
                        : { result: { executionState: st, exitCode: 0, output: verifierOutput(), error: '' } }),
                    }
                  : kind === 2
                    ? { type: 'ScriptStartFailed', at: iso, name, reason: 'conflict', vmNotRunning: false }
                    : kind === 3
                      ? { type: 'ScriptDeleteFailed', at: iso, name, reason: '409' }
                      : { type: 'Tick', at: iso };
            const d = decide(run, e, D);
            commands.push(...d.commands);
            run = d.run;
          }
          for (const c of commands)
            if (c.type === 'StartScript' || c.type === 'ReadScript' || c.type === 'DeleteScript')
              expect(c.vmId).toBe(drillVm);
        },
      ),
    );
  });

  const clean: IntegrityVerdict = {
    status: 'clean',
    source: 'evidence',
    databases: [
      { directory: '/usr/irissys/mgr/', status: 'ok' },
      { directory: '/usr/irissys/mgr/user/', status: 'ok' },
    ],
    errorCount: 0,
    messages: [],
  };

  it('the verifier’s end → ReadEvidence with the blob name → EvidenceRead → passed', () => {
    const s = verifierStarted();
    const end = decide(s, verifierEnded(s, 60, verifierOutput()), D);
    const [read] = ofType(end.commands, 'ReadEvidence');
    expect(read?.blobName).toBe(`drills/2026-03-10/${s.drill?.vmName}/${s.script?.name}.log`);
    expect(read?.databases).toEqual(['/usr/irissys/mgr/', '/usr/irissys/mgr/user/']);
    expect(end.run.drill?.verifier).toEqual(expect.objectContaining({ freeze: 'frozen', iris: 'up', irisSeconds: 14 }));
    expect(end.run.stage).toBe('verifying');
    const done = decide(end.run, { type: 'EvidenceRead', at: at(61), integrity: clean }, D);
    expect(done.run.stage).toBe('cleaning-up');
    expect(done.run.drill?.outcome?.verdict).toBe('passed');
    expect(alertCodes(done.commands)).toEqual([]);
    const [rec] = ofType(done.commands, 'RecordDrill');
    expect(rec?.record.verdict).toBe('passed');
    expect(rec?.record.rtoMs).toBe((39 - 17 + (43 - 39) + (45 - 43)) * MIN + 14_000 + 52_000);
  });

  it('a lost ReadEvidence is asked again by a later tick', () => {
    const s = verifierStarted();
    const end = decide(s, verifierEnded(s, 60, verifierOutput()), D);
    const t = decide(end.run, { type: 'Tick', at: plus(at(60), D.retryAfterMs) }, D);
    expect(types(t.commands)).toContain('ReadEvidence');
  });

  it('EvidenceUnavailable: the verdict from the summary, with a note', () => {
    const s = verifierStarted();
    const end = decide(s, verifierEnded(s, 60, verifierOutput()), D);
    const d = decide(end.run, { type: 'EvidenceUnavailable', at: at(61), reason: 'blob not found' }, D);
    expect(d.run.drill?.outcome?.verdict).toBe('passed');
    expect(d.run.drill?.integrity?.source).toBe('summary');
    expect(d.run.drill?.integrity?.messages.join(' ')).toContain('blob not found');
    expect(d.run.drill?.outcome?.notes.join(' ')).toContain('blob not found');
  });

  it('evidence events that no read asked for (replayed, late) change nothing', () => {
    for (const r of [verifyingRun(), verifierQueued(), verifierStarted()]) {
      expect(decide(r, { type: 'EvidenceUnavailable', at: at(61), reason: 'x' }, D).run).toBe(r);
      expect(decide(r, { type: 'EvidenceRead', at: at(61), integrity: clean }, D).run).toBe(r);
    }
  });

  const outcomeOf = (output: string, integrity?: IntegrityVerdict) => {
    const s = verifierStarted();
    const end = decide(s, verifierEnded(s, 60, output), D);
    const fin =
      integrity === undefined || end.run.stage !== 'verifying'
        ? end
        : decide(end.run, { type: 'EvidenceRead', at: at(61), integrity }, D);
    return { run: fin.run, commands: [...end.commands, ...fin.commands] };
  };

  it('isolation breached: inconclusive at isolation, and a critical DrillNotIsolated alert', () => {
    const { run, commands } = outcomeOf(
      verifierOutput({
        isolation: 'breached',
        reached: '10.0.0.4',
        iris: 'not-started',
        recovery: 'unknown',
        integrity: 'not-run',
        dbs: [],
      }),
    );
    expect(run.stage).toBe('cleaning-up');
    expect(run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'inconclusive', stage: 'isolation' }));
    const alert = ofType(commands, 'Alert').find((a) => a.code === 'DrillNotIsolated');
    expect(alert?.severity).toBe('critical');
    expect(ofType(commands, 'ReadEvidence')).toEqual([]);
  });

  it('IRIS down: failed at iris', () => {
    const { run, commands } = outcomeOf(verifierOutput({ iris: 'down', integrity: 'not-run', dbs: [], rc: 4 }));
    expect(run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'failed', stage: 'iris' }));
    expect(alertCodes(commands)).toContain('DrillFailed');
  });

  it('integrity errors: failed at integrity', () => {
    const errors: IntegrityVerdict = {
      ...clean,
      status: 'errors',
      databases: [{ directory: '/usr/irissys/mgr/user/', status: 'errors', globals: ['X'] }],
      errorCount: 1,
    };
    const { run } = outcomeOf(
      verifierOutput({ integrity: 'errors', errors: 1, dbs: ['error /usr/irissys/mgr/user/'] }),
      errors,
    );
    expect(run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'failed', stage: 'integrity' }));
    expect(run.drill?.outcome?.reason).toContain('/usr/irissys/mgr/user/');
  });

  it('a database not mounted: failed at integrity', () => {
    const notMounted: IntegrityVerdict = {
      ...clean,
      status: 'incomplete',
      databases: [...clean.databases, { directory: '/data/db/', status: 'not-mounted' }],
    };
    const { run } = outcomeOf(
      verifierOutput({ integrity: 'incomplete', dbs: ['not-mounted /data/db/', 'ok /usr/irissys/mgr/'] }),
      notMounted,
    );
    expect(run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'failed', stage: 'integrity' }));
    expect(run.drill?.outcome?.reason).toContain('/data/db/');
  });

  it('a file-system-consistent copy that recovered and is clean: passed, with a note that crash recovery ran', () => {
    const { run } = outcomeOf(verifierOutput({ freeze: 'none', journal: '-', recovery: 'recovered' }), clean);
    expect(run.drill?.outcome?.verdict).toBe('passed');
    expect(run.drill?.outcome?.notes.join(' ')).toMatch(/crash recovery/);
    expect(run.drill?.outcome?.notes.join(' ')).toMatch(/file-system-consistent/);
  });

  it('the verifier timed out in Azure: inconclusive at verify', () => {
    const s = verifierStarted();
    const d = decide(
      s,
      {
        type: 'ScriptObserved',
        at: at(60),
        name: s.script?.name ?? '',
        result: { executionState: 'TimedOut', output: '', error: '' },
      },
      D,
    );
    expect(d.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'inconclusive', stage: 'verify' }));
  });

  it('a VM not listed yet just after its restore job completed is waited for, then failed at restore', () => {
    const v = verifyingRun();
    const early = decide(v, { type: 'DrillVmObserved', at: at(41), exists: false, agentReady: false }, D);
    expect(early.run.stage).toBe('verifying');
    const later = decide(v, { type: 'DrillVmObserved', at: at(55), exists: false, agentReady: false }, D);
    expect(later.run.stage).toBe('cleaning-up');
    expect(later.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'failed', stage: 'restore' }));
  });

  it('the VM never running within the limit: failed at boot; the agent never ready: inconclusive at agent', () => {
    const limit = D.stageLimitsMs.verifying;
    const claimed = play(
      verifyingRun(),
      [
        { type: 'Tick', at: at(41) },
        { type: 'DrillResourcesClaimed', at: at(41), resourceIds: CLAIMED },
      ],
      D,
    );
    const late = plus(at(40), limit + MIN);
    const boot = decide(claimed, { type: 'Tick', at: late }, D);
    expect(boot.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'failed', stage: 'boot' }));
    const running = play(
      claimed,
      [{ type: 'DrillVmObserved', at: at(43), exists: true, powerState: 'running', agentReady: false }],
      D,
    );
    const agent = decide(running, { type: 'Tick', at: late }, D);
    expect(agent.run.drill?.outcome).toEqual(expect.objectContaining({ verdict: 'inconclusive', stage: 'agent' }));
  });

  it('the backup job ends during the drill: Completed recorded; Failed alerted and the run ends failed after cleanup', () => {
    const r = verifyingRun();
    const ok = decide(r, { type: 'JobObserved', at: at(50), job: job('Completed', { endTime: at(49) }) }, D);
    expect(ok.run.stage).toBe('verifying');
    expect(ok.run.backup.jobStatus).toBe('Completed');
    const bad = decide(r, { type: 'JobObserved', at: at(50), job: job('Failed') }, D);
    expect(bad.run.backup.transferFailed).toBe(true);
    expect(alertCodes(bad.commands)).toEqual(['BackupTransferFailed']);
    const s = play(
      bad.run,
      [
        { type: 'Tick', at: at(51) },
        { type: 'DrillResourcesClaimed', at: at(51), resourceIds: CLAIMED },
        { type: 'DrillVmObserved', at: at(52), exists: true, powerState: 'running', agentReady: true },
        { type: 'ScriptSlotGranted', at: at(53) },
      ],
      D,
    );
    const end = play(
      s,
      [verifierEnded(s, 60, verifierOutput()), { type: 'EvidenceRead', at: at(61), integrity: clean }],
      D,
    );
    const fin = play(
      end,
      [
        { type: 'DrillRecorded', at: at(62) },
        { type: 'DrillResourcesDeleted', at: at(63), deleted: CLAIMED },
      ],
      D,
    );
    expect(fin.stage).toBe('failed');
  });
});

/** A drill that ended (outcome in `verdict`) at minute 61, in cleaning-up, its resources claimed in verifying. */
const ended = (
  verdict: 'passed' | 'failed' | 'inconclusive',
  policy: RunPolicy = D,
): { run: Run; commands: RunCommand[] } => {
  const s = verifierStarted();
  const output =
    verdict === 'failed'
      ? verifierOutput({ iris: 'down', integrity: 'not-run', dbs: [] })
      : verdict === 'inconclusive'
        ? verifierOutput({ isolation: 'unknown', iris: 'not-started', integrity: 'not-run', dbs: [] })
        : verifierOutput();
  const end = decide(s, verifierEnded(s, 60, output), policy);
  const fin =
    end.run.stage === 'verifying'
      ? decide(
          end.run,
          {
            type: 'EvidenceRead',
            at: at(61),
            integrity: {
              status: 'clean',
              source: 'evidence',
              databases: [{ directory: '/usr/irissys/mgr/', status: 'ok' }],
              errorCount: 0,
              messages: [],
            },
          },
          policy,
        )
      : end;
  return { run: fin.run, commands: [...end.commands, ...fin.commands] };
};

describe('cleaning-up', () => {
  it('records first, then deletes the claimed ids, then ends in transfer-running while the job transfers, and done after', () => {
    const e = ended('passed');
    expect(e.run.stage).toBe('cleaning-up');
    expect(types(e.commands)).toContain('RecordDrill');
    // Nothing is deleted before the record is written.
    expect(ofType(decide(e.run, { type: 'Tick', at: at(90) }, D).commands, 'DeleteDrillResources')).toEqual([]);
    const rec = decide(e.run, { type: 'DrillRecorded', at: at(62) }, D);
    const [del] = ofType(rec.commands, 'DeleteDrillResources');
    expect(del?.resourceIds).toEqual([e.run.drill?.vmId, ...CLAIMED]);
    expect(del?.drillVmId).toBe(e.run.drill?.vmId);
    const gone = decide(rec.run, { type: 'DrillResourcesDeleted', at: at(63), deleted: CLAIMED }, D);
    expect(gone.run.stage).toBe('transfer-running');
    const { run } = playAll(gone.run, [
      { type: 'JobObserved', at: at(90), job: job('Completed') },
      { type: 'RecoveryPointObserved', at: at(91), point: { ...TONIGHT, tiers: ['InstantRP', 'HardenedRP'] } },
    ]);
    expect(run.stage).toBe('done');
  });

  it.each([
    ['passed', 'done'],
    ['failed', 'failed'],
    ['inconclusive', 'done'],
  ] as const)('a %s drill ends the run %s once its resources are deleted (job completed)', (verdict, stage) => {
    const e = ended(verdict);
    const r = play(
      e.run,
      [
        { type: 'JobObserved', at: at(61), job: job('Completed') },
        { type: 'DrillRecorded', at: at(62) },
        { type: 'DrillResourcesDeleted', at: at(63), deleted: CLAIMED },
      ],
      D,
    );
    expect(r.stage).toBe(stage);
    if (verdict === 'inconclusive') expect(r.reason).toMatch(/inconclusive/);
  });

  it('a drill that ended before the claim claims in cleanup, then deletes what it claimed', () => {
    const d = decide(
      requested(),
      { type: 'RestoreTriggerFailed', at: at(17), reason: 'HTTP 400', refusedBy: 'azure' },
      D,
    );
    const rec = decide(d.run, { type: 'DrillRecorded', at: at(18) }, D);
    const [claim] = ofType(rec.commands, 'ClaimDrillResources');
    expect(claim?.tags[DRILL_TAG_RUN]).toBe(d.run.id);
    const claimed = decide(rec.run, { type: 'DrillResourcesClaimed', at: at(19), resourceIds: CLAIMED }, D);
    expect(ofType(claimed.commands, 'DeleteDrillResources')[0]?.resourceIds).toEqual(CLAIMED);
  });

  it('failed deletes back off, alert DrillCleanupFailing exactly at the third failure', () => {
    const e = ended('passed');
    let run = decide(e.run, { type: 'DrillRecorded', at: at(62) }, D).run;
    let t = at(63);
    const alerts: string[][] = [];
    for (let i = 1; i <= 4; i++) {
      const f = decide(run, { type: 'DrillCleanupFailed', at: t, reason: 'HTTP 409', remaining: CLAIMED }, D);
      alerts.push(alertCodes(f.commands));
      run = f.run;
      const next = run.drill?.cleanup.nextAttemptAt ?? '';
      expect(Date.parse(next)).toBeGreaterThan(Date.parse(t));
      // No delete before nextAttemptAt, one at it.
      expect(ofType(decide(run, { type: 'Tick', at: plus(next, -1000) }, D).commands, 'DeleteDrillResources')).toEqual(
        [],
      );
      const retry = decide(run, { type: 'Tick', at: next }, D);
      expect(ofType(retry.commands, 'DeleteDrillResources')).toHaveLength(1);
      run = retry.run;
      t = next;
    }
    expect(alerts.map((a) => a.includes('DrillCleanupFailing'))).toEqual([false, false, true, false]);
    expect(CLEANUP_ALERT_AFTER).toBe(3);
  });

  it('keepFailedMs: a failed drill is re-claimed with ibg-expires = keptUntil and the run ends without deleting', () => {
    const keep = drillPolicy({ keepFailedMs: 24 * 60 * MIN });
    const e = ended('failed', keep);
    const { run, commands } = playAll(
      e.run,
      [
        { type: 'JobObserved', at: at(61), job: job('Completed') },
        { type: 'DrillRecorded', at: at(62) },
      ],
      keep,
    );
    const [claim] = ofType(commands, 'ClaimDrillResources');
    const keptUntil = run.drill?.cleanup.keptUntil;
    expect(keptUntil).toBe(plus(at(62), 24 * 60 * MIN));
    expect(claim?.tags[DRILL_TAG_EXPIRES]).toBe(keptUntil);
    const fin = playAll(
      run,
      [
        { type: 'DrillResourcesClaimed', at: at(63), resourceIds: CLAIMED },
        { type: 'Tick', at: at(90) },
      ],
      keep,
    );
    expect(ofType(fin.commands, 'DeleteDrillResources')).toEqual([]);
    expect(fin.run.stage).toBe('failed');
    expect(fin.run.reason).toContain(keptUntil);
  });

  it('a restore job first seen after the claim: claimed again once it ends, before anything is deleted or the run ends', () => {
    // The restore ran out of time before its operation named the job: cleanup claims at once (nothing known yet).
    const r = play(requested(), [{ type: 'RestoreTriggered', at: at(17), operationId: 'op-restore' }], D);
    const late = plus(at(16), D.stageLimitsMs['restore-running'] + MIN);
    const rec = play(
      r,
      [
        { type: 'Tick', at: late },
        { type: 'DrillRecorded', at: plus(late, MIN) },
      ],
      D,
    );
    const t = (m: number): string => plus(late, m * MIN);
    const { run, commands } = playAll(rec, [
      { type: 'JobObserved', at: t(1), job: job('Completed') },
      // The job turns up while the claim is under way, and the claim finds nothing yet.
      { type: 'RestoreJobObserved', at: t(2), job: restoreJob('InProgress') },
      { type: 'DrillResourcesClaimed', at: t(3), resourceIds: [] },
      { type: 'Tick', at: t(20) },
      { type: 'RestoreJobObserved', at: t(30), job: restoreJob('Completed') },
    ]);
    expect(isTerminalStage(run.stage)).toBe(false);
    const claims = ofType(commands, 'ClaimDrillResources');
    expect(claims).toHaveLength(1);
    const after = decide(run, { type: 'DrillResourcesClaimed', at: t(31), resourceIds: CLAIMED }, D);
    expect(ofType(after.commands, 'DeleteDrillResources')[0]?.resourceIds).toEqual(CLAIMED);
  });

  it('past its limit: timed-out with DrillCleanupIncomplete', () => {
    const e = ended('passed');
    const late = plus(at(61), D.stageLimitsMs['cleaning-up'] + MIN);
    const d = decide(e.run, { type: 'Tick', at: late }, D);
    expect(d.run.stage).toBe('timed-out');
    expect(alertCodes(d.commands)).toEqual(['DrillCleanupIncomplete']);
  });
});

describe('every drill run ends within its limits (invariant 6, property)', () => {
  const evAt = (t: string, k: number, run: Run): RunEvent => {
    const vm = run.drill?.vmId ?? '';
    switch (k) {
      case 0:
        return { type: 'DrillSlotGranted', at: t };
      case 1:
        return { type: 'RestoreTriggered', at: t, operationId: 'op' };
      case 2:
        return { type: 'OperationObserved', at: t, status: 'InProgress', jobId: RESTORE_JOB };
      case 3:
        return { type: 'RestoreJobObserved', at: t, job: restoreJob('InProgress') };
      case 4:
        return { type: 'RestoreJobObserved', at: t, job: restoreJob('Completed') };
      case 5:
        return { type: 'RestoreJobObserved', at: t, job: restoreJob('Failed') };
      case 6:
        return { type: 'DrillResourcesClaimed', at: t, resourceIds: [vm, ...CLAIMED] };
      case 7:
        return { type: 'DrillVmObserved', at: t, exists: true, powerState: 'running', agentReady: true };
      case 8:
        return { type: 'ScriptSlotGranted', at: t };
      case 9:
        return verifierEnded(run, 0, verifierOutput()).type === 'ScriptObserved'
          ? { ...verifierEnded(run, 0, verifierOutput()), at: t }
          : { type: 'Tick', at: t };
      case 10:
        return { type: 'EvidenceUnavailable', at: t, reason: 'gone' };
      case 11:
        return { type: 'DrillRecorded', at: t };
      case 12:
        return { type: 'DrillCleanupFailed', at: t, reason: '409', remaining: CLAIMED };
      case 13:
        return { type: 'DrillResourcesDeleted', at: t, deleted: CLAIMED };
      case 14:
        return { type: 'JobObserved', at: t, job: job('InProgress') };
      case 15:
        return { type: 'NoRestoreJobSinceRequest', at: t, since: run.drill?.restoreRequestedAt ?? t };
      case 16:
        return { type: 'CommandFailed', at: t, command: 'ReadDrillVm', reason: 'throttled' };
      default:
        return { type: 'Tick', at: t };
    }
  };

  it('random events, then ticks past every limit: a terminal stage', () => {
    const maxLimit = Math.max(...Object.values(D.stageLimitsMs));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 17 }), fc.integer({ min: 0, max: 120 })), { maxLength: 60 }),
        (steps) => {
          let run = queued();
          let t = Date.parse(at(17));
          for (const [k, gap] of steps) {
            t += gap * MIN;
            run = decide(run, evAt(new Date(t).toISOString(), k, run), D).run;
          }
          // No more answers: only ticks. Every stage (restore, verify, cleanup, transfer) ends by its limit.
          for (let i = 0; i < 12 && !isTerminalStage(run.stage); i++) {
            t += maxLimit + D.retryAfterMs + MIN;
            run = decide(run, { type: 'Tick', at: new Date(t).toISOString() }, D).run;
          }
          expect(isTerminalStage(run.stage)).toBe(true);
          expect(Date.parse(run.finishedAt ?? '')).toBeGreaterThan(Date.parse(T0));
        },
      ),
    );
  });
});

describe('a run stored in a drill stage without its drill (older version)', () => {
  it.each(['restore-running', 'verifying'] as const)('%s ends timed-out at its limit, not before', (stage) => {
    const base = verifyingRun();
    const run: Run = { ...base, stage, stageStartedAt: at(40) };
    delete run.drill;
    const limit = D.stageLimitsMs[stage];
    expect(decide(run, { type: 'Tick', at: plus(at(40), limit) }, D).run.stage).toBe(stage);
    expect(decide(run, { type: 'Tick', at: plus(at(40), limit + 1) }, D).run.stage).toBe('timed-out');
  });
});
