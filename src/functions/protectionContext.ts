/**
 * The process-wide dependencies of the function handlers: settings are loaded once per process (a ConfigError stops
 * start-up, see index.ts), and each invocation gets them with its own log.
 */
import type { InvocationContext } from '@azure/functions';
import { createEvidenceSource, createHeartbeatStore, createProtectionDeps } from '../composition/composition';
import type { EvidenceSource } from '../shared/evidence/evidenceSource';
import type { ProtectionDeps, ProtectionLog } from '../shared/protection/protectionDeps';
import type { HeartbeatStore } from '../shared/store/tableHeartbeatStore';

let deps: ProtectionDeps | undefined;

export function protectionDeps(): ProtectionDeps {
  return (deps ??= createProtectionDeps(process.env));
}

/** For tests and tools that build the dependencies themselves (e.g. against the sandbox). */
export function setProtectionDeps(next: ProtectionDeps | undefined): void {
  deps = next;
  source = undefined;
  heartbeats = undefined;
}

let source: EvidenceSource | undefined;

/** What the evidence API reads, over the same tables as the protection deps' settings. */
export function evidenceSource(): EvidenceSource {
  const d = protectionDeps();
  return (source ??= createEvidenceSource(d.settings, { warn: (m, x) => d.log.warn(m, x) }));
}

/** For tests: the source over the sandbox's storage (with the credential they use). */
export function setEvidenceSource(next: EvidenceSource | undefined): void {
  source = next;
}

let heartbeats: HeartbeatStore | undefined;

/** Where the advance tick records that it ran (the health endpoint reads it), beside the runs table. */
export function heartbeatStore(): HeartbeatStore {
  return (heartbeats ??= createHeartbeatStore(protectionDeps().settings));
}

/** For tests: the store over the sandbox's storage (with the credential they use). */
export function setHeartbeatStore(next: HeartbeatStore | undefined): void {
  heartbeats = next;
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
