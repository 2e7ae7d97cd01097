const isKeyStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; // A-Z a-z _
const isKeyChar = (c: number): boolean => isKeyStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45; // 0-9 . -
const QUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;
// What the regex `.` does not match: an escape needs a character other than these after the backslash.
const isLineTerminator = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * The `key=value` pairs of one log line, in order, as the regex `([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)` with
 * the g flag finds them, values as written (quotes kept). One pass over the line: the regex was retried from every
 * character of a long word without `=`, and rescanned to the line's end after every unclosed quote (quadratic on a
 * hostile line).
 */
export function keyValuePairs(line: string): [string, string][] {
  const pairs: [string, string][] = [];
  const space = /\s/g;
  // A quoted value whose scan fails at `f` makes every opening quote before `f` fail too: such a quote was inside
  // that scan as an escaped character, so its own scan runs in step with it from the next character on.
  let quotesFailBefore = -1;
  let i = 0;
  while (i < line.length) {
    if (!isKeyChar(line.charCodeAt(i))) {
      i += 1;
      continue;
    }
    // A run of key characters: a key must reach the end of the run and have `=` right after it, and it starts at
    // the run's first letter or underscore (the regex's leftmost match).
    const runStart = i;
    while (i < line.length && isKeyChar(line.charCodeAt(i))) i += 1;
    if (line.charCodeAt(i) !== EQUALS) continue;
    let keyStart = runStart;
    while (keyStart < i && !isKeyStart(line.charCodeAt(keyStart))) keyStart += 1;
    if (keyStart === i) {
      i += 1;
      continue;
    }
    const key = line.slice(keyStart, i);
    const valueStart = i + 1;
    let end = -1;
    if (line.charCodeAt(valueStart) === QUOTE && valueStart > quotesFailBefore) {
      const close = closingQuote(line, valueStart);
      if (close.closed) end = close.at;
      else quotesFailBefore = close.at;
    }
    if (end === -1) {
      space.lastIndex = valueStart;
      end = space.exec(line)?.index ?? line.length;
    }
    pairs.push([key, line.slice(valueStart, end)]);
    i = end;
  }
  return pairs;
}

/** After the quote that closes the one at `open` (backslash escapes honoured), or where the scan failed. */
function closingQuote(line: string, open: number): { closed: boolean; at: number } {
  for (let j = open + 1; j < line.length; j += 1) {
    const c = line.charCodeAt(j);
    if (c === QUOTE) return { closed: true, at: j + 1 };
    if (c === BACKSLASH) {
      if (j + 1 >= line.length || isLineTerminator(line.charCodeAt(j + 1))) return { closed: false, at: j };
      j += 1;
    }
  }
  return { closed: false, at: line.length };
}
