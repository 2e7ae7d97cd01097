import type { BackupImpact, Finding } from './finding';

/**
 * Impacts from best to worst; the worst one among the findings wins. `unknown` (we cannot predict the outcome) ranks
 * below every known degradation: a known fall-back is more useful to report than "cannot tell".
 */
export const IMPACT_ORDER: readonly BackupImpact[] = [
  'app-consistent',
  'unknown',
  'file-system-fallback',
  'no-snapshot',
  'iris-left-frozen',
];

/** What the next backup will be if nothing is fixed: the worst impact of all findings (app-consistent if none). */
export function summarizeNextBackup(findings: readonly Finding[]): BackupImpact {
  let worst = 0;
  for (const f of findings) worst = Math.max(worst, IMPACT_ORDER.indexOf(f.impact));
  return IMPACT_ORDER[worst] ?? 'unknown';
}

/** The words the CLI prints after "Next backup:". */
export const IMPACT_WORDS: Readonly<Record<BackupImpact, string>> = {
  'app-consistent': 'app-consistent',
  unknown: 'cannot be predicted',
  'file-system-fallback': 'falls back to file-system-consistent',
  'no-snapshot': 'takes no snapshot',
  'iris-left-frozen': 'may leave IRIS frozen',
};
