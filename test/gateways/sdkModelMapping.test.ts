import type { JobResource } from '@azure/arm-recoveryservicesbackup';
import { toBackupJob } from '../../src/shared/gateways/armBackupGateway';
import { MAX_STREAM_CHARS, toRunScriptResult } from '../../src/shared/gateways/armComputeGateway';

const VAULT_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v';

// Real responses differ from the spec (docs show TimeSpan durations, numeric enums); the mapping must not care.
const job = (properties: Record<string, unknown>): JobResource =>
  ({ id: `${VAULT_ID}/backupJobs/j1`, name: 'j1', properties }) as unknown as JobResource;

describe('toBackupJob', () => {
  it('maps the documented completed job, TimeSpan duration and numeric actionsInfo included', () => {
    expect(
      toBackupJob(
        VAULT_ID,
        job({
          jobType: 'AzureIaaSVMJob',
          duration: '00:20:23.0896697',
          actionsInfo: [1],
          entityFriendlyName: 'vm1',
          operation: 'Backup',
          status: 'CompletedWithWarnings',
          startTime: new Date('2024-01-01T00:00:00.123Z'),
          endTime: '2024-01-01T00:20:23Z',
          containerName: 'iaasvmcontainerv2;rg;vm1',
          errorDetails: [{ errorCode: '400059', errorTitle: '', errorString: 'example', recommendations: ['r1', 7] }],
        }),
      ),
    ).toEqual({
      jobId: 'j1',
      vaultId: VAULT_ID,
      entityName: 'vm1',
      operation: 'Backup',
      status: 'CompletedWithWarnings',
      startTime: '2024-01-01T00:00:00.123Z',
      endTime: '2024-01-01T00:20:23.000Z',
      durationInMs: 1_223_090,
      containerName: 'iaasvmcontainerv2;rg;vm1',
      errorDetails: [{ code: 400059, title: '', message: 'example', recommendations: ['r1'] }],
    });
  });

  it('keeps going when fields are missing or unreadable', () => {
    expect(toBackupJob(VAULT_ID, job({ duration: 'soon', startTime: 'yesterday', errorDetails: 'none' }))).toEqual({
      jobId: 'j1',
      vaultId: VAULT_ID,
      entityName: '',
      operation: '',
      status: 'Invalid',
      errorDetails: [],
    });
  });

  it('takes the job id from the resource id when the name is missing', () => {
    const resource = { id: `${VAULT_ID}/backupJobs/j9`, properties: {} } as unknown as JobResource;
    expect(toBackupJob(VAULT_ID, resource)?.jobId).toBe('j9');
  });
});

describe('toRunScriptResult', () => {
  it('maps the instance view', () => {
    expect(
      toRunScriptResult({
        executionState: 'Failed',
        executionMessage: 'Execution failed: exit status 3',
        exitCode: 3,
        output: 'hi\n',
        error: 'boom\n',
      }),
    ).toEqual({
      executionState: 'Failed',
      executionMessage: 'Execution failed: exit status 3',
      exitCode: 3,
      output: 'hi\n',
      error: 'boom\n',
    });
  });

  it('keeps only the last 4096 characters of each stream', () => {
    const output = `${'a'.repeat(10_000)}END`;
    const result = toRunScriptResult({ executionState: 'Succeeded', exitCode: 0, output, error: 'e'.repeat(5000) });
    expect(result.output).toHaveLength(MAX_STREAM_CHARS);
    expect(result.output.endsWith('END')).toBe(true);
    expect(result.error).toHaveLength(MAX_STREAM_CHARS);
  });

  it.each<[unknown, Partial<ReturnType<typeof toRunScriptResult>>]>([
    [undefined, { executionState: 'Unknown', output: '', error: '' }],
    [{ exitCode: '2' }, { executionState: 'Unknown', exitCode: 2 }],
    [{ exitCode: 1.5, output: 42 }, { output: '42' }],
    [{ output: { text: 'x' } }, { output: '' }],
  ])('tolerates instance view %j', (view, expected) => {
    expect(toRunScriptResult(view)).toMatchObject(expected);
  });

  it('drops an exit code that is not a whole number', () => {
    expect(toRunScriptResult({ exitCode: 1.5 })).not.toHaveProperty('exitCode');
  });
});
