/**
 * The one escaping policy for text shown to a person: terminal output, alert lines, log lines (DESIGN.md, safety
 * invariant 4). Text that came from a VM (paths, log lines, script output, IRIS messages) can carry escape
 * sequences that rewrite the screen or a log viewer, C1 controls that some terminals read as CSI, and
 * bidirectional overrides that make a line read differently from what it contains ("Trojan Source"). Every
 * renderer passes such text through one of the two functions below; parsers and the run model keep the raw data.
 *
 * Each unsafe code point becomes a visible escape: `\x1b` for C0/DEL/C1 controls, `\u202e` for the Unicode format
 * characters. Safe text comes back unchanged, and escaping twice changes nothing (an escape is plain ASCII).
 *
 * Exported for every renderer, including the `parse` command's human-readable output.
 */

/**
 * Code points that are never shown as themselves:
 * - C0 controls U+0000–U+001F (tab and line feed are allowed back by `terminalText` only), DEL U+007F and C1
 *   controls U+0080–U+009F (U+009B is a one-byte CSI on some terminals);
 * - bidirectional embeddings and overrides U+202A–U+202E and isolates U+2066–U+2069;
 * - the direction marks U+200E, U+200F and U+061C (invisible, they reorder neighbouring text);
 * - the line and paragraph separators U+2028/U+2029, which some viewers break lines on.
 */
// Everything unsafe except TAB (U+0009) and LF (U+000A), which terminalText lets through.
const FORMAT_CHARS = '\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const CONTROLS_BUT_TAB_LF = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f';
const UNSAFE = new RegExp(`[\\u0009\\u000a${CONTROLS_BUT_TAB_LF}${FORMAT_CHARS}]`, 'g');
const UNSAFE_EXCEPT_TAB_LF = new RegExp(`[${CONTROLS_BUT_TAB_LF}${FORMAT_CHARS}]`, 'g');

const hex = (code: number, digits: number): string => code.toString(16).padStart(digits, '0');

/** The visible escape of one unsafe character. */
const escapeChar = (char: string): string => {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
};

/** For a single-line field (a table cell, an alert line, a verdict reason): line breaks and tabs are escaped too. */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** For a block of text whose line breaks and tabs are meant (a report): only those two pass through. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_EXCEPT_TAB_LF, escapeChar);
}

/**
 * JSON text for a terminal or a pipe: JSON.stringify escapes C0 controls but leaves DEL, C1 and bidi characters
 * raw. In JSON text they can only occur inside strings, where `\u00XX` means the same character, so the data is
 * unchanged and the text is inert. `text` must be JSON as JSON.stringify writes it.
 */
export function terminalJsonText(text: string): string {
  return text.replace(UNSAFE_EXCEPT_TAB_LF, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}

/** A value as indented JSON, made inert by terminalJsonText. */
export function terminalJson(value: unknown): string {
  return terminalJsonText(JSON.stringify(value, null, 2) ?? 'null');
}
