import * as fs from 'node:fs';
import { parseArgs, UsageError } from '../args';
import { CliCommand, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../cliCommand';
import { LOG_LIMITS } from '../../shared/parsers/inputLines';
import { checkTextSample, SNIFF_BYTES, wrongKindError } from '../../shared/parsers/inputSniff';
import { parseIntegrityStream } from '../../shared/parsers/integrityLog';
import {
  integrityDocument,
  isParseKind,
  ParsedDocument,
  parseByKind,
  ParseKind,
  PARSE_KINDS,
  PARSE_SCHEMA,
} from '../../shared/parsers/parsedDocument';
import { PARSE_ERROR_SCHEMA, ParseInputError } from '../../shared/parsers/parseError';
import { parseVerdict, recognisedAnything } from '../../shared/parsers/parseVerdict';
import { renderDocument } from '../../shared/report/parseReport';
import { terminalJson, terminalText } from '../../shared/report/terminalText';

/** The whole-text parsers keep the newest 4 MiB of a log (qlist its head): read no more than they use. */
const TAIL_BYTES = LOG_LIMITS.maxChars;
const QLIST_HEAD_BYTES = 1024 * 1024;
const COUNT_CHUNK_BYTES = 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;

const USAGE = [
  `iris-backup-guard parse <${PARSE_KINDS.join('|')}> <file> [--json]`,
  '',
  'Reads a log copied from a VM. integrity output is streamed whole, in bounded memory, whatever its size; the',
  'other logs are read from their last 4 MiB (qlist from its first 1 MiB). Line numbers count from the start of the',
  'file. A missing, empty, binary or directory input, or a file of another kind, is refused with what to do instead.',
  `--json prints { schema: "${PARSE_SCHEMA}", kind, value, problems, verdict }, or on a refusal`,
  `{ schema: "${PARSE_ERROR_SCHEMA}", error: { code, message, fix }, kind, file, suggestedKind }.`,
].join('\n');

const EXIT_CODES: Readonly<Record<number, string>> = {
  [EXIT_OK]: 'parsed; the log reports nothing wrong',
  [EXIT_FINDINGS]:
    'parsed; the log reports a problem: integrity errors or no final summary, a failed or only file-system-' +
    'consistent backup run (extension-log), a failed freeze/thaw or script error (script-log), a fatal entry or a ' +
    'failed recovery (messages-log), an instance neither running nor down (qlist)',
  [EXIT_USAGE]:
    'usage error, or input that cannot be parsed: missing, unreadable, a directory, empty, binary, or not the kind ' +
    'given (the message says which, and how to fix it)',
  [EXIT_FAILURE]: 'the command failed unexpectedly',
};

function fileError(file: string, e: unknown): ParseInputError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  if (code === 'ENOENT') {
    return new ParseInputError('not-found', `cannot read ${file}: ENOENT (no such file)`, 'Check the path.');
  }
  if (code === 'EISDIR') return isDirectoryError(file);
  return new ParseInputError(
    'not-readable',
    `cannot read ${file}: ${code}`,
    code === 'EACCES' ? 'Make the copy readable by you (or run as its owner).' : 'Check the file.',
  );
}

function isDirectoryError(file: string): ParseInputError {
  return new ParseInputError('is-directory', `${file} is a directory`, 'Give the log file inside it.');
}

/**
 * Line breaks (LF, CRLF or a lone CR, as the parsers count them) in the file's first `end` bytes, read in chunks:
 * how many lines the tail read of a big log skipped.
 */
async function countLineBreaks(handle: fs.promises.FileHandle, end: number): Promise<number> {
  const buffer = Buffer.alloc(Math.min(COUNT_CHUNK_BYTES, end));
  let count = 0;
  let previousCr = false;
  for (let position = 0; position < end;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
    if (bytesRead === 0) break;
    for (let i = 0; i < bytesRead; i += 1) {
      const b = buffer[i];
      if (b === LF) {
        if (!previousCr) count += 1;
        previousCr = false;
      } else {
        // A CR is a break on its own; the LF of a CRLF then adds nothing.
        if (b === CR) count += 1;
        previousCr = b === CR;
      }
    }
    position += bytesRead;
  }
  return count;
}

