import type { CliIo } from '../../src/cli/cliCommand';

export interface CapturedIo extends CliIo {
  stdout: () => string;
  stderr: () => string;
}

/** A CliIo that keeps what the command printed, for assertions. */
export function captureIo(env: Record<string, string | undefined> = {}, extra: Partial<CliIo> = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env,
    ...extra,
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  };
}
