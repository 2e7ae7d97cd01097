/**
 * Names for the Run Command resources the app creates on a VM: unique per purpose, night and attempt, and within
 * ARM's limits (letters, digits, '-', at most 80 characters).
 */
export type RunCommandPurpose = 'preflight' | 'logs' | 'verify' | 'check' | 'install' | 'frozen-check' | 'thaw';

/** Every Run Command the app creates starts with it: the nightly sweep removes only those. */
export const RUN_COMMAND_PREFIX = 'ibg-';

export const runCommandName = (purpose: RunCommandPurpose, at: Date, night?: string): string =>
  `${RUN_COMMAND_PREFIX}${purpose}-${night === undefined ? '' : `${night}-`}${at.getTime().toString(36)}`;
