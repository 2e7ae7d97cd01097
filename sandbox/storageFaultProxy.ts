/**
 * A fault-injecting HTTP proxy in front of Azurite's Table service, for tests that run the app while storage
 * misbehaves. Requests pass through unchanged (method, path, headers, body: the SharedKey signature stays valid),
 * except that a seeded draw may answer one 503 ServerBusy before it reaches Azurite (throttling), or let a write
 * reach Azurite and replace its answer with 500 OperationTimedOut (the write happened, the answer was lost; the SDK's
 * retry then meets its own write: 409 on an insert, 412 on an ETag-guarded update). It also counts Azurite's own
 * 409 and 412 answers, the signs of a write race.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import type { AzuriteTables } from './azurite';
import { seededRandom } from './seededRandom';

export interface StorageFaultOptions {
  /** Seed of the draws (same seed and same order of requests, same faults). */
  seed: number;
  /** Probability (0..1) per request that it is answered 503 ServerBusy before it reaches Azurite. */
  busy?: number;
  /**
   * Probability (0..1) per write (POST, PUT, MERGE, PATCH, DELETE) that it reaches Azurite but the client gets 500
   * OperationTimedOut instead of Azurite's answer. Only a successful answer is lost (a write that happened): an error
   * answer (the SDK's retry meeting its own write) reaches the client, or retries could never end in 409 or 412.
   */
  lostAnswer?: number;
}

export interface StorageFaultProxy {
  /** The Azurite connection string with its TableEndpoint pointing at the proxy (BlobEndpoint unchanged). */
  connectionString: string;
  tableEndpoint: string;
  /**
   * Faults injected by kind (busy, lostAnswer) and Azurite's own answers that signal a write race (conflict409,
   * precondition412, including those inside a batch answer), counted whether or not a fault caused them.
   */
  counts(): Record<string, number>;
  /** Change the probabilities at run time (e.g. 0 to let a test settle). */
  set(options: Partial<Omit<StorageFaultOptions, 'seed'>>): void;
  stop(): Promise<void>;
}

type Counted = 'busy' | 'lostAnswer' | 'conflict409' | 'precondition412';

const WRITES = new Set(['POST', 'PUT', 'MERGE', 'PATCH', 'DELETE']);

// Hop-by-hop headers describe Azurite's connection to the proxy, not the answer; Node frames the body again.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

// What Azurite (and Table Storage) answer errors with, whatever JSON accept header the SDK sends.
const ERROR_CONTENT_TYPE = 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8';

interface InjectedError {
  status: number;
  statusMessage: string;
  code: string;
  message: string;
}

const SERVER_BUSY: InjectedError = {
  status: 503,
  statusMessage: 'Server Busy',
  code: 'ServerBusy',
  message: 'The server is busy.',
};

const OPERATION_TIMED_OUT: InjectedError = {
  status: 500,
  statusMessage: 'Operation could not be completed within the specified time.',
  code: 'OperationTimedOut',
  message: 'The operation could not be completed within the permitted time.',
};

const checkProbability = (name: string, value: number | undefined): void => {
  if (value !== undefined && !(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} must be a probability between 0 and 1: ${value}`);
  }
};

/** The statuses of the operations inside a batch answer (multipart/mixed, one `HTTP/1.1 <status>` line each). */
const batchStatuses = (headers: http.IncomingHttpHeaders, body: Buffer): number[] =>
  /^multipart\/mixed/i.test(headers['content-type'] ?? '') && headers['content-encoding'] === undefined
    ? [...body.toString('utf8').matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]))
    : [];

/** Answer `error` as Table Storage does, so that the SDK's RestError carries its status, code and message. */
const sendError = (req: http.IncomingMessage, res: http.ServerResponse, error: InjectedError): void => {
  const requestId = randomUUID();
  const body = JSON.stringify({
    'odata.error': {
      code: error.code,
      message: { lang: 'en-US', value: `${error.message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}` },
    },
  });
  const echoed = (name: string): Record<string, string> => {
    const value = req.headers[name];
    return typeof value === 'string' ? { [name]: value } : {};
  };
  res.writeHead(error.status, error.statusMessage, {
    'content-type': ERROR_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-ms-error-code': error.code,
    'x-ms-request-id': requestId,
    ...echoed('x-ms-version'),
    ...echoed('x-ms-client-request-id'),
  });
  res.end(body);
};

export async function startStorageFaultProxy(
  azurite: AzuriteTables,
  options: StorageFaultOptions,
): Promise<StorageFaultProxy> {
  checkProbability('busy', options.busy);
  checkProbability('lostAnswer', options.lostAnswer);
  const upstream = new URL(azurite.tableEndpoint);
  const random = seededRandom(options.seed);
  const probabilities = { busy: options.busy ?? 0, lostAnswer: options.lostAnswer ?? 0 };
  const counted: Record<Counted, number> = { busy: 0, lostAnswer: 0, conflict409: 0, precondition412: 0 };
  const agent = new http.Agent({ keepAlive: true });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const method = req.method ?? 'GET';
    const write = WRITES.has(method);
    // Both draws are taken for every write, whatever the probabilities, so that changing one of them at run time
    // does not shift which requests the other one hits.
    const busy = random() < probabilities.busy;
    const loseAnswer = write && random() < probabilities.lostAnswer;
    if (busy) {
      counted.busy += 1;
      // Read the body to its end first, so that the connection can carry the next request.
      req.resume();
      req.once('end', () => sendError(req, res, SERVER_BUSY));
      return;
    }
    const forwarded = http.request(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method,
        path: req.url,
        // Raw headers, in their order and spelling, Host and Content-Length included.
        headers: req.rawHeaders,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.once('error', () => res.destroy());
        answer.once('end', () => {
          const status = answer.statusCode ?? 502;
          const body = Buffer.concat(chunks);
          const statuses = [status, ...batchStatuses(answer.headers, body)];
          counted.conflict409 += statuses.filter((s) => s === 409).length;
          counted.precondition412 += statuses.filter((s) => s === 412).length;
          if (loseAnswer && statuses.every((s) => s >= 200 && s < 300)) {
            counted.lostAnswer += 1;
            sendError(req, res, OPERATION_TIMED_OUT);
            return;
          }
          const headers: http.OutgoingHttpHeaders = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
          }
          res.writeHead(status, answer.statusMessage, headers);
          res.end(body);
        });
      },
    );
    // Azurite unreachable or the client gone: drop the client's connection, as a network fault would.
    pipeline(req, forwarded, (e) => {
      if (e) res.destroy();
    });
  };

  const server = http.createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const tableEndpoint = `http://127.0.0.1:${port}/${azurite.accountName}`;
  return {
    connectionString: azurite.connectionString.replace(/TableEndpoint=[^;]*/, `TableEndpoint=${tableEndpoint}`),
    tableEndpoint,
    counts: () => ({ ...counted }),
    set: (changed) => {
      checkProbability('busy', changed.busy);
      checkProbability('lostAnswer', changed.lostAnswer);
      if (changed.busy !== undefined) probabilities.busy = changed.busy;
      if (changed.lostAnswer !== undefined) probabilities.lostAnswer = changed.lostAnswer;
    },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
