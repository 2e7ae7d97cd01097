const MAX_SHOWN = 80;

/** A short, printable rendering of a value seen on a VM, for finding messages (JSON form, capped, no controls). */
export function displayValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'absent';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}
