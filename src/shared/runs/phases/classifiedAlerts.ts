/**
 * The alerts of a verdict, each carrying its classification (Azure's troubleshooting name or ours), the quoted
 * evidence and the fix (alerts/classification.ts), and the recoveries a good backup announces.
 */
import type { Classification } from '../../alerts/classification';
import type { BackupVerdict } from '../backupVerdict';
import type { AlertDetails, CommandBuilder } from './commandBuilder';

/** What an alert says besides its message, from the classification that explains it. */
export const detailsOf = (c: Classification | undefined): AlertDetails =>
  c === undefined ? {} : { classification: c.name, evidence: c.evidence, fix: c.fix };

/**
 * Problems a good (IRIS-consistent, nothing classified) backup of the VM shows to be over, with the severity they
 * were raised at: a recovery is routed where its problem went.
 */
const RECOVERED_BY_GOOD_BACKUP = [
  ['BackupNotAppConsistent', 'error'],
  ['BackupFailed', 'error'],
  ['VerdictUnknown', 'warning'],
  ['FreezeTooLong', 'warning'],
] as const;

export function alertsFor(verdict: BackupVerdict, classified: readonly Classification[], c: CommandBuilder): void {
  const why = verdict.reasons.join('; ');
  const frozen = classified.find((k) => k.irisMayBeFrozen);
  const top = classified.find((k) => k !== frozen) ?? frozen;
  // Only the logs' own word pages people here: a classification that merely may leave IRIS frozen (its logs show
  // the thaw) starts the read-only check (assess.ts), which alerts IrisFrozen if IRIS is frozen after all.
  if (verdict.irisLeftFrozen)
    c.alert(
      'critical',
      'IrisLeftFrozen',
      `IRIS may still be frozen after the backup: ${why}`,
      detailsOf(frozen ?? top),
    );
  const tooLong = classified.find((k) => k.name === 'FreezeTooLong');
  if (tooLong !== undefined) c.alert('warning', 'FreezeTooLong', tooLong.summary, detailsOf(tooLong));
  switch (verdict.consistency) {
    case 'iris-consistent':
      if (classified.length === 0 && !verdict.irisLeftFrozen) {
        for (const [code, severity] of RECOVERED_BY_GOOD_BACKUP)
          c.recover(code, `the backup is IRIS-consistent again: ${why}`, severity);
      }
      return;
    case 'file-system-consistent':
    case 'crash-consistent':
      c.alert(
        'error',
        'BackupNotAppConsistent',
        `the backup is ${verdict.consistency}, not IRIS-consistent: ${why}`,
        detailsOf(top),
      );
      return;
    case 'failed':
      c.alert('error', 'BackupFailed', `the backup failed: ${why}`, detailsOf(top));
      return;
    case 'unknown':
      c.alert(
        'warning',
        'VerdictUnknown',
        `the backup's consistency is unknown; missing: ${verdict.missing.join(', ')}`,
      );
      return;
  }
}
