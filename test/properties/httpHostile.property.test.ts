/**
 * The HTTP surfaces under hostile requests (issue 12, item 5): the evidence API's router (pure, over an in-memory
 * evidence source) and the Azure Monitor alert intake (its function handler with a real HttpRequest). Bad methods,
 * paths, query strings and bodies get a clear 4xx with a JSON `error`, never a 5xx; and nothing from any request
 * reaches a shell: node:child_process is spied on for the whole file and must never be called.
 */
import type { ChildProcess } from 'node:child_process';
import { HttpRequest, InvocationContext } from '@azure/functions';
import fc from 'fast-check';
import { alertIntake } from '../../src/functions/alertIntake';
import { setProtectionDeps } from '../../src/functions/protectionContext';
import type { ApiRequest, ApiResponse } from '../../src/shared/api/apiMessage';
import { handleEvidenceRequest, type ApiContext } from '../../src/shared/api/evidenceApi';
import { loadSettings } from '../../src/shared/config/settings';
import type { EvidenceSource } from '../../src/shared/evidence/evidenceSource';
import { MONITOR_ALERT_MAX_BYTES, parseMonitorAlert } from '../../src/shared/intake/monitorAlert';
import type { ProtectionDeps } from '../../src/shared/protection/protectionDeps';
import type { Run } from '../../src/shared/runs/run';
import { drillEnded } from '../dashboard/dashboardRuns';
import { HOSTILE_SNIPPETS } from './hostileText';

// The real module object: src modules call `child_process.spawn(...)` through it, so a spy here sees every call.
const childProcess = jest.requireActual<typeof import('node:child_process')>('node:child_process');
const SHELL_ENTRIES = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
const shellSpies: jest.SpyInstance[] = [];

beforeAll(() => {
  for (const name of SHELL_ENTRIES)
    shellSpies.push(
      jest.spyOn(childProcess, name).mockImplementation((): ChildProcess => {
        throw new Error(`child_process.${name} was called from an HTTP request`);
      }),
    );
});
afterAll(() => {
  for (const spy of shellSpies) spy.mockRestore();
});

const SUB = '00000000-0000-0000-0000-000000000000';
const KEY = 'intake-test-key-not-real';
const settings = loadSettings({
  IBG_VAULT_IDS: `/subscriptions/${SUB}/resourceGroups/backup-rg/providers/Microsoft.RecoveryServices/vaults/iris-vault`,
  IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
  IBG_RUNS_TABLE_ENDPOINT: 'https://acct.table.core.windows.net',
  IBG_ALERT_INTAKE_KEYS: KEY,
});

