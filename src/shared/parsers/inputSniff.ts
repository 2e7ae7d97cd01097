import { ParseInputError } from './parseError';
import { parseByKind, ParseKind } from './parsedDocument';
import { recognisedAnything } from './parseVerdict';

/** How much of a file is looked at to tell text from binary and one kind of log from another. */
export const SNIFF_BYTES = 64 * 1024;
/** Above this share of NUL bytes, control bytes and invalid UTF-8, a file is not a text log. */
const BINARY_RATIO = 0.1;

export const KIND_NAMES: Readonly<Record<ParseKind, string>> = {
  'script-log': 'a pre/post-script log',
  'extension-log': 'an extension.log (VMSnapshotLinux)',
  'messages-log': 'an IRIS messages.log',
  qlist: '`iris qlist` output',
  integrity: 'integrity check output',
};

// Most specific formats first: the script-log parser also picks up free text that mentions a failure.
const GUESS_ORDER: readonly ParseKind[] = ['extension-log', 'messages-log', 'qlist', 'integrity', 'script-log'];

function isControlByte(b: number): boolean {
  return b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) || b === 0x7f;
}

/**
 * Refuses what is not a text log, from the file's first bytes (`sample`) and its size: empty, blank, UTF-16, or
 * binary. Returns the sample as text otherwise.
 */
export function checkTextSample(file: string, sample: Buffer, fileBytes: number): string {
  if (fileBytes === 0) {
    throw new ParseInputError(
      'empty',
      `${file} is empty (0 bytes): there is nothing to parse`,
      'Copy the log from the VM again; if it is empty there too, the program has not written to it yet.',
    );
  }
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) {
    throw new ParseInputError(
      'binary',
      `${file} is UTF-16 text, and logs from Linux VMs are UTF-8`,
      `Convert it first: iconv -f UTF-16 -t UTF-8 ${file} > ${file}.utf8`,
    );
  }
  const text = sample.toString('utf8');
  let odd = 0;
  for (const b of sample) if (isControlByte(b)) odd += 1;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) odd += 1;
  if (sample.length > 0 && odd / sample.length > BINARY_RATIO) {
    const percent = Math.round((100 * odd) / sample.length);
    throw new ParseInputError(
      'binary',
      `${file} is not text: ${percent}% of its first ${sample.length} bytes are NUL, control bytes or invalid UTF-8`,
      'Give the log file itself, copied as text from the VM (not an archive, a core file or a disk image).',
    );
  }
  if (fileBytes <= sample.length && text.trim() === '') {
    throw new ParseInputError(
      'empty',
      `${file} holds only blank lines: there is nothing to parse`,
      'Copy the log from the VM again; if it is blank there too, the program has not written to it yet.',
    );
  }
  return text;
}

/** The kind the text looks like, other than `asked`: the first kind (most specific first) that recognises it. */
export function guessKind(sampleText: string, asked: ParseKind): ParseKind | undefined {
  // The sample may end mid-line; drop that partial line.
  const cut = sampleText.lastIndexOf('\n');
  const text = cut === -1 ? sampleText : sampleText.slice(0, cut + 1);
  return GUESS_ORDER.find((kind) => kind !== asked && recognisedAnything(parseByKind(kind, text)));
}

/** The wrong-kind refusal: what the file was expected to be, and the command that would read it if a kind fits. */
export function wrongKindError(file: string, asked: ParseKind, sampleText: string): ParseInputError {
  const guess = guessKind(sampleText, asked);
  const message = `${file} does not look like ${KIND_NAMES[asked]}: nothing in it was recognised`;
  if (guess === undefined) {
    return new ParseInputError(
      'wrong-kind',
      message,
      'Check the file, or give the kind that matches it: script-log, extension-log, messages-log, qlist or integrity.',
    );
  }
  return new ParseInputError(
    'wrong-kind',
    `${message}; it looks like ${KIND_NAMES[guess]}`,
    `Try: iris-backup-guard parse ${guess} ${file}`,
    guess,
  );
}
