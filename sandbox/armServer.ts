/**
 * The HTTPS shell of the emulator: parses requests, applies faults (an error answer, or a connection reset before or
 * after handling), routes, answers ARM errors, records traffic.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ArmError } from './armError';
import type { ArmRequest, ArmResponse, ArmRouter } from './armRouter';
import type { FaultInjector, RequestFault } from './faultInjector';
import type { TrafficRecorder } from './trafficRecorder';

const MAX_BODY_BYTES = 1024 * 1024;

export interface RouteStats {
  count: number;
  totalMs: number;
}

export interface ArmServerOptions {
  router: ArmRouter;
  faults: FaultInjector;
  tls: { cert: Buffer; key: Buffer };
  port?: number;
  /** Called before each routed request, e.g. to settle jobs that became due. */
  beforeRequest?: () => void;
  /** Called after each answered request (the ARM events it produces are recorded from it). */
  afterResponse?: (method: string, path: string, status: number) => void;
}

export class ArmServer {
  private server?: https.Server;
  private recorder?: TrafficRecorder;
  baseUrl = '';
  requests = 0;
  readonly routeStats = new Map<string, RouteStats>();

  constructor(private readonly options: ArmServerOptions) {}

  async listen(): Promise<string> {
    const server = https.createServer({ cert: this.options.tls.cert, key: this.options.tls.key }, (req, res) => {
      void this.handle(req, res);
    });
    server.keepAliveTimeout = 1000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  setRecorder(recorder: TrafficRecorder | undefined): void {
    this.recorder = recorder;
  }

  private count(routeName: string, started: number): void {
    const stats = this.routeStats.get(routeName) ?? { count: 0, totalMs: 0 };
    stats.count += 1;
    stats.totalMs += Date.now() - started;
    this.routeStats.set(routeName, stats);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ): Promise<void> {
    const started = Date.now();
    this.requests += 1;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.baseUrl);
    let routeName = 'unrouted';
    let requestBody: unknown = null;
    let response: ArmResponse;
    let fault: RequestFault | undefined;
    try {
      const raw = await readBody(req);
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        throw new ArmError(400, 'InvalidUri', 'The request path is not valid percent-encoding.');
      }
      if (raw.length > 0) {
        try {
          requestBody = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new ArmError(400, 'InvalidRequestContent', 'The request body is not valid JSON.');
        }
      }
      fault = this.options.faults.decide(method, path);
      if (fault?.action === 'answer') {
        routeName = `fault.${fault.name}`;
        throw fault.error;
      }
      if (fault?.action === 'resetBefore') {
        this.count(`fault.${fault.name}`, started);
        await hangThenReset(res, fault.hangMs);
        return;
      }
      const { route, params } = this.options.router.match(method, path);
      routeName = route.name;
      this.options.beforeRequest?.();
      const armReq: ArmRequest = {
        method,
        path,
        query: url.searchParams,
        body: requestBody,
        headers: flatHeaders(req.headers),
        baseUrl: this.baseUrl,
        ...(fault?.action === 'skipRunCommand' ? { skipRunCommand: true } : {}),
      };
      response = route.handler(armReq, params);
    } catch (e) {
      const err =
        e instanceof ArmError
          ? e
          : new ArmError(500, 'InternalServerError', `Sandbox error: ${e instanceof Error ? e.message : String(e)}`);
      response = { status: err.statusCode, headers: err.headers, body: err.body() };
    }
    if (fault?.action === 'resetAfter') {
      // The request was handled (its effect and ARM events happen) but the answer never reaches the client; it is not
      // recorded as an exchange either, since none took place on the wire.
      if (routeName !== 'unrouted' && !routeName.startsWith('fault.'))
        this.options.afterResponse?.(method, decodedPath(url.pathname), response.status);
      this.count(`fault.${fault.name}`, started);
      await hangThenReset(res, fault.hangMs);
      return;
    }
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    const hasBody = response.body !== undefined && response.status !== 204;
    const payload = hasBody ? JSON.stringify(response.body) : '';
    if (hasBody) headers['Content-Type'] = 'application/json';
    headers['x-ms-request-id'] = `sandbox-${this.requests}`;
    res.writeHead(response.status, headers);
    res.end(payload);
    if (routeName !== 'unrouted' && !routeName.startsWith('fault.'))
      this.options.afterResponse?.(method, decodedPath(url.pathname), response.status);

    this.count(routeName, started);
    this.recorder?.record({
      method,
      url: url.toString(),
      requestHeaders: requestBody !== null ? { 'Content-Type': 'application/json' } : {},
      requestBody,
      status: response.status,
      responseHeaders: Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'x-ms-request-id')),
      responseBody: hasBody ? response.body : null,
      routeName,
    });
  }
}

/** Holds the connection, then resets it: the client sees ECONNRESET ("socket hang up"), as after a network time-out. */
async function hangThenReset(res: import('node:http').ServerResponse, hangMs: number): Promise<void> {
  if (hangMs > 0) await new Promise((resolve) => setTimeout(resolve, hangMs).unref());
  res.destroy();
}

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

function readBody(req: import('node:http').IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ArmError(413, 'RequestEntityTooLarge', 'The request body is larger than 1 MiB.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function flatHeaders(headers: import('node:http').IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
