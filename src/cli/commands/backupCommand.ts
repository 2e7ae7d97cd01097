import { optionString, parseArgs, UsageError } from '../args';
import { signIn } from '../azureSignIn';
import { CliCommand, CliIo, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, FAILURE_MEANING, USAGE_MEANING } from '../cliCommand';
import { requireVmId } from './checkCommand';
import { loadSettings } from '../../shared/config/settings';
import { toError } from '../../shared/errors/appError';
import { advanceRun } from '../../shared/protection/advanceRuns';
import { createProtectionDeps } from '../../composition/composition';
import { nightOf } from '../../shared/protection/night';
import type { ProtectionDeps, ProtectionLog } from '../../shared/protection/protectionDeps';
import { protectVmNow } from '../../shared/protection/protectVmNow';
import { isTerminalStage, type Run } from '../../shared/runs/run';
import { formatRunVerdict, runProgressLine } from '../../shared/report/runReport';
import { terminalJson, terminalLine } from '../../shared/report/terminalText';
import type { TokenCredential } from '../../shared/gateways/azureCredential';

export const BACKUP_SCHEMA = 'iris-backup-guard/backup@1';

/**
 * Between two looks at the run. A backup job takes tens of minutes, so a poll every 30 s is prompt enough and
 * costs about one job listing and one table read each time.
 */
export const FOLLOW_INTERVAL_MS = 30_000;
/** A run ends by its stage time limits; this only stops a loop whose clock never moves (a broken `wait`). */
const MAX_POLLS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Warnings and alerts go to stderr, so that stdout stays the result (and pure JSON with --json). Alert lines quote
 * verdict reasons, hence VM logs: one escaped line each.
 */
export const cliProtectionLog = (io: CliIo): ProtectionLog => ({
  info: () => undefined,
  warn: (message) => io.err(terminalLine(`warning: ${message}`)),
  error: (message) => io.err(terminalLine(`error: ${message}`)),
});

export const cliProtectionDeps = (io: CliIo, credential: TokenCredential | undefined = io.credential): ProtectionDeps =>
  createProtectionDeps(io.env, {
    ...(credential ? { credential } : {}),
    ...(io.clock ? { clock: io.clock } : {}),
    log: cliProtectionLog(io),
  });

const progressKey = (run: Run): string => `${run.stage}|${run.backup.jobStatus ?? ''}`;

export const backupCommand: CliCommand = {
  name: 'backup',
  summary: 'Back up one VM now (preflight, on-demand backup) and follow it to its verdict',
  usage: [
    'iris-backup-guard backup --vm <resourceId> [--json]',
    '',
    'Runs the VM’s protection cycle for tonight now, as the nightly timer would: the VM must be protected by a',
    'configured vault (IBG_VAULT_IDS). If tonight’s run already exists it is followed, never repeated.',
    `Polls every ${FOLLOW_INTERVAL_MS / 1000} s until the run ends. --json prints the run with its schema,`,
    `${BACKUP_SCHEMA} (the run's own fields plus \`schema\`).`,
  ].join('\n'),
  exitCodes: {
    [EXIT_OK]: 'the backup is IRIS-consistent',
    [EXIT_FINDINGS]: 'any other outcome: not IRIS-consistent, failed or timed out',
    2: USAGE_MEANING,
    [EXIT_FAILURE]: FAILURE_MEANING,
  },
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['vm'], flags: ['json'] });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const vmId = requireVmId(optionString(args, 'vm'));
    const json = args.options.json === true;
    // With --json, stdout carries only the run.
    const progress = (text: string): void => (json ? io.err(text) : io.out(text));
    // The settings are checked first (a ConfigError names every bad one), then the sign-in.
    loadSettings(io.env);
    const deps = cliProtectionDeps(io, await signIn(io));
    const wait = io.wait ?? sleep;
    const night = nightOf(deps.clock.now(), deps.settings.schedules.nightTimeZone);

    const started = await protectVmNow(deps, vmId, night);
    let run = started.stored.run;
    progress(
      started.outcome === 'exists'
        ? `Tonight’s run for ${run.target.vmName} already exists (${run.id}); following it.`
        : `Started run ${run.id}.`,
    );
    progress(runProgressLine(run));
    let shown = progressKey(run);
    // The verdict comes at the snapshot; the job's transfer to the vault can take hours more, and the timer
    // (advanceRuns) records its end, so following stops at the verdict.
    for (let polls = 0; !isTerminalStage(run.stage) && run.stage !== 'transfer-running'; polls += 1) {
      if (polls >= MAX_POLLS) {
        io.err(`Stopped following run ${run.id} in stage ${run.stage}; see \`iris-backup-guard status\`.`);
        return EXIT_FAILURE;
      }
      await wait(FOLLOW_INTERVAL_MS);
      const result = await advanceRun(deps, run.id);
      for (const e of result.errors) io.err(terminalLine(`warning: advancing the run failed: ${e.error}`));
      for (const e of result.vaultErrors) {
        io.err(terminalLine(`warning: could not list the jobs of ${e.vaultId}: ${e.error}`));
      }
      const stored = await deps.store.get(run.id).catch((e: unknown) => {
        io.err(terminalLine(`warning: could not read the run: ${toError(e).message}`));
        return undefined;
      });
      if (stored) run = stored.run;
      if (progressKey(run) !== shown) {
        shown = progressKey(run);
        progress(runProgressLine(run));
      }
    }
    io.out(json ? terminalJson({ schema: BACKUP_SCHEMA, ...run }) : formatRunVerdict(run));
    return run.verdict?.consistency === 'iris-consistent' ? EXIT_OK : EXIT_FINDINGS;
  },
};
