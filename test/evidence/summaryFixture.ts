/** Run summaries as stored, built from a few facts, for the evidence export's tests. */
import {
  RUN_SUMMARY_SCHEMA,
  type DrillSummary,
  type RunKind,
  type RunSummary,
} from '../../src/shared/evidence/runSummary';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg';

export const vmIdOf = (vmName: string): string => `${SUB}/providers/Microsoft.Compute/virtualMachines/${vmName}`;

const TAIL: Record<RunKind, string> = { nightly: '', drill: '~drill-1', external: '~ext-1', check: '~check-1' };

export function summary(
  night: string,
  vmName: string,
  kind: RunKind = 'nightly',
  patch: Partial<RunSummary> = {},
): RunSummary {
  const vmId = vmIdOf(vmName);
  return {
    schema: RUN_SUMMARY_SCHEMA,
    runId: `${night}/${vmName}${TAIL[kind]}`,
    night,
    vmKey: vmId.toLowerCase(),
    vmId,
    vmName,
    vaultId: `${SUB}/providers/Microsoft.RecoveryServices/vaults/v`,
    kind,
    stage: 'done',
    terminal: true,
    createdAt: `${night}T01:00:00.000Z`,
    updatedAt: `${night}T03:00:00.000Z`,
    backup: {},
    alerts: 0,
    ...patch,
  };
}

/** A nightly run whose backup was assessed. */
export const backedUp = (
  night: string,
  vmName: string,
  consistency: 'iris-consistent' | 'file-system-consistent' | 'failed' = 'iris-consistent',
): RunSummary =>
  summary(night, vmName, 'nightly', {
    backup: {
      jobId: `job-${night}-${vmName}`,
      jobStatus: consistency === 'failed' ? 'Failed' : 'Completed',
      triggeredAt: `${night}T01:00:05.000Z`,
      jobStart: `${night}T01:00:10.123Z`,
      jobEnd: `${night}T01:31:59.987Z`,
    },
    recoveryPoint: { time: `${night}T01:02:03.456Z`, type: 'AppConsistent' },
    verdict: { consistency, irisLeftFrozen: false, freezeWindowMs: 1234.5, reason: `${consistency} backup` },
  });

/** A drill-only run with the given drill (passed, clean, 42.5 min unless patched). */
export const drilled = (night: string, vmName: string, drill: Partial<DrillSummary> = {}): RunSummary =>
  summary(night, vmName, 'drill', {
    drill: {
      verdict: 'passed',
      queuedAt: `${night}T04:00:00.000Z`,
      startedAt: `${night}T04:00:01.000Z`,
      finishedAt: `${night}T04:42:31.000Z`,
      recoveryPointTime: `${night}T01:02:03.456Z`,
      recoveryPointType: 'AppConsistent',
      ageHoursAtRestore: 2.966262777777778,
      rtoMs: 2_550_000,
      integrity: 'clean',
      drillVmName: `ibgdrill-${vmName}`,
      restoreJobId: `restore-${night}-${vmName}`,
      evidenceBlob: `drill-evidence/${night}/${vmName}.txt`,
      cleanedUp: true,
      ...drill,
    },
  });
