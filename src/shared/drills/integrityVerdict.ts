/**
 * The integrity verdict of a drill, per database and overall: clean, errors (globals and messages), or incomplete
 * (cut output, a database skipped or not mounted). From the whole output when the evidence blob could be read
 * (the streaming parser, parsers/integrityLog.ts), else from the verifier's compact summary.
 */
import type { IntegrityReport } from '../parsers/integrityLog';

export type IntegrityStatus = 'clean' | 'errors' | 'incomplete';

export interface DatabaseIntegrity {
  directory: string;
  status: 'ok' | 'errors' | 'not-mounted' | 'unknown';
  /** Globals reported Not OK in this database (full output only). */
  globals?: string[];
}

export interface IntegrityVerdict {
  status: IntegrityStatus;
  source: 'evidence' | 'summary';
  databases: DatabaseIntegrity[];
  /** Databases beyond those listed. */
  databasesOmitted?: number;
  /** Globals reported Not OK overall (counted over the whole output). */
  errorCount: number;
  /** Why it is incomplete, or the first error messages (capped). */
  messages: string[];
}

const MAX_DATABASES = 40;
const MAX_MESSAGES = 10;
const NOT_MOUNTED = /database is not mounted/i;

const normDir = (d: string): string => d.replace(/\/+$/, '').toLowerCase();

/**
 * From the parsed whole output. `expected`: the databases the verifier said it checked (a database it listed but
 * the output never reached makes the check incomplete).
 */
export function integrityFromReport(report: IntegrityReport, expected: readonly string[] = []): IntegrityVerdict {
  const globalsByDir = new Map<string, string[]>();
  for (const e of report.errors) {
    const key = normDir(e.directory ?? '');
    globalsByDir.set(key, [...(globalsByDir.get(key) ?? []), e.global]);
  }
  const databases: DatabaseIntegrity[] = report.directories.map((d) => {
    const notMounted = d.messages.some((m) => NOT_MOUNTED.test(m));
    const globals = globalsByDir.get(normDir(d.path));
    const status: DatabaseIntegrity['status'] = notMounted
      ? 'not-mounted'
      : d.verdict === 'errors'
        ? 'errors'
        : d.verdict === 'ok'
          ? 'ok'
          : 'unknown';
    return globals === undefined
      ? { directory: d.path, status }
      : { directory: d.path, status, globals: globals.slice(0, 5) };
  });
  const seen = new Set(databases.map((d) => normDir(d.directory)));
  const missing = expected.filter((d) => !seen.has(normDir(d)));
  for (const d of missing) databases.push({ directory: d, status: 'unknown' });
  const errorCount = report.errors.length + (report.omitted?.errors ?? 0);
  const messages: string[] = [];
  if (report.verdict === 'incomplete')
    messages.push('the integrity output ends without its final summary (cut, or the check did not finish)');
  for (const d of missing) messages.push(`database ${d} is missing from the integrity output`);
  for (const d of databases) if (d.status === 'not-mounted') messages.push(`database ${d.directory} is not mounted`);
  for (const e of report.errors) messages.push(`global ${e.global} is Not OK in ${e.directory ?? 'a database'}`);
  return bounded({
    status: statusOf(databases, report.verdict === 'errors' || errorCount > 0, report.verdict === 'incomplete'),
    source: 'evidence',
    databases,
    errorCount,
    messages,
  });
}

/** From the verifier's summary: its per-database lines and overall word. */
export function integrityFromSummary(
  overall: string,
  dbs: readonly { status: string; directory: string }[],
  errors: number,
  moreDatabases = 0,
): IntegrityVerdict {
  const databases: DatabaseIntegrity[] = dbs.map((d) => ({
    directory: d.directory,
    status:
      d.status === 'ok'
        ? 'ok'
        : d.status === 'error'
          ? 'errors'
          : d.status === 'not-mounted'
            ? 'not-mounted'
            : 'unknown',
  }));
  const messages: string[] = [];
  if (overall !== 'clean' && overall !== 'errors') messages.push(`the verifier reported integrity=${overall}`);
  for (const d of databases) if (d.status === 'not-mounted') messages.push(`database ${d.directory} is not mounted`);
  return bounded({
    status: statusOf(databases, overall === 'errors' || errors > 0, overall !== 'clean' && overall !== 'errors'),
    source: 'summary',
    databases,
    ...(moreDatabases > 0 ? { databasesOmitted: moreDatabases } : {}),
    errorCount: errors,
    messages,
  });
}

/** Errors found win over a gap (they are proof of damage); a gap or an unmounted database makes it incomplete. */
function statusOf(databases: DatabaseIntegrity[], errors: boolean, cut: boolean): IntegrityStatus {
  if (errors || databases.some((d) => d.status === 'errors')) return 'errors';
  if (cut || databases.length === 0 || databases.some((d) => d.status !== 'ok')) return 'incomplete';
  return 'clean';
}

function bounded(v: IntegrityVerdict): IntegrityVerdict {
  const extra = Math.max(0, v.databases.length - MAX_DATABASES);
  return {
    ...v,
    databases: v.databases.slice(0, MAX_DATABASES),
    ...(extra + (v.databasesOmitted ?? 0) > 0 ? { databasesOmitted: extra + (v.databasesOmitted ?? 0) } : {}),
    messages: v.messages.slice(0, MAX_MESSAGES),
  };
}
