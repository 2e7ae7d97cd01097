/**
 * What a backup job's error details say about the pre/post scripts, matched tolerantly: the job's error text is
 * undocumented and its numeric `errorCode` is Azure's own (azure-apis.md §2.4), so no single code or wording is
 * relied on. A detail counts when it names one of Azure's troubleshooting names (in any case or punctuation:
 * "Post-ScriptExecutionFailed", "post script execution failed"), a VMSnapshotLinux code (300–318, or the older
 * 1100–1118) in `code` or after a word like "error" or "code" in the text, an extension status name
 * (FailedPrepostPostScriptFailed), or says it in plain words ("the post-script timed out", "could not find the
 * prescript"). Pure; linear in its (capped) input; never throws.
 */
import type { JobErrorDetail, JobStatus } from '../azure/backupGateway';
import { terminalLine } from '../report/terminalText';
import { PREPOST_STATUS_CODES, prepostStatusByCode } from '../parsers/prepostStatusCodes';

/** Azure's troubleshooting names for Linux pre/post scripts (MS Learn, vmsnapshot.md §5.2). */
export const TROUBLESHOOTING_NAMES = [
  'Pre-ScriptExecutionFailed',
  'Post-ScriptExecutionFailed',
  'Pre-ScriptTimeout',
  'Post-ScriptTimeout',
  'Pre-ScriptNotFound',
  'Post-ScriptNotFound',
  'InsufficientPermissionforPre-Script',
  'InsufficientPermissionforPost-Script',
  'IncorrectJSONConfigFile',
  'IncorrectPluginhostFile',
] as const;
export type TroubleshootingName = (typeof TROUBLESHOOTING_NAMES)[number];

export interface JobErrorMatch {
  /** Azure's name; absent for a code that has none (312, 315, 316, 318). */
  name?: TroubleshootingName;
  /** The VMSnapshotLinux code (300–318) when the detail named one, the older 11xx range mapped onto it. */
  code?: number;
  /** How it was recognised. */
  by: 'code' | 'name' | 'phrase';
  /** The detail as one quoted line: capped and neutralised (no control or bidi characters). */
  quote: string;
}

/** Each text field is cut to this before it is read: Azure's messages are a sentence or two. */
export const JOB_TEXT_CHARS = 2_000;
/** Error details and recommendations read per job and per detail (a job lists a few). */
const MAX_DETAILS = 20;
const MAX_RECOMMENDATIONS = 10;
/** A quote in evidence, before and after neutralising (an escape is up to six characters). */
export const QUOTE_CHARS = 300;
const QUOTE_ESCAPED_CHARS = 400;
/** How many words apart a script ("the post-script") and a problem ("timed out") may be. */
const PHRASE_WINDOW = 8;
/** The older extension builds numbered the same codes from 1100 (PR Azure/azure-linux-extensions#343). */
const LEGACY_OFFSET = 800;

/** `text` as one line for evidence: cut first (a 1 MB line costs nothing more), then made inert. */
export function quoteLine(text: string): string {
  const cut = text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
  const safe = terminalLine(cut);
  return safe.length > QUOTE_ESCAPED_CHARS ? `${safe.slice(0, QUOTE_ESCAPED_CHARS)}…` : safe;
}

const capped = (text: unknown): string => (typeof text === 'string' ? text.slice(0, JOB_TEXT_CHARS) : '');

/** A 300–318 code, from either numbering; anything else is Azure's own code and says nothing here. */
export function extensionCodeOf(n: number): number | undefined {
  if (!Number.isInteger(n)) return undefined;
  const code = n >= 1100 && n <= 1118 ? n - LEGACY_OFFSET : n;
  return prepostStatusByCode(code) === undefined ? undefined : code;
}

/** Azure's name for a code, where the reference maps one (inferred mappings included: 304, 310, 311, 313, 314, 317). */
export const troubleshootingNameOfCode = (code: number): TroubleshootingName | undefined => {
  const name = prepostStatusByCode(code)?.azureName;
  return TROUBLESHOOTING_NAMES.find((n) => n === name);
};

