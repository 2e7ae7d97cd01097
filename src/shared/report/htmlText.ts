/**
 * The escaping policy for HTML (the dashboard and the printable evidence report), beside terminalText.ts for
 * terminals and csvText.ts for spreadsheets. Everything that came from a VM or from Azure (names, log lines, reasons,
 * messages) is untrusted: it reaches a page only through `html`, which escapes the five characters that can end a
 * text node or an attribute value, and makes control and bidirectional characters visible (terminalLine), so a log
 * line with `<script>` in it stays text and a right-to-left override cannot reorder a row.
 *
 * Pages are built from `Html` values, never from strings: a template can only embed text (escaped) or Html that
 * was itself built this way, so forgetting to escape is a type error rather than a hole.
 */
import { terminalLine } from './terminalText';

declare const HTML_BRAND: unique symbol;
/** Markup that is safe to embed: built only by `html`, `raw` (trusted constants) and `join`. */
export interface Html {
  readonly [HTML_BRAND]: true;
  readonly markup: string;
}

const made = (markup: string): Html => ({ markup }) as Html;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Untrusted text as HTML text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return terminalLine(text).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export type HtmlValue = Html | string | number | undefined | null | false | readonly HtmlValue[];

const isHtml = (value: unknown): value is Html =>
  typeof value === 'object' && value !== null && typeof (value as { markup?: unknown }).markup === 'string';

const embed = (value: HtmlValue): string => {
  if (value === undefined || value === null || value === false) return '';
  if (isHtml(value)) return value.markup;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => embed(v)).join('');
  return escapeHtml(String(value));
};

/** A tagged template: the literal parts are markup, every embedded value is escaped unless it is Html. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => (out += embed(v) + (strings[i + 1] ?? '')));
  return made(out);
}

/** A constant of the app's own (CSS, an SVG path built from numbers): never pass text from outside. */
export const raw = (markup: string): Html => made(markup);

export const joinHtml = (parts: readonly Html[], separator = ''): Html =>
  made(parts.map((p) => p.markup).join(separator));
