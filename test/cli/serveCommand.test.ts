/**
 * `iris-backup-guard serve` over a sandbox night: it serves the same API as the app on the loopback address, only
 * reads (a table it has not got is an empty fleet, never created), and stops at Ctrl-C with exit code 0.
 */
import { main } from '../../src/cli/main';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { FleetStatus } from '../../src/shared/evidence/fleetStatus';
import { settle, tonight } from '../protection/cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';
import { captureIo, type CapturedIo } from './cliIo';

const ENROLLED = ['iris-a', 'iris-b', 'iris-noconfig'];

const waitForLine = async (io: CapturedIo, prefix: string): Promise<string> => {
  for (let i = 0; i < 200; i += 1) {
    const line = io
      .stdout()
      .split('\n')
      .find((l) => l.startsWith(prefix));
    if (line !== undefined) return line.slice(prefix.length).trim();
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no "${prefix}" line; stdout: ${io.stdout()} stderr: ${io.stderr()}`);
};

describe('iris-backup-guard serve (sandbox)', () => {
  let w: ProtectionWorld;
  beforeAll(async () => {
    w = await startProtectionWorld();
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    await settle(w, w.deps, night, ENROLLED);
  });
  afterAll(async () => w?.stop());

  const serve = async (env: Record<string, string>): Promise<{ origin: string; stop: () => Promise<number> }> => {
    const io = captureIo(env, { credential: w.sandbox.credential, clock: w.sandbox.clock });
    const done = main(['serve'], io);
    const dashboard = await waitForLine(io, 'Dashboard:');
    return {
      origin: new URL(dashboard).origin,
      stop: async () => {
        process.emit('SIGINT');
        return done;
      },
    };
  };

  it('serves the fleet and the dashboard address, and stops at Ctrl-C', async () => {
    const server = await serve(w.env);
    try {
      const fleet = (await (await fetch(`${server.origin}/api/fleet`)).json()) as FleetStatus;
      expect(fleet.vms.map((v) => v.vmName).sort()).toEqual(ENROLLED);
      const home = await fetch(`${server.origin}/`, { redirect: 'manual' });
      expect(home.status).toBe(302);
      expect(home.headers.get('location')).toBe('/api/dashboard');
      expect((await fetch(`${server.origin}/api/fleet`, { method: 'POST', body: '{}' })).status).toBe(405);
      expect((await fetch(`${server.origin}/elsewhere`)).status).toBe(404);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('only reads: with a runs table name that was never used, the fleet is empty and no table is created', async () => {
    const env = { ...w.env, IBG_RUNS_TABLE_NAME: `never${Date.now().toString(36)}` };
    const server = await serve(env);
    try {
      const fleet = (await (await fetch(`${server.origin}/api/fleet`)).json()) as FleetStatus;
      expect(fleet.vms).toEqual([]);
      const runs = await fetch(`${server.origin}/api/runs`);
      expect(runs.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const { TableServiceClient } = await import('@azure/data-tables');
    const service = TableServiceClient.fromConnectionString(w.azurite.connectionString, {
      allowInsecureConnection: true,
    });
    const names: string[] = [];
    for await (const t of service.listTables()) names.push(t.name ?? '');
    expect(names.filter((n) => n.startsWith(env.IBG_RUNS_TABLE_NAME))).toEqual([]);
  });
});