/** Text a caller could put anywhere in a request. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_SNIPPETS),
  fc.constantFrom('..', '.', '%2F', '%2f..%2f', '%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%2e%2e', '//', '?', '#'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
  fc.constantFrom('x', '%41', '<', '\u202e').map((unit) => unit.repeat(10_000 / unit.length)),
);

describe('evidence API router', () => {
  const run: Run = drillEnded();
  const source: EvidenceSource = {
    vmIndex: () => Promise.resolve([]),
    nightSummaries: () => Promise.resolve([]),
    vmHistory: () => Promise.resolve([]),
    run: (id) => Promise.resolve(id === run.id ? run : undefined),
    runAlerts: () => Promise.resolve([]),
    openAlerts: () => Promise.resolve([]),
  };
  const ctx: ApiContext = { source, settings, now: new Date('2026-11-21T12:00:00Z') };
  const [night = '', rest = ''] = run.id.split('/');

  const request = (method: string, path: string, query: [string, string][] = []): ApiRequest => ({
    method,
    path,
    query: new URLSearchParams(query),
    header: () => undefined,
  });

  /** Every route, its parameters filled by `param`. */
  const ROUTES: readonly ((param: string) => string)[] = [
    () => '/fleet',
    (p) => `/vms/${p}`,
    () => '/runs',
    (p) => `/runs/${p}/${rest}`,
    (p) => `/runs/${night}/${p}`,
    () => '/drills',
    () => '/evidence',
    () => '/dashboard',
    (p) => `/dashboard/vms/${p}`,
    (p) => `/dashboard/runs/${night}/${p}`,
  ];
  const route = fc.constantFrom(...ROUTES);

  /** A 4xx answer says what was wrong: JSON with an `error` sentence, or (dashboard pages) an HTML page. */
  const expectClearAnswer = (answer: ApiResponse): void => {
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(500);
    if (answer.status < 400) return;
    const type = answer.headers['Content-Type'] ?? '';
    if (type.startsWith('application/json')) {
      const body = JSON.parse(answer.body) as { error?: unknown };
      expect(typeof body.error).toBe('string');
      expect(String(body.error).length).toBeGreaterThan(0);
    } else {
      expect(type).toMatch(/^text\/html/);
      expect(answer.body).toMatch(/<h1>/);
    }
  };

  it('any method but GET or HEAD on a route: 405 with Allow, whatever the method string', async () => {
    const method = fc.oneof(
      fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'get', 'Get', 'head'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((m) => m !== 'GET' && m !== 'HEAD'),
    );
    await fc.assert(
      fc.asyncProperty(method, route, async (m, r) => {
        const answer = await handleEvidenceRequest(request(m, r('x')), ctx);
        expect(answer.status).toBe(405);
        expect(answer.headers['Allow']).toBe('GET, HEAD');
        expect((JSON.parse(answer.body) as { error: string }).error).toMatch(/is not allowed/);
      }),
      { numRuns: 60 },
    );
  });

  it('any method on an unknown path: 404 with a JSON error', async () => {
    const unknown = fc
      .array(fc.constantFrom('api', 'admin', 'fleet', 'x', 'runs', 'vms', '.env', 'dashboard'), {
        minLength: 1,
        maxLength: 5,
      })
      .filter((parts) => !['fleet', 'runs', 'drills', 'evidence', 'dashboard'].includes(parts.join('/')))
      .filter((parts) => !(parts.length === 2 && parts[0] === 'vms'))
      .filter((parts) => !(parts.length === 3 && parts[0] === 'runs'))
      .filter((parts) => !(parts[0] === 'dashboard' && parts.length > 2));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'DELETE', 'HEAD'), unknown, async (m, parts) => {
        const answer = await handleEvidenceRequest(request(m, `/${parts.join('/')}`), ctx);
        expect(answer.status).toBe(404);
        expect(typeof (JSON.parse(answer.body) as { error: unknown }).error).toBe('string');
      }),
      { numRuns: 40 },
    );
  });

  it('hostile path segments (.., %2F, bad percent-encoding, 10 kB): 4xx with a clear answer, never 5xx', async () => {
    // A lone surrogate cannot be percent-encoded (URIError); such text is sent as it is.
    const encoded = (t: string): string => {
      try {
        return encodeURIComponent(t);
      } catch {
        return t;
      }
    };
    const segment = fc.oneof(hostileText, hostileText.map(encoded));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'HEAD'), route, segment, async (m, r, s) => {
        const answer = await handleEvidenceRequest(request(m, r(s)), ctx);
        if (m === 'GET') expectClearAnswer(answer);
        else {
          // HEAD: the same status; a routed answer has no body (a refusal before routing keeps its JSON, which
          // HTTP servers drop for HEAD anyway).
          expect(answer.status).toBeLessThan(500);
          if (answer.status < 400) expect(answer.body).toBe('');
        }
      }),
      { numRuns: 150 },
    );
  });

  // The history routes and the run/VM lookups quote at most 60 characters of the request (historyQuery.ts quoted).
  it('an error sentence quotes at most a few hundred characters of the request', async () => {
    const long = 'x'.repeat(10_000);
    const answers = await Promise.all([
      handleEvidenceRequest(request('GET', '/runs', [['to', long]]), ctx),
      handleEvidenceRequest(request('GET', '/drills', [[long, '1']]), ctx),
      handleEvidenceRequest(request('GET', `/vms/${long}`), ctx),
      handleEvidenceRequest(request('GET', `/runs/${night}/${long}`), ctx),
      // Three million nights: refused from their count, before any list of them is made.
      handleEvidenceRequest(
        request('GET', '/runs', [
          ['from', '0001-01-01'],
          ['to', '9999-12-31'],
        ]),
        ctx,
      ),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect((JSON.parse(answer.body) as { error: string }).error.length).toBeLessThan(1000);
    }
  });

  it('the path traversal segments are refused with 400', async () => {
    for (const s of ['..', '.', '%2e%2e', '%2E', 'a%2Fb', '%2F', '%zz', '%E0%A4%A']) {
      const answer = await handleEvidenceRequest(request('GET', `/vms/${s}`), ctx);
      expect(answer.status).toBe(400);
      expect((JSON.parse(answer.body) as { error: string }).error).toMatch(/is not valid/);
    }
  });

  it('hostile query strings (known and unknown names, 10 kB values): a clear answer, never 5xx', async () => {
    const name = fc.oneof(
      fc.constantFrom('from', 'to', 'vm', 'kind', 'stage', 'verdict', 'limit', 'cursor', 'code', 'file', 'at'),
      hostileText,
    );
    const value = fc.oneof(
      hostileText,
      fc.constantFrom('2026-11-21', '2026-02-30', '-1', '0', '1e9', '500', 'csv', '2027-12-31'),
    );
    await fc.assert(
      fc.asyncProperty(route, fc.array(fc.tuple(name, value), { maxLength: 4 }), async (r, query) => {
        expectClearAnswer(await handleEvidenceRequest(request('GET', r('x'), query), ctx));
      }),
      { numRuns: 150 },
    );
  });
});

