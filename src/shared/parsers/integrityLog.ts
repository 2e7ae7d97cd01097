import { readInputLines } from './inputLines';
import { ParseResult, ProblemLog } from './parseResult';

/** One global reported "Not OK", with the message lines that followed it. */
export interface IntegrityGlobalError {
  directory?: string;
  global: string;
  lines: string[];
}

export interface IntegrityDirectory {
  path: string;
  /** ok: "No Errors were found in this directory."; errors: an error block; unknown: output ended first. */
  verdict: 'ok' | 'errors' | 'unknown';
  /** "Global: <name>" lines seen (per-global lines may be localised; this is a best-effort count). */
  globalsChecked: number;
  /** Lines such as "The database is not mounted." or "***Further checking of this directory is aborted." */
  messages: string[];
}

export interface IntegrityReport {
  /** "Cache Database Integrity Check on …", "Intersystems IRIS Database Integrity Check on …" or the Portal header. */
  header?: string;
  directories: IntegrityDirectory[];
  errors: IntegrityGlobalError[];
  /** "*** Warning: …" lines and "Errors were detected, but only in blocks that changed during check". */
  warnings: string[];
  /** From "<n> errors found during integrity check" when present. */
  errorCount?: number;
  /**
   * ok: the final "No Errors were found." and no error anywhere; errors: any error block or the final
   * "ERRORS WERE FOUND"; incomplete: no final summary line (cut output, a crashed check, not an integrity log).
   */
  verdict: 'ok' | 'errors' | 'incomplete';
}

// Integrity lines are short; a low line cap keeps the `*`-framed patterns cheap on hostile input.
const INTEGRITY_LIMITS = { maxChars: 8 * 1024 * 1024, keep: 'tail', maxLineChars: 1024 } as const;

const HEADER = /^(?:Cach[eé]|Intersystems IRIS|InterSystems IRIS|IRIS) Database Integrity Check\b.*$/i;
const DIRECTORY = /^---Directory (.+?)---\s*$/;
const TOTAL = /^---Total for directory (.+?)---\s*$/;
const PORTAL_DIRECTORY = /^Directory:\s*(\S.*?)\s*$/;
const GLOBAL = /^Global: (\S+)/;
const NOT_OK = /^\*+\s*Global \^?(.+?) is Not OK\s*\*+\s*$/;
const DIR_OK = /^No Errors were found in this directory\.\s*$/;
const ALL_OK = /^No Errors were found\.\s*$/;
const FOLLOWING_ERRORS = /^\*+ The following errors were detected \*+\s*$/;
const ERRORS_FOUND = /^\*+\s*ERRORS WERE FOUND\s*\*+\s*$/;
const ERRORS_IN_DIRECTORY = /^\*+ Errors in directory: (.+?) \*+\s*$/;
const ERROR_COUNT = /^(\d[\d,]*) errors found during integrity check/;
const PORTAL_GLOBAL_ERRORS = /^(\d[\d,]*) globals with errors found/;
const WARNING =
  /^\*\*\* (?:Warning: .*|Errors were detected, but only in blocks that changed during check) ?\*\*\*\s*$/;
const DIRECTORY_MESSAGE =
  /^(?:\*\*\*Further checking of this directory is aborted\.|The database is not mounted\.|Integrity Job failed to start\.|\*\*\*Map Error: .*)\s*$/;
const STARS_ONLY = /^\*+\s*$/;

