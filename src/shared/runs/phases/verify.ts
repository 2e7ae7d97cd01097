/**
 * Stage 'verifying': the drill VM the restore created is claimed (tagged as the app's), followed until it runs and
 * its agent is ready, then the verifier runs on it as an asynchronous Run Command (vm/drill-verify.sh: freeze state
 * at the snapshot, isolation, IRIS start without user code, crash recovery, integrity of every database, stop).
 * Its whole output goes to the evidence blob, which the integrity parser reads for the verdict.
 */
import { drillOutcomeOf, type DrillVerifierFacts } from '../../drills/drillOutcome';
import type { DrillOutcome, RunDrill } from '../../drills/drillState';
import { evidenceBlobName } from '../../drills/evidenceBlobName';
import { integrityFromSummary, type IntegrityVerdict } from '../../drills/integrityVerdict';
import { verifierFactsOf } from '../../drills/verifierFacts';
import type { Run } from '../run';
import { drillTagsFor, withClaimed } from './drillClaim';
import { endDrill, onBackupJobDuringDrill } from './drillFlow';
import { minutes, ms } from './isoTime';
import type { PhaseContext, PhaseHandler, RunIn } from './phase';
import { onCommandFailed } from './retry';
import { settled } from './transitions';
import { timedOut } from './timeLimit';
import { onScriptStageEvent, onScriptStageTick, queueScript, type ScriptEnd, type ScriptStage } from './vmScript';

/** How long after its restore job completed a VM not found yet is still waited for. */
export const VM_LISTING_LAG_MS = 10 * 60_000;

