/**
 * What a run keeps of the verifier's summary (drillOutcome.ts's DrillVerifierFacts): the parsed fields, with a
 * missing one read as 'unknown', and lists capped smaller than the parser's so a run stays a small table row.
 */
import type { DrillVerifierFacts } from './drillOutcome';
import { parseVerifierSummary } from './verifierSummary';

const KEEP_DATABASES = 40;
const KEEP_LINES = 12;

export function verifierFactsOf(output: string, exitCode: number | undefined): DrillVerifierFacts {
  const s = parseVerifierSummary(output);
  const facts: DrillVerifierFacts = {
    complete: s.complete,
    freeze: s.freeze ?? 'unknown',
    isolation: s.isolation ?? 'unknown',
    iris: s.iris ?? 'unknown',
    recovery: s.recovery ?? 'unknown',
    // A summary cut before its integrity line leaves the check unproven, not clean.
    integrity: s.integrity ?? (s.complete ? 'not-run' : 'unknown'),
    integrityErrors: s.errors ?? 0,
    databases: s.databaseResults.slice(0, KEEP_DATABASES),
    databasesMore: s.moreDatabases + Math.max(0, s.databaseResults.length - KEEP_DATABASES),
    stop: s.stop ?? 'unknown',
    lines: s.evidenceLines.slice(0, KEEP_LINES),
  };
  const rc = s.rc ?? exitCode;
  if (rc !== undefined) facts.exitCode = rc;
  if (s.journal !== undefined) facts.journal = s.journal;
  if (s.reached !== undefined) facts.reached = s.reached;
  if (s.irisSeconds !== undefined) facts.irisSeconds = s.irisSeconds;
  if (s.integritySeconds !== undefined) facts.integritySeconds = s.integritySeconds;
  return facts;
}