/** Parses ^Integrity / Silent^Integrity / Portal report text (iris.md §3.2, §3.3, §8.4), keyed on English summary lines. */
export function parseIntegrityOutput(text: string): ParseResult<IntegrityReport> {
  const problems = new ProblemLog();
  const report: IntegrityReport = { directories: [], errors: [], warnings: [], verdict: 'incomplete' };
  let current: IntegrityDirectory | undefined;
  let currentError: IntegrityGlobalError | undefined;
  let summaryDirectory: string | undefined;
  let inSummary = false;
  let finalOk = false;
  let finalErrors = false;
  let portalErrorCount = 0;

  const directory = (path: string): IntegrityDirectory => {
    const found = report.directories.find((d) => d.path === path);
    if (found) return found;
    const created: IntegrityDirectory = { path, verdict: 'unknown', globalsChecked: 0, messages: [] };
    report.directories.push(created);
    return created;
  };
  // The end-of-output summary repeats the per-directory error blocks; merge repeats into one error per global.
  const closeError = (): void => {
    if (!currentError) return;
    const open = currentError;
    const same = report.errors.find((e) => e.directory === open.directory && e.global === open.global);
    if (!same) report.errors.push(open);
    else for (const l of open.lines) if (!same.lines.includes(l)) same.lines.push(l);
    currentError = undefined;
  };

  for (const { text: raw } of readInputLines(text, INTEGRITY_LIMITS, problems)) {
    const line = raw.trim();
    if (line === '') {
      closeError();
      continue;
    }
    if (HEADER.test(line)) {
      report.header ??= line;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = DIRECTORY.exec(line)) || (m = PORTAL_DIRECTORY.exec(line))) {
      closeError();
      current = directory(m[1] ?? '');
      continue;
    }
    if ((m = TOTAL.exec(line))) {
      closeError();
      current = directory(m[1] ?? '');
      continue;
    }
    if ((m = NOT_OK.exec(line))) {
      closeError();
      const dir = inSummary ? summaryDirectory : current?.path;
      currentError = { global: m[1] ?? '', lines: [] };
      if (dir !== undefined) {
        currentError.directory = dir;
        directory(dir).verdict = 'errors';
      }
      continue;
    }
    if ((m = ERRORS_IN_DIRECTORY.exec(line))) {
      closeError();
      inSummary = true;
      summaryDirectory = m[1];
      directory(m[1] ?? '').verdict = 'errors';
      continue;
    }
    if (ERRORS_FOUND.test(line)) {
      closeError();
      finalErrors = true;
      inSummary = true;
      continue;
    }
    if (FOLLOWING_ERRORS.test(line)) {
      closeError();
      if (current && !inSummary) current.verdict = 'errors';
      continue;
    }
    if (DIR_OK.test(line)) {
      closeError();
      if (current && current.verdict !== 'errors') current.verdict = 'ok';
      continue;
    }
    if (ALL_OK.test(line)) {
      closeError();
      finalOk = true;
      continue;
    }
    if ((m = ERROR_COUNT.exec(line))) {
      report.errorCount = Number((m[1] ?? '0').replace(/,/g, ''));
      continue;
    }
    if ((m = PORTAL_GLOBAL_ERRORS.exec(line))) {
      const count = Number((m[1] ?? '0').replace(/,/g, ''));
      portalErrorCount += count;
      if (current) current.verdict = count > 0 ? 'errors' : current.verdict === 'errors' ? 'errors' : 'ok';
      continue;
    }
    if (WARNING.test(line)) {
      report.warnings.push(line);
      continue;
    }
    if (DIRECTORY_MESSAGE.test(line)) {
      const dir = inSummary ? summaryDirectory : current?.path;
      if (dir !== undefined) {
        const d = directory(dir);
        if (!d.messages.includes(line)) d.messages.push(line);
        d.verdict = 'errors';
      }
      continue;
    }
    if (STARS_ONLY.test(line)) continue;
    if ((m = GLOBAL.exec(line))) {
      closeError();
      if (current && !inSummary) current.globalsChecked += 1;
      continue;
    }
    // Anything else inside an error block is that error's message (e.g. "The pointer block contains the wrong global").
    if (currentError) currentError.lines.push(line);
  }
  closeError();

  const anyErrors =
    finalErrors ||
    report.errors.length > 0 ||
    portalErrorCount > 0 ||
    (report.errorCount ?? 0) > 0 ||
    report.directories.some((d) => d.verdict === 'errors');
  if (anyErrors) report.verdict = 'errors';
  else if (finalOk) report.verdict = 'ok';
  if (finalOk && anyErrors) problems.add('"No Errors were found." contradicts the error lines; the verdict is errors');
  if (report.verdict === 'incomplete') {
    problems.add(
      report.header === undefined && report.directories.length === 0
        ? 'Not integrity check output: no header, directory or summary line found'
        : 'No final summary line ("No Errors were found." or "ERRORS WERE FOUND"); the output looks cut',
    );
  }
  for (const d of report.directories) {
    if (d.verdict === 'unknown' && report.verdict !== 'incomplete' && !finalOk) {
      problems.add(`Directory ${d.path} has no verdict line`);
    }
  }
  return { value: report, problems: problems.list() };
}
