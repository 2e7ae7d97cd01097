import { displayValue } from './displayValue';
import type { Finding } from './finding';
import { makeFinding } from './findingCodes';
import { addJsonValueFix, setJsonValueFix } from './jsonValueFix';
import { ownerAccepted, permissionDigits, pluginConfigModeAccepted } from './permissionDigits';
import {
  analyzePluginConfig,
  continueBackupBehaviour,
  HARD_MAX_TIMEOUT_SECONDS,
  pythonTypeName,
  type LoadedPluginConfig,
} from './pluginConfigSemantics';
import type { ProbeTextFileFacts } from './probeFacts';
import { preScriptFailureImpact } from './scriptFailureImpact';
import { shellWord } from './shellWord';

/** The timeout we suggest when one must be set: room for the IRIS freeze plus the journal switch. */
export const SUGGESTED_TIMEOUT_SECONDS = 60;

export interface PluginConfigAnalysis {
  findings: Finding[];
  /** Present when the extension would load the config (the scripts' rules then apply). */
  config?: LoadedPluginConfig;
  /** True when the file was read but the extension could not load it (305 or 304). */
  unloadable?: boolean;
}

/**
 * PluginHost.load_modules (316, 317) then ScriptRunner.get_config (305, 304) on the JSON, plus the value quirks of
 * vmsnapshot.md §1.2 that the extension accepts silently.
 */
export function analyzePluginConfigFile(
  file: ProbeTextFileFacts,
  expectedPath: string,
  maxTimeoutSeconds: number,
  installFix: string,
): PluginConfigAnalysis {
  const path = file.path || expectedPath;
  const p = shellWord(path);
  if (!file.exists || !file.isFile) {
    return {
      findings: [
        makeFinding('PluginConfigNotFound', {
          message: file.exists
            ? `${path} is not a regular file: every backup silently falls back to file-system-consistent (code 316).`
            : `${path} does not exist: every backup is silently file-system-consistent and no script runs (code 316).`,
          fix: installFix,
          subject: path,
        }),
      ],
    };
  }
  const findings: Finding[] = [];
  const digits = permissionDigits(file.mode);
  const problems: string[] = [];
  if (!ownerAccepted(file.owner)) problems.push(`is owned by ${file.owner ?? 'an unknown user'}, not root`);
  if (digits && !pluginConfigModeAccepted(digits)) problems.push(`has mode ${file.mode}`);
  if (problems.length > 0) {
    findings.push(
      makeFinding('PluginConfigPermissionError', {
        message: `${path} ${problems.join(' and ')}; the extension needs owner root and no execute or group/other bits (code 317), so it skips the scripts.`,
        fix: `sudo chown root:root ${p} && sudo chmod 600 ${p}`,
        subject: path,
      }),
    );
  }
  if (file.text === undefined || file.truncated) {
    findings.push(
      makeFinding('PluginConfigUnreadable', {
        message: `The probe could not read all of ${path}, so its content was not checked.`,
        fix: `sudo cat ${p}`,
        subject: path,
      }),
    );
    return { findings };
  }
  const text = file.bom && file.text.charCodeAt(0) !== 0xfeff ? `\ufeff${file.text}` : file.text;
  const semantics = analyzePluginConfig(text, maxTimeoutSeconds);
  if (semantics.status !== 'loaded') {
    let fix = installFix;
    if (text.charCodeAt(0) === 0xfeff) fix = `sudo sed -i '1s/^\\xEF\\xBB\\xBF//' ${p}`;
    else if (semantics.key === 'ScriptsExecutionPollTimeSeconds') fix = setJsonValueFix(path, semantics.key, '1');
    else if (semantics.key === 'timeoutInSeconds') {
      fix = setJsonValueFix(path, semantics.key, String(SUGGESTED_TIMEOUT_SECONDS));
    }
    const code = semantics.status === 'parse-error' ? 'IncorrectJSONConfigFile' : 'PluginConfigTypeError';
    findings.push(
      makeFinding(code, {
        message: `${path}: ${semantics.detail}; the extension silently skips the scripts (code ${semantics.extensionStatusCode}).`,
        fix,
        subject: path,
      }),
    );
    return { findings, unloadable: true };
  }
  findings.push(...valueFindings(semantics, path, maxTimeoutSeconds));
  return { findings, config: semantics };
}

