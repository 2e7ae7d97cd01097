/**
 * Each log in its own time base: python 3 extension.log lines are UTC; python 2 lines, the extension's buffered
 * "Logs during Freeze" lines (Backuplogger's datetime.now()) and messages.log are the VM's local time. With the zone
 * the probe reports, the evidence puts all of them on one UTC timeline.
 */
import type { ProbeFacts, ProbeLogTail, ProbeTimeZone } from '../../src/shared/checks/probeFacts';
import { evidenceFromProbeLogs } from '../../src/shared/runs/backupEvidence';
import { backupVerdict } from '../../src/shared/runs/backupVerdict';

const PREFIX = '[Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]';
const LA: ProbeTimeZone = {
  name: 'America/Los_Angeles',
  source: 'localtime',
  offsetMinutes: -480,
  sinceOffsetMinutes: -480,
};
const SINCE = '2026-12-03T01:20:00.000Z';
const SNAPSHOT = '2026-12-03T01:30:00.000Z';

const file = (path: string) => ({ path, exists: false, isFile: false });
const tail = (path: string, lines: string[]): ProbeLogTail => ({ path, exists: true, lines, truncated: false });

function facts(extensionLines: string[], tz: ProbeTimeZone | undefined): ProbeFacts {
  const f: ProbeFacts = {
    v: 1,
    mode: 'logs',
    at: '2026-12-03T01:50:00Z',
    hostConf: file('/etc/azure/VMSnapshotPluginHost.conf'),
    config: file('/etc/azure/VMSnapshotScriptPluginConfig.json'),
    workloadConf: file('/etc/azure/workload.conf'),
    vmbackupConf: file('/etc/azure/vmbackup.conf'),
    extension: { versions: [] },
    iris: { present: true, command: 'iris', wd: [] },
    logs: {
      extension: tail('/var/log/azure/extension.log', extensionLines),
      messages: tail('/usr/irissys/mgr/messages.log', [
        '12/02/26-17:29:59:000 (7) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended',
        '12/02/26-17:30:04:000 (8) 0 [Utility.Event] Backup.General.ExternalThaw: System resumed',
      ]),
    },
  };
  if (tz) f.tz = tz;
  return f;
}

// A python 2 extension on a VM at UTC-8 (12/02 17:30 local is 12/03 01:30 UTC).
const PY2 = [
  `2026/12/02 17:29:57 ${PREFIX}Loading script modules now...`,
  `2026/12/02 17:29:58 ${PREFIX}Prescript for ScriptRunner successfully executed.`,
  `2026/12/02 17:30:00 ${PREFIX}T:S freeze, timeout value 60`,
  `2026/12/02 17:30:03 ${PREFIX}Postscript for ScriptRunner successfully executed.`,
];
// A python 3 extension: UTC lines, with the freeze block's buffered lines in local time.
const PY3_WITH_BLOCK = [
  `2026-12-03 01:29:57.000001 ${PREFIX}Loading script modules now...`,
  `2026-12-03 01:29:58.000001 ${PREFIX}Prescript for ScriptRunner successfully executed.`,
  `2026-12-03 01:30:03.000001 ${PREFIX}================== Logs during Freeze Start ==============`,
  '2026/12/02 17:30:00.000001  Info  T:S freeze, timeout value 60 ',
  '================== Logs during Freeze End ==============',
  `2026-12-03 01:30:03.500001 ${PREFIX}Postscript for ScriptRunner successfully executed.`,
];

const verdictOf = (f: ProbeFacts) =>
  backupVerdict({
    job: { status: 'Completed', errorDetails: [] },
    recoveryPoint: { type: 'AppConsistent', time: SNAPSHOT },
    evidence: evidenceFromProbeLogs(f, [], SINCE),
  });

describe('backup evidence from logs in the VM’s local time', () => {
  it.each([
    ['python 2 extension.log', PY2],
    ['python 3 extension.log with a local-time freeze block', PY3_WITH_BLOCK],
  ])('%s at UTC-8: the snapshot and the freeze on one UTC timeline', (_label, lines) => {
    const evidence = evidenceFromProbeLogs(facts(lines, LA), [], SINCE);
    expect(evidence.extension).toMatchObject({ pre: { outcome: 'succeeded' }, snapshotAt: '2026-12-03T01:30:00.000Z' });
    expect(evidence.iris).toMatchObject({
      frozenAt: '2026-12-03T01:29:59.000Z',
      thawedAt: '2026-12-03T01:30:04.000Z',
    });
    expect(verdictOf(facts(lines, LA))).toMatchObject({ consistency: 'iris-consistent', freezeWindowMs: 5000 });
  });

  it('without the zone (an older probe) the python 2 run falls before the window and is not found', () => {
    const evidence = evidenceFromProbeLogs(facts(PY2, undefined), [], SINCE);
    expect(evidence.extension).toBeUndefined();
    expect(evidence.unavailable).toContain(`extension.log (no backup run since ${SINCE})`);
  });
});

describe('a messages.log with no line in the window', () => {
  it('is evidence that IRIS logged no freeze, not a missing log', () => {
    const f = facts(PY2, LA);
    f.logs.messages = tail('/usr/irissys/mgr/messages.log', []);
    const evidence = evidenceFromProbeLogs(f, [], SINCE);
    expect(evidence.unavailable).not.toContain('messages.log');
    expect(evidence.iris?.frozenAt).toBeUndefined();
  });

  it('an absent messages.log (and no script log) is still unavailable', () => {
    const f = facts(PY2, LA);
    f.logs.messages = { path: '/usr/irissys/mgr/messages.log', exists: false, lines: [], truncated: false };
    expect(evidenceFromProbeLogs(f, [], SINCE).unavailable).toContain('messages.log');
  });
});
