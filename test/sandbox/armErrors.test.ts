import * as https from 'node:https';
import { type Sandbox, startSandbox } from '../../sandbox';
import {
  VAULT,
  VAULT_RG,
  VM_RG,
  clients,
  containerOf,
  itemOf,
  testScenario,
  testVm,
  triggerBackup,
} from './sandboxFixtures';

function raw(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${sandbox.url}${path}`,
      { method, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('sandbox ARM errors and request faults', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario([testVm('vm1', [])], {
        faults: [
          {
            kind: 'throttle',
            pathPattern: '/backupJobs/[^/]+$',
            method: 'GET',
            nth: 1,
            count: 2,
            retryAfterSeconds: 0,
          },
          { kind: 'serverError', pathPattern: '/virtualMachines/vm1$', method: 'GET', nth: 1, statusCode: 503 },
        ],
      }),
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it.each([
    ['GET', '/subscriptions/x/resourceGroups/y/providers/Microsoft.Sql/servers/z', 404, 'NoRegisteredProviderFound'],
    [
      'GET',
      '/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/none',
      404,
      'ResourceNotFound',
    ],
    ['DELETE', '/subscriptions/x/providers/Microsoft.Compute/virtualMachines', 405, 'MethodNotAllowed'],
    ['GET', '/%E0%A4%A', 400, 'InvalidUri'],
  ])('%s %s → %i %s', async (method, path, status, code) => {
    const res = await raw(sandbox, method, path);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('answers invalid JSON with 400 InvalidRequestContent', async () => {
    const path = `/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/${VM_RG}/providers/Microsoft.Compute/virtualMachines/vm1/runCommands/x?api-version=2026-03-01`;
    const res = await raw(sandbox, 'PUT', path, '{"location":');
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'InvalidRequestContent' } } });
  });

  it('routes case-insensitively on the decoded path', async () => {
    const path = `/SUBSCRIPTIONS/00000000-0000-0000-0000-0000000000aa/resourcegroups/${VAULT_RG}/providers/microsoft.recoveryservices/vaults/${VAULT.toUpperCase()}/backupFabrics/azure/protectionContainers/${encodeURIComponent(containerOf('vm1'))}/protectedItems/${encodeURIComponent(itemOf('vm1').toLowerCase())}?api-version=2023-06-01`;
    const res = await raw(sandbox, 'GET', path);
    expect(res.status).toBe(200);
    expect((res.json as { name: string }).name).toBe(itemOf('vm1'));
  });

  it('rejects a backup request with the wrong objectType through the SDK with 400', async () => {
    const { backup } = clients(sandbox);
    await expect(
      backup.backups.trigger(VAULT, VAULT_RG, 'Azure', containerOf('vm1'), itemOf('vm1'), {
        properties: { objectType: 'AzureFileShareBackupRequest' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'BMSUserErrorInvalidInput' });
  });

  it('throttles with 429 + Retry-After and the SDK retries until it gets the job', async () => {
    const { jobId } = await triggerBackup(sandbox, 'vm1');
    const { backup } = clients(sandbox);
    const job = await backup.jobDetails.get(VAULT, VAULT_RG, jobId);
    expect(job.name).toBe(jobId);
    expect(sandbox.requestStats().byRoute['fault.throttle']?.count).toBe(2);
  });

  it('answers 503 once and the SDK retries', async () => {
    const { compute } = clients(sandbox);
    const before = sandbox.requestStats().byRoute['compute.vms.get']?.count ?? 0;
    const vm = await compute.virtualMachines.get(VM_RG, 'vm1');
    expect(vm.name).toBe('vm1');
    expect(sandbox.requestStats().byRoute['fault.serverError']?.count).toBe(1);
    expect(sandbox.requestStats().byRoute['compute.vms.get']?.count).toBe(before + 1);
  });
});
