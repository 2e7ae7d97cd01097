/**
 * Executes one command of the state machine through the gateways and reports what happened as events. Never
 * throws for an Azure or VM failure: that becomes an event the machine decides about.
 */
import { checkSetup } from '../checks/checkSetup';
import { missingRoleHint } from '../alerts/azureCalls';
import { isAppError, toError } from '../errors/appError';
import type { BackupJob, RecoveryPoint } from '../azure/backupGateway';
import { compactFinding, type Run } from '../runs/run';
import type { RunCommand } from '../runs/runCommand';
import type { RunEvent } from '../runs/runEvent';
import { BACKUP_IN_PROGRESS_CODE, jobEvents } from './jobObservation';
import { logAlertSink, runAlert, type ProtectionDeps } from './protectionDeps';
import { protectedItemOf, vaultRefOf } from './protectedItemOf';
import { runCommandName } from './runCommandName';
import { runProbe } from './vmProbe';

const DAY_MS = 86_400_000;
/** Recovery point and job times come from Azure's clock, the run's from ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The vault's backup jobs in progress (started within the last day). */
export async function listInProgressJobs(deps: ProtectionDeps, vaultId: string, now: Date): Promise<BackupJob[]> {
  const vault = vaultRefOf(deps.settings, vaultId);
  const filter = {
    startTime: new Date(now.getTime() - DAY_MS),
    // Azure's clock is not ours, and the filter has whole seconds: a job started a moment ago must still be listed.
    endTime: new Date(now.getTime() + CLOCK_SKEW_MS),
    operation: 'Backup' as const,
    status: 'InProgress',
  };
  const jobs: BackupJob[] = [];
  for await (const job of deps.gateways.backup.listJobs(vault, filter)) if (job.status === 'InProgress') jobs.push(job);
  return jobs;
}

/** The id of a backup job in progress for the run's VM, if any. */
async function inProgressJobOf(deps: ProtectionDeps, run: Run, now: Date): Promise<string | undefined> {
  const jobs = await listInProgressJobs(deps, run.target.vaultId, now);
  return jobs.find((j) => sameName(j.entityName, run.target.vmName))?.jobId;
}

/** What the caller already knows, so that many runs do not each repeat the same vault-wide listing. */
export interface CommandContext {
  /**
   * Backup jobs in progress per vault (key: lower-cased vault id), listed once by the nightly call. A job started
   * after the listing is not missed for long: Azure refuses the POST (UserErrorBackupOperationInProgress) and the
   * run adopts that job.
   */
  inProgressJobs?: ReadonlyMap<string, readonly BackupJob[]>;
}

