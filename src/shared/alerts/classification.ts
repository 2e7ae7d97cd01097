/**
 * Classification of one backup's script outcome: what went wrong, by Azure's troubleshooting name where one exists
 * (vmsnapshot.md §2.3, §5.2) or ours, how severe it is, the lines that show it and the exact fix. Built from the
 * job (its error details, matched tolerantly: jobErrorText.ts), the recovery point's type, the evidence the assess
 * phase read from the VM's logs, the verdict on it, and the probe's raw lines (for quotes only). Pure; never throws
 * on what a VM or Azure wrote. One classification per problem: the job's text and extension.log naming the same
 * failure give one, with both lines as evidence. Most severe first.
 */
import type { BackupJob, JobErrorDetail, JobStatus, RecoveryPointType } from '../azure/backupGateway';
import type { Severity } from '../checks/finding';
import type { ProbeFacts, ProbeLogTail } from '../checks/probeFacts';
import type { BackupEvidence, BackupVerdict, ScriptOutcome } from '../runs/backupVerdict';
import { matchJobErrors, quoteLine, troubleshootingNameOfCode, type TroubleshootingName } from './jobErrorText';
import { prepostStatusByCode } from '../parsers/prepostStatusCodes';

export type ClassificationName =
  | TroubleshootingName
  /** The extension skipped the scripts without an error (304, 305, 313, 314, 316), or an unexplained FS point. */
  | 'SilentFileSystemFallback'
  /** messages.log shows a freeze without a thaw, the post-script logged a failed thaw, or the probe found it frozen. */
  | 'IrisStillFrozen'
  | 'FreezeTooLong'
  | 'TransferFailedAfterSnapshot'
  /** A script passed IRIS's success status 5 through; the extension accepts only 0 (vmsnapshot.md §3.2). */
  | 'ExitCodeFiveFromIris'
  /** The JSON config's (317, 318) or host conf's (315) mode or owner: not a script's, so not InsufficientPermission…. */
  | 'ConfigPermissionOrOwnership'
  | 'CrashConsistentOnly';

export type ClassificationSource = 'job' | 'recovery-point' | 'extension.log' | 'script log' | 'messages.log' | 'probe';

export interface Classification {
  name: ClassificationName;
  severity: Severity;
  /** Where it was first seen; the evidence may quote more sources. */
  source: ClassificationSource;
  summary: string;
  /** Quoted lines from the logs or the job: capped, one line each, control and bidi characters escaped. */
  evidence: string[];
  /** What to do, with the exact commands. */
  fix: string;
  /** Someone must check IRIS now (IsWDSuspendedExt): the frozen check runs on this. */
  irisMayBeFrozen: boolean;
  /** Azure's troubleshooting name when ours is more precise (ExitCodeFiveFromIris is Pre-ScriptExecutionFailed). */
  azureName?: TroubleshootingName;
  /** The VMSnapshotLinux code (300–318) when one is known. */
  extensionCode?: number;
}

export interface ClassificationInput {
  job?: { status: JobStatus; errorDetails: JobErrorDetail[] };
  /** undefined: not looked for; null: none found. */
  recoveryPoint?: { type: RecoveryPointType; time: string } | null;
  evidence?: BackupEvidence;
  verdict: BackupVerdict;
  /** The logs-mode probe facts the evidence came from: only their lines are quoted. */
  facts?: ProbeFacts;
  /** The longest acceptable IRIS freeze; FREEZE_LIMIT_MS when absent. */
  freezeLimitMs?: number;
  /** The job failed in its transfer to the vault after the snapshot (transfer phase). */
  transferFailed?: boolean;
  /** The VM's resource id, for the commands in the fixes; a placeholder when absent. */
  vmId?: string;
  /** The `since` given to evidenceFromProbeLogs: older stamped lines of our script log are an earlier night's. */
  since?: string;
}

/**
 * The extension's own file-system freeze gives up after 60 s (vmbackup.conf `[SnapshotThread] timeout`, default 60,
 * vmsnapshot.md §3.5): it treats a longer frozen window as a failure, and so do we for IRIS's writes. A healthy run
 * with the hardened scripts and a 1 s poll freezes IRIS for about 10 s; past a minute, users see writes hang.
 */
export const FREEZE_LIMIT_MS = 60_000;