describe('alert intake', () => {
  const URL_BASE = 'https://example.invalid/api/alerts/intake';
  const lines: string[] = [];
  const context = (): InvocationContext =>
    new InvocationContext({
      functionName: 'alertIntake',
      logHandler: (_level, ...args) => lines.push(String(args[0])),
    });

  beforeAll(() => {
    // Only what the handler reads before it hands a valid alert on: settings (the keys), the clock and the log.
    // Without an event ledger a refused body is only logged.
    const deps: Pick<ProtectionDeps, 'settings' | 'clock' | 'log'> = {
      settings,
      clock: { now: () => new Date('2026-11-21T12:00:00Z') } as ProtectionDeps['clock'],
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    };
    setProtectionDeps(deps as ProtectionDeps);
  });
  afterAll(() => setProtectionDeps(undefined));

  const post = (body: string, headers: Record<string, string> = { 'x-functions-key': KEY }): HttpRequest =>
    new HttpRequest({
      method: 'POST',
      url: URL_BASE,
      body: { string: body },
      headers: { 'content-type': 'application/json', ...headers },
    });

  const jsonObject = fc.object({ maxDepth: 3, maxKeys: 5 });
  /** Something shaped a little like a common-schema alert, with hostile or wrong-typed parts. */
  const nearAlert = fc
    .record({
      schemaId: fc.oneof(fc.constant('azureMonitorCommonAlertSchema'), hostileText),
      data: fc.record(
        {
          essentials: fc.dictionary(
            fc.constantFrom('alertId', 'alertRule', 'severity', 'signalType', 'monitorCondition', 'alertTargetIDs'),
            fc.oneof(hostileText, fc.constant(null), fc.array(hostileText, { maxLength: 2 }), fc.integer()),
          ),
          alertContext: fc.oneof(jsonObject, hostileText),
        },
        { requiredKeys: [] },
      ),
    })
    .map((o) => JSON.stringify(o));
  const body = fc.oneof(
    fc.json(),
    jsonObject.map((o) => JSON.stringify(o)),
    nearAlert,
    nearAlert.chain((t) => fc.nat(t.length).map((n) => t.slice(0, n))),
    fc.string({ unit: 'binary', maxLength: 200 }),
    hostileText,
  );

  it('any body that is not a common-schema alert: 400 with an error and the problem', async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        fc.pre(!parseMonitorAlert(raw).ok);
        const res = await alertIntake(post(raw), context());
        expect(res.status).toBe(400);
        const json = res.jsonBody as { error: unknown; problem: unknown };
        expect(json.error).toBe('Not an Azure Monitor common-schema alert.');
        expect(typeof json.problem).toBe('string');
        refused += 1;
      }),
      { numRuns: 120 },
    );
    expect(refused).toBeGreaterThan(60);
  });

  it('a body over 256 KB, declared or not: 413 with a message', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 * 1024 }),
        fc.constantFrom('x', 'é', '😀', '\u0000'),
        fc.boolean(),
        async (extra, unit, declare) => {
          const raw = unit.repeat(Math.ceil((MONITOR_ALERT_MAX_BYTES + extra) / Buffer.byteLength(unit)));
          const headers: Record<string, string> = { 'x-functions-key': KEY };
          if (declare) headers['content-length'] = String(Buffer.byteLength(raw));
          const res = await alertIntake(post(raw, headers), context());
          expect(res.status).toBe(413);
          expect((res.jsonBody as { error: string }).error).toMatch(/bytes/);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('a declared length over 256 KB is refused before the body is read', async () => {
    const res = await alertIntake(post('{}', { 'x-functions-key': KEY, 'content-length': '999999999' }), context());
    expect(res.status).toBe(413);
  });

  it('no key or a wrong key, whatever the body: 401, the key never echoed', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.option(hostileText.filter((k) => k !== KEY && /^[\x20-\x7e]*$/.test(k))),
        async (raw, key) => {
          const res = await alertIntake(post(raw, key === null ? {} : { 'x-functions-key': key }), context());
          expect(res.status).toBe(401);
          expect(typeof (res.jsonBody as { error: unknown }).error).toBe('string');
          if (key !== null && key.length > 3) expect(JSON.stringify(res.jsonBody)).not.toContain(key);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('nothing from a request reaches a shell', () => {
  it('child_process was never called by any request above', () => {
    expect(shellSpies).toHaveLength(SHELL_ENTRIES.length);
    for (const spy of shellSpies) expect(spy).not.toHaveBeenCalled();
  });

  it('the spies are live: a call through the module is seen (so the check above could fail)', () => {
    expect(() => childProcess.execSync('true')).toThrow(/was called from an HTTP request/);
    const spy = shellSpies[SHELL_ENTRIES.indexOf('execSync')];
    expect(spy).toHaveBeenCalledTimes(1);
    spy?.mockClear();
  });
});
