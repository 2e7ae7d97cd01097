/**
 * The drill's verdict from what the verifier reported and what the integrity check found: passed, failed (with the
 * stage and the reason), or inconclusive (the drill could not prove anything either way: isolation unverified, the
 * verifier gave no result, the output was cut). A failure means the backup itself is in doubt.
 */
import type { DrillFailureStage, DrillOutcome } from './drillState';
import type { IntegrityVerdict } from './integrityVerdict';

/** The verifier's summary as a run keeps it (parsed from untrusted output, capped). */
export interface DrillVerifierFacts {
  /** The summary block ended (IBG-DRILL-END seen). */
  complete: boolean;
  exitCode?: number;
  freeze: 'frozen' | 'thawed' | 'none' | 'unknown';
  journal?: string;
  isolation: 'ok' | 'breached' | 'unknown';
  reached?: string;
  iris: 'up' | 'down' | 'not-started' | 'unknown';
  irisSeconds?: number;
  recovery: 'clean' | 'recovered' | 'failed' | 'unknown';
  integrity: 'clean' | 'errors' | 'incomplete' | 'not-run' | 'unknown';
  integritySeconds?: number;
  /** Globals Not OK, as the verifier counted them. */
  integrityErrors: number;
  /** Per database, as the summary lists them (capped), and how many more it had. */
  databases: { status: 'ok' | 'error' | 'not-mounted' | 'unknown'; directory: string }[];
  databasesMore: number;
  stop: 'ok' | 'failed' | 'not-needed' | 'unknown';
  /** Evidence lines from messages.log (escaped when shown). */
  lines: string[];
}

const failed = (stage: DrillFailureStage, reason: string, at: string, notes: string[] = []): DrillOutcome => ({
  verdict: 'failed',
  stage,
  reason,
  notes,
  at,
});

const inconclusive = (stage: DrillFailureStage, reason: string, at: string, notes: string[] = []): DrillOutcome => ({
  verdict: 'inconclusive',
  stage,
  reason,
  notes,
  at,
});

/** What the freeze state at the snapshot says about the point, for the record and the report. */
export function freezeNote(freeze: DrillVerifierFacts['freeze'], recovery: DrillVerifierFacts['recovery']): string[] {
  switch (freeze) {
    case 'frozen':
      return [];
    case 'thawed':
      return [
        'IRIS was not frozen at the snapshot (its last freeze had already been thawed): the point is crash-consistent for IRIS',
      ];
    case 'none':
      return [
        `IRIS was not frozen at the snapshot: the point is only file-system-consistent${recovery === 'recovered' ? '; crash recovery (WIJ and journal) ran at start and completed' : ''}`,
      ];
    case 'unknown':
      return ['the freeze state at the snapshot could not be read from messages.log'];
  }
}

export function drillOutcomeOf(
  v: DrillVerifierFacts,
  integrity: IntegrityVerdict | undefined,
  at: string,
): DrillOutcome {
  const notes = freezeNote(v.freeze, v.recovery);
  if (v.isolation === 'breached')
    return inconclusive(
      'isolation',
      `the restored VM reached production at ${v.reached ?? 'an address of the source VM'}, so IRIS was not started on it: fix the drill network's isolation`,
      at,
      notes,
    );
  if (v.isolation !== 'ok')
    return inconclusive(
      'isolation',
      'the verifier could not show that the restored VM is cut off from production, so IRIS was not started',
      at,
      notes,
    );
  if (v.iris === 'down')
    return failed(
      'iris',
      `IRIS did not come up on the restored copy${v.irisSeconds === undefined ? '' : ` within ${v.irisSeconds} s`}`,
      at,
      notes,
    );
  if (v.recovery === 'failed')
    return failed(
      'iris',
      'crash recovery failed when IRIS started on the restored copy (see the evidence lines)',
      at,
      notes,
    );
  if (v.iris !== 'up') return inconclusive('verify', `the verifier did not report IRIS up (iris=${v.iris})`, at, notes);
  const result = integrity;
  if (result === undefined || v.integrity === 'not-run')
    return inconclusive('integrity', 'the integrity check did not run', at, notes);
  const notMounted = result.databases.filter((d) => d.status === 'not-mounted').map((d) => d.directory);
  // A database missing from the copy also counts its globals Not OK: name it as missing, not as corrupt.
  if (result.status === 'errors' && result.databases.some((d) => d.status === 'errors')) {
    const where = result.databases.filter((d) => d.status === 'errors').map((d) => d.directory);
    return failed(
      'integrity',
      `the integrity check found ${result.errorCount} global(s) Not OK in ${where.join(', ')}${notMounted.length > 0 ? `; not mounted: ${notMounted.join(', ')}` : ''}`,
      at,
      notes,
    );
  }
  if (notMounted.length > 0)
    return failed(
      'integrity',
      `database(s) not mounted on the restored copy (missing from the backup?): ${notMounted.join(', ')}`,
      at,
      notes,
    );
  if (result.status === 'errors')
    return failed('integrity', `the integrity check found ${result.errorCount} global(s) Not OK`, at, notes);
  if (result.status === 'incomplete')
    return inconclusive(
      'integrity',
      `the integrity check is incomplete: ${result.messages.join('; ') || 'no database was reported'}`,
      at,
      notes,
    );
  return {
    verdict: 'passed',
    reason: `IRIS came up and every database (${result.databases.length}) passed the integrity check`,
    notes,
    at,
  };
}
