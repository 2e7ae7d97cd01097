/** A fix (words and exact commands, possibly several lines) as code: each line escaped, the breaks kept. */
import { html, joinHtml, raw, type Html } from '../htmlText';

export const fixText = (fix: string): Html =>
  html`<code
    >${joinHtml(
      fix.split(/\r?\n/).map((line) => html`${line}`),
      raw('<br>').markup,
    )}</code
  >`;
