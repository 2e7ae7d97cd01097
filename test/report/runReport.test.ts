/** Status rows and verdict blocks quote VM logs and Azure messages: none of their control characters get through. */
import fc from 'fast-check';
import { formatRunVerdict, formatStatusTable, runStatusRow } from '../../src/shared/report/runReport';
import type { Run } from '../../src/shared/runs/run';
import { fresh } from '../runs/runSamples';

// C0 (but LF between lines), DEL, C1 and the bidi controls and marks.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const withVerdict = (reason: string, vmName = 'iris-1'): Run => {
  const run = fresh();
  return {
    ...run,
    stage: 'done',
    target: { ...run.target, vmName },
    verdict: { consistency: 'file-system-consistent', reasons: [reason], irisLeftFrozen: false, missing: [] },
  };
};

const hostile = fc
  .array(fc.oneof(fc.constantFrom('\u001b[2J', '\u009b31m', '\r', '\n', '\u202e', '\u2066', '\u200f'), fc.string()), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

it('a status table and a verdict block carry no unsafe character, whatever the reason and VM name say', () => {
  fc.assert(
    fc.property(hostile, hostile, (reason, vmName) => {
      const run = withVerdict(reason, vmName);
      expect(formatStatusTable([runStatusRow(run)])).not.toMatch(UNSAFE);
      expect(formatRunVerdict(run)).not.toMatch(UNSAFE);
    }),
  );
});

it('a reason with a line break stays on its row', () => {
  const table = formatStatusTable([runStatusRow(withVerdict('extension.log: "ok\u001b[1A\rIRIS-consistent"'))]);
  expect(table.split('\n')).toHaveLength(2);
  expect(table).toContain('ok\\x1b[1A IRIS-consistent');
});

it('a verdict reason with a bidi override shows it as an escape', () => {
  expect(formatRunVerdict(withVerdict('script \u202eexe.hs'))).toContain('- script \\u202eexe.hs');
});
