/** Writes extension.log lines in the Python 3 format of HandlerUtil.log_py3 (reference/vmsnapshot.md §4.2). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const EXTENSION_LOG_PATH = '/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log';
const PREFIX = '[Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `str(datetime.utcnow())`: "YYYY-MM-DD HH:MM:SS.ffffff" (microseconds; the sandbox has milliseconds). */
export function formatPyUtc(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}000`
  );
}

export const formatExtensionLine = (at: Date, message: string): string => `${formatPyUtc(at)} ${PREFIX}${message}`;

export class ExtensionLogWriter {
  constructor(
    private readonly file: string,
    private readonly now: () => Date,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  write(messages: readonly string[]): void {
    if (messages.length === 0) return;
    const at = this.now();
    fs.appendFileSync(this.file, messages.map((m) => `${formatExtensionLine(at, m)}\n`).join(''));
  }
}
