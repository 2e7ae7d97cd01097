import { keyValuePairs } from '../../src/shared/parsers/keyValuePairs';

// The regex the scanner replaces: the reference for what it must find.
const PAIR = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
const byRegex = (line: string): [string, string][] => [...line.matchAll(PAIR)].map((m) => [m[1] ?? '', m[2] ?? '']);

describe('keyValuePairs', () => {
  it.each([
    'level=info event=frozen instance=IRIS rc=5',
    'msg="a quoted \\"value\\" with = signs" next=1',
    'a="unclosed x=1 y="also b=2',
    'k="a\\" tricky="b" c=3',
    '1abc=2 .x=3 -=4 =5 _u=6 a.b-c=7',
    'a==b c= d="" e="\\\\" f="\\',
    'x="a\u2028b" y="c\\\u2028" z=1',
    'trail="x" key=',
    'caf\u00e9=1 ok=2',
    'a="1"b=2"c"=3',
    'weird\u00a0spacing=1\u00a0next=2',
  ])('finds what the regex finds: %j', (line) => {
    expect(keyValuePairs(line)).toEqual(byRegex(line));
  });

  it('agrees with the regex on random lines of the characters that matter', () => {
    const alphabet = ['a', 'b', '1', '.', '-', '_', '=', '"', '\\', ' ', '\t', 'é'];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let n = 0; n < 3000; n += 1) {
      let line = '';
      const length = next() % 30;
      for (let i = 0; i < length; i += 1) line += alphabet[next() % alphabet.length];
      expect([line, keyValuePairs(line)]).toEqual([line, byRegex(line)]);
    }
  });

  it('stays linear on a hostile line (long words without =, one unclosed quote)', () => {
    const line = `${'a.'.repeat(200_000)} ${'k=v '.repeat(40_000)}${'b'.repeat(200_000)} q="${'x '.repeat(100_000)}`;
    expect(keyValuePairs(line)).toHaveLength(40_001);
  });
});
