import { terminalLine } from './terminalText';

/**
 * Fixed-width columns for the terminal, two spaces apart; the last column is not padded and trailing spaces are
 * trimmed. Every cell (and title) is escaped here with terminalLine before the widths are measured, so a caller
 * cannot forget it and a control character cannot shift the columns.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const safeHeader = header.map(terminalLine);
  const safeRows = rows.map((r) => r.map(terminalLine));
  // A loop, not Math.max(...rows): spreading 100k+ rows as arguments overflows the call stack.
  const widths = safeHeader.map((h) => h.length);
  for (const r of safeRows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(safeHeader), ...safeRows.map(line)];
}