/** Quoted lines per classification, and per source within it. */
const MAX_EVIDENCE = 6;
const MAX_LINES_PER_SOURCE = 3;
/** Lines of a log read for quotes (the probe sends at most a few hundred). */
const MAX_LOG_LINES = 2_000;
const RUN_START = 'Loading script modules now...';
/** IsWDSuspendedExt's exit status for a suspended write daemon (iris.md §1). */
const WD_SUSPENDED = 5;
const FAILED_JOB: readonly JobStatus[] = ['Failed', 'Cancelled'];

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3 };
/** Within a severity: the state first, then the post-script (the outage risk), then the pre-script, then setup. */
const NAME_ORDER: readonly ClassificationName[] = [
  'IrisStillFrozen',
  'Post-ScriptExecutionFailed',
  'Post-ScriptTimeout',
  'ExitCodeFiveFromIris',
  'Pre-ScriptTimeout',
  'Pre-ScriptExecutionFailed',
  'Post-ScriptNotFound',
  'Pre-ScriptNotFound',
  'InsufficientPermissionforPost-Script',
  'InsufficientPermissionforPre-Script',
  'IncorrectJSONConfigFile',
  'IncorrectPluginhostFile',
  'ConfigPermissionOrOwnership',
  'SilentFileSystemFallback',
  'CrashConsistentOnly',
  'TransferFailedAfterSnapshot',
  'FreezeTooLong',
];

const CONFIG = '/etc/azure/VMSnapshotScriptPluginConfig.json';
const HOST_CONF = '/etc/azure/VMSnapshotPluginHost.conf';
const SCRIPTS_LOG = '/var/log/iris-backup-guard/freeze-thaw.log';

// ---- Quotes from the probe's lines --------------------------------------------------------------------------------

const linesOf = (tail: ProbeLogTail | undefined): readonly string[] =>
  tail?.exists && Array.isArray(tail.lines) ? tail.lines.slice(0, MAX_LOG_LINES) : [];

const EXTENSION_STAMP = /^(\d{4})[-/](\d{2})[-/](\d{2}) (\d{2}:\d{2}:\d{2})$/;

