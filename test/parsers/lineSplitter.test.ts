import { LineSplitter, SplitLine } from '../../src/shared/parsers/lineSplitter';

function split(chunks: readonly string[], maxLineChars = 100, firstLine = 1): SplitLine[] {
  const lines: SplitLine[] = [];
  const splitter = new LineSplitter(maxLineChars, (l) => lines.push(l), firstLine);
  for (const c of chunks) splitter.write(c);
  splitter.end();
  return lines;
}

const texts = (lines: readonly SplitLine[]): string[] => lines.map((l) => l.text);

describe('LineSplitter', () => {
  it('splits LF, CRLF and lone CR, numbering from the first line', () => {
    expect(split(['a\nb\r\nc\rd'])).toEqual([
      { n: 1, text: 'a', length: 1 },
      { n: 2, text: 'b', length: 1 },
      { n: 3, text: 'c', length: 1 },
      { n: 4, text: 'd', length: 1 },
    ]);
  });

  it('gives the same lines whatever the chunk boundaries, including between CR and LF', () => {
    const text = 'first line\r\nsecond\r\n\r\nfourth\rfifth\nsixth\r\n';
    const whole = split([text]);
    for (let cut = 0; cut <= text.length; cut += 1) {
      expect(split([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    expect(split(text.split(''))).toEqual(whole);
    expect(texts(whole)).toEqual(['first line', 'second', '', 'fourth', 'fifth', 'sixth']);
  });

  it('a trailing break ends the last line; a missing one still emits it', () => {
    expect(texts(split(['a\n']))).toEqual(['a']);
    expect(texts(split(['a\n\n']))).toEqual(['a', '']);
    expect(texts(split(['a']))).toEqual(['a']);
    expect(texts(split(['']))).toEqual([]);
    expect(texts(split(['\r']))).toEqual(['']);
  });

  it('keeps only the head of a line longer than the cap, across chunks, and reports its full length', () => {
    const lines = split(['x'.repeat(60), 'y'.repeat(60), 'z'.repeat(60), '\nshort\n'], 100);
    expect(lines[0]).toEqual({ n: 1, text: `${'x'.repeat(60)}${'y'.repeat(40)}`, length: 180 });
    expect(lines[1]).toEqual({ n: 2, text: 'short', length: 5 });
  });

  it('numbers from a given first line (a file read from the middle)', () => {
    expect(split(['a\nb\n'], 100, 41).map((l) => l.n)).toEqual([41, 42]);
  });

  it('reports whether the text ended with a line break', () => {
    const splitter = new LineSplitter(10, () => undefined);
    expect(splitter.endedWithBreak).toBe(true);
    splitter.write('a\nb');
    expect(splitter.endedWithBreak).toBe(false);
    splitter.write('\r');
    expect(splitter.endedWithBreak).toBe(true);
  });
});
