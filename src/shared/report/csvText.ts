/**
 * The escaping policy for CSV (the evidence export), beside terminalText.ts and htmlText.ts. RFC 4180 quoting, and
 * the spreadsheet rule: a cell that starts with = + - @ or a tab/CR is read as a formula by Excel and LibreOffice
 * ("CSV injection"), so such a cell from a VM or Azure is prefixed with an apostrophe. Control and bidirectional
 * characters become visible escapes (terminalLine), so a cell is always one line.
 */
import { terminalLine } from './terminalText';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return String(value);
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  const text = terminalLine(guarded);
  return /[",\n\r]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV document: a header row and the rows, CRLF line ends (RFC 4180). */
export function csvDocument(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | undefined | null)[])[],
): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
