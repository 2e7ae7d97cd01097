/**
 * Azurite's Table service for tests and the demo: its own random port, in-memory data, and an account key made up
 * at start (so no key is ever written in the repository). stop() leaves no process behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './repoRoot';

export interface AzuriteTables {
  connectionString: string;
  tableEndpoint: string;
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

export async function startAzurite(): Promise<AzuriteTables> {
  const main = path.join(repoRoot(), 'node_modules', 'azurite', 'dist', 'src', 'table', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`azurite is not installed (missing ${main}); run npm install`);
  const port = await freePort();
  const key = randomBytes(32).toString('base64');
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-azurite-'));
  const child = spawn(
    process.execPath,
    [
      main,
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--inMemoryPersistence',
      '--silent',
      '--skipApiVersionCheck',
      '--disableProductStyleUrl',
      '--disableTelemetry',
    ],
    // In-memory data; the temp working directory catches anything else Azurite writes.
    {
      cwd: location,
      env: { ...process.env, AZURITE_ACCOUNTS: `${ACCOUNT}:${key}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
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
    fs.rmSync(location, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Azurite did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tableEndpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${key};TableEndpoint=${tableEndpoint};`,
    tableEndpoint,
    accountName: ACCOUNT,
    stop,
  };
}
