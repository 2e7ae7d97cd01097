/**
 * The evidence API through its function handler (the library's test mode), over a sandbox night: the answers are
 * built from what the protection runs stored (run summaries, the evidence index, the alerts), with a `schema` field;
 * bad methods, paths and parameters get clear 4xx answers.
 */
import { createHash } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { evidenceApi } from '../../src/functions/evidenceApi';
import { setEvidenceSource, setProtectionDeps } from '../../src/functions/protectionContext';
import { createEvidenceSource } from '../../src/composition/composition';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import { FLEET_SCHEMA, type FleetStatus } from '../../src/shared/evidence/fleetStatus';
import type { RunSummary } from '../../src/shared/evidence/runSummary';
import { settle, tonight } from '../protection/cycleHelpers';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';

const ENROLLED = ['iris-a', 'iris-b', 'iris-noconfig'];

interface Answer {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown>;
}

describe('evidence API (function handler, sandbox)', () => {
  let w: ProtectionWorld;
  let night: string;

  beforeAll(async () => {
    w = await startProtectionWorld();
    setProtectionDeps(w.deps);
    setEvidenceSource(
      createEvidenceSource(w.deps.settings, { credential: w.sandbox.credential, warn: () => undefined }),
    );
    night = tonight(w);
    await runNightlyProtection(w.deps, night);
    await settle(w, w.deps, night, ENROLLED);
  });
  afterAll(async () => {
    setProtectionDeps(undefined);
    await w?.stop();
  });

  const call = async (path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> => {
    const request = new HttpRequest({ method, url: `https://app.example/api${path}`, headers });
    const response = await evidenceApi(request, new InvocationContext({ functionName: 'evidenceApi' }));
    const body = typeof response.body === 'string' ? response.body : '';
    return {
      status: response.status ?? 200,
      headers: (response.headers ?? {}) as Record<string, string>,
      json: body === '' ? {} : (JSON.parse(body) as Record<string, unknown>),
    };
  };

  it('GET /fleet: one row per VM with the verdict of its last backup, against the targets', async () => {
    const answer = await call('/fleet');
    expect(answer.status).toBe(200);
    expect(answer.headers['Cache-Control']).toBe('no-store');
    const fleet = answer.json as unknown as FleetStatus;
    expect(fleet.schema).toBe(FLEET_SCHEMA);
    expect(fleet.vms.map((v) => v.vmName).sort()).toEqual(ENROLLED);
    const stored = await w.deps.store.list(night);
    for (const vm of fleet.vms) {
      const run = stored.find((s) => s.run.target.vmName === vm.vmName)?.run;
      expect(vm.lastBackup?.runId).toBe(run?.id);
      expect(vm.lastBackup?.consistency).toBe(run?.verdict?.consistency);
      // Drills are off here: no recovery point has passed a drill, so every VM misses its RPO target.
      expect(vm.rpo).toBe('red');
      expect(vm.reasons.map((r) => r.text)).toContain('no recovery point has passed a restore drill');
    }
    expect(fleet.counts.red).toBe(3);
  });

  it('GET /runs pages through the night with a cursor, and every run comes once', async () => {
    const first = await call(`/runs?from=${night}&to=${night}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.json['schema']).toBe('iris-backup-guard/runs@1');
    const items = first.json['items'] as RunSummary[];
    expect(items).toHaveLength(2);
    const cursor = first.json['nextCursor'] as string;
    const second = await call(`/runs?from=${night}&to=${night}&limit=2&cursor=${encodeURIComponent(cursor)}`);
    const rest = second.json['items'] as RunSummary[];
    expect(second.json['nextCursor']).toBeUndefined();
    expect([...items, ...rest].map((s) => s.vmName).sort()).toEqual(ENROLLED);
  });

  it('GET /runs filters by VM and verdict', async () => {
    const byVm = await call(`/runs?from=${night}&to=${night}&vm=IRIS-A`);
    expect((byVm.json['items'] as RunSummary[]).map((s) => s.vmName)).toEqual(['iris-a']);
    const consistency = (byVm.json['items'] as RunSummary[])[0]?.verdict?.consistency ?? 'none';
    const byVerdict = await call(`/runs?from=${night}&to=${night}&verdict=${consistency}`);
    expect((byVerdict.json['items'] as RunSummary[]).every((s) => s.verdict?.consistency === consistency)).toBe(true);
  });

  it('GET /runs/<night>/<key>: the run in full with its alerts; an unknown run is 404', async () => {
    const list = await call(`/runs?from=${night}&to=${night}&vm=iris-noconfig`);
    const summary = (list.json['items'] as RunSummary[])[0];
    if (summary === undefined) throw new Error('no run');
    const [n, rest] = [summary.runId.slice(0, 10), summary.runId.slice(11)];
    const answer = await call(`/runs/${n}/${encodeURIComponent(rest)}`);
    expect(answer.status).toBe(200);
    expect(answer.json['schema']).toBe('iris-backup-guard/run@1');
    expect((answer.json['run'] as { id: string }).id).toBe(summary.runId);
    const timeline = answer.json['timeline'] as { name: string }[];
    expect(timeline.length).toBeGreaterThan(0);
    expect(timeline.map((t) => t.name)).toContain('snapshot');
    const alerts = answer.json['alerts'] as { id: string }[];
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.id.startsWith(`${summary.runId}#`))).toBe(true);
    expect((await call(`/runs/${n}/nobody`)).status).toBe(404);
  });

  it('GET /evidence: the pack of the night, one file per request, with the run of every backup row', async () => {
    const pack = await call(`/evidence?from=${night}&to=${night}`);
    expect(pack.status).toBe(200);
    expect(pack.json['schema']).toBe('iris-backup-guard/evidence@1');
    const rows = pack.json['backups'] as { runId: string; consistency?: string }[];
    const stored = await w.deps.store.list(night);
    expect(rows.map((r) => r.runId).sort()).toEqual(stored.map((s) => s.run.id).sort());
    for (const row of rows) {
      expect(row.consistency).toBe(stored.find((s) => s.run.id === row.runId)?.run.verdict?.consistency);
    }
    const request = new HttpRequest({
      method: 'GET',
      url: `https://app.example/api/evidence?from=${night}&to=${night}&file=backups.csv`,
    });
    const csv = await evidenceApi(request, new InvocationContext({ functionName: 'evidenceApi' }));
    expect((csv.headers as Record<string, string>)['Content-Type']).toBe('text/csv; charset=utf-8');
    expect((csv.headers as Record<string, string>)['Content-Disposition']).toContain('attachment');
    expect(
      String(csv.body)
        .split('\r\n')
        .filter((l) => l !== ''),
    ).toHaveLength(rows.length + 1);
    // Files fetched one by one match the manifest when made at the same time (X-IBG-Generated-At → at=).
    const manifest = await call(`/evidence?from=${night}&to=${night}&file=manifest.json`);
    const at = manifest.headers['X-IBG-Generated-At'] ?? '';
    for (const f of manifest.json['files'] as { name: string; sha256: string }[]) {
      const one = new HttpRequest({
        method: 'GET',
        url: `https://app.example/api/evidence?from=${night}&to=${night}&file=${f.name}&at=${encodeURIComponent(at)}`,
      });
      const body = String((await evidenceApi(one, new InvocationContext({ functionName: 'evidenceApi' }))).body);
      expect(createHash('sha256').update(body, 'utf8').digest('hex')).toBe(f.sha256);
    }
    expect((await call(`/evidence?at=2999-01-01T00:00:00Z`)).status).toBe(400);
    const bad = await call(`/evidence?file=../../etc/passwd`);
    expect(bad.status).toBe(400);
    expect(String(bad.json['error'])).toContain('is not one of evidence.json');
  });

  it('GET /dashboard: the fleet, a VM and a run as HTML under a strict CSP, links carrying the key', async () => {
    const html = async (path: string): Promise<{ status: number; csp: string; body: string }> => {
      const request = new HttpRequest({ method: 'GET', url: `https://app.example/api${path}` });
      const response = await evidenceApi(request, new InvocationContext({ functionName: 'dashboard' }));
      const headers = response.headers as Record<string, string>;
      expect(headers['Content-Type']).toBe('text/html; charset=utf-8');
      return {
        status: response.status ?? 200,
        csp: headers['Content-Security-Policy'] ?? '',
        body: String(response.body),
      };
    };
    const fleet = await html('/dashboard?code=k%26ey');
    expect(fleet.status).toBe(200);
    expect(fleet.csp).toContain("default-src 'none'");
    expect(fleet.body).not.toContain('<script');
    for (const vm of ENROLLED) expect(fleet.body).toContain(vm);
    const vmLink = /href="(\/api\/dashboard\/vms\/[^"]+)"/.exec(fleet.body)?.[1];
    expect(vmLink).toContain('?code=k%26ey');
    const vmPage = await html((vmLink ?? '').replace(/^\/api/, '').replace(/&amp;/g, '&'));
    expect(vmPage.status).toBe(200);
    const runLink = /href="(\/api\/dashboard\/runs\/[^"]+)"/.exec(vmPage.body)?.[1];
    const runPage = await html((runLink ?? '').replace(/^\/api/, '').replace(/&amp;/g, '&'));
    expect(runPage.status).toBe(200);
    expect(runPage.body).toContain(night);
    expect((await html('/dashboard/vms/nobody')).status).toBe(404);
    expect((await html(`/dashboard/runs/${night}/nobody`)).status).toBe(404);
  });

  it('refuses what it cannot answer: 405 for a write, 400 for a bad parameter, 404 for an unknown path', async () => {
    const write = await call('/fleet', 'DELETE');
    expect(write.status).toBe(405);
    expect(write.headers['Allow']).toBe('GET, HEAD');
    const bad = await call('/runs?from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(String(bad.json['error'])).toContain('2026-02-30');
    const unknown = await call('/runs?night=2026-01-01');
    expect(unknown.status).toBe(400);
    expect(String(unknown.json['error'])).toContain('unknown parameter "night"');
    expect((await call('/nothing')).status).toBe(404);
    expect((await call('/runs/%E0%A4%A/x')).status).toBe(400);
  });

  it('with IBG_API_AUTH=app-service, a request App Service authentication did not sign in is 401', async () => {
    setProtectionDeps({
      ...w.deps,
      settings: { ...w.deps.settings, reporting: { ...w.deps.settings.reporting, apiAuth: 'app-service' } },
    });
    try {
      expect((await call('/fleet')).status).toBe(401);
      expect((await call('/fleet', 'GET', { 'x-ms-client-principal-id': 'user-1' })).status).toBe(200);
    } finally {
      setProtectionDeps(w.deps);
    }
  });
});
