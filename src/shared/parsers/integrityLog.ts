import { StringDecoder } from 'node:string_decoder';
import { cleanInputLine, hasControlChars } from './inputLines';
import { LineSplitter, SplitLine } from './lineSplitter';
import { ParseResult, ProblemLog } from './parseResult';

/** One global reported "Not OK", with the message lines that followed it. */
export interface IntegrityGlobalError {
  directory?: string;
  global: string;
  lines: string[];
}

export interface IntegrityDirectory {
  path: string;
  /** ok: "No Errors were found in this directory."; errors: an error block; unknown: output ended first. */
  verdict: 'ok' | 'errors' | 'unknown';
  /** "Global: <name>" lines seen (per-global lines may be localised; this is a best-effort count). */
  globalsChecked: number;
  /** Lines such as "The database is not mounted." or "***Further checking of this directory is aborted." */
  messages: string[];
}

/** How many of each kind of detail the output held beyond what the report keeps (INTEGRITY_CAPS). */
export interface IntegrityOmitted {
  directories: number;
  /** "Not OK" globals not listed in `errors`. */
  errors: number;
  /** Message lines of listed errors beyond the per-error cap. */
  errorLines: number;
  /** Directory messages beyond the per-directory cap. */
  messages: number;
  warnings: number;
}

export interface IntegrityReport {
  /** "Cache Database Integrity Check on …", "Intersystems IRIS Database Integrity Check on …" or the Portal header. */
  header?: string;
  directories: IntegrityDirectory[];
  errors: IntegrityGlobalError[];
  /** "*** Warning: …" lines and "Errors were detected, but only in blocks that changed during check". */
  warnings: string[];
  /** From "<n> errors found during integrity check" when present. */
  errorCount?: number;
  /**
   * ok: the final "No Errors were found." and no error anywhere; errors: any error block or the final
   * "ERRORS WERE FOUND"; incomplete: no final summary line (cut output, a crashed check, not an integrity log).
   */
  verdict: 'ok' | 'errors' | 'incomplete';
  /** Present only when the output held more detail than the report keeps; the verdict still covers all of it. */
  omitted?: IntegrityOmitted;
}

/**
 * What the report keeps, so memory stays bounded for any size of output (a 200 MB check of a big instance, or a
 * hostile VM): the verdict and the counts cover everything; the details stop at these numbers.
 */
export const INTEGRITY_CAPS = {
  directories: 1000,
  errors: 200,
  linesPerError: 20,
  messagesPerDirectory: 5,
  warnings: 100,
} as const;

// Integrity lines are short; a low line cap keeps the `*`-framed patterns cheap on hostile input.
const MAX_LINE_CHARS = 1024;

const HEADER = /^(?:Cach[eé]|Intersystems IRIS|InterSystems IRIS|IRIS) Database Integrity Check\b.*$/i;
// Lines are trimmed before matching, so no pattern needs a trailing `\s*` (a lazy group before `\s*$` backtracks
// quadratically on a long run of spaces).
const DIRECTORY = /^---Directory (.+?)---$/;
const TOTAL = /^---Total for directory (.+?)---$/;
const PORTAL_DIRECTORY = 'Directory:';
const GLOBAL = /^Global: (\S+)/;
const NOT_OK = /^\*+\s*Global \^?(.+?) is Not OK\s*\*+$/;
const DIR_OK = 'No Errors were found in this directory.';
const ALL_OK = 'No Errors were found.';
const FOLLOWING_ERRORS = /^\*+ The following errors were detected \*+$/;
const ERRORS_FOUND = /^\*+\s*ERRORS WERE FOUND\s*\*+$/;
const ERRORS_IN_DIRECTORY = /^\*+ Errors in directory: (.+?) \*+$/;
const ERROR_COUNT = /^(\d[\d,]*) errors found during integrity check/;
const PORTAL_GLOBAL_ERRORS = /^(\d[\d,]*) globals with errors found/;
const WARNING = /^\*\*\* (?:Warning: .*|Errors were detected, but only in blocks that changed during check) ?\*\*\*$/;
const DIRECTORY_MESSAGE =
  /^(?:\*\*\*Further checking of this directory is aborted\.|The database is not mounted\.|Integrity Job failed to start\.|\*\*\*Map Error: .*)$/;
const STARS_ONLY = /^\*+$/;

/**
 * A copy that does not share memory with the chunk it was cut from: V8 keeps a whole 64 KiB chunk alive for a
 * sliced string, so every string the report keeps is copied once.
 */