const compact = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const COMPACT_NAMES: readonly [string, TroubleshootingName][] = TROUBLESHOOTING_NAMES.map((n) => [compact(n), n]);
const STATUS_NAMES = new Map(PREPOST_STATUS_CODES.map((c) => [c.name.toLowerCase(), c.code]));
const CODE_WORDS = new Set(['code', 'error', 'errorcode', 'statuscode', 'status', 'err']);

type Role = 'pre' | 'post';
const SENTENCE_END = '.';
type Problem = 'timeout' | 'not-found' | 'permission' | 'failed';
/** A script that timed out also "failed"; one that was not found also "errored": the specific word wins. */
const PROBLEM_RANK: readonly Problem[] = ['timeout', 'not-found', 'permission', 'failed'];

const NAME_BY_PROBLEM: Record<Role, Record<Problem, TroubleshootingName>> = {
  pre: {
    timeout: 'Pre-ScriptTimeout',
    'not-found': 'Pre-ScriptNotFound',
    permission: 'InsufficientPermissionforPre-Script',
    failed: 'Pre-ScriptExecutionFailed',
  },
  post: {
    timeout: 'Post-ScriptTimeout',
    'not-found': 'Post-ScriptNotFound',
    permission: 'InsufficientPermissionforPost-Script',
    failed: 'Post-ScriptExecutionFailed',
  },
};

/** One word, or two in a row, that names a problem; checked at each word, so the scan stays linear. */
function problemAt(words: readonly string[], i: number): Problem | undefined {
  const w = words[i] ?? '';
  const next = words[i + 1] ?? '';
  if (w === 'timeout' || w === 'timedout' || w === 'timeouts') return 'timeout';
  if ((w === 'timed' || w === 'time' || w === 'times') && next === 'out') return 'timeout';
  if (w === 'notfound' || w === 'missing' || w === 'nonexistent') return 'not-found';
  if ((w === 'not' || w === 'never') && (next === 'found' || next === 'exist' || next === 'exists')) return 'not-found';
  // "wasn't found", "isn't found": the apostrophe splits off a lone "t".
  if (w === 'found' && (words[i - 1] ?? '') === 't') return 'not-found';
  if ((w === 'find' || w === 'locate') && i > 0) {
    const before = words[i - 1] ?? '';
    if (before === 'not' || before === 'cannot' || before === 'cant' || before === 't') return 'not-found';
  }
  if (w === 'no' && next === 'such') return 'not-found';
  if (w === 'permission' || w === 'permissions' || w === 'owner' || w === 'ownership' || w === 'owned')
    return 'permission';
  if (w === 'failed' || w === 'fail' || w === 'fails' || w === 'failure' || w === 'error' || w === 'errors')
    return 'failed';
  if (w === 'nonzero' || (w === 'non' && next === 'zero')) return 'failed';
  return undefined;
}

/** "prescript", "pre-script", "pre script(s)" (and post): the word's index names the script. */
function roleAt(words: readonly string[], i: number): Role | undefined {
  const w = words[i] ?? '';
  const next = words[i + 1] ?? '';
  const script = next === 'script' || next === 'scripts';
  if (w === 'prescript' || w === 'prescripts' || (w === 'pre' && script)) return 'pre';
  if (w === 'postscript' || w === 'postscripts' || (w === 'post' && script)) return 'post';
  return undefined;
}

/**
 * Plain-language phrasings: each problem word is paired with the nearest script word within PHRASE_WINDOW words
 * (the one before it on a tie: "the pre-script timed out and the post-script failed" is two findings). Per script,
 * the most specific problem wins.
 */