async function readRange(handle: fs.promises.FileHandle, start: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * The last TAIL_BYTES of a log from the start of a line, and the number of that line in the file. The byte before
 * the range is read too, so a range that already starts a line keeps it.
 */
async function readTail(
  handle: fs.promises.FileHandle,
  size: number,
): Promise<{ text: string; firstLine: number; skippedBytes: number }> {
  if (size <= TAIL_BYTES)
    return { text: (await readRange(handle, 0, size)).toString('utf8'), firstLine: 1, skippedBytes: 0 };
  const from = size - TAIL_BYTES - 1;
  const buffer = await readRange(handle, from, size - from);
  let i = 0;
  while (i < buffer.length && buffer[i] !== LF && buffer[i] !== CR) i += 1;
  if (buffer[i] === CR && buffer[i + 1] === LF) i += 1;
  const skippedBytes = Math.min(from + i + 1, size);
  const firstLine = (await countLineBreaks(handle, skippedBytes)) + 1;
  return { text: buffer.subarray(i + 1).toString('utf8'), firstLine, skippedBytes };
}

async function parseFile(kind: ParseKind, file: string): Promise<ParsedDocument> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    throw fileError(file, e);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw isDirectoryError(file);
    const sample = checkTextSample(file, await readRange(handle, 0, Math.min(SNIFF_BYTES, stat.size)), stat.size);
    let doc: ParsedDocument;
    if (kind === 'integrity') {
      // Streamed from the start in bounded memory, so its line numbers are the file's.
      doc = integrityDocument(await parseIntegrityStream(handle.createReadStream({ start: 0, autoClose: false })));
    } else if (kind === 'qlist') {
      doc = parseByKind(kind, (await readRange(handle, 0, Math.min(QLIST_HEAD_BYTES, stat.size))).toString('utf8'));
    } else {
      const tail = await readTail(handle, stat.size);
      doc = parseByKind(kind, tail.text, { firstLine: tail.firstLine });
      if (tail.skippedBytes > 0) {
        doc.problems.unshift({
          message: `File is ${stat.size} bytes; only the last ${stat.size - tail.skippedBytes} (from line ${tail.firstLine}) were read`,
        });
      }
    }
    if (!recognisedAnything(doc)) throw wrongKindError(file, kind, sample);
    return doc;
  } catch (e) {
    if (e instanceof ParseInputError) throw e;
    // Read errors (EISDIR, EIO…) are about the input; anything else is a bug and is not dressed up as one.
    if (e instanceof Error && 'code' in e && typeof e.code === 'string') throw fileError(file, e);
    throw e;
  } finally {
    await handle.close();
  }
}

export const parseCommand: CliCommand = {
  name: 'parse',
  summary: 'Parse a log copied from a VM: script log, extension.log, messages.log, qlist or integrity output',
  usage: USAGE,
  exitCodes: EXIT_CODES,
  async run(argv, io) {
    // Known before the arguments are checked, so even a usage error is JSON under --json.
    const json = argv.includes('--json');
    let kind: string | undefined;
    let file: string | undefined;
    try {
      const args = parseArgs(argv, { flags: ['json'] });
      const [kindArg, fileArg, extra] = args.positionals;
      kind = kindArg;
      file = fileArg;
      if (kindArg === undefined || fileArg === undefined) throw new UsageError('parse needs a kind and a file');
      if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
      if (!isParseKind(kindArg)) {
        throw new UsageError(`unknown kind "${kindArg}"; use one of ${PARSE_KINDS.join(', ')}`);
      }
      const doc = await parseFile(kindArg, fileArg);
      doc.verdict = parseVerdict(doc);
      io.out(renderDocument(doc, { json }));
      return doc.verdict.verdict === 'problem' ? EXIT_FINDINGS : EXIT_OK;
    } catch (e) {
      const refusal =
        e instanceof ParseInputError
          ? e
          : e instanceof UsageError && json
            ? new ParseInputError('usage', e.message, `Usage: ${USAGE.split('\n')[0] ?? ''}`)
            : undefined;
      if (!refusal) throw e;
      const context = { ...(kind === undefined ? {} : { kind }), ...(file === undefined ? {} : { file }) };
      if (json) io.out(`${terminalJson(refusal.toDocument(context))}\n`);
      else io.err(terminalText(`${refusal.message}\n${refusal.fix}`));
      return EXIT_USAGE;
    }
  },
};
