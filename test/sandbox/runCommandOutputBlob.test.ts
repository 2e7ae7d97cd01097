/**
 * Run Command outputBlobUri in the sandbox: the script's whole stdout (not only the 4 KiB tail of the instance view)
 * lands in the append blob named by the SAS URL, as Azure's handler writes it, by the time the result shows.
 */
import { type Sandbox, startSandbox } from '../../sandbox';
import { type AzuriteTables, startAzurite } from '../../sandbox/azurite';
import type { EvidenceStore } from '../../src/shared/azure/drillResources';
import { createBlobEvidenceStore } from '../../src/shared/gateways/blobEvidenceStore';
import { EVIDENCE_CONTAINER_NAME } from '../../src/shared/config/evidenceSettings';
import { LOCATION, VM_RG, clients, testScenario, testVm } from './sandboxFixtures';

const text = async (chunks: AsyncIterable<Uint8Array> | undefined): Promise<string | undefined> => {
  if (chunks === undefined) return undefined;
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
};

describe('sandbox Run Command outputBlobUri', () => {
  let sandbox: Sandbox;
  let azurite: AzuriteTables;
  let evidence: EvidenceStore;

  beforeAll(async () => {
    [sandbox, azurite] = await Promise.all([
      startSandbox({ scenario: testScenario([testVm('vm1', [])]) }),
      startAzurite(),
    ]);
    evidence = createBlobEvidenceStore(
      { kind: 'connectionString', connectionString: azurite.connectionString, containerName: EVIDENCE_CONTAINER_NAME },
      () => {
        throw new Error('no credential needed');
      },
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all([sandbox?.stop(), azurite?.stop()]);
  });

  const run = async (name: string, script: string, outputBlobUri: string) => {
    const { compute } = clients(sandbox);
    await compute.virtualMachineRunCommands.createOrUpdate(
      VM_RG,
      'vm1',
      name,
      { location: LOCATION, source: { script }, timeoutInSeconds: 60, asyncExecution: false, outputBlobUri },
      { updateIntervalInMs: 0 },
    );
    for (;;) {
      const rc = await compute.virtualMachineRunCommands.getByVirtualMachine(VM_RG, 'vm1', name, {
        expand: 'instanceView',
      });
      const state = rc.instanceView?.executionState;
      if (state !== 'Running' && state !== 'Pending') return rc.instanceView;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('appends the whole stdout to the blob before the result shows; the instance view keeps the tail', async () => {
    const url = await evidence.uploadUrl('vm1/verify-1.log', new Date(Date.now() + 3600_000));
    const view = await run(
      'ibg-verify-1',
      'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2',
      url,
    );
    expect(view?.executionState).toBe('Succeeded');
    const whole = await text(await evidence.read('vm1/verify-1.log'));
    const expected = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join('');
    expect(whole).toBe(expected);
    expect(view?.output?.length).toBeLessThanOrEqual(4096);
    expect(expected.endsWith(view?.output ?? 'x')).toBe(true);
    expect(whole).not.toContain('oops');
  });

  it('appends to a blob that already has content, and reports a failed upload without quoting the URL', async () => {
    const url = await evidence.uploadUrl('vm1/verify-2.log', new Date(Date.now() + 3600_000));
    await run('ibg-verify-2a', 'echo first', url);
    await run('ibg-verify-2b', 'echo second', url);
    expect(await text(await evidence.read('vm1/verify-2.log'))).toBe('first\nsecond\n');

    const denied = url.replace(/sig=[^&]+/, 'sig=AAAA');
    const view = await run('ibg-verify-3', 'echo lost', denied);
    expect(view?.error).toContain('Failed to upload the output to outputBlobUri (HTTP 403)');
    expect(view?.error).not.toContain('sig=');
  });
});