/** An extension.log line's time as epoch ms (python 3 and 2 forms), taken as UTC like backupVerdict's epochMs. */
function extensionLineMs(line: string): number {
  const m = EXTENSION_STAMP.exec(line.slice(0, 19));
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}Z`) : Number.NaN;
}

/**
 * extension.log's lines for the backup the evidence summarised: the first run that starts at or after `since`
 * (summarizePrePost's window), or the first run when no time can be compared.
 */
function extensionRun(input: Pick<ClassificationInput, 'facts' | 'since'>): readonly string[] {
  const lines = linesOf(input.facts?.logs.extension);
  const from = input.since === undefined ? Number.NaN : Date.parse(input.since);
  const isStart = (l: string): boolean => {
    if (typeof l !== 'string' || !l.includes(RUN_START)) return false;
    const at = extensionLineMs(l);
    return Number.isNaN(from) || Number.isNaN(at) || at >= from;
  };
  const start = lines.findIndex(isStart);
  if (start === -1) return lines;
  const next = lines.findIndex((l, i) => i > start && typeof l === 'string' && l.includes(RUN_START));
  return lines.slice(start, next === -1 ? undefined : next);
}

/** Up to MAX_LINES_PER_SOURCE lines containing any of `needles`, quoted. Plain substring tests: no regex on VM text. */
function quotes(lines: readonly string[], needles: readonly string[]): string[] {
  const hits = lines.filter((l) => typeof l === 'string' && needles.some((n) => l.includes(n)));
  return hits.slice(0, MAX_LINES_PER_SOURCE).map(quoteLine);
}

const ISO_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Lines at or after `since`; an unstamped line goes with the stamped line before it (as the probe keeps them). */
function linesSince(lines: readonly string[], since: string | undefined): readonly string[] {
  const from = since === undefined ? Number.NaN : Date.parse(since);
  if (Number.isNaN(from)) return lines;
  let keep = true;
  return lines.filter((l) => {
    const stamp = typeof l === 'string' ? l.slice(0, 40).split(' ', 1)[0] : undefined;
    if (stamp !== undefined && ISO_STAMP.test(stamp)) keep = Date.parse(stamp) >= from;
    return keep;
  });
}

const scriptLogLines = (input: ClassificationInput): readonly string[] => {
  const own = linesOf(input.facts?.logs.scripts);
  return linesSince(own.length > 0 ? own : linesOf(input.facts?.logs.otherScriptLog), input.since);
};

// ---- Fixes --------------------------------------------------------------------------------------------------------

interface FixContext {
  vm: string;
  /** `iris session <inst>` or, for Caché, `csession <inst>`. */
  session: (inst: string) => string;
  stat: (inst: string) => string;
  instances: string[];
  prePath: string;
  postPath: string;
}

/** The text between `before` and `after` on a line, e.g. the path in "Prescript file does not exist in the location <p>". */
function between(line: string, before: string, after?: string): string | undefined {
  const at = line.indexOf(before);
  if (at === -1) return undefined;
  const rest = line.slice(at + before.length).trimEnd();
  if (after === undefined) return rest;
  const end = rest.indexOf(after);
  return end === -1 ? undefined : rest.slice(0, end);
}

/**
 * A script's path as extension.log names it when rejecting it (vmsnapshot.md §4.3): in the not-found line, the
 * owner line, or the "Permissions of the file" line just before "does not have desired permissions". Only a plain
 * path is used in a command (safePath).
 */
function scriptPathFromLog(lines: readonly string[], role: 'pre' | 'post'): string | undefined {
  const File = role === 'pre' ? 'Prescript file' : 'Postscript file';
  const Owner = role === 'pre' ? 'The owner of the PreScript file ' : 'The owner of the PostScript file ';
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const found =
      between(line, `${File} does not exist in the location `) ??
      between(line, Owner, ' is ') ??
      (line.includes(`${File} does not have desired permissions`)
        ? (between(lines[i - 1] ?? '', 'Permissions of the file ', ' are ') ??
          between(lines[i - 1] ?? '', 'Permisisons  of the file ', ' are '))
        : undefined);
    const path = safePath(found);
    if (path !== undefined) return path;
  }
  return undefined;
}

function fixContext(input: ClassificationInput): FixContext {
  const facts = input.facts;
  const cache = facts?.iris.command === 'ccontrol';
  const frozen = input.evidence?.iris?.stillFrozenInstances ?? [];
  const known = (facts?.iris.wd ?? []).map((w) => w.instance);
  const instances = [...new Set([...frozen, ...known])].filter((i) => /^[A-Za-z0-9_%-]{1,64}$/.test(i)).slice(0, 8);
  return {
    vm: input.vmId !== undefined && /^[\w./-]{1,400}$/.test(input.vmId) ? input.vmId : '<vmResourceId>',
    session: (inst) => (cache ? `csession ${inst}` : `iris session ${inst}`),
    stat: (inst) => (cache ? `ccontrol stat ${inst} -W` : `iris stat ${inst} -W`),
    instances,
    prePath: safePath(facts?.pre?.path) ?? scriptPathFromLog(extensionRun(input), 'pre') ?? '<preScriptLocation>',
    postPath: safePath(facts?.post?.path) ?? scriptPathFromLog(extensionRun(input), 'post') ?? '<postScriptLocation>',
  };
}

const safePath = (p: string | undefined): string | undefined =>
  p !== undefined && p.length <= 200 && /^\/[\w./-]+$/.test(p) ? p : undefined;

/** The runbook's check and thaw (README "When IRIS is frozen"), for the instances known or a placeholder. */
function frozenCheckFix(f: FixContext): string {
  const inst = f.instances.length === 1 ? (f.instances[0] ?? '<instance>') : '<instance>';
  const each = f.instances.length > 1 ? ` for each instance (${f.instances.join(', ')})` : ' for each instance';
  return (
    `Check IRIS now, on the VM as root${each}: \`${f.session(inst)} -U%SYS "##Class(Backup.General).IsWDSuspendedExt()"; echo $?\` ` +
    `(5 = frozen, 3 = running). If frozen, thaw it as the README's runbook "When IRIS is frozen" says: ` +
    `\`${f.session(inst)} -U%SYS "##Class(Backup.General).ExternalThaw()"; echo $?\` (5 = thawed), and only if that ` +
    `fails or hangs \`${f.stat(inst)}\`; then check again.`
  );
}

const checkVm = (f: FixContext): string => `\`iris-backup-guard check --vm ${f.vm}\``;
const installVm = (f: FixContext): string => `\`iris-backup-guard install --vm ${f.vm}\``;
const backupVm = (f: FixContext): string => `\`iris-backup-guard backup --vm ${f.vm}\``;

