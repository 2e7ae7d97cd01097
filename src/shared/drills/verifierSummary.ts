/**
 * The compact summary vm/drill-verify.sh prints last on a restored drill VM (IBG-DRILL-BEGIN … IBG-DRILL-END). The
 * text comes from a VM, so it is untrusted: it may be cut at the front (Azure keeps only the last 4 KiB of stdout),
 * hold junk, control characters or huge lines. Parsing is pure and linear, caps everything it returns, never throws.
 */

export type FreezeState = 'frozen' | 'thawed' | 'none' | 'unknown';
export type IsolationState = 'ok' | 'breached' | 'unknown';
export type IrisState = 'up' | 'down' | 'not-started';
export type RecoveryState = 'clean' | 'recovered' | 'failed' | 'unknown';
export type IntegrityState = 'clean' | 'errors' | 'incomplete' | 'not-run';
export type DatabaseStatus = 'ok' | 'error' | 'not-mounted';
export type StopState = 'ok' | 'failed' | 'not-needed';

export interface DatabaseResult {
  status: DatabaseStatus;
  directory: string;
}

/** Every field the block states; a field absent or unreadable is undefined (and unreadable lines are in problems). */
export interface VerifierSummary {
  /** IBG-DRILL-BEGIN was seen (else the block was cut at the front, or is missing). */
  found: boolean;
  /** IBG-DRILL-END was seen. */
  complete: boolean;
  version?: number;
  /** The exit code the script states on its END line. */
  rc?: number;
  instance?: string;
  product?: string;
  freeze?: FreezeState;
  /** The journal file the freeze switched to (restore journals from it); undefined for "-". */
  journal?: string;
  isolation?: IsolationState;
  /** How many production addresses were tried. */
  checked?: number;
  /** The production address that answered; undefined for "-". */
  reached?: string;
  iris?: IrisState;
  irisSeconds?: number;
  recovery?: RecoveryState;
  integrity?: IntegrityState;
  /** Databases the integrity check covered, and how many had errors (the script's counts, not the listed lines). */
  databases?: number;
  errors?: number;
  integritySeconds?: number;
  /** The db= lines (problems first, as the script lists them), at most MAX_DATABASES. */
  databaseResults: DatabaseResult[];
  /** Database lines the script left out (its more=db count) plus any beyond MAX_DATABASES here. */
  moreDatabases: number;
  /** Where the full integrity report is kept on the drill VM, and its size. */
  evidence?: { path: string; bytes: number };
  stop?: StopState;
  /** The line= entries (messages.log evidence and notes), at most MAX_EVIDENCE_LINES of MAX_TEXT characters. */
  evidenceLines: string[];
  moreEvidenceLines: number;
  /** Lines that could not be read, at most MAX_PROBLEMS. */
  problems: string[];
}

export const MAX_DATABASES = 100;
export const MAX_EVIDENCE_LINES = 20;
export const MAX_PROBLEMS = 20;
export const MAX_TEXT = 300;
/** The script's block fits in 4,096 bytes; more than this after BEGIN is not ours. */
const MAX_BLOCK = 65_536;
const BEGIN = 'IBG-DRILL-BEGIN';
const END = 'IBG-DRILL-END';

const FREEZE: readonly FreezeState[] = ['frozen', 'thawed', 'none', 'unknown'];
const ISOLATION: readonly IsolationState[] = ['ok', 'breached', 'unknown'];
const IRIS: readonly IrisState[] = ['up', 'down', 'not-started'];
const RECOVERY: readonly RecoveryState[] = ['clean', 'recovered', 'failed', 'unknown'];
const INTEGRITY: readonly IntegrityState[] = ['clean', 'errors', 'incomplete', 'not-run'];
const DB_STATUS: readonly DatabaseStatus[] = ['ok', 'error', 'not-mounted'];
const STOP: readonly StopState[] = ['ok', 'failed', 'not-needed'];

function oneOf<T extends string>(values: readonly T[], v: string | undefined): T | undefined {
  return values.find((x) => x === v);
}

function num(v: string | undefined): number | undefined {
  return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}

