/**
 * Hostile variants of the real samples in test/fixtures/logs, for the property tests in this folder. A VM's output
 * reaches the app as bytes and is decoded as UTF-8 with replacement (Buffer#toString('utf8') in the CLI and the
 * Run Command readers, a StringDecoder in the streaming integrity parser), so mutations work on bytes: a cut can land
 * inside a multi-byte character, and invalid sequences decode to U+FFFD exactly as in the app.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';

const LOGS = path.join(__dirname, '..', 'fixtures', 'logs');

/** Every real sample, as bytes, by name. */
export const SAMPLES: ReadonlyMap<string, Buffer> = new Map(
  fs.readdirSync(LOGS).map((name) => [name, fs.readFileSync(path.join(LOGS, name))] as const),
);

export const samplesNamed = (prefix: string): Buffer[] =>
  [...SAMPLES].filter(([name]) => name.startsWith(prefix)).map(([, bytes]) => bytes);

/** Text a VM could print to hurt a reader: controls, escape sequences, bidi overrides, markup, formula starts. */
export const HOSTILE_SNIPPETS: readonly string[] = [
  '\u0000',
  '\u0007\u0008\u000b\u000c',
  '\r',
  '\u001b[2J\u001b[31mred\u001b[0m',
  '\u001b]0;title\u0007',
  '\u001b]8;;https://evil.example/\u001b\\link\u001b]8;;\u001b\\',
  '\u007f',
  '\u0085\u009b31m\u009d',
  '\u202e\u2066evil\u2069\u202c',
  '\u200e\u200f\u061c\u2028\u2029',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "'; DROP TABLE runs; --",
  '[click](javascript:alert(1))',
  '![x](https://evil.example/x.png)',
  '=HYPERLINK("https://evil.example","x")',
  '+cmd|" /C calc"!A0',
  '-2+3',
  '@SUM(A1)',
  '\tindented',
  '$(reboot)`id`;|&',
  '&amp;&lt;',
  '\ud800',
  '😀é中',
];

/** Bytes that are not valid UTF-8: stray continuation, overlong, surrogate, out of range, cut sequences. */
const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe, 0xfe],
  [0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
];

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert-bytes'; at: number; bytes: number[] }
  | { kind: 'insert-text'; at: number; text: string }
  | { kind: 'long-line'; at: number; unit: string; count: number };

/** `at` is a fraction of the current length, so a mutation applies to any sample. */
const position = fc.double({ min: 0, max: 1, noNaN: true });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  position.map((at): Mutation => ({ kind: 'truncate', at })),
  fc
    .tuple(position, fc.constantFrom(...INVALID_UTF8))
    .map(([at, bytes]): Mutation => ({ kind: 'insert-bytes', at, bytes })),
  fc
    .tuple(
      position,
      fc.oneof(
        fc.constantFrom(...HOSTILE_SNIPPETS),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.array(fc.constantFrom(...HOSTILE_SNIPPETS), { minLength: 1, maxLength: 4 }).map((a) => a.join(' ')),
      ),
    )
    .map(([at, text]): Mutation => ({ kind: 'insert-text', at, text })),
  fc
    .tuple(
      position,
      fc.constantFrom('x', ' ', '<', '\u001b', '=', '"', 'é', '\t'),
      fc.integer({ min: 1, max: 100_000 }),
    )
    .map(([at, unit, count]): Mutation => ({ kind: 'long-line', at, unit, count })),
);

export function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const at = Math.floor(m.at * bytes.length);
  switch (m.kind) {
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert-bytes':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    case 'insert-text':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text, 'utf8'), bytes.subarray(at)]);
    case 'long-line':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.unit.repeat(m.count), 'utf8'), bytes.subarray(at)]);
  }
}

/** A real sample (one of `samples`) after up to `maxMutations` mutations, as bytes. */
export const mutatedBytes = (samples: readonly Buffer[], maxMutations = 4): fc.Arbitrary<Buffer> =>
  fc
    .tuple(fc.constantFrom(...samples), fc.array(mutation, { maxLength: maxMutations }))
    .map(([sample, ms]) => ms.reduce(applyMutation, sample));

/** The same, decoded as the app decodes a VM's output. */
export const mutatedText = (samples: readonly Buffer[], maxMutations = 4): fc.Arbitrary<string> =>
  mutatedBytes(samples, maxMutations).map((b) => b.toString('utf8'));

/** Every string in a value (object keys included), for checks over anything a parser returns. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out);
    }
  return out;
}

/** How many leaves (strings, numbers, booleans) a value holds: the size of a parse, as a proxy for its work. */
export function leafCount(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + leafCount(v), 0);
  if (value !== null && typeof value === 'object')
    return Object.values(value).reduce((n: number, v) => n + leafCount(v), 0);
  return value === undefined ? 0 : 1;
}

/** Lines as the parsers count them (CRLF, LF or a lone CR ends a line). */
export const lineCount = (text: string): number => (text.match(/\r\n|\n|\r/g)?.length ?? 0) + 1;
