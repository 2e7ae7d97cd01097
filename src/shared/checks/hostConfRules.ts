import type { Finding } from './finding';
import { makeFinding } from './findingCodes';
import { hostConfModeAccepted, ownerAccepted, permissionDigits } from './permissionDigits';
import { DEFAULT_PLUGIN_CONFIG_PATH, HARD_MAX_TIMEOUT_SECONDS } from './pluginConfigSemantics';
import type { ProbeTextFileFacts } from './probeFacts';
import { getIniValue, parsePythonIni, pythonIntFromString } from './pythonConfigParser';
import { shellWord } from './shellWord';

export const HOST_CONF_PATH = '/etc/azure/VMSnapshotPluginHost.conf';

export interface HostConfAnalysis {
  findings: Finding[];
  /** The per-script maximum: min(host conf timeoutInSeconds, 1800). */
  maxTimeoutSeconds: number;
  /** Where the extension will look for the JSON config (pluginConfigPath0). */
  pluginConfigPath: string;
  /** False when the extension will skip the scripts because of the host conf (314/304/no plugins). */
  scriptsEnabled: boolean;
}

/**
 * PluginHost.pre_check/load_modules on /etc/azure/VMSnapshotPluginHost.conf (vmsnapshot.md §2.1, §5.1). Without that
 * file the extension uses its shipped copy (1800 s, the default JSON path), which is fine.
 */
export function analyzeHostConf(hostConf: ProbeTextFileFacts): HostConfAnalysis {
  const defaults = { maxTimeoutSeconds: HARD_MAX_TIMEOUT_SECONDS, pluginConfigPath: DEFAULT_PLUGIN_CONFIG_PATH };
  if (!hostConf.exists) return { findings: [], ...defaults, scriptsEnabled: true };
  const path = hostConf.path || HOST_CONF_PATH;
  const p = shellWord(path);
  const disable = `sudo mv ${p} ${p}.disabled`;

  if (!hostConf.isFile) {
    return {
      findings: [
        makeFinding('IncorrectPluginhostFile', {
          extensionStatusCode: 304,
          message: `${path} exists but is not a regular file, so the extension cannot read it.`,
          fix: disable,
          subject: path,
        }),
      ],
      ...defaults,
      scriptsEnabled: false,
    };
  }

  const digits = permissionDigits(hostConf.mode);
  const problems: string[] = [];
  if (!ownerAccepted(hostConf.owner)) problems.push(`is owned by ${hostConf.owner ?? 'an unknown user'}, not root`);
  if (digits && !hostConfModeAccepted(digits))
    problems.push(`has mode ${hostConf.mode} (group and other may only read)`);
  if (problems.length > 0) {
    return {
      findings: [
        makeFinding('IncorrectPluginhostFile', {
          message: `${path} ${problems.join(' and ')}, so the extension skips the scripts (silent code 314).`,
          fix: `sudo chown root:root ${p} && sudo chmod 600 ${p}`,
          subject: path,
        }),
      ],
      ...defaults,
      scriptsEnabled: false,
    };
  }

  if (hostConf.text === undefined || hostConf.truncated) {
    return {
      findings: [
        makeFinding('PluginConfigUnreadable', {
          message: `The probe could not read all of ${path}, so its plugin settings were not checked.`,
          fix: `sudo cat ${p}`,
          subject: path,
        }),
      ],
      ...defaults,
      scriptsEnabled: true,
    };
  }

  const parseFailure = (why: string): HostConfAnalysis => ({
    findings: [
      makeFinding('IncorrectPluginhostFile', {
        extensionStatusCode: 304,
        message: `${path} cannot be used: ${why}; the extension silently skips the scripts (code 304).`,
        fix: `${disable}   # the extension then uses its shipped copy`,
        subject: path,
      }),
    ],
    ...defaults,
    scriptsEnabled: false,
  });

  const doc = parsePythonIni(hostConf.text);
  if (doc.error !== undefined) return parseFailure(doc.error);
  const section = doc.sections.get('pre_post');
  let maxTimeoutSeconds = HARD_MAX_TIMEOUT_SECONDS;
  if (section?.has('timeoutinseconds')) {
    const v = getIniValue(doc, 'pre_post', 'timeoutInSeconds');
    const n = v.value === undefined ? undefined : pythonIntFromString(v.value);
    if (n === undefined) return parseFailure(`timeoutInSeconds ${JSON.stringify(v.value ?? '')} is not an integer`);
    maxTimeoutSeconds = Math.min(n, HARD_MAX_TIMEOUT_SECONDS);
  }
  let plugins = 0;
  if (section?.has('numberofplugins')) {
    const v = getIniValue(doc, 'pre_post', 'numberOfPlugins');
    const n = v.value === undefined ? undefined : pythonIntFromString(v.value);
    if (n === undefined) return parseFailure(`numberOfPlugins ${JSON.stringify(v.value ?? '')} is not an integer`);
    plugins = n;
  }
  if (plugins <= 0) {
    return {
      findings: [
        makeFinding('PluginHostConfHasNoPlugins', {
          message: `${path} declares numberOfPlugins ${plugins}: no script runs, yet the extension reports an app-consistent backup.`,
          fix: `${disable}   # the extension then uses its shipped copy`,
          subject: path,
        }),
      ],
      maxTimeoutSeconds,
      pluginConfigPath: DEFAULT_PLUGIN_CONFIG_PATH,
      scriptsEnabled: false,
    };
  }
  const name = getIniValue(doc, 'pre_post', 'pluginName0');
  const configPath = getIniValue(doc, 'pre_post', 'pluginConfigPath0');
  for (const [key, v] of [
    ['pluginName0', name],
    ['pluginPath0', getIniValue(doc, 'pre_post', 'pluginPath0')],
    ['pluginConfigPath0', configPath],
  ] as const) {
    if (v.error !== undefined) return parseFailure(`${key}: ${v.error}`);
  }
  // __import__(pluginName0): only the extension's own ScriptRunner module exists.
  if (name.value !== 'ScriptRunner') {
    return parseFailure(
      `pluginName0 is ${JSON.stringify(name.value)}, and only the module ScriptRunner can be imported`,
    );
  }
  const pluginConfigPath = configPath.value ?? DEFAULT_PLUGIN_CONFIG_PATH;
  const findings: Finding[] = [];
  if (pluginConfigPath !== DEFAULT_PLUGIN_CONFIG_PATH) {
    findings.push(
      makeFinding('PluginHostConfRedirectsConfig', {
        message: `${path} points the extension at ${pluginConfigPath} instead of ${DEFAULT_PLUGIN_CONFIG_PATH}.`,
        fix: `sudo grep -n pluginConfigPath0 ${p}`,
        subject: path,
      }),
    );
  }
  return { findings, maxTimeoutSeconds, pluginConfigPath, scriptsEnabled: true };
}
