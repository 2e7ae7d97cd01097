/**
 * The Azure Monitor alert intake, called directly with a real HttpRequest and InvocationContext (the library's test
 * mode), over the sandbox (its common-schema alert of a real backup job) and the event ledger in Azurite.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { alertIntake, keyMatches } from '../../src/functions/alertIntake';
import { setProtectionDeps } from '../../src/functions/protectionContext';
import * as frozen from '../../src/shared/protection/requestFrozenCheck';
import { findProtectedVm } from '../../src/shared/protection/protectVmNow';
import { createHash } from 'node:crypto';
import { monitorAlertPayload } from '../../sandbox/monitorAlerts';
import { eventLedgerOf, withEventLedger } from '../protection/eventWorld';
import { startProtectionWorld, type ProtectionWorld } from '../protection/protectionWorld';

const KEY = 'test-secret-not-real';
const URL_BASE = 'https://example.invalid/api/alerts/intake';

function context(): { ctx: InvocationContext; lines: string[] } {
  const lines: string[] = [];
  const ctx = new InvocationContext({
    functionName: 'alertIntake',
    logHandler: (level, ...args) => lines.push(`${level}: ${String(args[0])} ${JSON.stringify(args[1] ?? {})}`),
  });
  return { ctx, lines };
}

const post = (body: string, init: { key?: string; code?: string } = {}): HttpRequest =>
  new HttpRequest({
    method: 'POST',
    url: init.code === undefined ? URL_BASE : `${URL_BASE}?code=${encodeURIComponent(init.code)}`,
    body: { string: body },
    headers: { 'content-type': 'application/json', ...(init.key === undefined ? {} : { 'x-functions-key': init.key }) },
    ...(init.code === undefined ? {} : { query: { code: init.code } }),
  });

describe('alertIntake (sandbox)', () => {
  let w: ProtectionWorld;
  let jobId: string;
  beforeAll(async () => {
    w = await startProtectionWorld(undefined, undefined, { IBG_ALERT_INTAKE_KEYS: `${KEY},second-test-key-not-real` });
    setProtectionDeps(withEventLedger(w));
    // A real backup job of iris-a in the sandbox, for the alert generator.
    const item = await findProtectedVm(w.deps, w.vmId('iris-a'));
    const started = w.sandbox.clock.now();
    await w.deps.gateways.backup.triggerBackup(item, { recoveryPointExpiry: new Date(started.getTime() + 86_400_000) });
    const filter = { startTime: new Date(started.getTime() - 60_000), endTime: new Date(started.getTime() + 60_000) };
    for await (const job of w.deps.gateways.backup.listJobs(item.vault, filter))
      if (job.entityName === 'iris-a') jobId = job.jobId;
  });
  afterAll(async () => {
    setProtectionDeps(undefined);
    await w?.stop();
  });
  afterEach(() => jest.restoreAllMocks());

  const alertBody = (options?: Parameters<ProtectionWorld['sandbox']['monitorAlertFor']>[1]): string =>
    JSON.stringify(w.sandbox.monitorAlertFor(jobId, options));

  it('no key: 401 saying how to pass it', async () => {
    const { ctx } = context();
    const res = await alertIntake(post(alertBody()), ctx);
    expect(res.status).toBe(401);
    expect(res.jsonBody).toMatchObject({ error: 'No intake key was given.' });
    expect(String((res.jsonBody as { fix: string }).fix)).toMatch(
      /x-functions-key header or as the code query parameter/,
    );
  });

  it('a wrong key: 401, the key never echoed', async () => {
    const { ctx, lines } = context();
    const wrong = 'wrong-test-key-not-real';
    const res = await alertIntake(post(alertBody(), { key: wrong }), ctx);
    expect(res.status).toBe(401);
    expect(res.jsonBody).toMatchObject({ error: 'The intake key is not valid.' });
    expect(JSON.stringify(res.jsonBody)).not.toContain(wrong);
    expect(lines.join('\n')).not.toContain(wrong);
  });

  it('the right key in the header, then in `code`: accepted; an unrelated alert is acknowledged (202) and logged', async () => {
    const unrelated = JSON.stringify({
      schemaId: 'azureMonitorCommonAlertSchema',
      data: {
        essentials: {
          alertId: '/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/cpu-1',
          alertRule: 'cpu-high',
          severity: 'Sev3',
          signalType: 'Metric',
          monitorCondition: 'Fired',
          monitoringService: 'Platform',
          alertTargetIDs: [w.vmId('iris-a')],
          firedDateTime: w.sandbox.clock.now().toISOString(),
        },
        alertContext: {},
      },
    });
    const header = context();
    const res = await alertIntake(post(unrelated, { key: KEY }), header.ctx);
    expect(res.status).toBe(202);
    expect(res.jsonBody).toMatchObject({
      outcome: 'acknowledged',
      reason: 'not a backup failure (Platform: cpu-high)',
    });
    expect(header.lines.some((l) => l.startsWith('information: Azure Monitor alert: acknowledged'))).toBe(true);

    const query = context();
    const second = unrelated.replace('cpu-1', 'cpu-2');
    const viaCode = await alertIntake(post(second, { code: 'second-test-key-not-real' }), query.ctx);
    expect(viaCode.status).toBe(202);
  });

  it('a malformed body: 400 naming what is wrong and how to fix it, the raw body recorded', async () => {
    const body = '{"schemaId": "AzureMonitorMetricAlert", "data": {}}';
    const { ctx } = context();
    const res = await alertIntake(post(body, { key: KEY }), ctx);
    expect(res.status).toBe(400);
    expect(String((res.jsonBody as { problem: string }).problem)).toMatch(
      /^schemaId is 'AzureMonitorMetricAlert', not 'azureMonitorCommonAlertSchema'\. Enable the common alert schema/,
    );
    const key = createHash('sha256').update(body).digest('hex');
    expect(await eventLedgerOf(w).get('malformed-alert', key)).toMatchObject({ raw: body });

    const notJson = await alertIntake(post('<html>oops</html>', { key: KEY }), context().ctx);
    expect(notJson.status).toBe(400);
    expect(String((notJson.jsonBody as { problem: string }).problem)).toMatch(/^The body is not valid JSON/);
  });

  it('a body over 256 KB: 413, recorded', async () => {
    const res = await alertIntake(post(`"${'x'.repeat(300 * 1024)}"`, { key: KEY }), context().ctx);
    expect(res.status).toBe(413);
  });

  it('a backup failure of an enrolled VM asks for the frozen-IRIS check; the same alert again is not acted on twice', async () => {
    const check = jest
      .spyOn(frozen, 'requestFrozenCheck')
      .mockResolvedValue({ outcome: 'requested', runId: 'spy-run' });
    const body = alertBody();
    const res = await alertIntake(post(body, { key: KEY }), context().ctx);
    expect(res.status).toBe(202);
    expect(res.jsonBody).toMatchObject({
      outcome: 'frozen-check',
      checks: [{ vmId: w.vmId('iris-a'), outcome: 'requested', runId: 'spy-run' }],
    });
    expect(check).toHaveBeenCalledTimes(1);
    expect(check.mock.calls[0]?.[1]).toMatchObject({ vmId: w.vmId('iris-a'), source: 'monitor-alert' });
    expect(check.mock.calls[0]?.[1].reason).toMatch(/^Azure Monitor alert Backup Failure \(Sev1\) fired at /);

    // The action group delivers it again: acknowledged, not acted on.
    const again = await alertIntake(post(body, { key: KEY }), context().ctx);
    expect(again.status).toBe(202);
    expect(again.jsonBody).toMatchObject({ outcome: 'duplicate' });
    expect(check).toHaveBeenCalledTimes(1);

    // Its resolution is acknowledged and logged, never a check.
    const alertId = (JSON.parse(body) as { data: { essentials: { alertId: string } } }).data.essentials.alertId;
    const resolved = await alertIntake(
      post(alertBody({ condition: 'Resolved', alertId }), { key: KEY }),
      context().ctx,
    );
    expect(resolved.jsonBody).toMatchObject({ outcome: 'acknowledged', reason: 'a resolved alert' });
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('a log alert on AddonAzureBackupJobs for a VM the app does not protect: 202 with what happened', async () => {
    const check = jest.spyOn(frozen, 'requestFrozenCheck').mockResolvedValue({ outcome: 'not-enrolled', vmId: 'x' });
    const res = await alertIntake(post(alertBody({ style: 'log-alert' }), { key: KEY }), context().ctx);
    expect(res.status).toBe(202);
    expect(res.jsonBody).toMatchObject({ outcome: 'frozen-check', checks: [{ outcome: 'not-enrolled' }] });
    expect(check).toHaveBeenCalledTimes(1);
  });
});

describe('alertIntake and the frozen-IRIS check (sandbox, no spies)', () => {
  let w: ProtectionWorld;
  beforeAll(async () => {
    w = await startProtectionWorld(undefined, undefined, { IBG_ALERT_INTAKE_KEYS: KEY });
    setProtectionDeps(withEventLedger(w));
  });
  afterAll(async () => {
    setProtectionDeps(undefined);
    await w?.stop();
  });

  it('a failed backup of an enrolled VM: its run is asked for the frozen-IRIS check, which records the alert as the reason', async () => {
    const item = await findProtectedVm(w.deps, w.vmId('iris-a'));
    const started = w.sandbox.clock.now();
    await w.deps.gateways.backup.triggerBackup(item, { recoveryPointExpiry: new Date(started.getTime() + 86_400_000) });
    const filter = { startTime: new Date(started.getTime() - 60_000), endTime: new Date(started.getTime() + 60_000) };
    let jobId = '';
    for await (const job of w.deps.gateways.backup.listJobs(item.vault, filter))
      if (job.entityName === 'iris-a') jobId = job.jobId;
    const res = await alertIntake(post(JSON.stringify(w.sandbox.monitorAlertFor(jobId)), { key: KEY }), context().ctx);
    expect(res.status).toBe(202);
    const body = res.jsonBody as { outcome: string; checks: { vmId: string; outcome: string; runId: string }[] };
    expect(body.outcome).toBe('frozen-check');
    expect(body.checks).toHaveLength(1);
    const [check] = body.checks;
    expect(check).toMatchObject({ vmId: w.vmId('iris-a') });
    expect(['requested', 'already-checking']).toContain(check?.outcome);
    const run = (await w.deps.store.get(check?.runId ?? ''))?.run;
    expect(run?.target.vmId.toLowerCase()).toBe(w.vmId('iris-a').toLowerCase());
    expect(run?.remediation).toMatchObject({ source: 'monitor-alert' });
    expect(run?.remediation?.reason).toMatch(/^Azure Monitor alert Backup Failure \(Sev1\)/);
  });

  it('a backup failure of a VM the app does not protect: 202 not-enrolled, no run', async () => {
    const vmId = w.vmId('iris-unprotected');
    const payload = monitorAlertPayload(
      {
        jobId: 'job-elsewhere',
        vaultId: w.deps.settings.vaults[0]?.id ?? '',
        vmId,
        vmName: 'iris-unprotected',
        startTime: w.sandbox.clock.now().toISOString(),
      },
      { style: 'log-alert' },
    );
    const res = await alertIntake(post(JSON.stringify(payload), { key: KEY }), context().ctx);
    expect(res.status).toBe(202);
    expect(res.jsonBody).toMatchObject({ outcome: 'frozen-check', checks: [{ vmId, outcome: 'not-enrolled' }] });
    const runs = (await w.deps.store.list()).filter((s) => s.run.target.vmId.toLowerCase() === vmId.toLowerCase());
    expect(runs).toEqual([]);
  });
});

describe('keyMatches', () => {
  it.each<[string, string | null, string[], boolean]>([
    ['right key', KEY, [KEY], true],
    ['second key', 'b-test-key', ['a-test-key', 'b-test-key'], true],
    ['wrong key', 'nope', [KEY], false],
    ['a prefix of the key', KEY.slice(0, 5), [KEY], false],
    ['no key given', null, [KEY], false],
    ['empty key given', '', [KEY], false],
    ['no keys configured', KEY, [], false],
  ])('%s', (_name, given, keys, expected) => expect(keyMatches(given, keys)).toBe(expected));
});
