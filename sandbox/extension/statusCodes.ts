/**
 * The VMSnapshotLinux prepost status codes (ExtensionErrorCodeHelper.py) and the names and messages of the MS Learn
 * troubleshooting table, which the simulated job's errorDetails carry (reference/vmsnapshot.md §2.3).
 */
export const STATUS_CODE_NAMES: Readonly<Record<number, string>> = {
  300: 'FailedPrepostPreScriptFailed',
  301: 'FailedPrepostPostScriptFailed',
  302: 'FailedPrepostPreScriptNotFound',
  303: 'FailedPrepostPostScriptNotFound',
  304: 'FailedPrepostPluginhostConfigParsing',
  305: 'FailedPrepostPluginConfigParsing',
  306: 'FailedPrepostPreScriptPermissionError',
  307: 'FailedPrepostPostScriptPermissionError',
  308: 'FailedPrepostPreScriptTimeout',
  309: 'FailedPrepostPostScriptTimeout',
  310: 'FailedPrepostPluginhostPreTimeout',
  311: 'FailedPrepostPluginhostPostTimeout',
  313: 'FailedPrepostPluginhostConfigNotFound',
  314: 'FailedPrepostPluginhostConfigPermissionError',
  316: 'FailedPrepostPluginConfigNotFound',
  317: 'FailedPrepostPluginConfigPermissionError',
};

export const statusCodeName = (code: number): string => STATUS_CODE_NAMES[code] ?? `Unknown${code}`;

/** `ExtensionErrorCodeHelper.StatusCodeStringBuilder`: " StatusCode.<Name>," (callers trim the leading space). */
export const statusCodeString = (code: number): string => `StatusCode.${statusCodeName(code)},`;

/** Codes handle.py treats as "pre/post not configured": silent file-system-consistent backups (§2.4). */
export const SILENT_CODES: ReadonlySet<number> = new Set([304, 305, 313, 314, 316]);

export interface LearnError {
  title: string;
  message: string;
}

const PERMISSION_HINT =
  'For running scripts, "root" user should be the owner of the file and the file should have "700" permissions.';

export const LEARN_ERRORS: Readonly<Record<number, LearnError>> = {
  300: {
    title: 'Pre-ScriptExecutionFailed',
    message: 'The prescript returned an error, so backup might not be application-consistent.',
  },
  301: {
    title: 'Post-ScriptExecutionFailed',
    message: 'The postscript returned an error that might impact application state.',
  },
  302: {
    title: 'Pre-ScriptNotFound',
    message:
      "Prescript wasn't found at the location that's specified in the VMSnapshotScriptPluginConfig.json config file.",
  },
  303: {
    title: 'Post-ScriptNotFound',
    message:
      "Postscript wasn't found at the location that's specified in the VMSnapshotScriptPluginConfig.json config file.",
  },
  306: { title: 'InsufficientPermissionforPre-Script', message: PERMISSION_HINT },
  307: { title: 'InsufficientPermissionforPost-Script', message: PERMISSION_HINT },
  308: {
    title: 'Pre-ScriptTimeout',
    message: 'The execution of the application-consistent backup prescript timed-out.',
  },
  309: {
    title: 'Post-ScriptTimeout',
    message: 'The execution of the application-consistent backup postscript timed-out.',
  },
  310: {
    title: 'Pre-ScriptTimeout',
    message: 'The execution of the application-consistent backup prescript timed-out.',
  },
  311: {
    title: 'Post-ScriptTimeout',
    message: 'The execution of the application-consistent backup postscript timed-out.',
  },
  317: {
    title: 'IncorrectJSONConfigFile',
    message:
      "The VMSnapshotScriptPluginConfig.json file is incorrect, so backup can't run the prescript or postscript.",
  },
};
