/**
 * Reads the untrusted rows of a Log Analytics table into records by column name, never by position (a workspace
 * may add columns, or answer a query with them in another order). A required column that is absent makes the
 * whole table unreadable; a cell of the wrong type costs only its row. Every problem is said in words. Pure.
 */
import type { LogTable } from '../azure/logQueryGateway';

export type CellKind = 'string' | 'datetime';

export interface ColumnSpec {
  column: string;
  kind: CellKind;
  required: boolean;
}

export type RowSpec<K extends string> = Record<K, ColumnSpec>;

/** Strings as given; datetimes as ISO 8601 strings; absent or empty optional cells are undefined. */
export type ReadRow<K extends string> = Record<K, string | undefined>;

export type ReadTable<K extends string> =
  { kind: 'rows'; rows: ReadRow<K>[]; problems: string[] } | { kind: 'unreadable'; problems: string[] };

/** At most this many row problems are listed; the rest are counted. */
export const MAX_ROW_PROBLEMS = 10;

/** The SDK turns datetime cells into Date; a string is accepted when it parses. */
const readCell = (cell: unknown, kind: CellKind): { value: string | undefined } | { error: string } => {
  if (cell === null || cell === undefined || cell === '') return { value: undefined };
  if (kind === 'string') return typeof cell === 'string' ? { value: cell } : { error: `is a ${typeOf(cell)}` };
  const ms = cell instanceof Date ? cell.getTime() : typeof cell === 'string' ? Date.parse(cell) : Number.NaN;
  return Number.isNaN(ms) ? { error: `is not a date (${typeOf(cell)})` } : { value: new Date(ms).toISOString() };
};

const typeOf = (cell: unknown): string => (Array.isArray(cell) ? 'array' : cell instanceof Date ? 'date' : typeof cell);

export function readRows<K extends string>(table: LogTable, spec: RowSpec<K>, tableName: string): ReadTable<K> {
  const keys = Object.keys(spec) as K[];
  const index = new Map<string, number>();
  table.columns.forEach((c, i) => {
    if (!index.has(c.name)) index.set(c.name, i);
  });
  const absent = keys.filter((k) => spec[k].required && !index.has(spec[k].column)).map((k) => spec[k].column);
  if (absent.length > 0) {
    return {
      kind: 'unreadable',
      problems: [`${tableName} has no column ${absent.join(', ')}; none of its rows can be read`],
    };
  }
  const rows: ReadRow<K>[] = [];
  const problems: string[] = [];
  let unlisted = 0;
  const note = (text: string): void => {
    if (problems.length < MAX_ROW_PROBLEMS) problems.push(text);
    else unlisted += 1;
  };
  table.rows.forEach((raw, r) => {
    if (!Array.isArray(raw)) {
      note(`${tableName} row ${r + 1} is not a list of cells; skipped`);
      return;
    }
    const row = {} as ReadRow<K>;
    let bad = false;
    for (const k of keys) {
      const i = index.get(spec[k].column);
      const read = i === undefined ? { value: undefined } : readCell(raw[i], spec[k].kind);
      if ('error' in read) {
        note(`${tableName} row ${r + 1}: ${spec[k].column} ${read.error}; row skipped`);
        bad = true;
        break;
      }
      if (read.value === undefined && spec[k].required) {
        note(`${tableName} row ${r + 1}: ${spec[k].column} is empty; row skipped`);
        bad = true;
        break;
      }
      row[k] = read.value;
    }
    if (!bad) rows.push(row);
  });
  if (unlisted > 0) problems.push(`${tableName}: ${unlisted} more rows skipped for the same kinds of reasons`);
  return { kind: 'rows', rows, problems };
}
