/**
 * The process-wide dependencies of the function handlers: settings are loaded once per process (a ConfigError stops
 * start-up, see index.ts), and each invocation gets them with its own log.
 */
import type { InvocationContext } from '@azure/functions';
import { createProtectionDeps } from '../composition/composition';
import type { ProtectionDeps, ProtectionLog } from '../shared/protection/protectionDeps';

let deps: ProtectionDeps | undefined;

export function protectionDeps(): ProtectionDeps {
  return (deps ??= createProtectionDeps(process.env));
}

/** For tests and tools that build the dependencies themselves (e.g. against the sandbox). */
export function setProtectionDeps(next: ProtectionDeps | undefined): void {
  deps = next;
}

export const invocationLog = (context: InvocationContext): ProtectionLog => ({
  info: (message, details) => context.log(message, details ?? {}),
  warn: (message, details) => context.warn(message, details ?? {}),
  error: (message, details) => context.error(message, details ?? {}),
});

export const depsFor = (context: InvocationContext): ProtectionDeps => ({
  ...protectionDeps(),
  log: invocationLog(context),
});
