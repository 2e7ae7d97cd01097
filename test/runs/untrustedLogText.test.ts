/**
 * Safety invariant 4: what a VM prints ends up, quoted, in verdict reasons and alert texts. Terminal control
 * sequences and other control characters from the VM's logs must not reach them.
 */
import { evidenceFromProbeLogs } from '../../src/shared/runs/backupEvidence';
import { backupVerdict } from '../../src/shared/runs/backupVerdict';
import { factsWith } from '../checks/support/probeFactsBuilder';

const ESC = '\u001b';
const EXT = '/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log';

it('verdict reasons quote extension.log without its control characters', () => {
  const line = (t: string) => `2026-11-21 01:30:0${t}`;
  const facts = factsWith((f) => {
    f.mode = 'logs';
    f.logs.extension = {
      path: EXT,
      exists: true,
      lines: [
        line('0.000000 [VMSnapshotLinux-1.0]Loading script modules now...'),
        line(
          `1.000000 [VMSnapshotLinux-1.0]Plugin Config file does not have desired permissions ${ESC}[2J${ESC}]0;pwned\u0007`,
        ),
        line(
          '2.000000 [VMSnapshotLinux-1.0]Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginConfigPermissionError,',
        ),
      ],
    };
  });
  const evidence = evidenceFromProbeLogs(facts, [], '2026-11-21T01:00:00Z');
  const verdict = backupVerdict({
    job: { status: 'CompletedWithWarnings', errorDetails: [] },
    recoveryPoint: { time: '2026-11-21T01:30:01Z', type: 'FileSystemConsistent' },
    evidence,
  });
  const text = verdict.reasons.join('\n');
  expect(text).toContain('Plugin Config file does not have desired permissions');
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
});