function fixFor(name: ClassificationName, f: FixContext, code: number | undefined, mayBeFrozen: boolean): string {
  switch (name) {
    case 'IrisStillFrozen':
      return `${frozenCheckFix(f)} The backup taken during this episode is not IRIS-consistent: once IRIS runs, take a new one with ${backupVm(f)}, and run ${checkVm(f)} to find why the thaw did not happen.`;
    case 'Post-ScriptExecutionFailed':
      return `${frozenCheckFix(f)} Then read why the post-script failed in its own log (${SCRIPTS_LOG} for the hardened scripts) and run ${checkVm(f)}.`;
    case 'Post-ScriptTimeout':
      return `${frozenCheckFix(f)} The extension does not kill a timed-out script: bound every IRIS call in ${f.postPath}, keep its stdout quiet (over 64 KiB blocks it), or raise timeoutInSeconds in ${CONFIG} (at most 1800); then run ${checkVm(f)}.`;
    case 'ExitCodeFiveFromIris':
      return `${mayBeFrozen ? `${frozenCheckFix(f)} ` : ''}The script passes IRIS's exit status 5 (success) through, and the extension accepts only 0: map 5 to 0 in the script, or install the hardened scripts, which do, with ${installVm(f)}; then run ${checkVm(f)}.`;
    case 'Pre-ScriptTimeout':
      return `The extension does not kill a timed-out pre-script, so a late ExternalFreeze can freeze IRIS after the post-script's thaw. ${frozenCheckFix(f)} Keep IRIS's freeze attempt well below timeoutInSeconds in ${CONFIG} (the hardened scripts bound it with FREEZE_ATTEMPT_TIMEOUT) and the script's stdout quiet; then run ${checkVm(f)}.`;
    case 'Pre-ScriptExecutionFailed':
      return `The backup is not IRIS-consistent. Read why the pre-script failed in its own log (${SCRIPTS_LOG} for the hardened scripts), fix it or install the hardened scripts with ${installVm(f)}, then run ${checkVm(f)} and take a new backup with ${backupVm(f)}.`;
    case 'Pre-ScriptNotFound':
    case 'Post-ScriptNotFound': {
      const key = name === 'Pre-ScriptNotFound' ? 'preScriptLocation' : 'postScriptLocation';
      const path = name === 'Pre-ScriptNotFound' ? f.prePath : f.postPath;
      const file = path.startsWith('<') ? `The file ${key} names in ${CONFIG}` : `${path} (${key} in ${CONFIG})`;
      return `${file} does not exist or is not a regular file (the extension ran neither script). Correct ${key}, or install the scripts with ${installVm(f)}; then run ${checkVm(f)}.`;
    }
    case 'InsufficientPermissionforPre-Script':
    case 'InsufficientPermissionforPost-Script': {
      const path = name === 'InsufficientPermissionforPre-Script' ? f.prePath : f.postPath;
      return `The script must be owned by root with no group or other permission bits (the extension ran neither script): \`chown root:root ${path} && chmod 700 ${path}\`; then run ${checkVm(f)}.`;
    }
    case 'IncorrectJSONConfigFile':
      return `${CONFIG} could not be used: it must be UTF-8 JSON without a byte order mark, one object with preScriptLocation and postScriptLocation, numbers as numbers and true/false as booleans, owned by root with mode 600 (\`chown root:root ${CONFIG} && chmod 600 ${CONFIG}\`). Run ${checkVm(f)} to see what is wrong, or ${installVm(f)} to write a correct one.`;
    case 'IncorrectPluginhostFile':
      return `${HOST_CONF} is unreadable, malformed, or writable by group or others. Remove it (the extension then uses its own), or make it root-owned without group/other write bits (\`chown root:root ${HOST_CONF} && chmod 644 ${HOST_CONF}\`); then run ${checkVm(f)}.`;
    case 'ConfigPermissionOrOwnership': {
      const file = code === 315 ? HOST_CONF : CONFIG;
      const mode = code === 315 ? '644' : '600';
      return `${file} must be owned by root with no group or other bits${code === 315 ? ' writable' : ' and no owner execute bit'}: \`chown root:root ${file} && chmod ${mode} ${file}\`; then run ${checkVm(f)}.`;
    }
    case 'SilentFileSystemFallback':
      if (code === 316)
        return `${CONFIG} is missing, so the extension runs no scripts and IRIS is never frozen. Install the hardened scripts and config with ${installVm(f)}; then run ${checkVm(f)}.`;
      if (code === 305) return fixFor('IncorrectJSONConfigFile', f, code, mayBeFrozen);
      if (code === 304 || code === 313 || code === 314) return fixFor('IncorrectPluginhostFile', f, code, mayBeFrozen);
      return `Run ${checkVm(f)}: it reads the config and the scripts as the extension does and names what makes it skip them; compare extension.log around the backup's time.`;
    case 'CrashConsistentOnly':
      return `The snapshot was taken without the extension's freeze (VM agent or VMSnapshotLinux extension not answering, or fsfreeze failed): check the agent (\`systemctl status walinuxagent\`) and extension.log on the VM. IRIS restores from such a point only through its crash recovery: prove it with a drill, \`iris-backup-guard drill --vm ${f.vm}\`, and run ${checkVm(f)}.`;
    case 'TransferFailedAfterSnapshot':
      return `The snapshot recovery point stays usable for an instant restore until it expires. Read the job's error in the vault, fix its cause, then take a new backup with ${backupVm(f)}.`;
    case 'FreezeTooLong':
      return `Shorten IRIS's frozen window: set ScriptsExecutionPollTimeSeconds to 1 in ${CONFIG} (each phase costs about two polls), keep the pre-script from waiting after ExternalFreeze and the post-script from work before ExternalThaw, and look at the freeze lines in extension.log for a slow snapshot; run ${checkVm(f)}.`;
  }
}

