import { terminalLine } from '../report/terminalText';

/**
 * Quotes a VM-supplied path for a fix command an operator will paste into a root shell. The path is untrusted:
 * a name like `x; rm -rf /` must stay one inert word.
 */
export function shellWord(value: string): string {
  // Control and bidi characters could hide or reorder text in a terminal; show them as visible escapes.
  const visible = terminalLine(value);
  if (visible !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(visible)) return visible;
  return `'${visible.replace(/'/g, `'\\''`)}'`;
}
