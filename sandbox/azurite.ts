/**
 * Azurite's Table and Blob services for tests and the demo: one account on two random ports (one process each), in-memory
 * data, and an account key made up at start (so no key is ever written in the repository). The connection string
 * names both endpoints. stop() leaves no process behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './repoRoot';

export interface AzuriteTables {
  /** DefaultEndpointsProtocol, AccountName, AccountKey, TableEndpoint and BlobEndpoint. */
  connectionString: string;
  tableEndpoint: string;
  /** http://127.0.0.1:<blobPort>/<account> (the drill evidence container lives here). */
  blobEndpoint: string;
  accountName: string;
  stop(): Promise<void>;
}

const ACCOUNT = 'ibgsandbox';
const START_TIMEOUT_MS = 20_000;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

interface AzuriteService {
  stop(): Promise<void>;
}

/** One Azurite service (`table` or `blob`) on `port`, started and answering, or an error after it is stopped. */
async function startService(
  service: 'table' | 'blob',
  port: number,
  env: NodeJS.ProcessEnv,
  location: string,
): Promise<AzuriteService> {
  const main = path.join(repoRoot(), 'node_modules', 'azurite', 'dist', 'src', service, 'main.js');
  if (!fs.existsSync(main)) throw new Error(`azurite is not installed (missing ${main}); run npm install`);
  const child = spawn(
    process.execPath,
    [
      main,
      `--${service}Host`,
      '127.0.0.1',
      `--${service}Port`,
      String(port),
      '--inMemoryPersistence',
      '--silent',
      '--skipApiVersionCheck',
      '--disableProductStyleUrl',
      '--disableTelemetry',
    ],
    // In-memory data; the temp working directory catches anything else Azurite writes.
    { cwd: location, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-2000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Azurite ${service} did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { stop };
}

export async function startAzurite(): Promise<AzuriteTables> {
  const tablePort = await freePort();
  const blobPort = await freePort();
  const key = randomBytes(32).toString('base64');
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-azurite-'));
  const env = { ...process.env, AZURITE_ACCOUNTS: `${ACCOUNT}:${key}` };
  const started = await Promise.allSettled([
    startService('table', tablePort, env, location),
    startService('blob', blobPort, env, location),
  ]);
  const services = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(services.map((s) => s.stop()));
    fs.rmSync(location, { recursive: true, force: true });
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const tableEndpoint = `http://127.0.0.1:${tablePort}/${ACCOUNT}`;
  const blobEndpoint = `http://127.0.0.1:${blobPort}/${ACCOUNT}`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${key};TableEndpoint=${tableEndpoint};BlobEndpoint=${blobEndpoint};`,
    tableEndpoint,
    blobEndpoint,
    accountName: ACCOUNT,
    stop,
  };
}
