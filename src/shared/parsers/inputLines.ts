import { ProblemLog } from './parseResult';

/** One line of untrusted input, with its 1-based number in the original text. */
export interface InputLine {
  n: number;
  text: string;
}

export interface InputLimits {
  /** Characters read at most; the rest is skipped and reported. */
  maxChars: number;
  /** Logs keep their newest part (the tail); short listings keep their head. */
  keep: 'head' | 'tail';
  /** Longer lines are cut (regexes stay cheap and reports stay small). */
  maxLineChars: number;
}

export const LOG_LIMITS: InputLimits = { maxChars: 4 * 1024 * 1024, keep: 'tail', maxLineChars: 8192 };

// C0 controls except TAB, plus DEL: what binary garbage or a NUL-padded file contributes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HAS_CONTROL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

function countNewlines(text: string, end: number): number {
  let count = 0;
  let at = text.indexOf('\n');
  while (at !== -1 && at < end) {
    count += 1;
    at = text.indexOf('\n', at + 1);
  }
  return count;
}

/**
 * Splits untrusted text into lines (LF, CRLF or lone CR), within the limits, and records what it skipped,
 * cut or cleaned in `problems`. Accepts anything, including a non-string from untyped callers.
 */
export function readInputLines(input: unknown, limits: InputLimits, problems: ProblemLog): InputLine[] {
  if (typeof input !== 'string') {
    problems.add(`Input is not text (${input === null ? 'null' : typeof input}); nothing was read`);
    return [];
  }
  let text = input;
  let firstLine = 1;
  if (text.length > limits.maxChars) {
    if (limits.keep === 'tail') {
      const start = text.length - limits.maxChars;
      // Skip the partial line the cut landed in, so no half line is parsed as a whole one.
      const nextBreak = text.indexOf('\n', start - 1);
      const from = nextBreak === -1 ? text.length : nextBreak + 1;
      firstLine = countNewlines(text, from) + 1;
      problems.add(
        `Input is ${text.length} characters; only the last ${text.length - from} (from line ${firstLine}) were read`,
      );
      text = text.slice(from);
    } else {
      const lastBreak = text.lastIndexOf('\n', limits.maxChars);
      const to = lastBreak === -1 ? limits.maxChars : lastBreak;
      problems.add(`Input is ${text.length} characters; only the first ${to} were read`);
      text = text.slice(0, to);
    }
  }
  if (text.length === 0) return [];
  const raw = text.split(/\r\n|\n|\r/);
  // A trailing newline ends the last line; it does not start an empty one.
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const lines: InputLine[] = [];
  raw.forEach((r, i) => {
    const n = firstLine + i;
    lines.push({ n, text: cleanInputLine(r, n, limits.maxLineChars, problems) });
  });
  return lines;
}

/** Whether the text holds a control character that cleanInputLine would replace (one scan of a whole chunk). */
export function hasControlChars(text: string): boolean {
  return HAS_CONTROL_CHAR.test(text);
}

/**
 * Cuts one line to `maxLineChars` and replaces control characters, recording both in `problems`. `fullLength` is
 * the line's length before a line splitter already cut it; `knownFreeOfControls` skips the per-line scan when the
 * caller scanned the whole chunk the line came from.
 */
export function cleanInputLine(
  raw: string,
  n: number,
  maxLineChars: number,
  problems: ProblemLog,
  fullLength = raw.length,
  knownFreeOfControls = false,
): string {
  let line = raw;
  if (fullLength > maxLineChars) {
    problems.add(`Line is ${fullLength} characters; only the first ${maxLineChars} were read`, n);
    line = line.slice(0, maxLineChars);
  }
  if (!knownFreeOfControls && HAS_CONTROL_CHAR.test(line)) {
    problems.add('Line contains binary data (NUL or control characters); they were replaced with U+FFFD', n);
    line = line.replace(CONTROL_CHARS, '\uFFFD');
  }
  return line;
}

/**
 * A log whose last line has no line break and is not an entry of its own was probably cut mid-line (copied while
 * being written, or truncated); the parsers keep it as a continuation and say so.
 */
export function reportCutLastLine(
  input: unknown,
  lines: readonly InputLine[],
  lastEntryLine: number | undefined,
  problems: ProblemLog,
): void {
  const last = lines[lines.length - 1];
  if (
    last &&
    lastEntryLine !== undefined &&
    lastEntryLine !== last.n &&
    typeof input === 'string' &&
    !/[\r\n]$/.test(input)
  ) {
    problems.add(
      'The last line has no line break and no timestamp: it looks cut; it was kept as a continuation',
      last.n,
    );
  }
}
