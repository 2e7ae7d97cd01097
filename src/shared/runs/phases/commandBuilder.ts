/** Builds the commands a decision returns; every one names the run and its VM. */
import type { PendingAlert, Run } from '../run';
import type { RunCommand } from '../runCommand';
import { capText } from '../runLimits';

/** An alert quotes reasons that may carry Azure's or a VM's text; a log line or a message needs no more. */
const ALERT_MESSAGE_CHARS = 4_000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A command as a phase writes it: the builder adds the run's id and VM (unless it names another VM). */
export type CommandSpec = DistributiveOmit<Exclude<RunCommand, { type: 'Alert' }>, 'runId' | 'vmId'> & {
  vmId?: string;
};

/** An alert as a phase decides it; decide gives it its id and keeps it in the run's outbox (alertOutbox.ts). */
export type AlertSpec = Omit<PendingAlert, 'id' | 'at'>;

/** What an alert can say besides its message. */
export type AlertDetails = Pick<PendingAlert, 'classification' | 'evidence' | 'fix'>;

export class CommandBuilder {
  /** Alert commands go first: what was decided is told before what it leads to is done. */
  private readonly alertCommands: RunCommand[] = [];
  private readonly others: RunCommand[] = [];
  /** Alerts decided, in order; not commands yet (see alertOutbox.ts). */
  readonly alerts: AlertSpec[] = [];
  constructor(private readonly run: Run) {}
  get list(): RunCommand[] {
    return [...this.alertCommands, ...this.others];
  }
  private get base(): { runId: string; vmId: string } {
    return { runId: this.run.id, vmId: this.run.target.vmId };
  }
  add(cmd: CommandSpec): void {
    const { vmId, ...rest } = cmd;
    this.others.push({ ...this.base, ...(vmId === undefined ? {} : { vmId }), ...rest } as RunCommand);
  }
  alert(
    severity: 'critical' | 'error' | 'warning' | 'info',
    code: string,
    message: string,
    details: AlertDetails = {},
  ): void {
    this.alerts.push({ severity, code, message: this.text(message), ...details });
  }
  /** The Alert command that records a pending alert of the run (alertOutbox.ts). */
  recordAlert(a: PendingAlert): void {
    this.alertCommands.push({
      ...this.base,
      type: 'Alert',
      alertId: a.id,
      severity: a.severity,
      code: a.code,
      message: a.message,
    });
  }
  /** The problem `code` on this VM is over: announced once, and only where the problem was announced. */
  recover(code: string, message: string, severity: AlertSpec['severity'] = 'info'): void {
    this.alerts.push({ severity, code, message: this.text(message), kind: 'recovery' });
  }
  private text(message: string): string {
    return capText(`${this.run.target.vmName} (${this.run.night}): ${message}`, ALERT_MESSAGE_CHARS);
  }
}
