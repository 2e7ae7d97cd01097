import type { BackupImpact, Finding, Severity } from './finding';

export interface FindingCodeInfo {
  /** What the finding means, one sentence (used for the README table). */
  description: string;
  /** The VMSnapshotLinux status code the extension raises for the same cause, if any. */
  extensionStatusCode?: number;
  severity: Severity;
  /** The usual impact; a finding may state a different one when the config changes the outcome. */
  impact: BackupImpact;
}

/**
 * Every code `checkSetup` can return. Azure's troubleshooting names (backup-azure-linux-app-consistent.md) are used
 * where one exists; the others are ours. Keep this table and the rules in step: a test checks both directions.
 */
export const FINDING_CODES = {
  WorkloadConfOverridesScripts: {
    description:
      '/etc/azure/workload.conf names a supported database workload, so the extension runs its workload flow and ignores the pre/post scripts.',
    severity: 'error',
    impact: 'file-system-fallback',
  },
  IncorrectPluginhostFile: {
    description:
      '/etc/azure/VMSnapshotPluginHost.conf is not owned by root, lets group/other write or execute it, or cannot be parsed; the extension silently skips the scripts.',
    extensionStatusCode: 314,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  PluginHostConfHasNoPlugins: {
    description:
      'The plugin host conf loads no plugin (numberOfPlugins missing or 0): no script runs, yet the backup reports success.',
    severity: 'error',
    impact: 'file-system-fallback',
  },
  PluginHostConfRedirectsConfig: {
    description: 'The plugin host conf points the extension at a JSON config other than the default path.',
    severity: 'info',
    impact: 'app-consistent',
  },
  PluginConfigNotFound: {
    description:
      'VMSnapshotScriptPluginConfig.json does not exist: every backup is silently file-system-consistent and no script runs.',
    extensionStatusCode: 316,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  PluginConfigPermissionError: {
    description:
      'VMSnapshotScriptPluginConfig.json is not owned by root or its mode is not owner-read/write only; the scripts are skipped and the backup is file-system-consistent.',
    extensionStatusCode: 317,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  IncorrectJSONConfigFile: {
    description:
      'VMSnapshotScriptPluginConfig.json is not valid JSON (BOM, syntax, empty), lacks preScriptLocation/postScriptLocation, or has a non-numeric poll time; the scripts are silently skipped.',
    extensionStatusCode: 305,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  PluginConfigTypeError: {
    description:
      'A value in VMSnapshotScriptPluginConfig.json has a type the extension cannot handle (e.g. a string timeoutInSeconds, a null poll time, a non-object top level); the scripts are silently skipped.',
    extensionStatusCode: 304,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  PluginConfigUnreadable: {
    description:
      'The probe could not read a config file or a script (or cut it short to fit its output budget), so it was not checked.',
    severity: 'warning',
    impact: 'unknown',
  },
  TimeoutInSecondsDefault: {
    description: 'timeoutInSeconds is absent, so each script gets 10 seconds (not the 30 of the template).',
    severity: 'warning',
    impact: 'app-consistent',
  },
  TimeoutInSecondsClamped: {
    description: 'timeoutInSeconds is above the maximum (the host conf value, at most 1800), which is used instead.',
    severity: 'info',
    impact: 'app-consistent',
  },
  TimeoutInSecondsTooLow: {
    description: 'timeoutInSeconds is 0 or negative: a script that does not finish at once is reported as timed out.',
    extensionStatusCode: 308,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  PollTimeIgnored: {
    description: 'ScriptsExecutionPollTimeSeconds is outside 1..5 after int(), so the extension silently keeps 3.',
    severity: 'info',
    impact: 'app-consistent',
  },
  RetriesNotNumber: {
    description:
      'A *ScriptNoOfRetries value is not a number: when that script fails, the runner thread crashes and the extension waits out its host timeout.',
    extensionStatusCode: 310,
    severity: 'warning',
    impact: 'app-consistent',
  },
  RetriesDoNothing: {
    description: 'A *ScriptNoOfRetries value above 0 never re-runs the script; retries must be done inside the script.',
    severity: 'info',
    impact: 'app-consistent',
  },
  ContinueBackupOnFailureIsString: {
    description:
      'continueBackupOnFailure is not a JSON boolean: when the pre-script fails the extension crashes, takes no snapshot and never runs the post-script, so IRIS can stay frozen.',
    severity: 'critical',
    impact: 'iris-left-frozen',
  },
  ContinueBackupOnFailureFalse: {
    description: 'continueBackupOnFailure is false: any script failure makes the backup fail instead of falling back.',
    severity: 'info',
    impact: 'app-consistent',
  },
  FsFreezeEnabledNotBoolean: {
    description:
      'fsFreezeEnabled is not a JSON boolean; a string such as "false" is truthy, so the file systems are still frozen.',
    severity: 'warning',
    impact: 'app-consistent',
  },
  ScriptParamsNotArray: {
    description:
      'preScriptParams/postScriptParams is not an array: a string is passed one character per argument, other values crash the runner thread.',
    severity: 'warning',
    impact: 'app-consistent',
  },
  ScriptParamsEmptyStrings: {
    description:
      'The params contain empty strings (the template\'s ["", ""]), which reach the script as empty arguments ($# counts them).',
    severity: 'info',
    impact: 'app-consistent',
  },
  ScriptParamsNotStrings: {
    description: 'The params contain non-strings, which the extension passes through Python str() ("True", "None").',
    severity: 'info',
    impact: 'app-consistent',
  },
  'Pre-ScriptNotFound': {
    description:
      'preScriptLocation is not a regular file after following symlinks (empty, relative, missing or a directory).',
    extensionStatusCode: 302,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  'Post-ScriptNotFound': {
    description: 'postScriptLocation is not a regular file after following symlinks.',
    extensionStatusCode: 303,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  'InsufficientPermissionforPre-Script': {
    description: 'The pre-script is not owned by root or has group/other permission bits.',
    extensionStatusCode: 306,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  'InsufficientPermissionforPost-Script': {
    description: 'The post-script is not owned by root or has group/other permission bits.',
    extensionStatusCode: 307,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  ScriptNotPosixSh: {
    description:
      'The script uses bash-only syntax but the extension runs it with sh (dash on Debian/Ubuntu), ignoring the shebang.',
    extensionStatusCode: 300,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  ScriptCrlfLineEndings: {
    description: 'The script has CRLF line endings, which break `then`, `fi` and `exit` under sh.',
    extensionStatusCode: 300,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  ScriptExitsFiveOnSuccess: {
    description:
      'The script passes IRIS\'s exit status 5 ("frozen"/"thawed") through; the extension accepts only 0, so every backup reports a script failure.',
    extensionStatusCode: 300,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  ScriptWritesStdout: {
    description:
      'The script writes to stdout, a pipe the extension never reads: more than 64 KiB blocks the script until it times out.',
    extensionStatusCode: 308,
    severity: 'warning',
    impact: 'app-consistent',
  },
  FreezeTimeoutNotBelowScriptTimeout: {
    description:
      "The pre-script's IRIS freeze attempt can last as long as the extension's script timeout; a late freeze can land after the post-script's thaw.",
    extensionStatusCode: 308,
    severity: 'warning',
    impact: 'app-consistent',
  },
  PreScriptDoesNotFreezeIris: {
    description: 'The pre-script never calls Backup.General.ExternalFreeze, so IRIS is not quiesced for the snapshot.',
    severity: 'error',
    impact: 'file-system-fallback',
  },
  PostScriptMissingThaw: {
    description: 'The pre-script freezes IRIS but the post-script never calls Backup.General.ExternalThaw.',
    severity: 'critical',
    impact: 'iris-left-frozen',
  },
  PreScriptWrongInstance: {
    description:
      'The pre-script freezes an instance that `iris qlist` does not list (or a placeholder like <CACHE INSTANCE>).',
    extensionStatusCode: 300,
    severity: 'error',
    impact: 'file-system-fallback',
  },
  ScriptOutdated: {
    description: 'The IRIS Backup Guard script on the VM is older than the version this app ships.',
    severity: 'info',
    impact: 'app-consistent',
  },
  IrisNotFound: {
    description: 'Neither `iris` nor `ccontrol` was found on the VM.',
    severity: 'warning',
    impact: 'unknown',
  },
  IrisNoInstances: {
    description: '`iris qlist` lists no instance.',
    severity: 'warning',
    impact: 'unknown',
  },
  IrisInstanceDown: {
    description: 'An IRIS instance is not running: its freeze will fail, so the pre-script reports a failure.',
    extensionStatusCode: 300,
    severity: 'warning',
    impact: 'file-system-fallback',
  },
  IrisAlreadyFrozen: {
    description: "An IRIS instance's write daemon is suspended right now (IsWDSuspendedExt exit 5): thaw it now.",
    severity: 'critical',
    impact: 'iris-left-frozen',
  },
  IrisFrozenStateUnknown: {
    description: 'IsWDSuspendedExt returned neither 5 (frozen) nor 3 (running), so the freeze state is unknown.',
    severity: 'warning',
    impact: 'unknown',
  },
  IrisMirrorPrimary: {
    description:
      'The instance is the primary failover member of a mirror: a long freeze can make the mirror fail over during the backup.',
    severity: 'warning',
    impact: 'app-consistent',
  },
  BackupExtensionNotInstalled: {
    description: 'No VMSnapshotLinux extension directory exists yet (the VM has not been backed up).',
    severity: 'info',
    impact: 'app-consistent',
  },
} as const satisfies Record<string, FindingCodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

/** A Finding with the catalogue defaults, overridable where the outcome depends on the config. */
export function makeFinding(
  code: FindingCode,
  fields: { message: string; fix: string; subject?: string } & Partial<
    Pick<Finding, 'severity' | 'impact' | 'extensionStatusCode'>
  >,
): Finding {
  const info: FindingCodeInfo = FINDING_CODES[code];
  const finding: Finding = {
    code,
    severity: fields.severity ?? info.severity,
    impact: fields.impact ?? info.impact,
    message: fields.message,
    fix: fields.fix,
  };
  const ext = 'extensionStatusCode' in fields ? fields.extensionStatusCode : info.extensionStatusCode;
  if (ext !== undefined) finding.extensionStatusCode = ext;
  if (fields.subject !== undefined) finding.subject = fields.subject;
  return finding;
}
