/**
 * Names for the Run Command resources the app creates on a VM: unique per run, purpose and attempt, and within
 * ARM's limits (letters, digits, '-', at most 80 characters).
 */
export const runCommandName = (purpose: 'preflight' | 'logs', night: string, at: Date): string =>
  `ibg-${purpose}-${night}-${at.getTime().toString(36)}`;
