/**
 * Hostile inputs that made the parsers super-linear (issue 7, item 7), as generators of text chunks so the benchmark
 * can stream hundreds of megabytes without holding them, and the tests can build a moderate size as one string.
 * Each generator yields whole lines and stops once it has produced about `targetChars` characters.
 */

export type CraftedKind = 'integrity' | 'extension-log' | 'messages-log' | 'script-log';

export interface CraftedInput {
  name: string;
  kind: CraftedKind;
  /** What the input attacks, for the benchmark's table. */
  attack: string;
  chunks(targetChars: number): Generator<string>;
}

const CHUNK_CHARS = 64 * 1024;
const HEADER = 'Intersystems IRIS Database Integrity Check on 11/21/2026 at 02:10:01\n';
const EXT_PREFIX = '[Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]';

/** Groups the lines of `body` into chunks of about CHUNK_CHARS, then yields `tail` (which may exceed the target). */
function* chunked(body: Generator<string>, tail: () => Generator<string> = function* () {}): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const line of [body, tail()]) {
    for (const l of line) {
      parts.push(l);
      size += l.length;
      if (size >= CHUNK_CHARS) {
        yield parts.join('');
        parts = [];
        size = 0;
      }
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/** Lines from `make(i)` until about `target` characters were produced; returns how many were made. */
function* upTo(target: number, head: string, make: (i: number) => string, made: { count: number }): Generator<string> {
  let size = head.length;
  yield head;
  for (let i = 0; size < target; i += 1) {
    const line = make(i);
    size += line.length;
    made.count = i + 1;
    yield line;
  }
}

/** 330k directories in 33 MB: every directory lookup used to scan the list of directories seen so far. */
const integrityDirectories: CraftedInput = {
  name: 'integrity: many directories',
  kind: 'integrity',
  attack: 'Array.find over the directories seen so far',
  chunks(target) {
    const made = { count: 0 };
    const dir = (i: number): string =>
      `---Directory /db/d${i}/---\nGlobal: A\n---Total for directory /db/d${i}/---\nNo Errors were found in this directory.\n`;
    return chunked(upTo(target, HEADER, dir, made), function* () {
      yield 'No Errors were found.\n';
    });
  },
};

const notOk = (name: string): string => ` **********Global ${name} is Not OK**********\n`;

/** 250k bad globals: each error block was merged by scanning every error seen so far. */
const integrityNotOkGlobals: CraftedInput = {
  name: 'integrity: many Not OK globals',
  kind: 'integrity',
  attack: 'Array.find over the errors seen so far (per block and again in the summary)',
  chunks(target) {
    const made = { count: 0 };
    const block = (i: number): string =>
      `Global: G${i}\n${notOk(`G${i}`)} The pointer block contains the wrong global\n\n`;
    // Half the size in the directory, the other half in the end-of-output summary that repeats every block.
    return chunked(upTo(target / 2, `${HEADER}---Directory /db/---\n`, block, made), function* () {
      yield '*****ERRORS WERE FOUND *****\n\n*** Errors in directory: /db/ ***\n\n';
      for (let i = 0; i < made.count; i += 1) yield `${notOk(`G${i}`)} The pointer block contains the wrong global\n\n`;
    });
  },
};

/** One bad global with 150k distinct message lines, repeated in the summary: each line was looked up in the others. */
const integrityErrorLines: CraftedInput = {
  name: 'integrity: one global, many error lines',
  kind: 'integrity',
  attack: 'Array.includes over the error lines kept so far',
  chunks(target) {
    const made = { count: 0 };
    const line = (i: number): string => ` Error of type 14 while processing pointer block ${i}\n`;
    return chunked(upTo(target / 2, `${HEADER}---Directory /db/---\n${notOk('BIG')}`, line, made), function* () {
      yield '\n*****ERRORS WERE FOUND *****\n\n*** Errors in directory: /db/ ***\n\n';
      yield notOk('BIG');
      for (let i = 0; i < made.count; i += 1) yield line(i);
    });
  },
};

/** The Portal's "Directory:" line with a long run of spaces inside the path: `\s*(\S.*?)\s*$` backtracked. */
const integrityPortalDirectory: CraftedInput = {
  name: 'integrity: Portal Directory: with spaces',
  kind: 'integrity',
  attack: 'lazy group followed by \\s*$ (quadratic per line)',
  chunks(target) {
    const line = `Directory: a${' '.repeat(1000)}b\n`;
    return chunked(
      upTo(target, 'IRIS Database Integrity Check - Report Created 01/25/2018\n', () => line, { count: 0 }),
    );
  },
};

/** A run with many distinct StatusCode names: each was looked up in the list of names seen so far. */
const extensionStatusNames: CraftedInput = {
  name: 'extension.log: many status names',
  kind: 'extension-log',
  attack: 'Array.includes over the status names seen so far',
  chunks(target) {
    const head = `2026-11-21 01:30:00.101334 ${EXT_PREFIX}Loading script modules now...\n`;
    const line = (i: number): string => `2026-11-21 01:30:00.101334 ${EXT_PREFIX}Error StatusCode.Crafted${i}\n`;
    return chunked(upTo(target, head, line, { count: 0 }));
  },
};

/** "Enable failed with error:" then a long run of spaces: `.*?(...)?,?\s*$` backtracked. */
const extensionEnableFailed: CraftedInput = {
  name: 'extension.log: Enable failed with spaces',
  kind: 'extension-log',
  attack: 'lazy .*? followed by \\s*$ (quadratic per line)',
  chunks(target) {
    const line = `2026-11-21 01:30:00.101334 ${EXT_PREFIX}Enable failed with error: a${' '.repeat(4000)}b\n`;
    return chunked(upTo(target, '', () => line, { count: 0 }));
  },
};

/** "Journaling switched to:" then a long run of spaces: `\s*(\S.*?)\s*$` backtracked. */
const messagesJournalSpaces: CraftedInput = {
  name: 'messages.log: Journaling switched with spaces',
  kind: 'messages-log',
  attack: 'lazy group followed by \\s*$ (quadratic per line)',
  chunks(target) {
    const stamp = '08/11/21-05:49:43:342 (18374) 0 [Generic.Event] ';
    const line = `${stamp}Journaling switched to: a${' '.repeat(4000)}b\n`;
    const restore = `${stamp}Backup.General.ExternalFreeze: Start a journal restore for this backup with journal file: a${' '.repeat(4000)}b\n`;
    return chunked(upTo(target, '', (i) => (i % 2 === 0 ? line : restore), { count: 0 }));
  },
};

/** Our script log with a long word and no `=`: `[A-Za-z_][\w.-]*=` was retried from every character of it. */
const scriptLongWords: CraftedInput = {
  name: 'script log: long words without =',
  kind: 'script-log',
  attack: 'unanchored key=value regex retried at every position of a word',
  chunks(target) {
    const line = `2026-11-21T01:30:00Z ${'a'.repeat(4000)} k="${'x '.repeat(2000)}\n`;
    return chunked(upTo(target, '', () => line, { count: 0 }));
  },
};

export const CRAFTED_INPUTS: readonly CraftedInput[] = [
  integrityDirectories,
  integrityNotOkGlobals,
  integrityErrorLines,
  integrityPortalDirectory,
  extensionStatusNames,
  extensionEnableFailed,
  messagesJournalSpaces,
  scriptLongWords,
];

/**
 * A plausible large ^Integrity output: directories of 1,000 globals with their metric lines, one bad global in
 * every tenth directory, and the end-of-output summary. About `targetChars` characters.
 */
export function* realisticIntegrityOutput(targetChars: number): Generator<string> {
  const bad: string[] = [];
  const globals = (d: number): string => {
    const parts: string[] = [];
    for (let g = 0; g < 1000; g += 1) {
      parts.push(
        `Global: G${g}\n Top/Bottom Pnt Level: # of blocks=1      8kb (6% full)\n` +
          ` Data Level:           # of blocks=64      512kb (87% full)\n` +
          ` Total:                # of blocks=65      520kb (85% full)\n` +
          ` Elapsed Time = 0.0 seconds, Completed 11/21/2026 02:10:02\n\n`,
      );
    }
    if (d % 10 === 9) {
      bad.push(`/db/d${d}/`);
      parts.push(`Global: BAD\n${notOk('BAD')} The pointer block contains the wrong global\n\n`);
    }
    parts.push(
      `---Total for directory /db/d${d}/---\n       652 Total blocks                5216kb (79% full)\n\n` +
        `Elapsed time = 1.2 seconds 11/21/2026 02:10:03\n\n`,
    );
    parts.push(
      d % 10 === 9
        ? `***** The following errors were detected *****\n${notOk('BAD')} The pointer block contains the wrong global\n\n`
        : 'No Errors were found in this directory.\n\n',
    );
    return parts.join('');
  };
  let size = HEADER.length;
  yield HEADER;
  for (let d = 0; size < targetChars; d += 1) {
    const text = `---Directory /db/d${d}/---\n\n${globals(d)}`;
    size += text.length;
    yield text;
  }
  const summary = ['*****ERRORS WERE FOUND *****\n\n***** The following errors were detected *****\n'];
  for (const dir of bad) {
    summary.push(
      `*** Errors in directory: ${dir} ***\n\n${notOk('BAD')} The pointer block contains the wrong global\n\n`,
    );
  }
  yield summary.join('');
}

/** The whole input as one string, for tests of moderate size. */
export function craftedText(input: CraftedInput, targetChars: number): string {
  return [...input.chunks(targetChars)].join('');
}