// ---- Building the list ----------------------------------------------------------------------------------------------

interface Builder {
  input: ClassificationInput;
  fix: FixContext;
  out: Classification[];
  /** Azure's names our classifications stand for (ExitCodeFiveFromIris for the script that exited 5). */
  aliases: Map<ClassificationName, Classification>;
}

const severityOf = (name: ClassificationName, role?: 'pre' | 'post'): Severity => {
  if (name === 'IrisStillFrozen' || name === 'Post-ScriptExecutionFailed' || name === 'Post-ScriptTimeout')
    return 'critical';
  if (name === 'ExitCodeFiveFromIris' && role === 'post') return 'critical';
  if (name === 'FreezeTooLong') return 'warning';
  return 'error';
};

/** A failed or timed-out post-script may not have thawed; a timed-out pre-script may freeze late (§3.5). */
const mayFreeze = (name: ClassificationName, role?: 'pre' | 'post'): boolean =>
  severityOf(name, role) === 'critical' || name === 'Pre-ScriptTimeout';

function addEvidence(c: Classification, lines: readonly string[]): void {
  for (const l of lines) if (c.evidence.length < MAX_EVIDENCE && !c.evidence.includes(l)) c.evidence.push(l);
}

interface Candidate {
  name: ClassificationName;
  source: ClassificationSource;
  summary: string;
  evidence: readonly string[];
  role?: 'pre' | 'post';
  code?: number;
  azureName?: TroubleshootingName;
}

/** Adds a classification, or merges into the one for the same problem (same name, or ours for Azure's name). */
function add(b: Builder, c: Candidate): void {
  const same = b.out.find((o) => o.name === c.name) ?? b.aliases.get(c.name);
  const severity = severityOf(c.name, c.role);
  if (same) {
    addEvidence(same, c.evidence);
    if (SEVERITY_RANK[severity] < SEVERITY_RANK[same.severity]) same.severity = severity;
    same.irisMayBeFrozen ||= mayFreeze(c.name, c.role);
    if (same.name === c.name && c.source !== same.source && !same.summary.includes(c.summary)) {
      same.summary = `${same.summary}; ${c.summary}`;
    }
    same.extensionCode ??= c.code;
    if (c.azureName !== undefined && c.azureName !== same.name) b.aliases.set(c.azureName, same);
    return;
  }
  const made: Classification = {
    name: c.name,
    severity,
    source: c.source,
    summary: c.summary,
    evidence: [],
    // Set once everything is merged (classifyBackup): a merge can change what the fix must say.
    fix: '',
    irisMayBeFrozen: mayFreeze(c.name, c.role),
  };
  if (c.azureName !== undefined && c.azureName !== c.name) made.azureName = c.azureName;
  if (c.code !== undefined) made.extensionCode = c.code;
  addEvidence(made, c.evidence);
  b.out.push(made);
  if (made.azureName !== undefined) b.aliases.set(made.azureName, made);
}

/** Our name for an extension code: ours where Azure's is missing or imprecise, else Azure's. */
function nameOfCode(code: number, silent: boolean): ClassificationName | undefined {
  if (silent) return 'SilentFileSystemFallback';
  if (code === 315 || code === 317 || code === 318) return 'ConfigPermissionOrOwnership';
  return troubleshootingNameOfCode(code);
}

const scriptNeedles = (role: 'pre' | 'post'): string[] =>
  role === 'pre'
    ? ['Prescript for', 'PreScript failed for the plugin', 'Cant run prescript']
    : ['Postscript for', 'PostScript failed for the plugin'];

