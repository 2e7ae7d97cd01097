import { optionString, parseArgs, UsageError } from '../args';
import { signIn } from '../azureSignIn';
import { CliCommand, CliIo, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, USAGE_MEANING } from '../cliCommand';
import { cliProtectionDeps, FOLLOW_INTERVAL_MS } from './backupCommand';
import { requireVmId } from './checkCommand';
import { loadSettings } from '../../shared/config/settings';
import { DRILL_RECORD_SCHEMA, drillRecordOf } from '../../shared/drills/drillRecord';
import { ConfigError, isAppError, toError } from '../../shared/errors/appError';
import { advanceRun } from '../../shared/protection/advanceRuns';
import { DrillRefused, drillVmNow } from '../../shared/protection/drillVmNow';
import { nightOf } from '../../shared/protection/night';
import type { ProtectionDeps } from '../../shared/protection/protectionDeps';
import { drillMilestones, formatDrillResult } from '../../shared/report/drillReport';
import { terminalJson, terminalLine, terminalText } from '../../shared/report/terminalText';
import { isTerminalStage, type Run } from '../../shared/runs/run';

export const DRILL_SCHEMA = DRILL_RECORD_SCHEMA;

/** A drill ends by its stage time limits; this only stops a loop whose clock never moves (a broken `wait`). */
const MAX_POLLS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Settings and refusals are the operator's to fix: exit 2, with the message that says how. */
function refuse(io: CliIo, message: string): number {
  io.err(terminalText(message));
  return EXIT_USAGE;
}

export const drillCommand: CliCommand = {
  name: 'drill',
  summary: 'Restore-drill one VM now: restore a recovery point into the drill group, verify IRIS there, clean up',
  usage: [
    'iris-backup-guard drill --vm <resourceId> [--recovery-point <name or id>] [--json]',
    '',
    'Restores the VM’s newest recovery point (or the one given) as a new VM in the isolated drill resource group,',
    'starts IRIS there (crash recovery), checks the integrity of every database, records the result and deletes',
    'the drill VM. Needs drills configured (IBG_DRILL_ENABLED and the other IBG_DRILL_* settings) and the VM',
    `protected by a configured vault. Polls every ${FOLLOW_INTERVAL_MS / 1000} s and prints one line per phase; at`,
    'the end the verdict, the RTO by phase, the integrity per database and the evidence blob.',
    `--json prints the drill record (schema ${DRILL_SCHEMA}) and the run's final stage as \`runStage\`.`,
  ].join('\n'),
  exitCodes: {
    [EXIT_OK]: 'the drill passed: the restored copy started and its databases are intact',
    [EXIT_FINDINGS]: 'the drill failed or was inconclusive (the output says at which stage and why)',
    [EXIT_USAGE]: `${USAGE_MEANING}; or drills are not configured, or the VM is not protected by a configured vault, or --recovery-point is not one of its points (nothing was created)`,
    [EXIT_FAILURE]: 'unexpected: sign-in, Azure or the runs table failed (the drill may have started; see `status`)',
  },
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['vm', 'recovery-point'], flags: ['json'] });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const vmId = requireVmId(optionString(args, 'vm'));
    const recoveryPoint = optionString(args, 'recovery-point');
    const json = args.options.json === true;
    // With --json, stdout carries only the record.
    const progress = (text: string): void => (json ? io.err(text) : io.out(text));
    try {
      loadSettings(io.env);
    } catch (e) {
      if (e instanceof ConfigError) return refuse(io, `${e.message}\n(see README, "Restore drills")`);
      throw e;
    }
    const credential = await signIn(io);
    let deps: ProtectionDeps;
    try {
      // Drills on without an evidence container is refused here (composition), after the settings themselves.
      deps = cliProtectionDeps(io, credential);
    } catch (e) {
      if (e instanceof ConfigError) return refuse(io, `${e.message}\n(see README, "Restore drills")`);
      throw e;
    }
    const wait = io.wait ?? sleep;
    const night = nightOf(deps.clock.now(), deps.settings.schedules.nightTimeZone);

    let run: Run;
    try {
      const started = await drillVmNow(deps, vmId, night, recoveryPoint === undefined ? {} : { recoveryPoint });
      run = started.stored.run;
    } catch (e) {
      if (e instanceof DrillRefused) return refuse(io, e.message);
      if (isAppError(e) && e.code === 'INVALID_INPUT') return refuse(io, e.message);
      throw e;
    }
    progress(terminalLine(`Started drill ${run.id}: ${run.target.vmName} → ${run.drill?.vmName ?? '?'}.`));
    const shown = new Set<string>();
    const showProgress = (): void => {
      for (const m of drillMilestones(run)) {
        if (shown.has(m.key)) continue;
        shown.add(m.key);
        progress(m.text);
      }
    };
    showProgress();
    for (let polls = 0; !isTerminalStage(run.stage); polls += 1) {
      if (polls >= MAX_POLLS) {
        io.err(`Stopped following drill ${run.id} in stage ${run.stage}; see \`iris-backup-guard status\`.`);
        return EXIT_FAILURE;
      }
      await wait(FOLLOW_INTERVAL_MS);
      const result = await advanceRun(deps, run.id);
      for (const e of result.errors) io.err(terminalLine(`warning: advancing the drill failed: ${e.error}`));
      for (const e of result.vaultErrors) {
        io.err(terminalLine(`warning: could not list the jobs of ${e.vaultId}: ${e.error}`));
      }
      const stored = await deps.store.get(run.id).catch((e: unknown) => {
        io.err(terminalLine(`warning: could not read the drill run: ${toError(e).message}`));
        return undefined;
      });
      if (stored) run = stored.run;
      showProgress();
    }
    const record = drillRecordOf(run);
    if (json)
      io.out(
        terminalJson({
          ...(record ?? { schema: DRILL_SCHEMA, runId: run.id, reason: run.reason }),
          runStage: run.stage,
        }),
      );
    else io.out(formatDrillResult(run, record));
    return record?.verdict === 'passed' ? EXIT_OK : EXIT_FINDINGS;
  },
};
