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
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
/** The command ran and found problems (findings at error level, a failed verdict). */
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 3;