const scriptLogNeedles = (role: 'pre' | 'post'): string[] =>
  role === 'pre'
    ? ['level=error script=pre ', 'SYSTEM FREEZE FAILED']
    : ['level=error script=post ', 'SYSTEM UNFREEZE FAILED'];

/** The scripts' results in extension.log, with the script log's error lines. */
function fromScripts(b: Builder, lines: readonly string[]): void {
  const ext = b.input.evidence?.extension;
  const fives: ('pre' | 'post')[] = [];
  for (const role of ['pre', 'post'] as const) {
    const s: { outcome: ScriptOutcome; exitCode?: number } | undefined = ext?.[role];
    if (!s || (s.outcome !== 'failed' && s.outcome !== 'timed-out')) continue;
    const evidence = [
      ...quotes(lines, scriptNeedles(role)).filter((l) => !l.includes('successfully executed')),
      // The script's own words on why (our log's error lines, the Microsoft sample's).
      ...quotes(scriptLogLines(b.input), scriptLogNeedles(role)),
    ];
    const Role = role === 'pre' ? 'Pre' : 'Post';
    if (s.outcome === 'timed-out') {
      const name: ClassificationName = `${Role}-ScriptTimeout`;
      const late =
        role === 'pre'
          ? '; it is not killed, so a late ExternalFreeze can still freeze IRIS'
          : '; it is not killed, and IRIS may not have been thawed';
      add(b, {
        name,
        role,
        source: 'extension.log',
        code: role === 'pre' ? 308 : 309,
        summary: `The ${role}-script did not finish within timeoutInSeconds${late}`,
        evidence,
      });
      continue;
    }
    if (s.exitCode === WD_SUSPENDED) {
      fives.push(role);
      add(b, {
        name: 'ExitCodeFiveFromIris',
        azureName: `${Role}-ScriptExecutionFailed`,
        role,
        source: 'extension.log',
        code: role === 'pre' ? 300 : 301,
        summary: `The ${role}-script exited 5, IRIS's success status, which the extension reads as ${Role}-ScriptExecutionFailed`,
        evidence,
      });
      continue;
    }
    const exit = s.exitCode === undefined ? 'with a non-zero status' : `with status ${s.exitCode}`;
    add(b, {
      name: `${Role}-ScriptExecutionFailed`,
      role,
      source: 'extension.log',
      code: role === 'pre' ? 300 : 301,
      summary:
        role === 'post'
          ? `The post-script exited ${exit}: IRIS may still be frozen`
          : `The pre-script exited ${exit}: the backup is not IRIS-consistent`,
      evidence,
    });
  }
  // Both scripts exiting 5 (Microsoft's Caché sample): one problem, named once with both.
  if (fives.length === 2) {
    const c = b.out.find((o) => o.name === 'ExitCodeFiveFromIris');
    if (c) {
      c.summary = `Both scripts exited 5, IRIS's success status, which the extension reads as Pre- and Post-ScriptExecutionFailed`;
      delete c.azureName;
    }
  }
}

/** A validation error or a silent fallback in extension.log. */
function fromValidation(b: Builder, lines: readonly string[]): void {
  const ext = b.input.evidence?.extension;
  const code = ext?.fallbackCode ?? ext?.errorCode;
  if (code === undefined) return;
  const silent = ext?.fallbackCode !== undefined;
  const name = nameOfCode(code, silent);
  if (name === undefined) return;
  const known = prepostStatusByCode(code);
  const azure = troubleshootingNameOfCode(code);
  const evidence = quotes(lines, [
    'does not exist in the location',
    'does not have desired permissions',
    'but not root',
    'but  not root',
    'Error in ',
    'Triggering File System Consistent Backup',
    'Plugin Host Precheck Failed',
  ]).filter((l) => !l.includes('Plugin host Config file does not exist'));
  const what = known?.name ?? `StatusCode ${code}`;
  const summary = silent
    ? `The extension skipped the scripts (${what}, code ${code}${azure ? `, Azure's ${azure}` : ''}) and took a file-system-consistent snapshot without reporting an error`
    : `The extension rejected the setup (${what}, code ${code}) and ran neither script: the backup is not IRIS-consistent`;
  const candidate: Candidate = { name, source: 'extension.log', code, summary, evidence };
  if (azure !== undefined) candidate.azureName = azure;
  add(b, candidate);
}

