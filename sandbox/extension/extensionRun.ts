/**
 * The simulated VMSnapshotLinux run for one backup job: validate, pre-script, freeze, snapshot, thaw, post-script,
 * status, in the real extension's order (reference/vmsnapshot.md §3.5). Decisions come from extensionRules.ts.
 */
import type { VmProcessRunner } from '../vmProcess';
import { fileViewOf, hostPath } from '../vmRoot';
import {
  type ExtensionOutcome,
  type PhaseDecision,
  type ScriptRun,
  type ScriptRunnerConfig,
  decidePhase,
  effectiveScriptTimeoutSeconds,
  outcomeAfterScripts,
  outcomeForInvalid,
  phaseStartLog,
  pyTruthy,
  snapshotAfterPre,
  validateSetup,
} from './extensionRules';
import { EXTENSION_LOG_PATH, ExtensionLogWriter } from './extensionLog';

export interface ExtensionRunContext {
  root: string;
  /**
   * The run's clock as sandbox time minus real time (ms): log times, the scripts' `date` and the snapshot time all
   * follow it, so one run keeps one timeline even if the sandbox clock is advanced while it runs.
   */
  clockOffsetMs: number;
  processes: VmProcessRunner;
  /** Copies the VM root into a recovery point store, with the run's time of the snapshot; returns where. */
  takeSnapshot: (at: Date) => Promise<string>;
  discardSnapshot: (dir: string) => void;
  /** Extra environment for the scripts (fault switches for the simulated commands). */
  env?: Record<string, string>;
}

export interface ExtensionRunResult {
  outcome: ExtensionOutcome;
  snapshotDir?: string;
}

const FREEZE_TIMEOUT_SECONDS = 60;

/** The current time on the run's clock. */
export const runClockNow = (ctx: Pick<ExtensionRunContext, 'clockOffsetMs'>): Date =>
  new Date(Date.now() + ctx.clockOffsetMs);

async function runScript(
  ctx: ExtensionRunContext,
  config: ScriptRunnerConfig,
  which: 'pre' | 'post',
): Promise<ScriptRun> {
  const location = which === 'pre' ? config.preScriptLocation : config.postScriptLocation;
  const params = which === 'pre' ? config.preScriptParams : config.postScriptParams;
  const end = await ctx.processes.run({
    root: ctx.root,
    args: [hostPath(ctx.root, location), ...params],
    env: ctx.env,
    timeoutMs: effectiveScriptTimeoutSeconds(config) * 1000,
    killOnTimeout: false,
    clockOffsetMs: ctx.clockOffsetMs,
  });
  return end.kind === 'timedOut' ? { kind: 'timedOut' } : { kind: 'exited', exitCode: end.exitCode };
}

async function snapshotWithFreeze(ctx: ExtensionRunContext, log: ExtensionLogWriter, freeze: boolean): Promise<string> {
  if (freeze) log.write([`T:S freeze, timeout value ${FREEZE_TIMEOUT_SECONDS}`, 'fsfreeze mount :/']);
  const dir = await ctx.takeSnapshot(runClockNow(ctx));
  if (freeze) log.write(['T:S thaw result 0']);
  return dir;
}

export async function runExtension(ctx: ExtensionRunContext): Promise<ExtensionRunResult> {
  const log = new ExtensionLogWriter(hostPath(ctx.root, EXTENSION_LOG_PATH), () => runClockNow(ctx));
  log.write(['Transitioning state in extension']);
  const setup = validateSetup(fileViewOf(ctx.root));
  log.write(setup.log);

  if (setup.kind === 'workload' || setup.kind === 'noPlugins') {
    const snapshotDir = await snapshotWithFreeze(ctx, log, true);
    const type = setup.kind === 'noPlugins' ? 'AppConsistent' : 'FileSystemConsistent';
    return { outcome: { recoveryPointType: type, jobStatus: 'Completed', extErrorCode: 0, log: [] }, snapshotDir };
  }
  if (setup.kind === 'invalid') {
    const outcome = outcomeForInvalid(setup);
    const snapshotDir = outcome.recoveryPointType !== undefined ? await snapshotWithFreeze(ctx, log, true) : undefined;
    return { outcome, snapshotDir };
  }

  const { config } = setup;
  log.write(phaseStartLog(config, 'pre'));
  const pre = decidePhase(config, 'pre', await runScript(ctx, config, 'pre'));
  log.write(pre.log);
  let snapshotDir: string | undefined;
  if (snapshotAfterPre(config, pre)) snapshotDir = await snapshotWithFreeze(ctx, log, pyTruthy(config.fsFreezeEnabled));
  let post: PhaseDecision | undefined;
  if (!pre.crashed) {
    log.write(phaseStartLog(config, 'post'));
    post = decidePhase(config, 'post', await runScript(ctx, config, 'post'));
    log.write(post.log);
  }
  const outcome = outcomeAfterScripts(config, pre, snapshotDir !== undefined, post);
  log.write(outcome.log);
  if (outcome.recoveryPointType === undefined && snapshotDir !== undefined) {
    ctx.discardSnapshot(snapshotDir);
    snapshotDir = undefined;
  }
  return { outcome, snapshotDir };
}