function detach(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

interface DirectoryState {
  dir: IntegrityDirectory;
  /** Listed in the report; directories past the cap are tracked only while they are current. */
  listed: boolean;
  seenMessages: Set<string>;
}

interface ErrorState {
  error: IntegrityGlobalError;
  listed: boolean;
  seenLines: Set<string>;
  /** Most message lines one block of this error had: the summary repeats the block, so repeats are not added. */
  mostLines: number;
  linesThisBlock: number;
}

// A "Not OK" block is printed up to three times: where the global was checked, in the directory's "following
// errors" list, and in the end-of-output summary. Past the cap repeats cannot be matched, so each place is counted
// separately and the largest count is the number of bad globals.
type ErrorPlace = 'inline' | 'directoryList' | 'summary';

/**
 * Parses ^Integrity / Silent^Integrity / Portal report text (iris.md §3.2, §3.3, §8.4), keyed on English summary
 * lines, incrementally: `write` chunks as they arrive (split anywhere), then `end`. Work is linear in the input and
 * memory is bounded (INTEGRITY_CAPS); line numbers count from `firstLine` (1: the start of the file).
 */
export class IntegrityParser {
  private readonly problems = new ProblemLog();
  private readonly report: IntegrityReport = { directories: [], errors: [], warnings: [], verdict: 'incomplete' };
  private readonly splitter: LineSplitter;
  private readonly directories = new Map<string, DirectoryState>();
  private readonly errors = new Map<string, ErrorState>();
  private current: DirectoryState | undefined;
  private currentError: ErrorState | undefined;
  private summaryDirectory: DirectoryState | undefined;
  private inSummary = false;
  private inDirectoryList = false;
  private finalOk = false;
  private finalErrors = false;
  private portalErrorCount = 0;
  private anyDirectoryErrors = false;
  private readonly notOkBlocks: Record<ErrorPlace, number> = { inline: 0, directoryList: 0, summary: 0 };
  private readonly omitted: IntegrityOmitted = { directories: 0, errors: 0, errorLines: 0, messages: 0, warnings: 0 };
  private unlistedWithoutVerdict = 0;
  private ended: ParseResult<IntegrityReport> | undefined;
  private linesFreeOfControls = false;
  private carriedFreeOfControls = true;

  constructor(options: { firstLine?: number } = {}) {
    this.splitter = new LineSplitter(MAX_LINE_CHARS, (l) => this.line(l), options.firstLine);
  }

  /** Number of lines read so far. */
  get linesRead(): number {
    return this.splitter.nextLine - 1;
  }

  /** Adds text; a chunk may end anywhere, including between the CR and LF of a line break. */
  write(chunk: string): void {
    if (this.ended) return;
    // One scan of the chunk instead of one per line: the lines ending in it are free of control characters when
    // it is, and so was the part of the first line carried over from earlier chunks.
    const clean = !hasControlChars(chunk);
    const linesBefore = this.splitter.nextLine;
    this.linesFreeOfControls = clean && this.carriedFreeOfControls;
    this.splitter.write(chunk);
    const lineEnded = this.splitter.nextLine !== linesBefore;
    this.carriedFreeOfControls = clean && (lineEnded || this.carriedFreeOfControls);
    this.linesFreeOfControls = false;
  }

  /** Records a problem found outside the text (e.g. the input was not text at all). */
  addProblem(message: string, line?: number): void {
    this.problems.add(message, line);
  }

  /** Finishes the parse; further writes are ignored and `end` returns the same result again. */
  end(): ParseResult<IntegrityReport> {
    if (this.ended) return this.ended;
    this.splitter.end();
    this.closeError();
    this.leaveDirectory();
    this.ended = this.finish();
    return this.ended;
  }

  private directory(path: string): DirectoryState {
    if (this.current?.dir.path === path) return this.current;
    if (this.summaryDirectory?.dir.path === path) return this.summaryDirectory;
    const found = this.directories.get(path);
    if (found) return found;
    const dir: IntegrityDirectory = { path: detach(path), verdict: 'unknown', globalsChecked: 0, messages: [] };
    const state: DirectoryState = { dir, listed: false, seenMessages: new Set() };
    if (this.directories.size < INTEGRITY_CAPS.directories) {
      state.listed = true;
      this.directories.set(dir.path, state);
      this.report.directories.push(dir);
    } else if (!this.inSummary) {
      this.omitted.directories += 1;
    }
    return state;
  }

  private enterDirectory(path: string): void {
    const next = this.directory(path);
    if (next !== this.current) {
      this.leaveDirectory();
      this.inDirectoryList = false;
    }
    this.current = next;
  }

  /** An unlisted directory is forgotten once the output moves on; count it now if it had no verdict. */
  private leaveDirectory(): void {
    const left = this.current;
    if (left && !left.listed && left.dir.verdict === 'unknown') this.unlistedWithoutVerdict += 1;
  }

  private markErrors(state: DirectoryState): void {
    state.dir.verdict = 'errors';
    this.anyDirectoryErrors = true;
  }

  private openError(global: string, directory: DirectoryState | undefined): void {
    const path = directory?.dir.path;
    // NUL cannot occur in a cleaned line, so the key cannot collide.
    const key = `${path === undefined ? '' : `${path}\u0000`}${global}`;
    let state = this.errors.get(key);
    if (!state) {
      const error: IntegrityGlobalError = { global: detach(global), lines: [] };
      if (path !== undefined) error.directory = path;
      state = { error, listed: false, seenLines: new Set(), mostLines: 0, linesThisBlock: 0 };
      if (this.errors.size < INTEGRITY_CAPS.errors) {
        state.listed = true;
        this.errors.set(key, state);
        this.report.errors.push(error);
      }
    }
    state.linesThisBlock = 0;
    this.currentError = state;
  }

  private errorLine(line: string): void {
    const state = this.currentError;
    if (!state?.listed) return;
    state.linesThisBlock += 1;
    if (state.seenLines.has(line)) return;
    if (state.error.lines.length >= INTEGRITY_CAPS.linesPerError) return;
    const kept = detach(line);
    state.seenLines.add(kept);
    state.error.lines.push(kept);
  }

  private closeError(): void {
    const state = this.currentError;
    if (!state) return;
    state.mostLines = Math.max(state.mostLines, state.linesThisBlock);
    this.currentError = undefined;
  }

  private line(split: SplitLine): void {
    const { text, n, length } = split;
    const line = cleanInputLine(text, n, MAX_LINE_CHARS, this.problems, length, this.linesFreeOfControls).trim();
    if (line === '') {
      this.closeError();
      return;
    }
    // Every pattern starts with a fixed character, so the first one picks the few that can match: most lines of
    // a big output are per-global metrics that then cost one switch instead of every pattern.
    let handled: boolean;
    switch (line.charCodeAt(0)) {
      case 42: // *
        handled = this.starLine(line);
        break;
      case 45: // -
        handled = this.directoryLine(line);
        break;
      case 68: // D
        handled = this.portalDirectoryLine(line);
        break;
      case 71: // G
        handled = this.globalLine(line);
        break;
      case 78: // N
        handled = this.noErrorsLine(line);
        break;
      case 84: // T
      case 73: // I
      case 105: // i
      case 67: // C
      case 99: // c
        handled = this.headerLine(line) || this.directoryMessage(line);
        break;
      default:
        handled = line.charCodeAt(0) >= 48 && line.charCodeAt(0) <= 57 && this.countLine(line);
    }
    // Anything else inside an error block is that error's message (e.g. "The pointer block contains the wrong global").
    if (!handled && this.currentError) this.errorLine(line);
  }

  private headerLine(line: string): boolean {
    if (!HEADER.test(line)) return false;
    this.report.header ??= detach(line);
    return true;
  }

  private directoryLine(line: string): boolean {
    const m = DIRECTORY.exec(line) ?? TOTAL.exec(line);
    if (!m) return false;
    this.closeError();
    this.enterDirectory(m[1] ?? '');
    return true;
  }

  private portalDirectoryLine(line: string): boolean {
    if (!line.startsWith(PORTAL_DIRECTORY)) return false;
    const path = line.slice(PORTAL_DIRECTORY.length).trim();
    if (path === '') return false;
    this.closeError();
    this.enterDirectory(path);
    return true;
  }

  /** The `*`-framed lines, in the order the patterns were always tried. */
  private starLine(line: string): boolean {
    let m: RegExpExecArray | null;
    if ((m = NOT_OK.exec(line))) {
      this.closeError();
      const place: ErrorPlace = this.inSummary ? 'summary' : this.inDirectoryList ? 'directoryList' : 'inline';
      this.notOkBlocks[place] += 1;
      const dir = this.inSummary ? this.summaryDirectory : this.current;
      if (dir) this.markErrors(dir);
      this.openError(m[1] ?? '', dir);
      return true;
    }
    if ((m = ERRORS_IN_DIRECTORY.exec(line))) {
      this.closeError();
      this.inSummary = true;
      this.summaryDirectory = this.directory(m[1] ?? '');
      this.markErrors(this.summaryDirectory);
      return true;
    }
    if (ERRORS_FOUND.test(line)) {
      this.closeError();
      this.finalErrors = true;
      this.inSummary = true;
      return true;
    }
    if (FOLLOWING_ERRORS.test(line)) {
      this.closeError();
      if (this.current && !this.inSummary) {
        this.markErrors(this.current);
        this.inDirectoryList = true;
      }
      return true;
    }
    if (WARNING.test(line)) {
      if (this.report.warnings.length < INTEGRITY_CAPS.warnings) this.report.warnings.push(detach(line));
      else this.omitted.warnings += 1;
      return true;
    }
    if (this.directoryMessage(line)) return true;
    return STARS_ONLY.test(line);
  }

  private noErrorsLine(line: string): boolean {
    if (line === DIR_OK) {
      this.closeError();
      if (this.current && this.current.dir.verdict !== 'errors') this.current.dir.verdict = 'ok';
      return true;
    }
    if (line === ALL_OK) {
      this.closeError();
      this.finalOk = true;
      return true;
    }
    return false;
  }

  private countLine(line: string): boolean {
    let m: RegExpExecArray | null;
    if ((m = ERROR_COUNT.exec(line))) {
      this.report.errorCount = Number((m[1] ?? '0').replace(/,/g, ''));
      return true;
    }
    if ((m = PORTAL_GLOBAL_ERRORS.exec(line))) {
      const count = Number((m[1] ?? '0').replace(/,/g, ''));
      this.portalErrorCount += count;
      if (this.current) {
        if (count > 0) this.markErrors(this.current);
        else if (this.current.dir.verdict !== 'errors') this.current.dir.verdict = 'ok';
      }
      return true;
    }
    return false;
  }

  private directoryMessage(line: string): boolean {
    if (!DIRECTORY_MESSAGE.test(line)) return false;
    const dir = this.inSummary ? this.summaryDirectory : this.current;
    if (dir) {
      if (!dir.seenMessages.has(line)) {
        if (dir.listed && dir.dir.messages.length < INTEGRITY_CAPS.messagesPerDirectory) {
          const kept = detach(line);
          dir.seenMessages.add(kept);
          dir.dir.messages.push(kept);
        } else if (dir.listed) this.omitted.messages += 1;
      }
      this.markErrors(dir);
    }
    return true;
  }

  private globalLine(line: string): boolean {
    if (!GLOBAL.test(line)) return false;
    this.closeError();
    if (this.current && !this.inSummary) this.current.dir.globalsChecked += 1;
    return true;
  }

  private finish(): ParseResult<IntegrityReport> {
    const r = this.report;
    const problems = this.problems;
    const blocks = this.notOkBlocks;
    const badGlobals = Math.max(blocks.inline, blocks.directoryList, blocks.summary, r.errors.length);
    this.omitted.errors = badGlobals - r.errors.length;
    for (const state of this.errors.values()) {
      this.omitted.errorLines += Math.max(0, state.mostLines - state.error.lines.length);
    }
    if (Object.values(this.omitted).some((count) => count > 0)) r.omitted = { ...this.omitted };

    const anyErrors =
      this.finalErrors ||
      badGlobals > 0 ||
      this.portalErrorCount > 0 ||
      (r.errorCount ?? 0) > 0 ||
      this.anyDirectoryErrors;
    if (anyErrors) r.verdict = 'errors';
    else if (this.finalOk) r.verdict = 'ok';
    if (this.finalOk && anyErrors) {
      problems.add('"No Errors were found." contradicts the error lines; the verdict is errors');
    }
    if (r.verdict === 'incomplete') {
      problems.add(
        r.header === undefined && r.directories.length === 0
          ? 'Not integrity check output: no header, directory or summary line found'
          : 'No final summary line ("No Errors were found." or "ERRORS WERE FOUND"); the output looks cut',
      );
    } else if (!this.finalOk) {
      for (const d of r.directories)
        if (d.verdict === 'unknown') problems.add(`Directory ${d.path} has no verdict line`);
      if (this.unlistedWithoutVerdict > 0) {
        problems.add(`${this.unlistedWithoutVerdict} more directories (not listed) have no verdict line`);
      }
    }
    return { value: r, problems: problems.list() };
  }
}

/** Parses a whole integrity output held in memory: one write to the streaming parser. */
export function parseIntegrityOutput(text: string): ParseResult<IntegrityReport> {
  const parser = new IntegrityParser();
  // Untyped callers can pass anything.
  const input: unknown = text;
  if (typeof input === 'string') parser.write(input);
  else parser.addProblem(`Input is not text (${input === null ? 'null' : typeof input}); nothing was read`);
  return parser.end();
}

/**
 * Parses an integrity output as it streams in (a file, a Run Command's output): chunks of text, or Buffers of
 * UTF-8 (decoded so a character split across chunks survives). Bounded memory whatever the size.
 */
export async function parseIntegrityStream(
  source: AsyncIterable<string | Buffer>,
  options: { firstLine?: number } = {},
): Promise<ParseResult<IntegrityReport>> {
  const parser = new IntegrityParser(options);
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  parser.write(decoder.end());
  return parser.end();
}