function phraseNames(words: readonly string[]): TroubleshootingName[] {
  // A script and a problem pair only within one sentence: "Backup failed. The pre-script ran fine." is no finding.
  const sentence: number[] = [];
  let n = 0;
  for (const w of words) {
    if (w === SENTENCE_END) n += 1;
    sentence.push(n);
  }
  const roles: { at: number; role: Role }[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const role = roleAt(words, i);
    if (role) roles.push({ at: i, role });
  }
  if (roles.length === 0) return [];
  const found: Record<Role, Problem | undefined> = { pre: undefined, post: undefined };
  let r = 0;
  for (let i = 0; i < words.length; i += 1) {
    const problem = problemAt(words, i);
    if (!problem) continue;
    // Roles are in order: advance to the last one at or before i (amortised linear).
    while (r + 1 < roles.length && (roles[r + 1]?.at ?? Infinity) <= i) r += 1;
    const before = roles[r] !== undefined && (roles[r]?.at ?? Infinity) <= i ? roles[r] : undefined;
    const after = before ? roles[r + 1] : roles[r];
    const dBefore = before && sentence[before.at] === sentence[i] ? i - before.at : Infinity;
    const dAfter = after && sentence[after.at] === sentence[i] ? after.at - i : Infinity;
    const nearest = dBefore <= dAfter ? before : after;
    if (!nearest || Math.min(dBefore, dAfter) > PHRASE_WINDOW) continue;
    const current = found[nearest.role];
    if (current === undefined || PROBLEM_RANK.indexOf(problem) < PROBLEM_RANK.indexOf(current)) {
      found[nearest.role] = problem;
    }
  }
  return (['pre', 'post'] as const).flatMap((role) => {
    const p = found[role];
    return p === undefined ? [] : [NAME_BY_PROBLEM[role][p]];
  });
}

const FILE_WORDS = new Set(['conf', 'config', 'configuration', 'file', 'json']);
const BAD_WORDS = new Set([
  'incorrect',
  'invalid',
  'malformed',
  'corrupt',
  'corrupted',
  'parse',
  'parsed',
  'parsing',
  'decode',
  'decoded',
  'unreadable',
]);

/** `first` (or `first` `second`) followed within two words by a file word: "JSON config file", "plugin host conf". */
function namesFile(words: readonly string[], first: string, second?: string): boolean {
  for (let i = 0; i < words.length; i += 1) {
    if (words[i] !== first) continue;
    const from = second === undefined ? i + 1 : words[i + 1] === second ? i + 2 : -1;
    if (from < 0) continue;
    if (FILE_WORDS.has(words[from] ?? '') || FILE_WORDS.has(words[from + 1] ?? '')) return true;
  }
  return false;
}

/**
 * The config files in words, with a problem word: "the JSON config file is invalid", "VMSnapshotPluginHost.conf
 * could not be read". "Plugin Host Precheck Failed" names no file and does not count.
 */
function configNames(words: readonly string[], squashed: string): TroubleshootingName[] {
  const bad = words.some((w, i) => BAD_WORDS.has(w) || problemAt(words, i) !== undefined);
  if (!bad) return [];
  const names: TroubleshootingName[] = [];
  const jsonConfig =
    squashed.includes('vmsnapshotscriptpluginconfig') ||
    namesFile(words, 'json') ||
    namesFile(words, 'plugin', 'config') ||
    namesFile(words, 'pluginconfig');
  const hostConf =
    squashed.includes('vmsnapshotpluginhost') || namesFile(words, 'plugin', 'host') || namesFile(words, 'pluginhost');
  if (jsonConfig) names.push('IncorrectJSONConfigFile');
  if (hostConf) names.push('IncorrectPluginhostFile');
  return names;
}

interface TextFindings {
  names: { name: TroubleshootingName; by: 'name' | 'phrase' }[];
  codes: number[];
}

