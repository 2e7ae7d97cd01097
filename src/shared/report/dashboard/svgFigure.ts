/** The frame every server-drawn chart shares: an accessible image (role, label, title) of a fixed size. */
import { html, type Html } from '../htmlText';

export const svgFigure = (id: string, label: string, width: number, height: number, body: Html): Html =>
  html`<svg
    id="${id}"
    role="img"
    aria-label="${label}"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title>${label}</title>
    ${body}
  </svg>`;
