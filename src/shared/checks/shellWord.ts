/**
 * Quotes a VM-supplied path for a fix command an operator will paste into a root shell. The path is untrusted:
 * a name like `x; rm -rf /` must stay one inert word.
 */
export function shellWord(value: string): string {
  // Control characters could hide text in a terminal; show them as '?' instead.
  // eslint-disable-next-line no-control-regex
  const visible = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  if (visible !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(visible)) return visible;
  return `'${visible.replace(/'/g, `'\\''`)}'`;
}