/** IRIS's own record, our script log and the probe's IsWDSuspendedExt. */
function fromIris(b: Builder): void {
  const { verdict, evidence, facts } = b.input;
  const iris = evidence?.iris;
  const messages = linesOf(facts?.logs.messages);
  const scriptLines = scriptLogLines(b.input);
  const freezeNeedles = ['ExternalFreeze: System suspended'];
  const thawNeedles = ['ExternalThaw: System resumed'];
  const frozenWithoutThaw = verdict.frozenAt !== undefined && verdict.thawedAt === undefined;
  if (frozenWithoutThaw) {
    const fromMessages = quotes(messages, freezeNeedles);
    const fromScript = fromMessages.length > 0 ? [] : quotes(scriptLines, ['event=frozen', 'System suspended']);
    add(b, {
      name: 'IrisStillFrozen',
      source: fromScript.length > 0 ? 'script log' : 'messages.log',
      summary: `IRIS was frozen at ${verdict.frozenAt ?? ''} and its logs show no thaw after it`,
      evidence: [...fromMessages, ...fromScript],
    });
  }
  if (iris?.thawFailed) {
    add(b, {
      name: 'IrisStillFrozen',
      source: 'script log',
      summary: 'The post-script logged that ExternalThaw failed',
      evidence: quotes(scriptLines, ['event=thaw-failed', 'UNFREEZE FAILED']),
    });
  }
  const still = iris?.stillFrozenInstances ?? [];
  if (still.length > 0) {
    const at = facts?.at === undefined ? '' : ` at ${quoteLine(facts.at)}`;
    add(b, {
      name: 'IrisStillFrozen',
      source: 'probe',
      summary: `IRIS instance ${still.map(quoteLine).join(', ')} was still frozen when the logs were read`,
      evidence: still.map((i) => quoteLine(`IsWDSuspendedExt returned 5 for instance ${i}${at}`)),
    });
  }
  const limit = b.input.freezeLimitMs ?? FREEZE_LIMIT_MS;
  if (verdict.freezeWindowMs !== undefined && verdict.freezeWindowMs > limit) {
    const seconds = (n: number): string => `${Math.round(n / 100) / 10} s`;
    const fromMessages = [...quotes(messages, freezeNeedles), ...quotes(messages, thawNeedles)];
    add(b, {
      name: 'FreezeTooLong',
      source: fromMessages.length > 0 ? 'messages.log' : 'script log',
      summary: `IRIS's writes were suspended for ${seconds(verdict.freezeWindowMs)} (from ${verdict.frozenAt ?? '?'} to ${verdict.thawedAt ?? '?'}), longer than the limit of ${seconds(limit)}`,
      evidence:
        fromMessages.length > 0 ? fromMessages : quotes(scriptLines, ['event=frozen', 'event=thawed']).slice(0, 2),
    });
  }
}

/** The job's error details, merged into what the VM's logs said about the same problem. */
function fromJob(b: Builder): void {
  const job = b.input.job;
  if (!job) return;
  for (const m of matchJobErrors(job)) {
    const silent = m.code !== undefined && prepostStatusByCode(m.code)?.silentFallback === true;
    const name = m.code !== undefined ? nameOfCode(m.code, silent) : m.name;
    const chosen = name ?? m.name;
    if (chosen === undefined) continue;
    const role = chosen.startsWith('Post-') ? 'post' : chosen.startsWith('Pre-') ? 'pre' : undefined;
    // Azure's Pre-ScriptExecutionFailed for a pre-script that exited 5 joins ExitCodeFiveFromIris (an alias, in add).
    const candidate: Candidate = {
      name: chosen,
      source: 'job',
      summary: `The backup job (${quoteLine(job.status)}) reports ${m.name ?? `code ${m.code ?? '?'}`}`,
      evidence: [m.quote],
    };
    if (role) candidate.role = role;
    if (m.code !== undefined) candidate.code = m.code;
    if (m.name !== undefined) candidate.azureName = m.name;
    add(b, candidate);
  }
}

