/**
 * The dashboard and the evidence API on this machine, for `iris-backup-guard serve`, the demo and the browser
 * tests: a plain node:http server on the loopback address that hands every request under /api to the same router
 * the Functions app uses. No key is asked for (only this machine can connect); it never listens on another address.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleEvidenceRequest, type ApiContext } from '../shared/api/evidenceApi';
import { errorResponse, type ApiResponse } from '../shared/api/apiMessage';

export const DASHBOARD_PATH = '/api/dashboard';

export interface DashboardServerOptions {
  /** Built per request, so each answer sees the time it is asked at. */
  context: () => ApiContext;
  /** 0 (default): any free port. */
  port?: number;
}

export interface DashboardServer {
  /** The dashboard's address, e.g. http://127.0.0.1:53123/api/dashboard. */
  url: string;
  /** The server's origin, e.g. http://127.0.0.1:53123. */
  origin: string;
  close(): Promise<void>;
}

const send = (res: ServerResponse, answer: ApiResponse): void => {
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
};

async function handle(req: IncomingMessage, res: ServerResponse, options: DashboardServerOptions): Promise<void> {
  // A GET has no body; one that comes anyway is not read.
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/' || url.pathname === '/api' || url.pathname === '/api/') {
    res.writeHead(302, { Location: DASHBOARD_PATH, 'Content-Length': 0 });
    res.end();
    return;
  }
  if (!url.pathname.startsWith('/api/')) {
    send(res, errorResponse(404, `No such resource: ${url.pathname.slice(0, 200)}`, `Open ${DASHBOARD_PATH}.`));
    return;
  }
  const answer = await handleEvidenceRequest(
    {
      method: req.method ?? 'GET',
      path: url.pathname.slice('/api'.length),
      query: url.searchParams,
      header: (name) => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
    },
    options.context(),
  );
  send(res, answer);
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const server: Server = createServer((req, res) => {
    handle(req, res, options).catch((e: unknown) => {
      if (!res.headersSent) send(res, errorResponse(500, 'The dashboard could not answer.', String(e).slice(0, 300)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${DASHBOARD_PATH}`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
