/**
 * The evidence pack's rows as CSV (backups.csv, drills.csv): one column per row field, in the order of the JSON,
 * values as stored (ISO times, numbers unrounded); an absent field is an empty cell. Every cell goes through
 * csvCell, so a VM name or reason that starts with `=` cannot become a spreadsheet formula.
 */
import type { BackupRow, DrillRow, EvidencePack } from '../evidence/evidencePack';
import { csvDocument } from './csvText';

export const BACKUP_COLUMNS = [
  'runId',
  'night',
  'vmName',
  'vmId',
  'kind',
  'jobId',
  'jobStatus',
  'jobStart',
  'jobEnd',
  'recoveryPointTime',
  'recoveryPointType',
  'consistency',
  'irisLeftFrozen',
  'freezeWindowMs',
  'reason',
  'stage',
] as const satisfies readonly (keyof BackupRow)[];

export const DRILL_COLUMNS = [
  'runId',
  'night',
  'vmName',
  'vmId',
  'verdict',
  'failedStage',
  'reason',
  'queuedAt',
  'startedAt',
  'finishedAt',
  'recoveryPointTime',
  'recoveryPointType',
  'ageHoursAtRestore',
  'rtoMs',
  'rtoVsTarget',
  'integrity',
  'drillVmName',
  'restoreJobId',
  'evidenceBlob',
  'cleanedUp',
] as const satisfies readonly (keyof DrillRow)[];

export const backupsCsv = (pack: EvidencePack): string =>
  csvDocument(
    BACKUP_COLUMNS,
    pack.backups.map((row) => BACKUP_COLUMNS.map((c) => row[c])),
  );

export const drillsCsv = (pack: EvidencePack): string =>
  csvDocument(
    DRILL_COLUMNS,
    pack.drills.map((row) => DRILL_COLUMNS.map((c) => row[c])),
  );
