/**
 * The one composition root, for the functions and the CLI alike: the place that reads settings and picks the
 * gateways, the store and the clock. Tests pass overrides (a fake credential, the sandbox clock); nothing else
 * differs. Each entry point asks only for what it needs: the whole app (`createProtectionDeps`), the runs table
 * alone (`createRunRepository`, for `status`), or one VM's Run Commands (`createVmAccess`, for `check` and `install`).
 */
import { systemClock, type Clock } from '../shared/clock/clock';
import { loadSettings, loadVmAccessSettings, type Settings, type VmAccessSettings } from '../shared/config/settings';
import type { TableGateway } from '../shared/azure/tableGateway';
import type { LogQueryGateway } from '../shared/azure/logQueryGateway';
import type { VmCommandGateway } from '../shared/azure/vmCommandGateway';
import type { TokenCredential } from '../shared/gateways/azureCredential';
import { createGateways, createRunsTableGateway, createVmCommandGateway } from '../shared/gateways/createGateways';
import { decodeRun } from '../shared/runs/decodeRun';
import type { Run } from '../shared/runs/run';
import { TableRunStore } from '../shared/store/tableRunStore';
import { runSummaryOf } from '../shared/evidence/runSummary';
import type { EvidenceSource } from '../shared/evidence/evidenceSource';
import { TableEvidenceIndex, type EvidenceIndex } from '../shared/store/tableEvidenceIndex';
import { indexedRunRepository } from '../shared/protection/indexedRunRepository';
import { tableEvidenceSource } from '../shared/protection/tableEvidenceSource';
import { TableDrillRecordStore, type DrillRecordStore } from '../shared/store/drillRecordStore';
import { TableLeaseStore } from '../shared/store/tableLeaseStore';
import { TableEventLedger } from '../shared/store/tableEventLedger';
import { TableNightLedger } from '../shared/store/tableNightLedger';
import { TableAlertStore } from '../shared/store/tableAlertStore';
import { TableHeartbeatStore, type HeartbeatStore } from '../shared/store/tableHeartbeatStore';
import { createNotificationTargets } from '../shared/gateways/notifiers/createNotificationTargets';
import { createTableGateway } from '../shared/gateways/sdkTableGateway';
import { getDefaultCredential } from '../shared/gateways/azureCredential';
import { ConfigError } from '../shared/errors/appError';
import type { ProtectionDeps, ProtectionLog } from '../shared/protection/protectionDeps';
import type { RunRepository } from '../shared/protection/runRepository';
import { runIndexOf, runRepositoryOf, type RunIndex } from '../shared/protection/runRepositoryOf';

export interface ProtectionOverrides {
  credential?: TokenCredential;
  clock?: Clock;
  /**
   * How the follow-up reads wait (followUpScripts.ts). Default: a real timer with the system clock, none with a
   * clock override (a test's sandbox clock would not move while a real timer waits; tests pass one that moves it).
   */
  pause?: (ms: number) => Promise<void>;
  log?: ProtectionLog;
  /** Replace any part after it was built (e.g. wrap a gateway to inject a crash). */
  wrap?: (deps: ProtectionDeps) => ProtectionDeps;
}

const realPause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
  const evidenceIndex = createEvidenceIndex(settings, {
    credential: overrides.credential,
    warn: (m, d) => log.warn(m, d),
  });
  const deps: ProtectionDeps = {
    settings,
    gateways: { backup: gateways.backup, compute: gateways.compute },
    // Every run write keeps the evidence index (the dashboard's fleet and VM history) in step.
    store: indexedRunRepository(
      createRunRepository(settings, { credential: overrides.credential, warn: (m, d) => log.warn(m, d) }),
      evidenceIndex,
      (m, d) => log.warn(m, d),
    ),
    evidenceIndex,
    clock: overrides.clock ?? systemClock,
    log,
    leases: new TableLeaseStore(sideTable(settings, 'leases', overrides.credential)),
    // Event Grid and the alert intake deliver at least once: the ledger keeps what was acted on (and what was not).
    events: new TableEventLedger(sideTable(settings, 'events', overrides.credential)),
    // A nightly call cut short is made again by the next advance tick.
    nights: new TableNightLedger(sideTable(settings, 'nights', overrides.credential)),
    // Every alert is recorded (with its dedup state) even with no target set: the log gets it either way.
    notifications: {
      store: new TableAlertStore(sideTable(settings, 'alerts', overrides.credential), {
        warn: (m, d) => log.warn(m, d),
      }),
      targets: createNotificationTargets(settings.alerts, () => overrides.credential ?? getDefaultCredential()),
    },
  };
  const pause = overrides.pause ?? (overrides.clock === undefined ? realPause : undefined);
  if (pause !== undefined) deps.pause = pause;
  if (settings.drills !== undefined) {
    if (gateways.evidence === undefined) {
      throw new ConfigError(
        'IBG_EVIDENCE_CONTAINER_URL',
        "IBG_EVIDENCE_CONTAINER_URL: drills are enabled but no evidence container is set; drills keep each verifier's whole output there. Example: https://<account>.blob.core.windows.net/ibg-evidence",
      );
    }
    deps.gateways.drills = gateways.drills;
    deps.gateways.evidence = gateways.evidence;
    deps.drillRecords = createDrillRecordStore(settings, overrides.credential);
  }
  return overrides.wrap ? overrides.wrap(deps) : deps;
}

