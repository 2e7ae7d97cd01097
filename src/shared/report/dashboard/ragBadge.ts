/** A status as a coloured badge that also says it in words: colour is never the only signal. */
import { html, type Html } from '../htmlText';
import type { Rag } from '../../evidence/fleetStatus';

export type BadgeState = Rag | 'unknown';

const WORDS: Record<BadgeState, string> = { green: 'Green', amber: 'Amber', red: 'Red', unknown: 'Unknown' };

export const ragBadge = (state: BadgeState, text: string = WORDS[state]): Html =>
  html`<span class="rag rag-${state}">${text}</span>`;
