/**
 * Every table of the dashboard: a focusable, labelled region that scrolls on its own on a phone (so the page never
 * scrolls sideways), with column headers scoped for screen readers. Numeric columns are right-aligned.
 */
import { html, type Html } from '../htmlText';

export interface Column {
  title: string;
  numeric?: boolean;
}

export const scrollTable = (label: string, id: string, columns: readonly Column[], rows: Html, caption?: Html): Html =>
  html`<div class="scroll" tabindex="0" role="region" aria-label="${label}">
    <table id="${id}">
      ${
        caption === undefined
          ? ''
          : html`<caption class="muted">
              ${caption}
            </caption>`
      }
      <thead>
        <tr>
          ${columns.map((c) => (c.numeric === true ? html`<th scope="col" class="num">${c.title}</th>` : html`<th scope="col">${c.title}</th>`))}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
