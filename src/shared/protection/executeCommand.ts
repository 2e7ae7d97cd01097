/**
 * Executes one command of the state machine through the gateways and reports what happened as events. Never
 * throws for an Azure or VM failure: that becomes an event the machine decides about.
 */
import { checkSetup } from '../checks/checkSetup';
import { toError } from '../errors/appError';
import type { RecoveryPoint } from '../gateways/backupGateway';
import { compactFinding, type Run } from '../runs/run';
import type { RunCommand } from '../runs/runCommand';
import type { RunEvent } from '../runs/runEvent';
import { logAlertSink, type ProtectionDeps } from './protectionDeps';
import { protectedItemOf, vaultRefOf } from './protectedItemOf';
import { runCommandName } from './runCommandName';
import { runProbe } from './vmProbe';

const DAY_MS = 86_400_000;
/** Recovery point and job times come from Azure's clock, the run's from ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export async function executeCommand(deps: ProtectionDeps, run: Run, command: RunCommand): Promise<RunEvent[]> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const timeoutInSeconds = deps.settings.runCommandTimeoutInSeconds;
  try {
    switch (command.type) {
      case 'RunPreflight': {
        const probe = await runProbe(deps.gateways.compute, run.target.vmId, {
          mode: 'check',
          name: runCommandName('preflight', run.night, now),
          timeoutInSeconds,
        });
        if (probe.facts === undefined) return [{ type: 'PreflightFailed', at, reason: probe.problems.join('; ') }];
        return [{ type: 'PreflightCompleted', at, findings: checkSetup(probe.facts).map(compactFinding) }];
      }
      case 'FindInProgressJob': {
        const vault = vaultRefOf(deps.settings, command.vaultId);
        const filter = { startTime: new Date(now.getTime() - DAY_MS), endTime: now, operation: 'Backup' as const };
        for await (const job of deps.gateways.backup.listJobs(vault, filter)) {
          if (job.status === 'InProgress' && sameName(job.entityName, command.vmName)) {
            return [{ type: 'InProgressJobFound', at, jobId: job.jobId }];
          }
        }
        return [{ type: 'NoInProgressJob', at }];
      }
      case 'TriggerBackup':
        try {
          const { operationId } = await deps.gateways.backup.triggerBackup(protectedItemOf(deps.settings, run), {
            recoveryPointExpiry: new Date(command.expiry),
          });
          return [{ type: 'BackupTriggered', at, operationId }];
        } catch (e) {
          return [{ type: 'BackupTriggerFailed', at, reason: toError(e).message }];
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
          name: runCommandName('logs', run.night, now),
          timeoutInSeconds,
        });
        return [
          { type: 'LogsCollected', at, ...(probe.facts ? { facts: probe.facts } : {}), problems: probe.problems },
        ];
      }
      case 'Alert':
        await (deps.alerts ?? logAlertSink(deps.log)).raise({
          runId: command.runId,
          vmId: command.vmId,
          severity: command.severity,
          code: command.code,
          message: command.message,
          at,
        });
        return [];
    }
  } catch (e) {
    return [{ type: 'CommandFailed', at, command: command.type, reason: toError(e).message }];
  }
}
