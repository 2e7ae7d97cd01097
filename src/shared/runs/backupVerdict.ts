/**
 * The verdict on one backup: was IRIS frozen when the snapshot was taken and thawed afterwards? Pure. The recovery
 * point type is the primary signal (azure-apis.md §2.4); the VM's logs say why and when (vmsnapshot.md §3.5, §4;
 * iris.md §1.5). Missing evidence gives 'unknown' with a list of what was missing, never a guess.
 */
import type { JobErrorDetail, JobStatus, RecoveryPointType } from '../azure/backupGateway';
import { prepostStatusByCode } from '../parsers/prepostStatusCodes';

export type Consistency = 'iris-consistent' | 'file-system-consistent' | 'crash-consistent' | 'failed' | 'unknown';

export interface BackupVerdict {
  consistency: Consistency;
  reasons: string[];
  frozenAt?: string;
  thawedAt?: string;
  freezeWindowMs?: number;
  failedScript?: 'pre' | 'post';
  /** VMSnapshotLinux pre/post status code (300–318). */
  extensionCode?: number;
  /** The Azure troubleshooting name (Pre-ScriptExecutionFailed, IncorrectJSONConfigFile, …) or the extension's. */
  troubleshootingName?: string;
  scriptExitCode?: number;
  /** The post-script failed or IRIS was still frozen when the logs were read: someone must check now. */
  irisLeftFrozen: boolean;
  /** What was missing, for 'unknown'. */
  missing: string[];
  /** The classifications of what went wrong (alerts/classification.ts), most severe first; absent: none. */
  classifications?: string[];
}

export type ScriptOutcome = 'succeeded' | 'failed' | 'timed-out' | 'not-run';

/** What the extension's log says about one backup (normalised from extension.log). */
export interface ExtensionEvidence {
  /** A silent fallback: "Triggering File System Consistent Backup because of error code StatusCode.<Name>". */
  fallbackCode?: number;
  /** A validation or run error the extension surfaced (302, 303, 306, 307, 317, 300, 301, 308–311). */
  errorCode?: number;
  /** What extension.log says about a validation failure (untrusted VM text, shortened), e.g. the rejected mode. */
  validationDetail?: string[];
  pre?: { outcome: ScriptOutcome; exitCode?: number };
  post?: { outcome: ScriptOutcome; exitCode?: number };
  /** When the file systems were frozen for the snapshot, if logged (UTC). */
  snapshotAt?: string;
}

/**
 * IRIS freeze and thaw, from messages.log and our scripts' log. UTC (with Z) when the probe reported the VM's zone;
 * from an older probe, messages.log's local times as written.
 */
export interface IrisEvidence {
  frozenAt?: string;
  thawedAt?: string;
  /** Our pre-script logged a failed ExternalFreeze. */
  freezeFailed?: boolean;
  /** A post-script logged a failed ExternalThaw. */
  thawFailed?: boolean;
  /** Logs the probe had to shorten: absence of a freeze line in them proves nothing. */
  truncated?: string[];
  /** Instances whose write daemon was still suspended when the probe ran (IsWDSuspendedExt returned 5). */
  stillFrozenInstances?: string[];
}

export interface BackupEvidence {
  extension?: ExtensionEvidence;
  iris?: IrisEvidence;
  /** Sources the probe could not read (e.g. "extension.log", "messages.log"), and why. */
  unavailable: string[];
}

export interface BackupVerdictInput {
  job?: { status: JobStatus; errorDetails: JobErrorDetail[] };
  /** undefined: not looked for; null: none found. */
  recoveryPoint?: { type: RecoveryPointType; time: string } | null;
  evidence?: BackupEvidence;
}

/**
 * Zone-less times are taken as UTC: extension.log's python 3 lines are UTC, and the evidence converts the VM's local
 * times when the probe reports its zone (backupEvidence.ts); only an older probe's messages.log times stay local.
 */
export const epochMs = (iso: string): number => Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);

const FAILED_JOB: readonly JobStatus[] = ['Failed', 'Cancelled'];
const PRE_SCRIPT_CODES: readonly number[] = [300, 308, 310];
const POST_SCRIPT_CODES: readonly number[] = [301, 309, 311];
const DETAIL_CHARS = 160;

