/** Commands whose answer decides whether a second backup request is safe, against the sandbox. */
import { executeCommand } from '../../src/shared/protection/executeCommand';
import { protectedItemOf } from '../../src/shared/protection/protectedItemOf';
import { findProtectedVm } from '../../src/shared/protection/protectVmNow';
import { targetOf } from '../../src/shared/protection/protectedItemOf';
import { newRun, type Run } from '../../src/shared/runs/run';
import { backupJobsOf, MINUTE, tonight } from './cycleHelpers';
import { singleVmScenario, startProtectionWorld, type ProtectionWorld } from './protectionWorld';

describe('executeCommand (sandbox)', () => {
  let w: ProtectionWorld;
  let run: Run;
  let start: Date;
  beforeAll(async () => {
    w = await startProtectionWorld(singleVmScenario());
    start = w.sandbox.clock.now();
    run = newRun(tonight(w), targetOf(await findProtectedVm(w.deps, w.vmId('iris-a'))), start.toISOString());
  });
  afterAll(async () => w?.stop());

  const base = (): { runId: string; vmId: string } => ({ runId: run.id, vmId: run.target.vmId });
  const since = (d: Date) => ({
    ...base(),
    type: 'FindJobSinceRequest' as const,
    vmName: 'iris-a',
    vaultId: run.target.vaultId,
    since: d.toISOString(),
  });

  it('no job since the request: NoJobSinceRequest', async () => {
    expect(await executeCommand(w.deps, run, since(start))).toEqual([
      { type: 'NoJobSinceRequest', at: expect.any(String), since: start.toISOString() },
    ]);
  });

  it('a backup already running: the POST is refused (400) and its job is adopted', async () => {
    // Someone else's on-demand backup, started a minute ago.
    const { operationId } = await w.deps.gateways.backup.triggerBackup(protectedItemOf(w.deps.settings, run), {
      recoveryPointExpiry: new Date(start.getTime() + 86_400_000),
    });
    const op = await w.deps.gateways.backup.getBackupOperation(protectedItemOf(w.deps.settings, run), operationId);
    w.sandbox.clock.advance(MINUTE);
    const events = await executeCommand(w.deps, run, {
      ...base(),
      type: 'TriggerBackup',
      expiry: '2099-01-01T00:00:00Z',
    });
    expect(events).toEqual([{ type: 'InProgressJobFound', at: expect.any(String), jobId: op.jobId }]);
    expect(await backupJobsOf(w, 'iris-a', start)).toHaveLength(1);
  });

  it('a job since the request is observed (never a second request); one from before it is not', async () => {
    const [job] = await backupJobsOf(w, 'iris-a', start);
    const found = await executeCommand(w.deps, run, since(start));
    expect(found).toEqual([
      expect.objectContaining({ type: 'JobObserved', job: expect.objectContaining({ jobId: job?.jobId }) }),
    ]);
    const later = new Date(start.getTime() + 30 * MINUTE);
    expect(await executeCommand(w.deps, run, since(later))).toEqual([
      expect.objectContaining({ type: 'NoJobSinceRequest', since: later.toISOString() }),
    ]);
  });
});
