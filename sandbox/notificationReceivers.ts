/**
 * Local HTTPS stand-ins for the places alerts go: a generic webhook, a Teams Workflows webhook, a Slack incoming
 * webhook and an Event Grid custom topic (`POST /api/events?api-version=…`, CloudEvents batch, `aeg-sas-key` or a
 * bearer token, as @azure/eventgrid sends them). They share the sandbox's TLS certificate, record every request
 * (headers, raw and parsed body, the status answered) for tests to read, and can be told to fail a target (an HTTP
 * status, or no answer at all) and to recover, or to answer every request after a delay (`delayMs`).
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './repoRoot';

export type ReceiverName = 'webhook' | 'teams' | 'slack' | 'eventgrid';

export interface ReceivedRequest {
  target: ReceiverName;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed JSON body; undefined when it was not JSON. */
  body: unknown;
  /** What the receiver answered (0: it did not answer). */
  status: number;
  /** performance.now() in this process when the body had arrived, and when the answer was sent (benchmarks). */
  receivedAtMs: number;
  answeredAtMs?: number;
}

export type ReceiverFault = { kind: 'status'; status: number } | { kind: 'hang' };

export interface NotificationReceivers {
  /** Each target's URL: the path segments after the target name stand for the secret part of a real URL. */
  urls: Record<ReceiverName, string>;
  /** The key the Event Grid topic accepts in `aeg-sas-key`. */
  eventGridKey: string;
  requests: ReceivedRequest[];
  /** Requests a target accepted (2xx), oldest first. */
  accepted(target: ReceiverName): ReceivedRequest[];
  fail(target: ReceiverName, fault: ReceiverFault): void;
  recover(target: ReceiverName): void;
  clear(): void;
  stop(): Promise<void>;
}

interface CertificateModule {
  ensureSandboxCertificate(dir?: string): { certPath: string; keyPath: string };
}

const MAX_BODY_BYTES = 1024 * 1024;
const EVENT_GRID_CONTENT_TYPE = /^application\/cloudevents-batch\+json\s*;\s*charset=utf-8$/i;

export interface NotificationReceiverOptions {
  eventGridKey?: string;
  /** Accept `Authorization: Bearer …` at the Event Grid topic (the managed identity path). */
  acceptBearer?: boolean;
  /** Every target answers this many ms after the request's body arrived (a slow but healthy service). */
  delayMs?: number;
}

export async function startNotificationReceivers(
  options: NotificationReceiverOptions = {},
): Promise<NotificationReceivers> {
  const root = repoRoot();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script shared with the test setup
  const cert = require(path.join(root, 'scripts', 'sandboxCertificate.js')) as CertificateModule;
  const { certPath, keyPath } = cert.ensureSandboxCertificate();
  const eventGridKey = options.eventGridKey ?? 'sandbox-topic-key-not-real';
  const requests: ReceivedRequest[] = [];
  const faults = new Map<ReceiverName, ReceiverFault>();
  const hanging = new Set<ServerResponse>();

  const answer = (res: ServerResponse, record: ReceivedRequest, status: number, body: unknown): void => {
    record.status = status;
    record.answeredAtMs = performance.now();
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const target = targetOf(url.pathname);
    const rawBody = await readBody(req);
    const receivedAtMs = performance.now();
    let body: unknown;
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const record: ReceivedRequest = {
      target: target ?? 'webhook',
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      rawBody,
      body,
      status: 0,
      receivedAtMs,
    };
    if (target === undefined) {
      answer(res, record, 404, { error: 'no receiver at this path' });
      return;
    }
    requests.push(record);
    if (options.delayMs !== undefined && options.delayMs > 0) await sleep(options.delayMs);
    const fault = faults.get(target);
    if (fault?.kind === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (fault?.kind === 'status') {
      if (fault.status === 429) res.setHeader('retry-after', '1');
      answer(res, record, fault.status, { error: 'injected fault' });
      return;
    }
    if (req.method !== 'POST') {
      answer(res, record, 405, { error: 'POST only' });
      return;
    }
    if (target === 'eventgrid') {
      const check = checkEventGrid(record, eventGridKey, options.acceptBearer ?? false);
      answer(res, record, check.status, check.body);
      return;
    }
    if (!/^application\/json/i.test(headers['content-type'] ?? '') || body === undefined) {
      answer(res, record, 400, 'invalid_payload');
      return;
    }
    // Slack answers "ok"; a Teams workflow accepts with 202; a generic webhook with 200.
    if (target === 'slack') answer(res, record, 200, 'ok');
    else if (target === 'teams') answer(res, record, 202, '');
    else answer(res, record, 200, { received: true });
  };

  const server = https.createServer({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    urls: {
      webhook: `${base}/webhook/hook-token-not-real`,
      teams: `${base}/teams/workflows/flow-sig-not-real/invoke?api-version=2016-06-01&sig=teams-sig-not-real`,
      slack: `${base}/slack/services/T00000000/B00000000/slack-token-not-real`,
      eventgrid: `${base}/api/events`,
    },
    eventGridKey,
    requests,
    accepted: (target) => requests.filter((r) => r.target === target && r.status >= 200 && r.status <= 299),
    fail: (target, fault) => void faults.set(target, fault),
    recover: (target) => {
      faults.delete(target);
      for (const res of hanging) res.destroy();
    },
    clear: () => void requests.splice(0, requests.length),
    stop: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const targetOf = (pathname: string): ReceiverName | undefined => {
  if (pathname === '/api/events') return 'eventgrid';
  const first = pathname.split('/')[1];
  return first === 'webhook' || first === 'teams' || first === 'slack' ? first : undefined;
};

/** What an Event Grid topic with the CloudEvents input schema checks before it accepts a batch. */
const checkEventGrid = (r: ReceivedRequest, key: string, acceptBearer: boolean): { status: number; body: unknown } => {
  const sasKey = r.headers['aeg-sas-key'];
  const bearer = /^Bearer \S+$/.test(r.headers['authorization'] ?? '');
  if (!(sasKey === key || (acceptBearer && bearer))) {
    return { status: 401, body: { error: { code: 'Unauthorized', message: 'The request is not authorized.' } } };
  }
  if (r.query['api-version'] === undefined) {
    return {
      status: 400,
      body: { error: { code: 'BadRequest', message: 'The api-version query parameter is required.' } },
    };
  }
  if (!EVENT_GRID_CONTENT_TYPE.test(r.headers['content-type'] ?? '')) {
    return { status: 400, body: { error: { code: 'BadRequest', message: 'Expected a CloudEvents batch.' } } };
  }
  const events = r.body;
  const valid =
    Array.isArray(events) &&
    events.length > 0 &&
    events.every(
      (e: unknown) =>
        typeof e === 'object' &&
        e !== null &&
        (e as Record<string, unknown>)['specversion'] === '1.0' &&
        ['id', 'source', 'type'].every((k) => typeof (e as Record<string, unknown>)[k] === 'string'),
    );
  if (!valid) return { status: 400, body: { error: { code: 'BadRequest', message: 'Not CloudEvents 1.0.' } } };
  return { status: 200, body: '' };
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
