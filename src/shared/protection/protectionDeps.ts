/** Everything the protection use cases touch, built once in composition.ts (or by a test). */
import { alertLine, type Alert, type AlertScope } from '../alerts/alert';
import type { Clock } from '../clock/clock';
import type { Settings } from '../config/settings';
import type { BackupGateway } from '../azure/backupGateway';
import type { VmCommandGateway } from '../azure/vmCommandGateway';
import type { DrillResourceGateway, EvidenceStore } from '../azure/drillResources';
import type { DrillRecordStore } from '../store/drillRecordStore';
import type { RunRepository } from './runRepository';
import type { AlertRepository } from '../alerts/alertRepository';
import type { NotificationTarget } from '../alerts/notificationTarget';
import type { LeaseRepository } from '../store/leaseRepository';
import type { EventLedger } from './eventLedger';
import type { NightLedger } from './nightLedger';
import type { EvidenceIndex } from '../store/tableEvidenceIndex';

export interface ProtectionLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** An alert about one run; `runId` and `vmId` repeat its scope for the readers that only know runs. */
export interface RunAlert extends Alert {
  scope: Extract<AlertScope, { kind: 'run' }>;
  runId: string;
  vmId: string;
}

export const runAlert = (a: Omit<RunAlert, 'scope'>): RunAlert => ({
  ...a,
  scope: { kind: 'run', runId: a.runId, vmId: a.vmId },
});

/** Where alerts go. Until the alert channel exists they are logged; `severity` picks the log level. */
export interface AlertSink {
  raise(alert: Alert): Promise<void>;
}

export interface ProtectionDeps {
  settings: Settings;
  /** `drills` and `evidence`: wired when drills are on (IBG_DRILL_ENABLED). */
  gateways: {
    backup: BackupGateway;
    compute: VmCommandGateway;
    drills?: DrillResourceGateway;
    evidence?: EvidenceStore;
  };
  store: RunRepository;
  /** Drill records (insert-only); wired when drills are on. */
  drillRecords?: DrillRecordStore;
  clock: Clock;
  log: ProtectionLog;
  /** Absent: alerts are written to `log`. */
  alerts?: AlertSink;
  /**
   * The alert outbox and its targets: absent, alerts are only logged (the CLI). Every alert is logged either way.
   */
  notifications?: Notifications;
  /** Leases per VM (one remediation at a time); absent, remediation is refused rather than run unguarded. */
  leases?: LeaseRepository;
  /**
   * Waits inside an invocation, for the follow-up reads of urgent scripts (followUpScripts.ts): the Functions app
   * passes a real timer, tests one that moves the sandbox clock; absent, results wait for the next tick.
   */
  pause?: (ms: number) => Promise<void>;
  /** Events and alerts received (insert-only, deduplicated by id); absent, every delivery is acted on. */
  events?: EventLedger;
  /** Which nights' nightly calls finished; absent, a call cut short is not resumed (nightLedger.ts). */
  nights?: NightLedger;
  /** The fleet index and VM histories; `store` writes it with each run, the nightly call repairs it. */
  evidenceIndex?: EvidenceIndex;
}

export interface Notifications {
  store: AlertRepository;
  /** Configured targets only; routing by severity is in alerts/alertRouting.ts. */
  targets: NotificationTarget[];
}

export const logAlertSink = (log: ProtectionLog): AlertSink => ({
  raise: async (alert) => {
    const write = alert.severity === 'critical' || alert.severity === 'error' ? log.error : log.warn;
    const { kind, ...scope } = alert.scope;
    write.call(log, alertLine(alert), {
      scope: kind,
      ...scope,
      ...(alert.failedCall === undefined ? {} : { failedCall: alert.failedCall }),
    });
  },
});
