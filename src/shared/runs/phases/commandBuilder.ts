/** Builds the commands a decision returns; every one names the run and its VM. */
import type { Run } from '../run';
import type { RunCommand } from '../runCommand';
import { capText } from '../runLimits';

/** An alert quotes reasons that may carry Azure's or a VM's text; a log line or a message needs no more. */
const ALERT_MESSAGE_CHARS = 4_000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A command as a phase writes it: the builder adds the run's id and VM (unless it names another VM). */
export type CommandSpec = DistributiveOmit<RunCommand, 'runId' | 'vmId'> & { vmId?: string };

export class CommandBuilder {
  readonly list: RunCommand[] = [];
  constructor(private readonly run: Run) {}
  private get base(): { runId: string; vmId: string } {
    return { runId: this.run.id, vmId: this.run.target.vmId };
  }
  add(cmd: CommandSpec): void {
    const { vmId, ...rest } = cmd;
    this.list.push({ ...this.base, ...(vmId === undefined ? {} : { vmId }), ...rest } as RunCommand);
  }
  alert(severity: 'critical' | 'error' | 'warning' | 'info', code: string, message: string): void {
    const text = `${this.run.target.vmName} (${this.run.night}): ${message}`;
    this.add({ type: 'Alert', severity, code, message: capText(text, ALERT_MESSAGE_CHARS) });
  }
}
