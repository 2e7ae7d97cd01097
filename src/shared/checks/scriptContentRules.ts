import { displayValue } from './displayValue';
import type { Finding } from './finding';
import { makeFinding } from './findingCodes';
import { setJsonValueFix } from './jsonValueFix';
import { SUGGESTED_TIMEOUT_SECONDS } from './pluginConfigRules';
import { effectiveScriptTimeoutSeconds, type LoadedPluginConfig } from './pluginConfigSemantics';
import type { BashismId, ProbeScriptFacts } from './probeFacts';
import { postScriptFailureImpact, preScriptFailureImpact } from './scriptFailureImpact';
import type { ScriptRole } from './scriptRules';
import { shellWord } from './shellWord';

/** Bash-only constructs that are a syntax error under dash: the script stops there with exit status 2. */
export const FATAL_BASHISMS: readonly BashismId[] = [
  'array',
  'process-substitution',
  'pipe-ampersand',
  'function-keyword',
];

/** Seconds the pre-script needs besides the freeze attempt itself (iris session start, journal switch, logging). */
export const FREEZE_MARGIN_SECONDS = 10;

export interface ScriptContentInput {
  role: ScriptRole;
  facts: ProbeScriptFacts;
  /** The loaded JSON config, when the extension would load it. */
  config?: LoadedPluginConfig;
  installFix: string;
  /** Where the extension reads the JSON config, for fixes that edit it. */
  configPath: string;
  /** The per-script maximum from the host conf (at most 1800). */
  maxTimeoutSeconds: number;
  /** Version of our hardened scripts this app ships. */
  currentScriptVersion?: number;
}

/**
 * What the script's text predicts about the run (vmsnapshot.md §3.1-3.3, §8 item 5; iris.md §1.2, §8): sh not bash,
 * exit 0 only, an unread stdout pipe, and a timeout that does not kill the script.
 */
