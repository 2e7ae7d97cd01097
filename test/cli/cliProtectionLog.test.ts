/** Alert and warning lines the CLI prints quote verdict reasons, hence VM logs: each stays one inert line. */
import { cliProtectionLog } from '../../src/cli/commands/backupCommand';
import { captureIo } from './cliIo';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

it.each([
  ['error', 'ALERT error BackupNotAppConsistent: vm1 (2026-11-21): extension.log: "x\u001b[2J\ny\u202ez\u009b"'],
  ['warn', 'ALERT warning PreflightBlockingFindings: vm1 (2026-11-21): \u2066hidden\u2069\r'],
] as const)('%s: one line, control and bidi characters as visible escapes', (level, message) => {
  const io = captureIo();
  cliProtectionLog(io)[level](message);
  const err = io.stderr();
  expect(err.split('\n')).toHaveLength(1);
  expect(err).not.toMatch(UNSAFE);
  expect(err).toMatch(/\\x1b\[2J|\\u2066hidden/);
});