/** What one text says: exact names, status names, codes after a code word, plain-language phrasings. */
function readText(text: string): TextFindings {
  const lower = text.toLowerCase();
  // Words, and a sentence end where a full stop (or ; ! ?) is followed by a space or the end, or at a line break.
  // One character per end, with a one-character lookahead: linear.
  const words = (lower.match(/[a-z0-9]+|[.;!?](?=\s|$)|\n/g) ?? []).map((w) =>
    /^[a-z0-9]/.test(w) ? w : SENTENCE_END,
  );
  const squashed = words.filter((w) => w !== SENTENCE_END).join('');
  const names: TextFindings['names'] = [];
  for (const [key, name] of COMPACT_NAMES) if (squashed.includes(key)) names.push({ name, by: 'name' });
  const codes: number[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const w = words[i] ?? '';
    const status = STATUS_NAMES.get(w);
    if (status !== undefined) codes.push(status);
    if (!/^\d{3,4}$/.test(w)) continue;
    const cue = CODE_WORDS.has(words[i - 1] ?? '') || CODE_WORDS.has(words[i - 2] ?? '');
    const code = cue ? extensionCodeOf(Number(w)) : undefined;
    if (code !== undefined) codes.push(code);
  }
  // A script's problem that mentions the config (where the path is set) is the script's, not the config's.
  const phrases = phraseNames(words);
  for (const name of phrases.length > 0 ? phrases : configNames(words, squashed)) names.push({ name, by: 'phrase' });
  return { names, codes };
}

function detailQuote(status: JobStatus | undefined, d: JobErrorDetail): string {
  const said = [d.code === undefined ? undefined : String(d.code), capped(d.title), capped(d.message)]
    .filter((s) => s !== undefined && s !== '')
    .join(' ');
  const recs = Array.isArray(d.recommendations) ? d.recommendations.slice(0, 2).map(capped).join(' ') : '';
  const text = said || recs;
  return quoteLine(status === undefined ? text : `job ${status}: ${text}`);
}

/** One detail: its code, its title and message, and, only when they say nothing, its recommendations. */
function matchDetail(status: JobStatus | undefined, d: JobErrorDetail): JobErrorMatch[] {
  const quote = detailQuote(status, d);
  const out: JobErrorMatch[] = [];
  const add = (m: Omit<JobErrorMatch, 'quote'>): void => {
    const dup = out.some((o) => (m.name !== undefined ? o.name === m.name : o.code === m.code && !o.name));
    if (!dup) out.push({ ...m, quote });
  };
  const fromCode = (code: number, by: 'code' | 'name'): void => {
    const name = troubleshootingNameOfCode(code);
    // A code and a name for the same problem are one match; the code is kept with it.
    const existing = name === undefined ? undefined : out.find((o) => o.name === name);
    if (existing) existing.code ??= code;
    else add(name === undefined ? { code, by } : { name, code, by });
  };
  const code = typeof d.code === 'number' ? extensionCodeOf(d.code) : undefined;
  if (code !== undefined) fromCode(code, 'code');
  const read = (text: string): void => {
    const f = readText(text);
    for (const c of f.codes) fromCode(c, 'code');
    for (const n of f.names) add(n);
  };
  read(`${capped(d.title)}\n${capped(d.message)}`);
  if (out.length === 0 && Array.isArray(d.recommendations)) {
    read(d.recommendations.slice(0, MAX_RECOMMENDATIONS).map(capped).join('\n'));
  }
  return out;
}

/**
 * Everything a job's error details say about the scripts, one match per problem (the first detail's quote kept).
 * A job without details, or whose details name nothing known, gives none: an unknown code is not guessed at.
 */
export function matchJobErrors(job: { status?: JobStatus; errorDetails?: readonly JobErrorDetail[] }): JobErrorMatch[] {
  const details = Array.isArray(job.errorDetails) ? job.errorDetails.slice(0, MAX_DETAILS) : [];
  const out: JobErrorMatch[] = [];
  for (const d of details) {
    if (d === null || typeof d !== 'object') continue;
    for (const m of matchDetail(job.status, d)) {
      const same = out.find((o) => (m.name !== undefined ? o.name === m.name : o.code === m.code && !o.name));
      if (same) same.code ??= m.code;
      else out.push(m);
    }
  }
  return out;
}

/** The names a free text gives (for a log line or an alert's text); the same rules as a job's detail. */
export function matchErrorText(text: string): TroubleshootingName[] {
  const f = readText(capped(text));
  const names = new Set<TroubleshootingName>(f.names.map((n) => n.name));
  for (const c of f.codes) {
    const n = troubleshootingNameOfCode(c);
    if (n) names.add(n);
  }
  return [...names];
}