export interface RunRepositoryOptions {
  /** For a table endpoint; a connection string carries its own key. DefaultAzureCredential when absent. */
  credential?: TokenCredential | undefined;
  warn: (message: string, details?: Record<string, unknown>) => void;
  /** Wraps the table before the store uses it (`status` passes a read-only view). */
  table?: (table: TableGateway) => TableGateway;
}

/** The runs, stored in the runs table (IBG_RUNS_TABLE_ENDPOINT or IBG_RUNS_TABLE_CONNECTION_STRING). */
export function createRunRepository(settings: Settings, options: RunRepositoryOptions): RunRepository {
  const table = createRunsTableGateway(settings, options.credential);
  const store = new TableRunStore<Run, RunIndex>(options.table ? options.table(table) : table, {
    indexOf: runIndexOf,
    decode: decodeRun,
    summaryOf: runSummaryOf,
    logger: { warn: (m, d) => options.warn(m, d) },
  });
  return runRepositoryOf(store);
}

/** The fleet index and the VMs' histories (`<runs table>fleet`, `<runs table>history`). */
export function createEvidenceIndex(settings: Settings, options: RunRepositoryOptions): EvidenceIndex {
  const wrap = options.table ?? ((table: TableGateway) => table);
  return new TableEvidenceIndex(
    wrap(sideTable(settings, 'fleet', options.credential)),
    wrap(sideTable(settings, 'history', options.credential)),
    { warn: (m, d) => options.warn(m, d) },
  );
}

/**
 * What the dashboard, the API and the evidence export read: the runs, the evidence index and the alerts, each read
 * by partition. `status`-style callers pass the read-only table view: nothing is created or written.
 */
export function createEvidenceSource(settings: Settings, options: RunRepositoryOptions): EvidenceSource {
  const wrap = options.table ?? ((table: TableGateway) => table);
  return tableEvidenceSource(
    createRunRepository(settings, options),
    createEvidenceIndex(settings, options),
    new TableAlertStore(wrap(sideTable(settings, 'alerts', options.credential)), {
      warn: (m, d) => options.warn(m, d),
    }),
  );
}

/**
 * Drill records, in a table of their own next to the runs (`<runs table>drills`), insert-only: a record is never
 * rewritten.
 */
export function createDrillRecordStore(
  settings: Settings,
  credential?: TokenCredential,
  /** Wraps the table before the store uses it (`status` passes a read-only view). */
  wrapTable: (table: TableGateway) => TableGateway = (table) => table,
): DrillRecordStore {
  return new TableDrillRecordStore(wrapTable(sideTable(settings, 'drills', credential)));
}

/** The timers' heartbeats (`<runs table>health`): the advance tick writes one, the health endpoint reads it. */
export function createHeartbeatStore(settings: Settings, credential?: TokenCredential): HeartbeatStore {
  return new TableHeartbeatStore(sideTable(settings, 'health', credential));
}

/**
 * A table beside the runs table, in the same account, named `<runs table><suffix>` (drills, alerts, leases,
 * events): each holds one kind of record, so no listing of one ever has to skip another's rows.
 */
export function sideTable(settings: Settings, suffix: string, credential?: TokenCredential): TableGateway {
  return createTableGateway(
    { ...settings.runsTable, tableName: `${settings.runsTable.tableName}${suffix}`.slice(0, 63) },
    () => credential ?? getDefaultCredential(),
  );
}

/** The Log Analytics queries of the daily reconcile (AZURE_LOGS_ENDPOINT, the workspace's Log Analytics Reader). */
export function createLogQueryGateway(settings: Settings, credential?: TokenCredential): LogQueryGateway {
  return createGateways(settings, credential ?? getDefaultCredential()).logs;
}

export interface VmAccess {
  settings: VmAccessSettings;
  compute: VmCommandGateway;
}

/**
 * What `check --vm` and `install --vm` need to reach one VM: a credential and the few settings of a Run Command
 * (the ARM endpoint, its time limit, the poll interval). Nothing about vaults, enrolment or the runs table: an
 * operator checks or fixes a VM from a laptop with `az login` and the VM's id, before the app is deployed. The
 * settings are read before `signIn` is called, so a bad setting is reported without a sign-in attempt.
 */
export async function createVmAccess(
  env: Record<string, string | undefined>,
  signIn: () => Promise<TokenCredential>,
): Promise<VmAccess> {
  const settings = loadVmAccessSettings(env);
  return { settings, compute: createVmCommandGateway(settings, await signIn()) };
}
