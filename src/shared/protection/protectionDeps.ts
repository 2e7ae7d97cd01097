/** Everything the protection use cases touch, built once in composition.ts (or by a test). */
import type { Severity } from '../checks/finding';
import type { Clock } from '../clock/clock';
import type { Settings } from '../config/settings';
import type { BackupGateway } from '../gateways/backupGateway';
import type { VmCommandGateway } from '../gateways/vmCommandGateway';
import type { RunRepository } from './runRepository';

export interface ProtectionLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface RunAlert {
  runId: string;
  vmId: string;
  severity: Severity;
  code: string;
  message: string;
  at: string;
}

/** Where alerts go. Until the alert channel exists they are logged; `severity` picks the log level. */
export interface AlertSink {
  raise(alert: RunAlert): Promise<void>;
}

export interface ProtectionDeps {
  settings: Settings;
  gateways: { backup: BackupGateway; compute: VmCommandGateway };
  store: RunRepository;
  clock: Clock;
  log: ProtectionLog;
  /** Absent: alerts are written to `log`. */
  alerts?: AlertSink;
}

export const logAlertSink = (log: ProtectionLog): AlertSink => ({
  raise: async (alert) => {
    const write = alert.severity === 'critical' || alert.severity === 'error' ? log.error : log.warn;
    write.call(log, `ALERT ${alert.severity} ${alert.code}: ${alert.message}`, {
      runId: alert.runId,
      vmId: alert.vmId,
    });
  },
});
