/** What every CLI command looks like: its help, and a run that writes through `io` and returns an exit code. */
import type { Clock } from '../shared/clock/clock';
import type { TokenCredential } from '../shared/gateways/azureCredential';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Azure access; DefaultAzureCredential and the system clock unless the caller (the demo) supplies others. */
  credential?: TokenCredential;
  clock?: Clock;
  /** Waits between polls; the demo moves the sandbox clock instead of sleeping. */
  wait?: (ms: number) => Promise<void>;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** What each exit code means for this command; `--help` lists them. Default: DEFAULT_EXIT_CODES. */
  exitCodes?: Readonly<Record<number, string>>;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
/** The command ran and found problems (findings at error level, a failed verdict). */
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 3;

export const USAGE_MEANING = 'usage error: a wrong option or value (the message says which, and how to fix it)';
export const FAILURE_MEANING = 'the command could not do its work (settings, sign-in, Azure or the VM failed)';

/** The exit codes of a command that has no findings to report. */
export const DEFAULT_EXIT_CODES: Readonly<Record<number, string>> = {
  [EXIT_OK]: 'done',
  [EXIT_USAGE]: USAGE_MEANING,
  [EXIT_FAILURE]: FAILURE_MEANING,
};
