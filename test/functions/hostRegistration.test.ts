/**
 * What the Functions host would receive: the compiled entry point is loaded in a child process where
 * `@azure/functions-core` (normally provided by the host's Node worker) is a stand-in, so `@azure/functions`
 * registers for real instead of switching to test mode. Each registration's metadata is checked as the host would
 * read it, and handlers are invoked through the library's own invocation model with RPC-shaped input.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { TIMER_SCHEDULE_SETTINGS, RECONCILE_TIMER } from '../../src/shared/config/timerSchedules';
import { runHost, triggerOf, type CoreFunctionMetadata, type HostReport } from './hostStandIn/hostRun';

const ROOT = path.join(__dirname, '..', '..');
const sample = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  }
).Values;

const API_FUNCTIONS = {
  fleetApi: 'fleet',
  vmsApi: 'vms/{vmKey}',
  runsApi: 'runs/{*rest}',
  drillsApi: 'drills',
  evidenceExportApi: 'evidence',
  dashboard: 'dashboard/{*rest}',
} as const;

const byName = (report: HostReport, name: string): CoreFunctionMetadata | undefined =>
  report.registrations.find((r) => r.name === name);

let workDir: string;
let entry: string;
let withoutWorkspace: HostReport;
let withWorkspace: HostReport;

beforeAll(async () => {
  // Compile src alone into a temp dir (never the shared dist, which other tests and builds use), file by file with
  // the project's options: the type check is tsc's job elsewhere, and this keeps the test fast.
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-host-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(workDir, 'node_modules'), 'dir');
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  const sources = (config?.fileNames ?? []).filter((f) => f.startsWith(path.join(ROOT, 'src') + path.sep));
  expect(sources.length).toBeGreaterThan(0);
  for (const file of sources) {
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: config?.options, fileName: file });
    const target = path.join(workDir, 'out', path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, js.outputText);
  }
  entry = path.join(workDir, 'out', 'src', 'functions', 'index.js');

  [withoutWorkspace, withWorkspace] = await Promise.all([
    runHost(entry, { ...sample, IBG_API_AUTH: 'function-key' }, [
      {
        functionName: 'fleetApi',
        invocationId: 'inv-fleet',
        inputData: [
          {
            data: {
              http: {
                method: 'POST',
                url: 'https://ibg.azurewebsites.net/api/fleet',
                headers: { 'content-type': 'application/json' },
                query: {},
                params: {},
                body: { string: '{}' },
              },
            },
          },
        ],
      },
      {
        functionName: 'advanceRuns',
        invocationId: 'inv-advance',
        inputData: [
          {
            data: {
              json: JSON.stringify({
                Schedule: { AdjustForDST: true },
                ScheduleStatus: { Last: '', Next: '', LastUpdated: '' },
                IsPastDue: false,
              }),
            },
          },
        ],
      },
    ]),
    runHost(entry, {
      ...sample,
      IBG_LOG_ANALYTICS_WORKSPACE_ID: '11111111-2222-3333-4444-555555555555',
      IBG_API_AUTH: 'app-service',
    }),
  ]);
}, 120_000);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('what the Functions host receives from the entry point', () => {
  it('gets the programming model from @azure/functions, not test mode', () => {
    expect(withoutWorkspace.programmingModel?.name).toBe('@azure/functions');
    expect(withoutWorkspace.handlersAreFunctions).toBe(true);
  });

  it('registers every function once, and the daily reconcile only with a Log Analytics workspace', () => {
    const expected = [
      'advanceRuns',
      'alertIntake',
      'azureEvents',
      'nightlyProtection',
      ...Object.keys(API_FUNCTIONS),
      'health',
    ];
    expect(withoutWorkspace.registrations.map((r) => r.name).sort()).toEqual([...expected].sort());
    expect(withWorkspace.registrations.map((r) => r.name).sort()).toEqual(
      [...expected, RECONCILE_TIMER.functionName].sort(),
    );
  });

  it('gives each timer a %SETTING% schedule that the host resolves from the app settings', () => {
    for (const report of [withoutWorkspace, withWorkspace]) {
      for (const t of TIMER_SCHEDULE_SETTINGS) {
        const fn = byName(report, t.functionName);
        expect(fn && triggerOf(fn)).toMatchObject({ type: 'timerTrigger', schedule: `%${t.setting}%` });
        expect(sample[t.setting]).toBeTruthy();
      }
    }
    const reconcile = byName(withWorkspace, RECONCILE_TIMER.functionName);
    expect(reconcile && triggerOf(reconcile)).toMatchObject({
      type: 'timerTrigger',
      schedule: `%${RECONCILE_TIMER.setting}%`,
    });
  });

  it('registers the Event Grid trigger', () => {
    const fn = byName(withoutWorkspace, 'azureEvents');
    expect(fn && triggerOf(fn)).toMatchObject({ type: 'eventGridTrigger', direction: 'in' });
  });

  it('registers the alert intake as an anonymous POST on alerts/intake with an http output', () => {
    for (const report of [withoutWorkspace, withWorkspace]) {
      const fn = byName(report, 'alertIntake');
      expect(fn && triggerOf(fn)).toMatchObject({
        type: 'httpTrigger',
        route: 'alerts/intake',
        methods: ['POST'],
        authLevel: 'anonymous',
      });
      expect(fn?.bindings['$return']).toMatchObject({ type: 'http', direction: 'out' });
    }
  });

  it('protects the evidence API with a function key, or leaves it to App Service authentication', () => {
    for (const [report, authLevel] of [
      [withoutWorkspace, 'function'],
      [withWorkspace, 'anonymous'],
    ] as const) {
      for (const [name, route] of Object.entries(API_FUNCTIONS)) {
        const fn = byName(report, name);
        expect(fn && triggerOf(fn)).toMatchObject({ type: 'httpTrigger', route, authLevel });
        expect(fn && triggerOf(fn)?.methods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'POST']));
        expect(fn?.bindings['$return']).toMatchObject({ type: 'http', direction: 'out' });
      }
    }
  });

  it('registers the health check as a GET on health behind a function key', () => {
    const fn = byName(withoutWorkspace, 'health');
    expect(fn && triggerOf(fn)).toMatchObject({
      type: 'httpTrigger',
      route: 'health',
      methods: ['GET'],
      authLevel: 'function',
    });
  });

  it('gives every HTTP function an http output binding for its response', () => {
    for (const fn of withoutWorkspace.registrations.filter((r) => triggerOf(r)?.type === 'httpTrigger')) {
      expect(fn.bindings['$return']).toMatchObject({ type: 'http', direction: 'out' });
      expect(['anonymous', 'function', 'admin']).toContain(triggerOf(fn)?.authLevel);
    }
  });

  it('answers a host-shaped POST to the fleet API with a 405 JSON response in the http output', () => {
    const fleet = withoutWorkspace.invocations.find((i) => i.functionName === 'fleetApi');
    expect(fleet?.error).toBeUndefined();
    const http = fleet?.response?.returnValue?.http;
    expect(fleet?.response?.invocationId).toBe('inv-fleet');
    expect(http?.statusCode).toBe('405');
    expect(http?.headers['allow']).toBe('GET, HEAD');
    expect(http?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(http?.body?.bytes?.text ?? 'null')).toMatchObject({ error: expect.stringMatching(/^POST /) });
  });

  it('runs a timer with a host-shaped invocation: without storage the invocation fails, the worker does not', () => {
    // The runs table (UseDevelopmentStorage=true) is not running: the handler rejects with the storage error, which
    // the worker reports as a failed invocation; the process went on to print its report.
    const advance = withoutWorkspace.invocations.find((i) => i.functionName === 'advanceRuns');
    const logged = (advance?.logs ?? []).filter(([level]) => level === 'error').map(([, , m]) => m);
    expect([advance?.error, ...logged].join('\n')).toMatch(/ibgruns|ECONNREFUSED/);
    expect(advance?.logs.some(([, category]) => category === 'system')).toBe(false);
  });
});
