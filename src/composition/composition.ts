/**
 * The composition root of the protection use cases: the one place that reads settings and picks the gateways, the
 * store and the clock. Tests pass overrides (a fake credential, the sandbox clock); nothing else differs.
 */
import { systemClock, type Clock } from '../shared/clock/clock';
import { loadSettings } from '../shared/config/settings';
import type { TokenCredential } from '../shared/gateways/azureCredential';
import { createGateways, createRunsTableGateway } from '../shared/gateways/createGateways';
import { decodeRun } from '../shared/runs/decodeRun';
import type { Run } from '../shared/runs/run';
import { TableRunStore } from '../shared/store/tableRunStore';
import type { ProtectionDeps, ProtectionLog } from '../shared/protection/protectionDeps';
import { runRepositoryOf } from '../shared/protection/runRepositoryOf';

export interface ProtectionOverrides {
  credential?: TokenCredential;
  clock?: Clock;
  log?: ProtectionLog;
  /** Replace any part after it was built (e.g. wrap a gateway to inject a crash). */
  wrap?: (deps: ProtectionDeps) => ProtectionDeps;
}

export const consoleProtectionLog: ProtectionLog = {
  info: (message, details) => console.info(message, details ?? {}),
  warn: (message, details) => console.warn(message, details ?? {}),
  error: (message, details) => console.error(message, details ?? {}),
};

/** Throws ConfigError (naming every bad setting) when the environment is not a valid configuration. */
export function createProtectionDeps(
  env: Record<string, string | undefined>,
  overrides: ProtectionOverrides = {},
): ProtectionDeps {
  const settings = loadSettings(env);
  const log = overrides.log ?? consoleProtectionLog;
  const gateways = createGateways(settings, overrides.credential, { warn: (m, d) => log.warn(m, d) });
  const table = createRunsTableGateway(settings, overrides.credential);
  const store = new TableRunStore<Run, 'stage'>(table, {
    indexOf: (run) => ({ stage: run.stage }),
    decode: decodeRun,
    logger: { warn: (m, d) => log.warn(m, d) },
  });
  const deps: ProtectionDeps = {
    settings,
    gateways: { backup: gateways.backup, compute: gateways.compute },
    store: runRepositoryOf(store),
    clock: overrides.clock ?? systemClock,
    log,
  };
  return overrides.wrap ? overrides.wrap(deps) : deps;
}