/** Control characters replaced by ?, capped. */
function text(v: string): string {
  // eslint-disable-next-line no-control-regex -- replacing control characters is the point
  return v.slice(0, MAX_TEXT).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

const dash = (v: string | undefined): string | undefined => (v === undefined || v === '-' || v === '' ? undefined : v);

/** The block: from the last line that starts with BEGIN (or, if it was cut off, the whole tail) to END. */
function blockOf(output: string): { lines: string[]; found: boolean } {
  let at = output.lastIndexOf(`\n${BEGIN}`);
  if (at >= 0) at += 1;
  else if (output.startsWith(BEGIN)) at = 0;
  const found = at >= 0;
  let body = found ? output.slice(at, at + MAX_BLOCK) : output.slice(-MAX_BLOCK);
  if (!found) {
    // A tail cut at the front: the first line is likely partial, and only what precedes END is the block's.
    const nl = body.indexOf('\n');
    body = nl >= 0 ? body.slice(nl + 1) : body;
  }
  const lines: string[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    lines.push(line);
    if (line.startsWith(END)) break;
  }
  return { lines, found };
}

export function parseVerifierSummary(output: string): VerifierSummary {
  const s: VerifierSummary = {
    found: false,
    complete: false,
    databaseResults: [],
    moreDatabases: 0,
    evidenceLines: [],
    moreEvidenceLines: 0,
    problems: [],
  };
  const problem = (line: string): void => {
    if (s.problems.length < MAX_PROBLEMS) s.problems.push(text(line));
  };
  try {
    const { lines, found } = blockOf(typeof output === 'string' ? output : '');
    s.found = found;
    if (!found) problem(`no ${BEGIN} line`);
    for (const line of lines) readLine(s, line, problem);
  } catch {
    problem('unreadable output');
  }
  return s;
}

function readLine(s: VerifierSummary, line: string, problem: (line: string) => void): void {
  if (line === '') return;
  let m: RegExpExecArray | null;
  if (line.startsWith('line=')) {
    if (s.evidenceLines.length < MAX_EVIDENCE_LINES) s.evidenceLines.push(text(line.slice(5)));
    else s.moreEvidenceLines += 1;
    return;
  }
  if (line.startsWith('db=')) {
    m = /^db=(\S+) (.+)$/.exec(line.slice(0, 4 + MAX_TEXT * 4));
    const status = oneOf(DB_STATUS, m?.[1]);
    if (!m?.[2] || !status) return problem(line);
    if (s.databaseResults.length < MAX_DATABASES) s.databaseResults.push({ status, directory: text(m[2]) });
    else s.moreDatabases += 1;
    return;
  }
  const short = line.slice(0, 1000);
  if ((m = /^IBG-DRILL-BEGIN v=(\d{1,6})$/.exec(short))) {
    s.version = Number(m[1]);
  } else if ((m = /^IBG-DRILL-END rc=(\d{1,3})$/.exec(short))) {
    s.complete = true;
    s.rc = Number(m[1]);
  } else if ((m = /^instance=(\S+) product=(\S+)$/.exec(short)) && m[1] && m[2]) {
    s.instance = dash(text(m[1]));
    s.product = dash(text(m[2]));
  } else if ((m = /^freeze=(\S+) journal=(.*)$/.exec(short)) && oneOf(FREEZE, m[1])) {
    s.freeze = oneOf(FREEZE, m[1]);
    s.journal = dash(m[2] === undefined ? undefined : text(m[2]));
  } else if ((m = /^isolation=(\S+) checked=(\d+) reached=(.*)$/.exec(short)) && oneOf(ISOLATION, m[1])) {
    s.isolation = oneOf(ISOLATION, m[1]);
    s.checked = num(m[2]);
    s.reached = dash(m[3] === undefined ? undefined : text(m[3]));
  } else if ((m = /^iris=(\S+) seconds=(\d+)$/.exec(short)) && oneOf(IRIS, m[1])) {
    s.iris = oneOf(IRIS, m[1]);
    s.irisSeconds = num(m[2]);
  } else if ((m = /^recovery=(\S+)$/.exec(short)) && oneOf(RECOVERY, m[1])) {
    s.recovery = oneOf(RECOVERY, m[1]);
  } else if (
    (m = /^integrity=(\S+) databases=(\d+) errors=(\d+) seconds=(\d+)$/.exec(short)) &&
    oneOf(INTEGRITY, m[1])
  ) {
    s.integrity = oneOf(INTEGRITY, m[1]);
    s.databases = num(m[2]);
    s.errors = num(m[3]);
    s.integritySeconds = num(m[4]);
  } else if ((m = /^more=(db|line) (\d+)$/.exec(short))) {
    const n = num(m[2]) ?? 0;
    if (m[1] === 'db') s.moreDatabases += n;
    else s.moreEvidenceLines += n;
  } else if ((m = /^evidence=(.*) bytes=(\d+)$/.exec(short)) && m[1] !== undefined) {
    const p = dash(text(m[1]));
    const bytes = num(m[2]);
    s.evidence = p !== undefined && bytes !== undefined ? { path: p, bytes } : undefined;
  } else if ((m = /^stop=(\S+)$/.exec(short)) && oneOf(STOP, m[1])) {
    s.stop = oneOf(STOP, m[1]);
  } else {
    problem(line);
  }
}
