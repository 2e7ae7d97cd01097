import { freezeThawPairFindings } from './freezeThawPairRules';
import type { Finding } from './finding';
import { makeFinding } from './findingCodes';
import { analyzeHostConf } from './hostConfRules';
import { irisFindings, type IrisRuleInput } from './irisRules';
import { analyzePluginConfigFile } from './pluginConfigRules';
import { DEFAULT_POLL_SECONDS, DEFAULT_SCRIPT_TIMEOUT_SECONDS, type LoadedPluginConfig } from './pluginConfigSemantics';
import type { ProbeFacts } from './probeFacts';
import { scriptContentFindings } from './scriptContentRules';
import { scriptLocationFindings } from './scriptRules';
import { shellWord } from './shellWord';
import { workloadFindings } from './workloadRules';

export interface CheckOptions {
  /** The VM as the CLI names it, used in fix commands (`iris-backup-guard install --vm <vmId>`). */
  vmId?: string;
  /** Version of the hardened scripts this app ships; older `# iris-backup-guard: pre vN` markers are reported. */
  currentScriptVersion?: number;
  /** The mirror's backup failover member, when inventory knows it (it lives on another VM). */
  mirrorBackupMember?: string;
}

const SEVERITY_ORDER = { critical: 0, error: 1, warning: 2, info: 3 } as const;

/**
 * Judges a VM's pre/post-script setup with the VMSnapshotLinux extension's rules (vmsnapshot.md §2, §8) plus the
 * IRIS ones (iris.md §1, §8). Pure: everything comes from the probe's facts.
 *
 * Unlike the extension, which stops at the first validation failure and reports one code, this lists every problem
 * it can see, so one round of fixes is enough. Findings are sorted by severity, then by the order of the checks.
 */
/** The extension's defaults with the script locations the probe found: enough for the scripts' own rules. */
const configAtProbedLocations = (facts: ProbeFacts): LoadedPluginConfig => ({
  status: 'loaded',
  raw: {},
  preScriptLocation: facts.pre?.path,
  postScriptLocation: facts.post?.path,
  timeoutInSeconds: DEFAULT_SCRIPT_TIMEOUT_SECONDS,
  timeoutSource: 'default',
  pollSeconds: DEFAULT_POLL_SECONDS,
  pollIgnored: false,
  continueBackupOnFailure: true,
  fsFreezeEnabled: true,
  preScriptParams: [],
  postScriptParams: [],
  preScriptNoOfRetries: 0,
  postScriptNoOfRetries: 0,
});

export function checkSetup(facts: ProbeFacts, options: CheckOptions = {}): Finding[] {
  const installFix = `iris-backup-guard install --vm ${shellWord(options.vmId ?? '<vm>')}`;
  const findings: Finding[] = [];
  const workload = workloadFindings(facts.workloadConf);
  if (workload.length > 0) {
    // The workload flow replaces the script flow entirely: nothing about the scripts matters until it is removed.
    const { pre: _ignored, ...withoutScripts } = irisInput(facts, options);
    return sortFindings([...workload, ...irisFindings(withoutScripts)]);
  }

  const host = analyzeHostConf(facts.hostConf);
  findings.push(...host.findings);
  const file = analyzePluginConfigFile(facts.config, host.pluginConfigPath, host.maxTimeoutSeconds, installFix);
  findings.push(...file.findings);
  const config = file.config;
  const configPath = facts.config.path || host.pluginConfigPath;

  if (config) {
    findings.push(...scriptLocationFindings('pre', config, facts.pre, configPath, installFix));
    findings.push(...scriptLocationFindings('post', config, facts.post, configPath, installFix));
  } else if (file.unloadable) {
    // Tonight the extension skips the scripts, but once the config is fixed they must pass too: check the scripts
    // the probe found (it reads both locations from the text itself), so that one round of fixes is enough.
    const located = configAtProbedLocations(facts);
    if (facts.pre) findings.push(...scriptLocationFindings('pre', located, facts.pre, configPath, installFix));
    if (facts.post) findings.push(...scriptLocationFindings('post', located, facts.post, configPath, installFix));
  }
  if (config || file.unloadable) {
    for (const [role, script] of [
      ['pre', facts.pre],
      ['post', facts.post],
    ] as const) {
      if (!script) continue;
      findings.push(
        ...scriptContentFindings({
          role,
          facts: script,
          ...(config ? { config } : {}),
          installFix,
          configPath,
          maxTimeoutSeconds: host.maxTimeoutSeconds,
          ...(options.currentScriptVersion !== undefined ? { currentScriptVersion: options.currentScriptVersion } : {}),
        }),
      );
    }
    findings.push(...freezeThawPairFindings(facts.pre, facts.post, facts.iris.present, installFix));
  }
  // continueBackupOnFailure decides what a failed freeze does to the backup, so the IRIS rules get the config.
  findings.push(...irisFindings({ ...irisInput(facts, options), ...(config ? { config } : {}) }));

  if (facts.extension.versions.length === 0) {
    findings.push(
      makeFinding('BackupExtensionNotInstalled', {
        message:
          'No VMSnapshotLinux extension is installed under /var/lib/waagent yet; Azure Backup installs it on the first backup.',
        fix: 'Run a first backup (iris-backup-guard backs up enrolled VMs nightly).',
      }),
    );
  }
  return sortFindings(findings);
}

function irisInput(facts: ProbeFacts, options: CheckOptions): IrisRuleInput {
  return {
    iris: facts.iris,
    ...(facts.pre ? { pre: facts.pre } : {}),
    ...(options.mirrorBackupMember ? { mirrorBackupMember: options.mirrorBackupMember } : {}),
  };
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}