const shortened = (text: string): string => (text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS)}…` : text);

/** The job's first VMSnapshotLinux pre/post code (300–318): Azure's own word when the VM's logs say nothing. */
function jobPrepostDetail(job: BackupVerdictInput['job']): JobErrorDetail | undefined {
  return job?.errorDetails.find((d) => d.code !== undefined && prepostStatusByCode(d.code) !== undefined);
}

const logSays = (ext: ExtensionEvidence): string =>
  ext.validationDetail?.length
    ? `; extension.log: ${ext.validationDetail.map((l) => `"${shortened(l)}"`).join(', ')}`
    : '';

const troubleshootingNameOf = (code: number): string => {
  const known = prepostStatusByCode(code);
  if (!known) return `StatusCode ${code}`;
  return known.azureName && !known.azureNameInferred ? known.azureName : known.name.replace(/^FailedPrepost/, '');
};

function scriptReason(role: 'pre' | 'post', outcome: ScriptOutcome, exitCode: number | undefined): string {
  const name = role === 'pre' ? 'Pre' : 'Post';
  if (outcome === 'timed-out')
    return `${name}-ScriptTimeout: the ${role}-script did not finish within the configured timeout`;
  if (exitCode === 5) {
    return `${name}-ScriptExecutionFailed: the ${role}-script exited 5 (IRIS's success code, which the extension reads as failure)`;
  }
  return `${name}-ScriptExecutionFailed: the ${role}-script exited ${exitCode ?? 'with an unknown non-zero status'}`;
}

