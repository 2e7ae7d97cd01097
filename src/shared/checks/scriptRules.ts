import { displayValue } from './displayValue';
import type { Finding } from './finding';
import { makeFinding } from './findingCodes';
import { ownerAccepted, permissionDigits, scriptModeAccepted } from './permissionDigits';
import { pythonTypeName, type LoadedPluginConfig } from './pluginConfigSemantics';
import type { ProbeScriptFacts } from './probeFacts';
import { validationFailureImpact } from './scriptFailureImpact';
import { shellWord } from './shellWord';

export type ScriptRole = 'pre' | 'post';

const CODES = {
  pre: {
    notFound: 'Pre-ScriptNotFound',
    permission: 'InsufficientPermissionforPre-Script',
    key: 'preScriptLocation',
    label: 'pre-script',
  },
  post: {
    notFound: 'Post-ScriptNotFound',
    permission: 'InsufficientPermissionforPost-Script',
    key: 'postScriptLocation',
    label: 'post-script',
  },
} as const;

/**
 * ScriptRunner.validate_scripts for one script (vmsnapshot.md §2.1 steps 2-7, §2.2): `os.path.isfile` after
 * symlinks, then group/other digits 0 (owner digit unchecked), then owner name root.
 */
export function scriptLocationFindings(
  role: ScriptRole,
  config: LoadedPluginConfig,
  facts: ProbeScriptFacts | undefined,
  configPath: string,
  installFix: string,
): Finding[] {
  const c = CODES[role];
  const location = role === 'pre' ? config.preScriptLocation : config.postScriptLocation;
  const onFailure = validationFailureImpact(config);
  if (typeof location !== 'string') {
    return [
      makeFinding('PluginConfigTypeError', {
        message: `${c.key} is ${displayValue(location)} (a ${pythonTypeName(location)}): os.path.isfile raises and the extension silently skips the scripts (code 304).`,
        fix: `sudo sed -i -E 's#("${c.key}"[[:space:]]*:)[^,}]*#\\1 "/etc/azure/iris-${role}-script.sh"#' ${shellWord(configPath)}`,
        subject: configPath,
      }),
    ];
  }
  const fixLocation = installFix;
  if (location === '' || !location.startsWith('/')) {
    return [
      makeFinding(c.notFound, {
        message:
          location === ''
            ? `${c.key} is empty (as in the template), so there is no ${c.label} to run (code ${role === 'pre' ? 302 : 303}).`
            : `${c.key} ${displayValue(location)} is relative; the extension resolves it against its own directory under /var/lib/waagent, where it does not exist (code ${role === 'pre' ? 302 : 303}).`,
        fix: fixLocation,
        subject: configPath,
        ...onFailure,
      }),
    ];
  }
  if (!facts) {
    return [
      makeFinding('PluginConfigUnreadable', {
        message: `The probe did not report on the ${c.label} ${location}, so it was not checked.`,
        fix: `sudo ls -lL ${shellWord(location)}`,
        subject: location,
      }),
    ];
  }
  const p = shellWord(location);
  if (!facts.isFile) {
    const why = !facts.exists
      ? facts.isLink
        ? 'is a symlink whose target does not exist'
        : 'does not exist'
      : 'is not a regular file (a directory?)';
    return [
      makeFinding(c.notFound, {
        message: `The ${c.label} ${location} ${why} (code ${role === 'pre' ? 302 : 303}).`,
        fix: fixLocation,
        subject: location,
        ...onFailure,
      }),
    ];
  }
  const problems: string[] = [];
  const digits = permissionDigits(facts.mode);
  if (digits && !scriptModeAccepted(digits))
    problems.push(`has mode ${facts.mode} (group and other must have no bits)`);
  if (!ownerAccepted(facts.owner)) problems.push(`is owned by ${facts.owner ?? 'an unknown user'}, not root`);
  if (problems.length === 0) return [];
  return [
    makeFinding(c.permission, {
      message: `The ${c.label} ${location} ${problems.join(' and ')} (code ${role === 'pre' ? 306 : 307}).`,
      fix: `sudo chown root:root ${p} && sudo chmod 700 ${p}`,
      subject: location,
      ...onFailure,
    }),
  ];
}
