/**
 * Names for the Run Command resources the app creates on a VM: unique per purpose, night and attempt, and within
 * ARM's limits (letters, digits, '-', at most 80 characters).
 */
export type RunCommandPurpose = 'preflight' | 'logs' | 'check' | 'install';

export const runCommandName = (purpose: RunCommandPurpose, at: Date, night?: string): string =>
  `ibg-${purpose}-${night === undefined ? '' : `${night}-`}${at.getTime().toString(36)}`;
