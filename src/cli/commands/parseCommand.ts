import * as fs from 'node:fs';
import { parseArgs, UsageError } from '../args';
import { CliCommand, EXIT_OK } from '../cliCommand';
import { isParseKind, PARSE_KINDS, renderParsed } from '../../shared/parsers/parseCommand';
import { terminalJsonText, terminalText } from '../../shared/report/terminalText';

/** Logs copied from a VM can be large; the parsers keep the newest part, so read no more than they use. */
const MAX_READ_BYTES = 16 * 1024 * 1024;

function readTail(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, MAX_READ_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

export const parseCommand: CliCommand = {
  name: 'parse',
  summary: 'Parse a log copied from a VM: script log, extension.log, messages.log, qlist or integrity output',
  usage: `iris-backup-guard parse <${PARSE_KINDS.join('|')}> <file> [--json]`,
  async run(argv, io) {
    const args = parseArgs(argv, { flags: ['json'] });
    const [kind, file, extra] = args.positionals;
    if (kind === undefined || file === undefined) throw new UsageError('parse needs a kind and a file');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (!isParseKind(kind)) throw new UsageError(`unknown kind "${kind}"; use one of ${PARSE_KINDS.join(', ')}`);
    const json = args.options.json === true;
    const rendered = renderParsed(kind, readTail(file), { json });
    // The parsed text quotes the log: the one terminal-text policy applies (src/shared/report/terminalText.ts).
    io.out(json ? terminalJsonText(rendered) : terminalText(rendered));
    return EXIT_OK;
  },
};