function fromRecoveryPoint(b: Builder): void {
  const { recoveryPoint: point, evidence, facts, job } = b.input;
  if (!point) return;
  const quoted = quoteLine(`recovery point ${point.type} at ${point.time}`);
  if (point.type === 'CrashConsistent') {
    add(b, {
      name: 'CrashConsistentOnly',
      source: 'recovery-point',
      summary: 'The recovery point is CrashConsistent: neither the scripts nor the file-system freeze ran',
      evidence: [quoted],
    });
    return;
  }
  if (point.type !== 'FileSystemConsistent') return;
  // Unexplained: nothing above says why the scripts did not make it app-consistent, yet they are set up.
  if (b.out.some((c) => c.name !== 'FreezeTooLong' && c.name !== 'IrisStillFrozen')) return;
  const ext = evidence?.extension;
  const ran = (s: { outcome: ScriptOutcome } | undefined): boolean => s !== undefined && s.outcome !== 'not-run';
  const configured = facts?.config.exists === true || ran(ext?.pre) || ran(ext?.post);
  if (!configured || (job && FAILED_JOB.includes(job.status))) return;
  add(b, {
    name: 'SilentFileSystemFallback',
    source: 'recovery-point',
    summary: `The recovery point is FileSystemConsistent although the scripts are set up, and nothing logged an error`,
    evidence: [quoted, ...quotes(extensionRun(b.input), ['Triggering File System Consistent Backup', 'StatusCode.'])],
  });
}

/** Only on the transfer phase's word: a failed job with a point may also be a post-script failure (§3.5). */
function fromTransfer(b: Builder): void {
  const { job, recoveryPoint, transferFailed } = b.input;
  if (transferFailed) add(b, transferCandidate(job, recoveryPoint ?? undefined));
}

function transferCandidate(
  job: { status: JobStatus; errorDetails: readonly JobErrorDetail[] } | undefined,
  point: { type: RecoveryPointType; time: string } | undefined,
): Candidate {
  const lines = (job?.errorDetails ?? []).slice(0, MAX_EVIDENCE).map((d) => {
    const text = [d.code, d.title, d.message].filter((x) => x !== undefined && x !== '').join(' ');
    return quoteLine(`job ${job?.status ?? ''}: ${text}`);
  });
  const where = point ? ` (snapshot recovery point of ${quoteLine(point.time)})` : '';
  return {
    name: 'TransferFailedAfterSnapshot',
    source: 'job',
    summary: `The backup job ended ${quoteLine(job?.status ?? 'Failed')} in its transfer to the vault, after a good snapshot${where}`,
    evidence: lines,
  };
}

/** The verdict says IRIS may be left frozen but nothing above carried it: never let that go unsaid. */
function safetyNet(b: Builder): void {
  const { verdict } = b.input;
  if (!verdict.irisLeftFrozen || b.out.some((c) => c.irisMayBeFrozen)) return;
  add(b, {
    name: 'IrisStillFrozen',
    source: b.input.evidence?.extension ? 'extension.log' : 'job',
    summary: 'The verdict says IRIS may still be frozen after the backup',
    evidence: verdict.reasons.slice(0, MAX_LINES_PER_SOURCE).map(quoteLine),
  });
}

function withFixes(b: Builder): Classification[] {
  for (const c of b.out) c.fix = fixFor(c.name, b.fix, c.extensionCode, c.irisMayBeFrozen);
  return b.out.sort(byOrder);
}

const NO_VERDICT: BackupVerdict = { consistency: 'unknown', reasons: [], irisLeftFrozen: false, missing: [] };

const byOrder = (a: Classification, b: Classification): number =>
  SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || NAME_ORDER.indexOf(a.name) - NAME_ORDER.indexOf(b.name);

/** Every problem with this backup's scripts, IRIS's freeze and the job, most severe first; none for a good one. */
export function classifyBackup(input: ClassificationInput): Classification[] {
  const b: Builder = { input, fix: fixContext(input), out: [], aliases: new Map() };
  const lines = extensionRun(input);
  fromScripts(b, lines);
  fromValidation(b, lines);
  fromIris(b);
  fromJob(b);
  fromRecoveryPoint(b);
  fromTransfer(b);
  safetyNet(b);
  return withFixes(b);
}

/**
 * For the transfer phase: a job that ended Failed or Cancelled after a good snapshot. undefined for any other status
 * (a completed or running job did not fail its transfer).
 */
export function classifyTransferFailure(
  job: Pick<BackupJob, 'status' | 'errorDetails'>,
  options: { vmId?: string; recoveryPoint?: { type: RecoveryPointType; time: string } } = {},
): Classification | undefined {
  if (!FAILED_JOB.includes(job.status)) return undefined;
  const input: ClassificationInput = { verdict: NO_VERDICT, job, transferFailed: true };
  if (options.vmId !== undefined) input.vmId = options.vmId;
  if (options.recoveryPoint !== undefined) input.recoveryPoint = options.recoveryPoint;
  const b: Builder = { input, fix: fixContext(input), out: [], aliases: new Map() };
  fromTransfer(b);
  return withFixes(b)[0];
}
