/** The one escaping policy for text shown to a person (safety invariant 4): property tests over any string. */
import fc from 'fast-check';
import { terminalJson, terminalLine, terminalText } from '../../src/shared/report/terminalText';

const isUnsafe = (code: number): boolean =>
  code <= 0x1f ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x061c ||
  code === 0x200e ||
  code === 0x200f ||
  code === 0x2028 ||
  code === 0x2029 ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

const codes = (text: string): number[] => [...text].map((c) => c.codePointAt(0) ?? 0);

// Strings rich in the characters that matter, mixed with any other code point.
const dangerous = fc.constantFrom(
  '\u001b',
  '\u009b',
  '\u0085',
  '\u007f',
  '\u0000',
  '\r',
  '\n',
  '\t',
  '\u202e',
  '\u202a',
  '\u2066',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u061c',
  '\u2028',
  '\\',
);
const anyText = fc
  .array(fc.oneof(dangerous, fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ unit: 'binary' })), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''));
const safeText = fc.string({ unit: 'grapheme' }).filter((s) => !codes(s).some(isUnsafe));

describe('terminalLine', () => {
  it('leaves none of the unsafe code points, whatever the input', () => {
    fc.assert(fc.property(anyText, (s) => expect(codes(terminalLine(s)).filter(isUnsafe)).toEqual([])));
  });

  it('returns safe text unchanged', () => {
    fc.assert(fc.property(safeText, (s) => expect(terminalLine(s)).toBe(s)));
  });

  it('is idempotent: escaping twice changes nothing', () => {
    fc.assert(fc.property(anyText, (s) => expect(terminalLine(terminalLine(s))).toBe(terminalLine(s))));
  });

  it('shows each unsafe character as a visible escape', () => {
    expect(terminalLine('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(terminalLine('x\u009by')).toBe('x\\x9by');
    expect(terminalLine('evil\u202eexe.txt')).toBe('evil\\u202eexe.txt');
    expect(terminalLine('one\ntwo\tthree\r')).toBe('one\\x0atwo\\x09three\\x0d');
  });
});

describe('terminalText', () => {
  it('keeps line feeds and tabs, and nothing else that is unsafe', () => {
    fc.assert(
      fc.property(anyText, (s) =>
        expect(codes(terminalText(s)).filter((c) => isUnsafe(c) && c !== 0x0a && c !== 0x09)).toEqual([]),
      ),
    );
  });

  it('returns safe text (with its line feeds and tabs) unchanged', () => {
    const block = fc.array(safeText, { maxLength: 5 }).map((lines) => lines.join('\n\t'));
    fc.assert(fc.property(block, (s) => expect(terminalText(s)).toBe(s)));
  });

  it('escapes a carriage return, which could overwrite a line', () => {
    expect(terminalText('ok\rFAKE\n')).toBe('ok\\x0dFAKE\n');
  });
});

describe('terminalJson', () => {
  it('parses back to the same value and carries no unsafe character but its own line feeds', () => {
    fc.assert(
      fc.property(fc.dictionary(anyText, fc.oneof(anyText, fc.integer())), (value) => {
        const text = terminalJson(value);
        expect(JSON.parse(text)).toEqual(value);
        expect(codes(text).filter((c) => isUnsafe(c) && c !== 0x0a)).toEqual([]);
      }),
    );
  });
});