function valueFindings(config: LoadedPluginConfig, path: string, maxTimeoutSeconds: number): Finding[] {
  const findings: Finding[] = [];
  const raw = config.raw;
  const subject = path;

  if (config.timeoutSource === 'default') {
    findings.push(
      makeFinding('TimeoutInSecondsDefault', {
        message: `${path} has no timeoutInSeconds, so each script gets ${config.timeoutInSeconds} seconds.`,
        fix: addJsonValueFix(path, 'timeoutInSeconds', String(SUGGESTED_TIMEOUT_SECONDS)),
        subject,
      }),
    );
  } else if (config.timeoutInSeconds <= 0) {
    findings.push(
      makeFinding('TimeoutInSecondsTooLow', {
        message: `timeoutInSeconds is ${displayValue(raw.timeoutInSeconds)}: a script still running at the first poll is reported as timed out.`,
        fix: setJsonValueFix(path, 'timeoutInSeconds', String(SUGGESTED_TIMEOUT_SECONDS)),
        subject,
        ...preScriptFailureImpact(config),
      }),
    );
  } else if (Number(raw.timeoutInSeconds) > config.timeoutInSeconds) {
    const limit =
      maxTimeoutSeconds < HARD_MAX_TIMEOUT_SECONDS
        ? `the host conf's maximum of ${maxTimeoutSeconds}`
        : 'the maximum of 1800';
    findings.push(
      makeFinding('TimeoutInSecondsClamped', {
        message: `timeoutInSeconds is ${displayValue(raw.timeoutInSeconds)}, above ${limit}; the extension uses ${config.timeoutInSeconds} seconds.`,
        fix: setJsonValueFix(path, 'timeoutInSeconds', String(config.timeoutInSeconds)),
        subject,
      }),
    );
  }

  if (config.pollIgnored) {
    findings.push(
      makeFinding('PollTimeIgnored', {
        message: `ScriptsExecutionPollTimeSeconds is ${displayValue(raw.ScriptsExecutionPollTimeSeconds)}, outside 1..5 after int(), so the extension silently keeps 3.`,
        fix: setJsonValueFix(path, 'ScriptsExecutionPollTimeSeconds', '1'),
        subject,
      }),
    );
  }

  for (const key of ['preScriptNoOfRetries', 'postScriptNoOfRetries'] as const) {
    const v = config[key];
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      findings.push(
        makeFinding('RetriesNotNumber', {
          message: `${key} is ${displayValue(v)} (a ${pythonTypeName(v)}): if that script fails, its runner thread crashes and the extension waits out the host timeout (code ${key.startsWith('pre') ? 310 : 311}).`,
          extensionStatusCode: key.startsWith('pre') ? 310 : 311,
          fix: setJsonValueFix(path, key, '0'),
          subject,
        }),
      );
    } else if (Number(v) > 0) {
      findings.push(
        makeFinding('RetriesDoNothing', {
          message: `${key} is ${displayValue(v)}, but the extension never re-runs a failed script; it only polls the finished process again.`,
          fix: setJsonValueFix(path, key, '0'),
          subject,
        }),
      );
    }
  }

  const cbof = config.continueBackupOnFailure;
  const behaviour = continueBackupBehaviour(cbof);
  if (behaviour === 'crash') {
    findings.push(
      makeFinding('ContinueBackupOnFailureIsString', {
        message: `continueBackupOnFailure is ${displayValue(cbof)} (a ${pythonTypeName(cbof)}, not a JSON boolean): when the pre-script fails the extension crashes, takes no snapshot and never runs the post-script, so IRIS may stay frozen.`,
        fix: setJsonValueFix(path, 'continueBackupOnFailure', 'true'),
        subject,
      }),
    );
  } else if (behaviour === 'stop') {
    findings.push(
      makeFinding('ContinueBackupOnFailureFalse', {
        message: `continueBackupOnFailure is ${displayValue(cbof)}: a script failure makes the whole backup fail instead of falling back to file-system-consistent.`,
        fix: setJsonValueFix(path, 'continueBackupOnFailure', 'true'),
        subject,
      }),
    );
  }

  const fsf = config.fsFreezeEnabled;
  if (typeof fsf !== 'boolean') {
    findings.push(
      makeFinding('FsFreezeEnabledNotBoolean', {
        message: `fsFreezeEnabled is ${displayValue(fsf)} (a ${pythonTypeName(fsf)}, not a JSON boolean); the extension treats it by Python truthiness${typeof fsf === 'string' && fsf !== '' ? ', so the file systems are still frozen' : ''}.`,
        fix: setJsonValueFix(path, 'fsFreezeEnabled', 'true'),
        subject,
      }),
    );
  }

  for (const key of ['preScriptParams', 'postScriptParams'] as const)
    findings.push(...paramFindings(config, key, path));
  return findings;
}

function paramFindings(
  config: LoadedPluginConfig,
  key: 'preScriptParams' | 'postScriptParams',
  path: string,
): Finding[] {
  const v = config[key];
  const subject = path;
  if (typeof v === 'string') {
    const asArray = /^[A-Za-z0-9_.-]+$/.test(v) ? `["${v}"]` : '[]';
    return [
      makeFinding('ScriptParamsNotArray', {
        message: `${key} is the string ${displayValue(v)}: the extension passes each character as a separate argument (${displayValue([...v].slice(0, 8))}).`,
        fix: setJsonValueFix(path, key, asArray),
        subject,
      }),
    ];
  }
  if (Array.isArray(v)) {
    const out: Finding[] = [];
    if (v.some((e) => e === '')) {
      out.push(
        makeFinding('ScriptParamsEmptyStrings', {
          message: `${key} is ${displayValue(v)}: the script receives ${v.length} argument(s), including empty ones.`,
          fix: setJsonValueFix(path, key, '[]'),
          subject,
        }),
      );
    }
    if (v.some((e) => typeof e !== 'string')) {
      out.push(
        makeFinding('ScriptParamsNotStrings', {
          message: `${key} is ${displayValue(v)}: non-string elements reach the script as Python str() text.`,
          fix: setJsonValueFix(path, key, '[]'),
          subject,
        }),
      );
    }
    return out;
  }
  if (v !== null && typeof v === 'object') {
    return [
      makeFinding('ScriptParamsNotArray', {
        message: `${key} is an object: the extension passes its keys as arguments.`,
        fix: setJsonValueFix(path, key, '[]'),
        subject,
      }),
    ];
  }
  // A number, boolean or null cannot be iterated: the runner thread raises TypeError before starting the script.
  const pre = key === 'preScriptParams';
  return [
    makeFinding('ScriptParamsNotArray', {
      message: `${key} is ${displayValue(v)}: the runner thread crashes before starting the ${pre ? 'pre' : 'post'}-script, and the extension waits out the host timeout (code ${pre ? 310 : 311}).`,
      extensionStatusCode: pre ? 310 : 311,
      severity: pre ? 'error' : 'critical',
      impact: pre ? 'file-system-fallback' : 'iris-left-frozen',
      fix: setJsonValueFix(path, key, '[]'),
      subject,
    }),
  ];
}
