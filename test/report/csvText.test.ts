/** CSV escaping for the evidence export: formula injection, RFC 4180 quoting, one line per cell. */
import fc from 'fast-check';
import { csvCell, csvDocument } from '../../src/shared/report/csvText';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\\x09=1"],
    ['\r=1', "'\\x0d=1"],
  ])('a formula start %j gets a leading apostrophe', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('a formula character after the start is left alone', () => {
    expect(csvCell('a=b')).toBe('a=b');
  });

  it.each([
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    [' padded ', '" padded "'],
    ['plain', 'plain'],
  ])('quotes %j as RFC 4180 asks', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('a line break inside a value stays on the line as a visible escape', () => {
    expect(csvCell('one\ntwo\r\nthree')).toBe('one\\x0atwo\\x0d\\x0athree');
  });

  it('control and bidi characters become visible', () => {
    expect(csvCell('x\u001b[2J\u202eevil\u009b')).toBe('x\\x1b[2J\\u202eevil\\x9b');
  });

  it.each([
    [undefined, ''],
    [null, ''],
    [42, '42'],
    [-1, '-1'],
    [false, 'false'],
  ])('%p is written as %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('any string stays one cell: no raw line break, and an unquoted cell has no comma or quote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const cell = csvCell(s);
        expect(cell).not.toMatch(/[\r\n]/);
        if (!cell.startsWith('"')) expect(cell).not.toMatch(/[",]/);
        expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});

describe('csvDocument', () => {
  it('writes a header and the rows with CRLF line ends', () => {
    expect(
      csvDocument(
        ['vm', 'reason'],
        [
          ['vm-1', 'a,b'],
          ['=cmd', undefined],
        ],
      ),
    ).toBe('vm,reason\r\nvm-1,"a,b"\r\n\'=cmd,\r\n');
  });
});
