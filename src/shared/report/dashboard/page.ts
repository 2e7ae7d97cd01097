/**
 * The frame every dashboard page shares: one inline <style> and nothing else to load (no script, no font, no image,
 * no CDN), allowed by its hash in a strict Content-Security-Policy, so a page works with no network and nothing a VM
 * wrote can run in it even if escaping were ever missed. Colours always come with a text label (accessibility).
 */
import { createHash } from 'node:crypto';
import { html, raw, type Html } from '../htmlText';
import type { DashboardLinks } from './links';

export interface RenderedPage {
  status: number;
  html: string;
  /** For the Content-Security-Policy response header. */
  contentSecurityPolicy: string;
}

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff;margin:0 auto;max-width:78rem;padding:0 1rem 2rem}
header.top{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;border-bottom:1px solid #ccc;padding:.6rem 0;margin-bottom:.8rem}
header.top .app{font-weight:700}
a{color:#0645ad}
a:focus-visible,[tabindex]:focus-visible{outline:3px solid #1f5fbf;outline-offset:2px}
h1{font-size:1.45rem;margin:.4rem 0 .6rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.6rem 0 .5rem}
p,ul,ol,dl{margin:.4rem 0}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
code{background:#f2f2f2;padding:0 .2em;overflow-wrap:anywhere}
.muted{color:#555}
.scroll{overflow-x:auto;max-width:100%}
.scroll table{min-width:44rem}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;font-weight:600;white-space:nowrap}
tbody th{background:none;white-space:normal;overflow-wrap:anywhere;min-width:8rem}
td.num,th.num{text-align:right;white-space:nowrap}
td.nowrap{white-space:nowrap}
.rag{display:inline-block;border-radius:.3rem;padding:0 .45rem;font-weight:700;font-size:.85em;white-space:nowrap;border:1px solid}
.rag-green{background:#dcf3e1;color:#0a4f1a;border-color:#0a4f1a}
.rag-amber{background:#fff1c7;color:#5c3d00;border-color:#8a5c00}
.rag-red{background:#ffdedb;color:#80130b;border-color:#80130b}
.rag-unknown,.rag-skipped{background:#eee;color:#333;border-color:#777}
.summary{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:.4rem 0 .8rem;padding:0;list-style:none}
.summary li{font-size:1.05rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
ul.reasons li,ul.findings li,ul.alerts li{margin:.25rem 0;overflow-wrap:anywhere}
ol.log{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;background:#f7f7f7;border:1px solid #ddd;padding:.5rem .5rem .5rem 2.5rem;overflow-wrap:anywhere}
svg{display:block;max-width:100%;height:auto}
svg text{font:12px system-ui,sans-serif;fill:#1b1b1b}
svg .axis{stroke:#444;stroke-width:1}
svg .grid{stroke:#ddd;stroke-width:1}
svg .target{stroke:#80130b;stroke-width:1.5;stroke-dasharray:6 4}
svg .rto-line{fill:none;stroke:#1f5fbf;stroke-width:1.5}
svg .point{fill:#1f5fbf;stroke:#fff;stroke-width:1}
svg .failed-drill{stroke:#b3160b;stroke-width:2.5}
svg .bar-done{fill:#2e8540}
svg .bar-failed{fill:#b3160b}
svg .bar-running{fill:#d18f00}
svg .bar-skipped{fill:#bbb}
@media (max-width:600px){body{padding:0 .5rem 1.5rem;font-size:14px}th,td{padding:.3rem .35rem}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.3rem}}
`;

const CSS_HASH = createHash('sha256').update(CSS, 'utf8').digest('base64');
const STYLE = raw(`<style>${CSS}</style>`);

/** The policy, computed once: the header form (frame-ancestors only works as a header). */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${CSS_HASH}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
/** The same in the page itself, for a page saved to disk (a meta policy cannot hold frame-ancestors). */
const META_CSP = DASHBOARD_CSP.replace("; frame-ancestors 'none'", '');

export interface PageInput {
  title: string;
  status?: number;
  links: DashboardLinks;
  body: Html;
}

export function renderPage(input: PageInput): RenderedPage {
  const doc = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content="${META_CSP}" />
        <meta name="referrer" content="no-referrer" />
        <title>${input.title} · IRIS Backup Guard</title>
        ${STYLE}
      </head>
      <body>
        <header class="top">
          <span class="app">IRIS Backup Guard</span>
          <nav aria-label="Dashboard"><a href="${input.links.fleet()}">Fleet</a></nav>
        </header>
        <main>${input.body}</main>
      </body>
    </html> `;
  return { status: input.status ?? 200, html: doc.markup, contentSecurityPolicy: DASHBOARD_CSP };
}