export const verifying: PhaseHandler<'verifying'> = (run, event, ctx) => {
  const drill = run.drill;
  // A run stored in a drill stage without its drill (written by an older version): it ends at its time limit.
  if (drill === undefined) return event.type === 'Tick' ? (timedOut(run, event.at, ctx) ?? run) : run;
  const c = ctx.commands;
  switch (event.type) {
    case 'Tick':
      return onVerifyTick(run, drill, event.at, ctx);
    case 'DrillResourcesClaimed':
      return {
        ...settled(run, event.at),
        drill: {
          ...drill,
          cleanup: withClaimed(drill.cleanup, event.resourceIds, event.at),
        },
      };
    case 'DrillVmObserved': {
      const next = settled(run, event.at);
      // ARM may list a VM a little after the job that created it completed.
      if (!event.exists && ms(event.at) - ms(drill.restoreJobEnd ?? event.at) < VM_LISTING_LAG_MS) return next;
      if (!event.exists)
        return endDrill(
          next,
          {
            verdict: 'failed',
            stage: 'restore',
            reason: `the restore job completed but the VM ${drill.vmName} does not exist`,
            notes: [],
            at: event.at,
          },
          c,
        );
      const running = event.powerState === 'running';
      const d: RunDrill = {
        ...drill,
        ...(running && drill.vmRunningAt === undefined ? { vmRunningAt: event.at } : {}),
      };
      if (running && event.agentReady && d.agentReadyAt === undefined) {
        // The agent is ready: the verifier may start (it waits for a Run Command slot like any script).
        return queueScript(
          { ...next, drill: { ...d, agentReadyAt: event.at } },
          'verify',
          event.at,
          undefined,
          1,
          drill.vmId,
        );
      }
      return d.vmRunningAt === drill.vmRunningAt ? run : { ...next, drill: d };
    }
    case 'ScriptSlotGranted':
    case 'ScriptStartFailed':
    case 'ScriptObserved':
      return onScriptStageEvent(run, event, ctx, verifyStage(ctx));
    case 'EvidenceRead':
      // Only a read this run asked for ends the drill (a replayed or late answer changes nothing).
      if (!drill.readingEvidence) return run;
      return conclude(
        { ...settled(run, event.at), drill: { ...drill, readingEvidence: false } },
        event.integrity,
        event.at,
        ctx,
      );
    case 'EvidenceUnavailable': {
      if (!drill.readingEvidence) return run;
      const v = drill.verifier;
      const fallback = v === undefined ? undefined : summaryIntegrity(drill);
      const note = `the whole verifier output could not be read (${event.reason}); the integrity verdict comes from its summary`;
      const next: Run = { ...settled(run, event.at), drill: { ...drill, readingEvidence: false } };
      return conclude(
        next,
        fallback === undefined ? undefined : { ...fallback, messages: [note, ...fallback.messages] },
        event.at,
        ctx,
        [note],
      );
    }
    case 'JobObserved':
      return onBackupJobDuringDrill(run, event.job, event.at, c);
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

/** The verifier's end: its summary parsed, then the whole output read from the evidence blob for the verdict. */
const verifyStage = (ctx: PhaseContext): ScriptStage => {
  const limitMs = ctx.policy.stageLimitsMs.verifying;
  return {
    limitMs,
    overdueReason: (started) =>
      started
        ? `the verifier gave no result within the verification limit of ${minutes(limitMs)} (IBG_LIMIT_VERIFY_MINUTES)`
        : `the verifier could not start within the verification limit of ${minutes(limitMs)}`,
    queue: (run, at) => queueScript(run, 'verify', at, undefined, 1, run.drill?.vmId),
    onEnd: (run, end, at) => onVerifierEnd(run, end, at, ctx),
  };
};

function onVerifierEnd(run: Run, end: ScriptEnd, at: string, ctx: PhaseContext): Run {
  const drill = run.drill;
  if (drill === undefined) return run;
  if (!end.ran) {
    const stage = end.vmNotRunning ? 'boot' : 'verify';
    return endDrill(run, { verdict: 'inconclusive', stage, reason: end.reason, notes: [], at }, ctx.commands);
  }
  const verifier = verifierFactsOf(end.result.output, end.result.exitCode);
  const blob = evidenceBlobName(run.night, drill.vmName, end.name);
  const withFacts: RunDrill = { ...drill, verifier, evidenceBlob: blob };
  // Only an integrity check that ran has an output worth reading in full.
  if (verifier.integrity !== 'not-run' && verifier.iris === 'up') {
    ctx.commands.add({ type: 'ReadEvidence', blobName: blob, databases: verifier.databases.map((d) => d.directory) });
    return { ...run, updatedAt: at, pendingSince: at, drill: { ...withFacts, readingEvidence: true } };
  }
  return conclude({ ...run, drill: withFacts }, summaryIntegrity(withFacts), at, ctx);
}

function summaryIntegrity(drill: RunDrill): IntegrityVerdict | undefined {
  const v: DrillVerifierFacts | undefined = drill.verifier;
  if (v === undefined || v.integrity === 'not-run') return undefined;
  return integrityFromSummary(v.integrity, v.databases, v.integrityErrors, v.databasesMore);
}

/** `notes`: what the outcome must also say (the verdict came from the summary alone). */
function conclude(
  run: Run,
  integrity: IntegrityVerdict | undefined,
  at: string,
  ctx: PhaseContext,
  notes: string[] = [],
): Run {
  const drill = run.drill;
  if (drill === undefined) return run;
  const v = drill.verifier;
  const outcome: DrillOutcome =
    v === undefined
      ? { verdict: 'inconclusive', stage: 'verify', reason: 'the verifier reported nothing', notes: [], at }
      : drillOutcomeOf(v, integrity, at);
  if (notes.length > 0) outcome.notes = [...outcome.notes, ...notes];
  const next: Run = { ...run, drill: { ...drill, ...(integrity === undefined ? {} : { integrity }) } };
  return endDrill(next, outcome, ctx.commands);
}

function onVerifyTick(run: RunIn<'verifying'>, drill: RunDrill, at: string, ctx: PhaseContext): Run {
  const c = ctx.commands;
  // Once the verifier is queued or running, its own stage logic holds the time limit (a started one is read once
  // more before it is given up).
  if (run.script !== undefined) return onScriptStageTick(run, at, ctx, verifyStage(ctx));
  const limit = ctx.policy.stageLimitsMs.verifying;
  if (ms(at) - ms(run.stageStartedAt) > limit) {
    const outcome: DrillOutcome =
      drill.vmRunningAt === undefined
        ? {
            verdict: 'failed',
            stage: 'boot',
            reason: `the restored VM did not start within ${minutes(limit)}`,
            notes: [],
            at,
          }
        : drill.agentReadyAt === undefined
          ? {
              verdict: 'inconclusive',
              stage: 'agent',
              reason: `the restored VM's agent was not ready within ${minutes(limit)}, so no Run Command could verify it`,
              notes: [],
              at,
            }
          : {
              verdict: 'inconclusive',
              stage: drill.readingEvidence ? 'integrity' : 'verify',
              reason: `the verification did not finish within ${minutes(limit)}`,
              notes: [],
              at,
            };
    return endDrill(run, outcome, c);
  }
  if (run.pendingSince !== undefined && ms(at) - ms(run.pendingSince) < ctx.policy.retryAfterMs) return run;
  if (drill.cleanup.claimedAt === undefined) {
    c.add({
      type: 'ClaimDrillResources',
      drillVmId: drill.vmId,
      drillVmName: drill.vmName,
      since: drill.restoreRequestedAt ?? drill.queuedAt,
      tags: drillTagsFor(run, at, ctx.policy),
    });
    return { ...run, updatedAt: at, pendingSince: at };
  }
  if (drill.readingEvidence && drill.evidenceBlob !== undefined) {
    const databases = (drill.verifier?.databases ?? []).map((d) => d.directory);
    c.add({ type: 'ReadEvidence', blobName: drill.evidenceBlob, databases });
    return { ...run, updatedAt: at, pendingSince: at };
  }
  if (drill.agentReadyAt === undefined) {
    // Read each tick while it boots: cheap, and it gives the boot and agent times at tick granularity.
    c.add({ type: 'ReadDrillVm', drillVmId: drill.vmId });
    return run;
  }
  return onScriptStageTick(run, at, ctx, verifyStage(ctx));
}
