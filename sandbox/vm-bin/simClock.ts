/**
 * How a simulated VM's processes see the sandbox's time: `sandbox/vm-bin/clock/date` (a shim ahead of the real
 * `date` on PATH) shifts the real time by IBG_SIM_CLOCK_OFFSET_MS (sandbox time minus real time, in ms).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SIM_CLOCK_OFFSET_ENV = 'IBG_SIM_CLOCK_OFFSET_MS';

/** The directory holding only the `date` shim (from ts-jest or from dist/, like the iris simulator). */
export const SIM_CLOCK_BIN_DIR =
  [path.join(__dirname, 'clock'), path.join(__dirname, '../../../sandbox/vm-bin/clock')].find((p) =>
    fs.existsSync(path.join(p, 'date')),
  ) ?? path.join(__dirname, 'clock');

/** Environment that makes the shim follow `offsetMs` (sandbox time minus real time). */
export function simClockEnv(offsetMs: number): Record<string, string> {
  return { [SIM_CLOCK_OFFSET_ENV]: String(Math.round(offsetMs)) };
}
