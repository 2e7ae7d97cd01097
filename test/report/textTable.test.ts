/** The one fixed-width terminal table: columns line up, and every cell is escaped before it is measured. */
import { textTable } from '../../src/shared/report/textTable';

describe('textTable', () => {
  it('pads every column but the last to its widest cell, two spaces apart', () => {
    expect(
      textTable(
        ['VM', 'NIGHT', 'REASON'],
        [
          ['iris-long-name', 'n1', 'short'],
          ['a', '2026-12-01', ''],
        ],
      ),
    ).toEqual([
      'VM              NIGHT       REASON',
      'iris-long-name  n1          short',
      'a               2026-12-01',
    ]);
  });

  it('escapes control and bidi characters in a cell, and measures the escaped text', () => {
    const [header, row, next] = textTable(
      ['A', 'B'],
      [
        ['x\u001b[2J\u202e', 'y\nforged'],
        ['z', 'w'],
      ],
    );
    expect(row).toBe('x\\x1b[2J\\u202e  y\\x0aforged');
    // The escaped first cell is 14 characters: the next row's second column starts where this one's does.
    expect(next?.indexOf('w')).toBe(row?.indexOf('y'));
    expect(header?.indexOf('B')).toBe(row?.indexOf('y'));
  });

  it('a header with no rows is one line', () => {
    expect(textTable(['ONLY', 'LAST'], [])).toEqual(['ONLY  LAST']);
  });
});
