/** A page for what the dashboard does not know (a VM or run id from an old link): 404 with a way back. */
import { html } from '../htmlText';
import type { DashboardLinks } from './links';
import { renderPage, type RenderedPage } from './page';

export function renderNotFoundPage(message: string, links: DashboardLinks): RenderedPage {
  return renderPage({
    title: 'Not found',
    status: 404,
    links,
    body: html`<h1>Not found</h1>
      <p>${message}</p>
      <p><a href="${links.fleet()}">Back to the fleet</a></p>`,
  });
}
