/**
 * Where a JSON text stops being JSON, as line and column: an operator fixing a config by hand needs the place, and
 * Python's json module (which the extension uses) reports the same "line L column C" for it. JavaScript's JSON.parse
 * gives a character offset in its message (or none at the end of the input), which is turned into both here.
 */
export interface JsonSyntaxError {
  /** 1-based, like Python's json: the number of line feeds before the offset, plus one. */
  line: number;
  /** 1-based, in characters from the start of the line. */
  column: number;
  /** What the parser expected, without its own position wording. */
  reason: string;
}

export function describeJsonSyntaxError(text: string, error: unknown): JsonSyntaxError {
  const message = error instanceof Error ? error.message : String(error);
  const at = /\bposition (\d+)/.exec(message);
  // "Unexpected end of JSON input" has no position: the input ended where more was needed.
  const offset = at ? Math.min(Number(at[1]), text.length) : text.length;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return {
    line: (text.slice(0, offset).match(/\n/g)?.length ?? 0) + 1,
    column: offset - lineStart + 1,
    reason: message.replace(/\s+(in JSON )?at position \d+.*$/s, '').trim(),
  };
}
