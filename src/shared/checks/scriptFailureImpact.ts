import type { BackupImpact, Severity } from './finding';
import {
  continueBackupBehaviour,
  pythonEqualsFalse,
  pythonTruthy,
  type LoadedPluginConfig,
} from './pluginConfigSemantics';

export interface ImpactAndSeverity {
  impact: BackupImpact;
  severity: Severity;
}

type Settings = Pick<LoadedPluginConfig, 'continueBackupOnFailure' | 'fsFreezeEnabled'> | undefined;
const DEFAULTS = { continueBackupOnFailure: true, fsFreezeEnabled: true };

/**
 * A pre-script that fails or times out (handle.py, vmsnapshot.md §3.5): with continueBackupOnFailure true the backup
 * goes on file-system-consistent, unless fsFreezeEnabled is false; false means no snapshot; a non-boolean makes
 * PluginHost crash, so no snapshot and no post-script, and an IRIS the script froze stays frozen.
 */
export function preScriptFailureImpact(settings: Settings): ImpactAndSeverity {
  const s = settings ?? DEFAULTS;
  switch (continueBackupBehaviour(s.continueBackupOnFailure)) {
    case 'crash':
      return { impact: 'iris-left-frozen', severity: 'critical' };
    case 'stop':
      return { impact: 'no-snapshot', severity: 'error' };
    case 'continue':
      return pythonEqualsFalse(s.fsFreezeEnabled)
        ? { impact: 'no-snapshot', severity: 'error' }
        : { impact: 'file-system-fallback', severity: 'error' };
  }
}

/**
 * A post-script that fails. The snapshot is already taken; the run is reported file-system-consistent (or as an error
 * when the backup may not continue). If the failure means the thaw did not happen, IRIS stays frozen.
 */
export function postScriptFailureImpact(settings: Settings, thawHappened: boolean): ImpactAndSeverity {
  if (!thawHappened) return { impact: 'iris-left-frozen', severity: 'critical' };
  const s = settings ?? DEFAULTS;
  return continueBackupBehaviour(s.continueBackupOnFailure) === 'continue' && !pythonEqualsFalse(s.fsFreezeEnabled)
    ? { impact: 'file-system-fallback', severity: 'error' }
    : { impact: 'no-snapshot', severity: 'error' };
}

/** Validation failures 302/303/306/307: `dobackup = continueBackupOnFailure`, used by truthiness. */
export function validationFailureImpact(settings: Settings): ImpactAndSeverity {
  const s = settings ?? DEFAULTS;
  return pythonTruthy(s.continueBackupOnFailure)
    ? { impact: 'file-system-fallback', severity: 'error' }
    : { impact: 'no-snapshot', severity: 'error' };
}
