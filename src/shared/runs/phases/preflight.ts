/**
 * Stage 'preflight': the probe's findings decide whether the backup goes ahead. The preflight is advisory unless
 * the policy skips backups on blocking findings; either way the run moves on to 'triggering'.
 */
import type { CompactFinding, Run } from '../run';
import type { CommandBuilder } from './commandBuilder';
import type { PhaseHandler } from './phase';
import { onCommandFailed, onTick } from './retry';
import { moveTo, settled } from './transitions';

/** Findings that make the next backup useless or harmful: no snapshot at all, or IRIS left frozen afterwards. */
export const blockingCodes = (findings: readonly CompactFinding[]): string[] =>
  findings.filter((f) => f.impact === 'no-snapshot' || f.impact === 'iris-left-frozen').map((f) => f.code);

export const preflight: PhaseHandler<'preflight'> = (run, event, ctx) => {
  const c = ctx.commands;
  switch (event.type) {
    case 'Tick':
      return onTick(run, event.at, ctx, () => ({ type: 'RunPreflight' }));
    case 'PreflightCompleted': {
      const blocking = blockingCodes(event.findings);
      const preflight = { findings: event.findings, blocking };
      if (blocking.length > 0 && ctx.policy.skipBackupOnBlockingFindings) {
        const reason = `Backup skipped: the preflight found ${blocking.join(', ')}, which would leave no snapshot or IRIS frozen`;
        c.alert('error', 'BackupSkipped', reason);
        return moveTo({ ...settled(run, event.at), preflight }, 'failed', event.at, reason);
      }
      if (blocking.length > 0) {
        c.alert(
          'warning',
          'PreflightBlockingFindings',
          `the preflight found ${blocking.join(', ')}; backing up anyway`,
        );
      }
      return findJob({ ...run, preflight }, event.at, c);
    }
    case 'PreflightFailed': {
      // The preflight is advisory: a backup without it is better than none.
      c.alert('warning', 'PreflightUnavailable', `the preflight probe did not run: ${event.reason}; backing up anyway`);
      return findJob({ ...run, preflight: { findings: [], blocking: [], error: event.reason } }, event.at, c);
    }
    case 'CommandFailed':
      return onCommandFailed(run, event);
  }
};

/** Into 'triggering': first look for a backup of the VM already in progress, which the run then adopts. */
function findJob(run: Run, at: string, c: CommandBuilder): Run {
  c.add({ type: 'FindInProgressJob', vmName: run.target.vmName, vaultId: run.target.vaultId });
  return { ...moveTo(run, 'triggering', at), pendingSince: at };
}