export function backupVerdict(input: BackupVerdictInput): BackupVerdict {
  const reasons: string[] = [];
  const missing: string[] = [];
  const v: BackupVerdict = { consistency: 'unknown', reasons, irisLeftFrozen: false, missing };
  const ext = input.evidence?.extension;
  const iris = input.evidence?.iris;
  const thawed =
    iris?.thawedAt !== undefined && iris.frozenAt !== undefined && epochMs(iris.thawedAt) >= epochMs(iris.frozenAt);
  let postFailed = false;

  // What the extension says went wrong, first failure wins (as in the extension's SetExtErrorCode).
  if (ext?.fallbackCode !== undefined) {
    v.extensionCode = ext.fallbackCode;
    v.troubleshootingName = troubleshootingNameOf(ext.fallbackCode);
    reasons.push(
      `${v.troubleshootingName} (silent fallback, code ${ext.fallbackCode}): the extension skipped the scripts and took a file-system-consistent snapshot${logSays(ext)}`,
    );
  }
  for (const role of ['pre', 'post'] as const) {
    const s = ext?.[role];
    if (!s || (s.outcome !== 'failed' && s.outcome !== 'timed-out')) continue;
    const code = role === 'pre' ? (s.outcome === 'failed' ? 300 : 308) : s.outcome === 'failed' ? 301 : 309;
    v.failedScript ??= role;
    v.extensionCode ??= code;
    v.troubleshootingName ??= troubleshootingNameOf(code);
    if (s.exitCode !== undefined) v.scriptExitCode ??= s.exitCode;
    reasons.push(scriptReason(role, s.outcome, s.exitCode));
    if (role === 'post') postFailed = true;
  }
  if (ext?.errorCode !== undefined && v.extensionCode === undefined) {
    v.extensionCode = ext.errorCode;
    v.troubleshootingName = troubleshootingNameOf(ext.errorCode);
    reasons.push(
      `${v.troubleshootingName} (code ${ext.errorCode}): the extension did not run the scripts${logSays(ext)}`,
    );
  }
  const jobDetail = v.extensionCode === undefined ? jobPrepostDetail(input.job) : undefined;
  if (jobDetail?.code !== undefined) {
    const code = jobDetail.code;
    v.extensionCode = code;
    v.troubleshootingName = troubleshootingNameOf(code);
    if (PRE_SCRIPT_CODES.includes(code)) v.failedScript = 'pre';
    if (POST_SCRIPT_CODES.includes(code)) {
      v.failedScript = 'post';
      postFailed = true;
    }
    const said = jobDetail.message ?? jobDetail.title;
    // A failed job lists its error details in its own reason below.
    if (!(input.job && FAILED_JOB.includes(input.job.status))) {
      reasons.push(
        `${v.troubleshootingName} (code ${code}, from the backup job; the VM's logs do not say)${said ? `: ${shortened(said)}` : ''}`,
      );
    }
  }

  // IRIS's own record of the freeze.
  if (iris?.freezeFailed) reasons.push('The pre-script logged that ExternalFreeze failed: IRIS was not frozen');
  if (iris?.frozenAt !== undefined) v.frozenAt = iris.frozenAt;
  if (thawed && iris?.thawedAt !== undefined && iris.frozenAt !== undefined) {
    v.thawedAt = iris.thawedAt;
    v.freezeWindowMs = epochMs(iris.thawedAt) - epochMs(iris.frozenAt);
  }
  if (iris?.frozenAt !== undefined && !thawed) {
    v.irisLeftFrozen = true;
    reasons.push(`IRIS was frozen at ${iris.frozenAt} and messages.log shows no thaw after it`);
  }
  // A failed post-script may not have thawed IRIS: only IRIS's own record of a thaw clears it.
  if (postFailed && thawed) {
    reasons.push(`IRIS was thawed at ${v.thawedAt ?? ''}, so the failed post-script did not leave it frozen`);
  } else if (postFailed) v.irisLeftFrozen = true;
  if (iris?.thawFailed) {
    v.irisLeftFrozen = true;
    reasons.push('The post-script logged that ExternalThaw failed');
  }
  if (iris?.stillFrozenInstances?.length) {
    v.irisLeftFrozen = true;
    reasons.push(`IRIS instance ${iris.stillFrozenInstances.join(', ')} was still frozen when the logs were read`);
  }

  if (input.job && FAILED_JOB.includes(input.job.status)) {
    v.consistency = 'failed';
    const details = input.job.errorDetails.map((d) =>
      [d.code, d.title ?? d.message].filter((x) => x !== undefined).join(' '),
    );
    reasons.unshift(`The backup job ended ${input.job.status}${details.length ? `: ${details.join('; ')}` : ''}`);
    return v;
  }

  const point = input.recoveryPoint;
  if (!point) {
    missing.push(point === null ? 'recovery point (none newer than the job start)' : 'recovery point');
    return v;
  }
  if (point.type === 'CrashConsistent') {
    v.consistency = 'crash-consistent';
    if (reasons.length === 0) reasons.push('The recovery point is CrashConsistent');
    return v;
  }
  if (point.type === 'FileSystemConsistent') {
    v.consistency = 'file-system-consistent';
    if (reasons.length === 0 || (reasons.length === 1 && iris?.freezeFailed)) {
      reasons.push(
        ext
          ? 'The recovery point is FileSystemConsistent; extension.log does not say why'
          : 'The recovery point is FileSystemConsistent; extension.log could not be read to say why',
      );
    }
    // Azure's label follows the scripts' exit codes; IRIS's own record can still show a freeze around the snapshot.
    const snapshotAt = ext?.snapshotAt ?? point.time;
    if (
      v.frozenAt !== undefined &&
      v.thawedAt !== undefined &&
      epochMs(v.frozenAt) <= epochMs(snapshotAt) &&
      epochMs(snapshotAt) <= epochMs(v.thawedAt)
    ) {
      reasons.push(
        `IRIS was nevertheless frozen from ${v.frozenAt} to ${v.thawedAt}, across the snapshot at ${snapshotAt}`,
      );
    }
    return v;
  }
  if (point.type !== 'AppConsistent') {
    missing.push(`a known recovery point type (got '${point.type}')`);
    return v;
  }

  // AppConsistent: Azure ran the scripts; IRIS-consistent only if IRIS was frozen across the snapshot.
  if (iris === undefined) {
    missing.push(
      ...(input.evidence?.unavailable.length ? input.evidence.unavailable : ['IRIS freeze evidence (messages.log)']),
    );
    return v;
  }
  if (iris.frozenAt === undefined && iris.truncated?.length) {
    missing.push(`IRIS freeze lines (${iris.truncated.join(' and ')} cut short by the probe's output budget)`);
    return v;
  }
  if (iris.frozenAt === undefined) {
    v.consistency = 'file-system-consistent';
    reasons.push('The recovery point is AppConsistent, but IRIS was not frozen: no "System suspended" in messages.log');
    return v;
  }
  const snapshotAt = ext?.snapshotAt ?? point.time;
  if (epochMs(iris.frozenAt) > epochMs(snapshotAt)) {
    v.consistency = 'file-system-consistent';
    reasons.push(`IRIS froze at ${iris.frozenAt}, after the snapshot at ${snapshotAt}`);
    return v;
  }
  if (thawed && v.thawedAt !== undefined && epochMs(v.thawedAt) < epochMs(snapshotAt)) {
    v.consistency = 'file-system-consistent';
    reasons.push(`IRIS was thawed at ${v.thawedAt}, before the snapshot at ${snapshotAt}`);
    return v;
  }
  v.consistency = 'iris-consistent';
  if (thawed)
    reasons.unshift(`IRIS was frozen from ${v.frozenAt} to ${v.thawedAt} across the snapshot at ${snapshotAt}`);
  else reasons.unshift(`IRIS was frozen at ${iris.frozenAt} for the snapshot at ${snapshotAt}`);
  return v;
}
