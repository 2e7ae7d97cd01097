import { terminalLine } from '../report/terminalText';

const MAX_SHOWN = 80;

/** A short, printable rendering of a value seen on a VM, for finding messages (JSON form, capped, controls escaped). */
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
  // The value lands in finding messages, which --json also carries: make it inert where it is made.
  text = terminalLine(text);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}