export function scriptContentFindings(input: ScriptContentInput): Finding[] {
  const { role, facts, config, installFix } = input;
  if (!facts.isFile) return [];
  const findings: Finding[] = [];
  const p = shellWord(facts.path);
  const label = role === 'pre' ? 'pre-script' : 'post-script';
  const failCode = role === 'pre' ? 300 : 301;
  const thawInScript = (facts.thawCalls ?? 0) > 0;
  // A post-script that breaks before its thaw leaves IRIS frozen; we cannot tell where it breaks, so assume so.
  const onFailure = role === 'pre' ? preScriptFailureImpact(config) : postScriptFailureImpact(config, false);

  if (facts.crlf) {
    findings.push(
      makeFinding('ScriptCrlfLineEndings', {
        message: `The ${label} ${facts.path} has CRLF line endings: under sh, \`then\`, \`fi\` and \`exit\` break (code ${failCode}).`,
        extensionStatusCode: failCode,
        fix: `sudo sed -i 's/\\r$//' ${p}`,
        subject: facts.path,
        ...onFailure,
      }),
    );
  }

  const bashisms = facts.reexecsBash ? [] : (facts.bashisms ?? []);
  if (bashisms.length > 0) {
    const fatal = bashisms.filter((b) => FATAL_BASHISMS.includes(b));
    findings.push(
      makeFinding('ScriptNotPosixSh', {
        message: `The ${label} ${facts.path} uses bash-only syntax (${bashisms.join(', ')}) but the extension runs it with sh, ignoring the shebang ${displayValue(facts.firstLine ?? '')}${fatal.length > 0 ? `; ${fatal.join(', ')} is a syntax error in dash, so the script stops there (code ${failCode})` : '; under dash these silently misbehave'}.`,
        extensionStatusCode: failCode,
        fix: `sudo sed -i '1a [ -z "$BASH_VERSION" ] \\&\\& exec /bin/bash "$0" "$@"' ${p}`,
        subject: facts.path,
        ...(fatal.length > 0 ? onFailure : { impact: 'unknown', severity: 'error' }),
      }),
    );
  }

  const exitsFive = (facts.exitLines ?? []).some((l) => /^exit\s+["']?5["']?(\s|;|$)/.test(l));
  const callsIris = role === 'pre' ? (facts.freezeCalls ?? 0) > 0 : thawInScript;
  if (callsIris && (facts.checksFive === false || exitsFive)) {
    const impact = role === 'pre' ? preScriptFailureImpact(config) : postScriptFailureImpact(config, true);
    findings.push(
      makeFinding('ScriptExitsFiveOnSuccess', {
        message: `The ${label} ${facts.path} calls ${role === 'pre' ? 'ExternalFreeze' : 'ExternalThaw'}, which exits 5 on success, ${exitsFive ? 'and has an `exit 5`' : 'but never compares the status with 5'}; the extension accepts only 0, so every backup reports ${role === 'pre' ? 'Pre' : 'Post'}-ScriptExecutionFailed (code ${failCode}).`,
        extensionStatusCode: failCode,
        fix: installFix,
        subject: facts.path,
        ...impact,
      }),
    );
  }

  if ((facts.stdoutWrites ?? 0) > 0) {
    findings.push(
      makeFinding('ScriptWritesStdout', {
        message: `The ${label} ${facts.path} writes to stdout on ${facts.stdoutWrites} line(s); the extension never reads that pipe, and past 64 KiB the script blocks until it times out (code ${role === 'pre' ? 308 : 309}).`,
        extensionStatusCode: role === 'pre' ? 308 : 309,
        fix: `sudo sed -i '1a exec >>/var/log/iris-backup-guard-${role}script.out 2>&1' ${p}`,
        subject: facts.path,
      }),
    );
  }

  if (role === 'pre' && (facts.freezeCalls ?? 0) > 0 && config) {
    const limit = effectiveScriptTimeoutSeconds(config);
    const attempt = facts.freezeAttemptTimeout;
    if (limit > 0 && (attempt === undefined || attempt + FREEZE_MARGIN_SECONDS > limit)) {
      // Prefer raising timeoutInSeconds; if the maximum does not allow it, shorten our script's freeze attempt.
      const wanted = (attempt ?? 0) + 2 * FREEZE_MARGIN_SECONDS;
      let fix = installFix;
      if (attempt !== undefined && wanted <= input.maxTimeoutSeconds) {
        const suggested = Math.min(Math.max(wanted, SUGGESTED_TIMEOUT_SECONDS), input.maxTimeoutSeconds);
        fix = setJsonValueFix(input.configPath, 'timeoutInSeconds', String(suggested));
      } else if (attempt !== undefined && facts.ibgScript && limit > 2 * FREEZE_MARGIN_SECONDS) {
        fix = `sudo sed -i -E 's/^((readonly )?FREEZE_ATTEMPT_TIMEOUT=)[0-9]+/\\1${limit - 2 * FREEZE_MARGIN_SECONDS}/' ${p}`;
      }
      findings.push(
        makeFinding('FreezeTimeoutNotBelowScriptTimeout', {
          message:
            attempt === undefined
              ? `The pre-script ${facts.path} does not bound its IRIS freeze attempt; if it outlasts the ${limit}-second script timeout, the extension moves on without killing it and a late freeze can land after the post-script's thaw.`
              : `The pre-script ${facts.path} allows its IRIS freeze attempt ${attempt} seconds, not safely below the ${limit}-second script timeout (${FREEZE_MARGIN_SECONDS} seconds must remain).`,
          fix,
          subject: facts.path,
        }),
      );
    }
  }

  if (input.currentScriptVersion !== undefined && facts.ibgScript) {
    const m = /^(pre|post) v(\d+)$/.exec(facts.ibgScript);
    if (m && Number(m[2]) < input.currentScriptVersion) {
      findings.push(
        makeFinding('ScriptOutdated', {
          message: `The ${label} ${facts.path} is IRIS Backup Guard ${facts.ibgScript}; this app ships v${input.currentScriptVersion}.`,
          fix: installFix,
          subject: facts.path,
        }),
      );
    }
  }
  return findings;
}