export async function executeCommand(
  deps: ProtectionDeps,
  run: Run,
  command: RunCommand,
  context: CommandContext = {},
): Promise<RunEvent[]> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const timeoutInSeconds = deps.settings.runCommandTimeoutInSeconds;
  try {
    switch (command.type) {
      case 'RunPreflight': {
        const probe = await runProbe(deps.gateways.compute, run.target.vmId, {
          mode: 'check',
          name: runCommandName('preflight', now, run.night),
          timeoutInSeconds,
        });
        if (probe.facts === undefined) return [{ type: 'PreflightFailed', at, reason: probe.problems.join('; ') }];
        return [
          {
            type: 'PreflightCompleted',
            at,
            findings: checkSetup(probe.facts, { vmId: run.target.vmId }).map(compactFinding),
          },
        ];
      }
      case 'FindInProgressJob': {
        const known = context.inProgressJobs?.get(run.target.vaultId.toLowerCase());
        const jobId =
          known === undefined
            ? await inProgressJobOf(deps, run, now)
            : known.find((j) => j.status === 'InProgress' && sameName(j.entityName, run.target.vmName))?.jobId;
        return [jobId === undefined ? { type: 'NoInProgressJob', at } : { type: 'InProgressJobFound', at, jobId }];
      }
      case 'FindJobSinceRequest': {
        const vault = vaultRefOf(deps.settings, command.vaultId);
        const since = Date.parse(command.since) - CLOCK_SKEW_MS;
        const filter = { startTime: new Date(since), endTime: now, operation: 'Backup' as const };
        let first: BackupJob | undefined;
        const listed: BackupJob[] = [];
        for await (const job of deps.gateways.backup.listJobs(vault, filter)) {
          listed.push(job);
          const start = job.startTime === undefined ? Number.NaN : Date.parse(job.startTime);
          // A job without a readable start time still counts: when in doubt, never ask twice.
          if (!sameName(job.entityName, command.vmName) || start < since) continue;
          if (first === undefined || start < Date.parse(first.startTime ?? '')) first = job;
        }
        return first === undefined
          ? [{ type: 'NoJobSinceRequest', at, since: command.since }]
          : await jobEvents(deps, vault, run, first, listed, at);
      }
      case 'TriggerBackup':
        try {
          const { operationId } = await deps.gateways.backup.triggerBackup(protectedItemOf(deps.settings, run), {
            recoveryPointExpiry: new Date(command.expiry),
          });
          return [{ type: 'BackupTriggered', at, operationId }];
        } catch (e) {
          const reason = toError(e).message;
          // Azure refuses a second backup while one runs for the item (400, by its service code, not its text):
          // that job is tonight's backup, adopt it.
          if (isAppError(e) && e.serviceCode === BACKUP_IN_PROGRESS_CODE) {
            const jobId = await inProgressJobOf(deps, run, now).catch(() => undefined);
            if (jobId !== undefined) return [{ type: 'InProgressJobFound', at, jobId }];
            return [{ type: 'CommandFailed', at, command: command.type, reason }];
          }
          const hint = missingRoleHint('triggerBackup', isAppError(e) ? e.statusCode : undefined);
          return [{ type: 'BackupTriggerFailed', at, reason: hint === undefined ? reason : `${reason} (${hint})` }];
        }
      case 'ReadOperation': {
        const op = await deps.gateways.backup.getBackupOperation(
          protectedItemOf(deps.settings, run),
          command.operationId,
        );
        const error = op.error ? [op.error.code, op.error.message].filter(Boolean).join(': ') : undefined;
        return [
          {
            type: 'OperationObserved',
            at,
            status: op.status,
            ...(op.jobId === undefined ? {} : { jobId: op.jobId }),
            ...(error ? { error } : {}),
          },
        ];
      }
      case 'FindRecoveryPoint': {
        const after = Date.parse(command.after) - CLOCK_SKEW_MS;
        let first: RecoveryPoint | null = null;
        const points = deps.gateways.backup.listRecoveryPoints(protectedItemOf(deps.settings, run), {
          startDate: new Date(after),
          endDate: new Date(now.getTime() + CLOCK_SKEW_MS),
        });
        // Azure does not order recovery points; the first one at or after the job start is this backup's.
        for await (const p of points) {
          const t = Date.parse(p.time);
          if (t >= after && (first === null || t < Date.parse(first.time))) first = p;
        }
        return [{ type: 'RecoveryPointObserved', at, point: first }];
      }
      case 'CollectLogs': {
        const probe = await runProbe(deps.gateways.compute, run.target.vmId, {
          mode: 'logs',
          since: command.since,
          name: runCommandName('logs', now, run.night),
          timeoutInSeconds,
        });
        return [
          { type: 'LogsCollected', at, ...(probe.facts ? { facts: probe.facts } : {}), problems: probe.problems },
        ];
      }
      case 'Alert':
        await (deps.alerts ?? logAlertSink(deps.log)).raise(
          runAlert({
            runId: command.runId,
            vmId: command.vmId,
            severity: command.severity,
            code: command.code,
            message: command.message,
            at,
          }),
        );
        return [];
    }
  } catch (e) {
    return [{ type: 'CommandFailed', at, command: command.type, reason: toError(e).message }];
  }
}
