/**
 * VMSnapshotLinux pre/post status codes 300-318 (vmsnapshot.md §2.3, §2.4): the `StatusCode.<name>` the extension
 * logs, and the Azure troubleshooting name (MS Learn) where one exists. `azureNameInferred` marks names the
 * reference could only map by inference ("?" in §2.3). `silentFallback` codes only produce a file-system-consistent
 * backup and the extension.log line "Triggering File System Consistent Backup…", never an error status.
 */
export interface PrepostStatusCode {
  code: number;
  name: string;
  azureName?: string;
  azureNameInferred?: true;
  silentFallback: boolean;
}

export const PREPOST_STATUS_CODES: readonly PrepostStatusCode[] = [
  { code: 300, name: 'FailedPrepostPreScriptFailed', azureName: 'Pre-ScriptExecutionFailed', silentFallback: false },
  { code: 301, name: 'FailedPrepostPostScriptFailed', azureName: 'Post-ScriptExecutionFailed', silentFallback: false },
  { code: 302, name: 'FailedPrepostPreScriptNotFound', azureName: 'Pre-ScriptNotFound', silentFallback: false },
  { code: 303, name: 'FailedPrepostPostScriptNotFound', azureName: 'Post-ScriptNotFound', silentFallback: false },
  {
    code: 304,
    name: 'FailedPrepostPluginhostConfigParsing',
    azureName: 'IncorrectPluginhostFile',
    azureNameInferred: true,
    silentFallback: true,
  },
  { code: 305, name: 'FailedPrepostPluginConfigParsing', azureName: 'IncorrectJSONConfigFile', silentFallback: true },
  {
    code: 306,
    name: 'FailedPrepostPreScriptPermissionError',
    azureName: 'InsufficientPermissionforPre-Script',
    silentFallback: false,
  },
  {
    code: 307,
    name: 'FailedPrepostPostScriptPermissionError',
    azureName: 'InsufficientPermissionforPost-Script',
    silentFallback: false,
  },
  { code: 308, name: 'FailedPrepostPreScriptTimeout', azureName: 'Pre-ScriptTimeout', silentFallback: false },
  { code: 309, name: 'FailedPrepostPostScriptTimeout', azureName: 'Post-ScriptTimeout', silentFallback: false },
  {
    code: 310,
    name: 'FailedPrepostPluginhostPreTimeout',
    azureName: 'Pre-ScriptTimeout',
    azureNameInferred: true,
    silentFallback: false,
  },
  {
    code: 311,
    name: 'FailedPrepostPluginhostPostTimeout',
    azureName: 'Post-ScriptTimeout',
    azureNameInferred: true,
    silentFallback: false,
  },
  { code: 312, name: 'FailedPrepostCheckSumMismatch', silentFallback: false },
  {
    code: 313,
    name: 'FailedPrepostPluginhostConfigNotFound',
    azureName: 'IncorrectPluginhostFile',
    azureNameInferred: true,
    silentFallback: true,
  },
  {
    code: 314,
    name: 'FailedPrepostPluginhostConfigPermissionError',
    azureName: 'IncorrectPluginhostFile',
    azureNameInferred: true,
    silentFallback: true,
  },
  { code: 315, name: 'FailedPrepostPluginhostConfigOwnershipError', silentFallback: false },
  { code: 316, name: 'FailedPrepostPluginConfigNotFound', silentFallback: true },
  {
    code: 317,
    name: 'FailedPrepostPluginConfigPermissionError',
    azureName: 'IncorrectJSONConfigFile',
    azureNameInferred: true,
    silentFallback: false,
  },
  { code: 318, name: 'FailedPrepostPluginConfigOwnershipError', silentFallback: false },
];

export function prepostStatusByName(name: string): PrepostStatusCode | undefined {
  return PREPOST_STATUS_CODES.find((c) => c.name === name);
}

export function prepostStatusByCode(code: number): PrepostStatusCode | undefined {
  return PREPOST_STATUS_CODES.find((c) => c.code === code);
}
