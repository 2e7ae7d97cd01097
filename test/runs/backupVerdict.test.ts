import type { ProbeFacts, ProbeLogTail } from '../../src/shared/checks/probeFacts';
import { evidenceFromProbeLogs } from '../../src/shared/runs/backupEvidence';
import { backupVerdict, type BackupEvidence, type BackupVerdictInput } from '../../src/shared/runs/backupVerdict';

const completed = { status: 'Completed', errorDetails: [] };
const point = (type: string, time = '2026-03-10T01:33:05.000Z') => ({ type, time });
const frozenPair = { frozenAt: '2026-03-10T01:33:01.000', thawedAt: '2026-03-10T01:33:09.500' };

describe('backupVerdict', () => {
  it('IRIS-consistent: AppConsistent point, frozen before and thawed after the snapshot', () => {
    const v = backupVerdict({
      job: completed,
      recoveryPoint: point('AppConsistent'),
      evidence: {
        unavailable: [],
        extension: { pre: { outcome: 'succeeded' }, post: { outcome: 'succeeded' } },
        iris: frozenPair,
      },
    });
    expect(v).toEqual({
      consistency: 'iris-consistent',
      reasons: [
        'IRIS was frozen from 2026-03-10T01:33:01.000 to 2026-03-10T01:33:09.500 across the snapshot at 2026-03-10T01:33:05.000Z',
      ],
      frozenAt: frozenPair.frozenAt,
      thawedAt: frozenPair.thawedAt,
      freezeWindowMs: 8500,
      irisLeftFrozen: false,
      missing: [],
    });
  });

  it.each<[string, BackupVerdictInput, Partial<ReturnType<typeof backupVerdict>>]>([
    [
      'pre-script exited 5',
      {
        job: completed,
        recoveryPoint: point('FileSystemConsistent'),
        evidence: {
          unavailable: [],
          extension: { pre: { outcome: 'failed', exitCode: 5 }, post: { outcome: 'succeeded' } },
          iris: frozenPair,
        },
      },
      {
        consistency: 'file-system-consistent',
        failedScript: 'pre',
        extensionCode: 300,
        troubleshootingName: 'Pre-ScriptExecutionFailed',
        scriptExitCode: 5,
        irisLeftFrozen: false,
        reasons: [
          "Pre-ScriptExecutionFailed: the pre-script exited 5 (IRIS's success code, which the extension reads as failure)",
          'IRIS was nevertheless frozen from 2026-03-10T01:33:01.000 to 2026-03-10T01:33:09.500, across the snapshot at 2026-03-10T01:33:05.000Z',
        ],
      },
    ],
    [
      'Microsoft Caché sample after dos2unix: pre and post exit 5, IRIS thawed by the post-script',
      {
        job: { status: 'CompletedWithWarnings', errorDetails: [{ code: 300, recommendations: [] }] },
        recoveryPoint: point('FileSystemConsistent'),
        evidence: {
          unavailable: [],
          extension: { pre: { outcome: 'failed', exitCode: 5 }, post: { outcome: 'failed', exitCode: 5 } },
          iris: frozenPair,
        },
      },
      {
        consistency: 'file-system-consistent',
        failedScript: 'pre',
        extensionCode: 300,
        scriptExitCode: 5,
        irisLeftFrozen: false,
        reasons: [
          "Pre-ScriptExecutionFailed: the pre-script exited 5 (IRIS's success code, which the extension reads as failure)",
          "Post-ScriptExecutionFailed: the post-script exited 5 (IRIS's success code, which the extension reads as failure)",
          'IRIS was thawed at 2026-03-10T01:33:09.500, so the failed post-script did not leave it frozen',
          'IRIS was nevertheless frozen from 2026-03-10T01:33:01.000 to 2026-03-10T01:33:09.500, across the snapshot at 2026-03-10T01:33:05.000Z',
        ],
      },
    ],
    [
      'post-script failed and no thaw in the logs: IRIS may be left frozen',
      {
        job: completed,
        recoveryPoint: point('FileSystemConsistent'),
        evidence: {
          unavailable: [],
          extension: { pre: { outcome: 'succeeded' }, post: { outcome: 'failed', exitCode: 1 } },
          iris: { frozenAt: frozenPair.frozenAt, thawedAt: '2026-03-10T01:30:00.000' },
        },
      },
      { failedScript: 'post', extensionCode: 301, irisLeftFrozen: true },
    ],
    [
      'JSON owned by nobody, mode 644 (317, surfaced): the log names the cause',
      {
        job: { status: 'CompletedWithWarnings', errorDetails: [{ code: 317, recommendations: [] }] },
        recoveryPoint: point('FileSystemConsistent'),
        evidence: {
          unavailable: [],
          extension: {
            errorCode: 317,
            validationDetail: [
              'Plugin Config file does not have desired permissions',
              'The owner of the Plugin Config file /etc/azure/VMSnapshotScriptPluginConfig.json is nobody but not root',
            ],
          },
        },
      },
      {
        consistency: 'file-system-consistent',
        extensionCode: 317,
        troubleshootingName: 'PluginConfigPermissionError',
        irisLeftFrozen: false,
        reasons: [
          'PluginConfigPermissionError (code 317): the extension did not run the scripts; extension.log: "Plugin Config file does not have desired permissions", "The owner of the Plugin Config file /etc/azure/VMSnapshotScriptPluginConfig.json is nobody but not root"',
        ],
      },
    ],
    [
      'logs silent, the job says 317: the verdict takes the code from the job',
      {
        job: {
          status: 'CompletedWithWarnings',
          errorDetails: [
            { code: 100001, title: 'Other', recommendations: [] },
            {
              code: 317,
              title: 'IncorrectJSONConfigFile',
              message:
                "The VMSnapshotScriptPluginConfig.json file is incorrect, so backup can't run the prescript or postscript.",
              recommendations: [],
            },
          ],
        },
        recoveryPoint: point('FileSystemConsistent'),
        evidence: { unavailable: [], extension: { pre: { outcome: 'not-run' }, post: { outcome: 'not-run' } } },
      },
      {
        consistency: 'file-system-consistent',
        extensionCode: 317,
        troubleshootingName: 'PluginConfigPermissionError',
        reasons: [
          "PluginConfigPermissionError (code 317, from the backup job; the VM's logs do not say): The VMSnapshotScriptPluginConfig.json file is incorrect, so backup can't run the prescript or postscript.",
        ],
      },
    ],
    [
      'logs unreadable, the job says 301: the post-script failed, IRIS may be left frozen',
      {
        job: { status: 'CompletedWithWarnings', errorDetails: [{ code: 301, recommendations: [] }] },
        recoveryPoint: point('FileSystemConsistent'),
        evidence: { unavailable: ['extension.log', 'messages.log'] },
      },
      {
        extensionCode: 301,
        failedScript: 'post',
        irisLeftFrozen: true,
        reasons: ["Post-ScriptExecutionFailed (code 301, from the backup job; the VM's logs do not say)"],
      },
    ],
    [
      'config missing (316)',
      {
        job: completed,
        recoveryPoint: point('FileSystemConsistent'),
        evidence: { unavailable: [], extension: { fallbackCode: 316 }, iris: {} },
      },
      {
        consistency: 'file-system-consistent',
        extensionCode: 316,
        troubleshootingName: 'PluginConfigNotFound',
        reasons: [
          'PluginConfigNotFound (silent fallback, code 316): the extension skipped the scripts and took a file-system-consistent snapshot',
        ],
      },
    ],
    [
      'malformed config (305)',
      {
        job: completed,
        recoveryPoint: point('FileSystemConsistent'),
        evidence: { unavailable: [], extension: { fallbackCode: 305 } },
      },
      {
        consistency: 'file-system-consistent',
        troubleshootingName: 'IncorrectJSONConfigFile',
        reasons: [
          'IncorrectJSONConfigFile (silent fallback, code 305): the extension skipped the scripts and took a file-system-consistent snapshot',
        ],
      },
    ],
    [
      'post-script failed',
      {
        job: completed,
        recoveryPoint: point('FileSystemConsistent'),
        evidence: {
          unavailable: [],
          extension: { pre: { outcome: 'succeeded' }, post: { outcome: 'failed', exitCode: 1 } },
          iris: { frozenAt: frozenPair.frozenAt },
        },
      },
      {
        consistency: 'file-system-consistent',
        failedScript: 'post',
        extensionCode: 301,
        troubleshootingName: 'Post-ScriptExecutionFailed',
        irisLeftFrozen: true,
        reasons: [
          'Post-ScriptExecutionFailed: the post-script exited 1',
          'IRIS was frozen at 2026-03-10T01:33:01.000 and messages.log shows no thaw after it',
        ],
      },
    ],
    [
      'pre-script timed out',
      {
        job: completed,
        recoveryPoint: point('FileSystemConsistent'),
        evidence: { unavailable: [], extension: { pre: { outcome: 'timed-out' } } },
      },
      {
        consistency: 'file-system-consistent',
        extensionCode: 308,
        troubleshootingName: 'Pre-ScriptTimeout',
        failedScript: 'pre',
      },
    ],
    [
      'validation error surfaced (302)',
      {
        job: completed,
        recoveryPoint: point('FileSystemConsistent'),
        evidence: { unavailable: [], extension: { errorCode: 302 } },
      },
      {
        extensionCode: 302,
        troubleshootingName: 'Pre-ScriptNotFound',
        reasons: ['Pre-ScriptNotFound (code 302): the extension did not run the scripts'],
      },
    ],
    [
      'AppConsistent but IRIS never frozen',
      { job: completed, recoveryPoint: point('AppConsistent'), evidence: { unavailable: [], iris: {} } },
      {
        consistency: 'file-system-consistent',
        reasons: [
          'The recovery point is AppConsistent, but IRIS was not frozen: no "System suspended" in messages.log',
        ],
      },
    ],
    [
      'thawed before the snapshot',
      {
        job: completed,
        recoveryPoint: point('AppConsistent', '2026-03-10T01:34:00.000Z'),
        evidence: { unavailable: [], iris: frozenPair },
      },
      {
        consistency: 'file-system-consistent',
        reasons: ['IRIS was thawed at 2026-03-10T01:33:09.500, before the snapshot at 2026-03-10T01:34:00.000Z'],
      },
    ],
    [
      'IRIS still frozen when the logs were read',
      {
        job: completed,
        recoveryPoint: point('AppConsistent'),
        evidence: { unavailable: [], iris: { frozenAt: frozenPair.frozenAt, stillFrozenInstances: ['IRIS'] } },
      },
      { consistency: 'iris-consistent', irisLeftFrozen: true },
    ],
    [
      'crash-consistent point',
      { job: completed, recoveryPoint: point('CrashConsistent'), evidence: { unavailable: [] } },
      { consistency: 'crash-consistent', reasons: ['The recovery point is CrashConsistent'] },
    ],
    [
      'failed job',
      {
        job: { status: 'Failed', errorDetails: [{ code: 400, title: 'UserErrorVmNotRunning', recommendations: [] }] },
        recoveryPoint: null,
      },
      { consistency: 'failed', reasons: ['The backup job ended Failed: 400 UserErrorVmNotRunning'] },
    ],
    [
      'logs missing',
      {
        job: completed,
        recoveryPoint: point('AppConsistent'),
        evidence: { unavailable: ['extension.log', 'messages.log'] },
      },
      { consistency: 'unknown', missing: ['extension.log', 'messages.log'] },
    ],
    [
      'no recovery point',
      { job: completed, recoveryPoint: null, evidence: { unavailable: [] } },
      { consistency: 'unknown', missing: ['recovery point (none newer than the job start)'] },
    ],
    [
      'unknown point type',
      { job: completed, recoveryPoint: point('SomethingNew'), evidence: { unavailable: [] } },
      { consistency: 'unknown', missing: ["a known recovery point type (got 'SomethingNew')"] },
    ],
  ])('%s', (_name, input, expected) => {
    expect(backupVerdict(input)).toEqual(expect.objectContaining(expected));
  });
});

const EXT = (time: string, msg: string): string =>
  `2026-03-10 ${time} [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]${msg}`;
const tail = (path: string, lines: string[]): ProbeLogTail => ({ path, exists: true, lines });
const absentFile = { path: '/x', exists: false, isFile: false };

function logsFacts(logs: ProbeFacts['logs'], wd: ProbeFacts['iris']['wd'] = []): ProbeFacts {
  return {
    v: 1,
    mode: 'logs',
    at: '2026-03-10T02:05:00Z',
    hostConf: absentFile,
    config: absentFile,
    workloadConf: absentFile,
    vmbackupConf: absentFile,
    extension: { versions: ['Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9'] },
    iris: { present: true, command: 'iris', wd },
    logs,
  };
}

const HAPPY_EXTENSION = [
  EXT('01:33:00.100000', 'Loading script modules now...'),
  EXT('01:33:00.200000', 'Validate Scripts output: errorCode - 0 dobackup - True fsFreeze_on - True pollTime - 1'),
  EXT('01:33:00.300000', 'App Consistent Consistent Backup Enabled'),
  EXT('01:33:00.400000', 'Running prescript for ScriptRunner module...'),
  EXT('01:33:02.000000', 'Prescript for ScriptRunner successfully executed.'),
  EXT('01:33:05.000000', 'T:S freeze, timeout value 60'),
  EXT('01:33:06.000000', 'T:S thaw result True'),
  EXT('01:33:07.000000', 'Running postscript for ScriptRunner module...'),
  EXT('01:33:10.000000', 'Postscript for ScriptRunner successfully executed.'),
  EXT('01:33:11.000000', 'Enable Succeeded with App Consistent Snapshot'),
];
const MESSAGES = [
  '03/10/26-01:33:01:100 (2001) 0 [Utility.Event] Backup.General.ExternalFreeze: Suspending system',
  '03/10/26-01:33:01:900 (2001) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended',
  '03/10/26-01:33:09:000 (2002) 0 [Utility.Event] Backup.General.ExternalThaw: Resuming system',
  '03/10/26-01:33:09:400 (2002) 0 [Utility.Event] Backup.General.ExternalThaw: System resumed',
];
const SINCE = '2026-03-10T01:22:00.000Z';
const judge = (facts: ProbeFacts | undefined, type: string, problems: string[] = []) =>
  backupVerdict({
    job: completed,
    recoveryPoint: point(type),
    evidence: evidenceFromProbeLogs(facts, problems, SINCE),
  });

describe('backupVerdict from real log lines (through the parsers)', () => {
  it('happy path: IRIS-consistent with the freeze window from messages.log', () => {
    const v = judge(
      logsFacts({ extension: tail('extension.log', HAPPY_EXTENSION), messages: tail('messages.log', MESSAGES) }),
      'AppConsistent',
    );
    expect(v.consistency).toBe('iris-consistent');
    expect(v.frozenAt).toBe('2026-03-10T01:33:01.900');
    expect(v.thawedAt).toBe('2026-03-10T01:33:09.400');
    expect(v.freezeWindowMs).toBe(7500);
    expect(v.irisLeftFrozen).toBe(false);
  });

  it('pre-script exit 5: file-system-consistent with code 300', () => {
    const ext = [
      ...HAPPY_EXTENSION.slice(0, 4),
      EXT('01:33:02.000000', 'Prescript for ScriptRunner failed with error code: 5 .'),
      EXT('01:33:02.100000', 'Finished prescript execution from PluginHost side. Continue Backup: True'),
      ...HAPPY_EXTENSION.slice(5, 9),
    ];
    const v = judge(
      logsFacts({ extension: tail('extension.log', ext), messages: tail('messages.log', MESSAGES) }),
      'FileSystemConsistent',
    );
    expect(v).toEqual(
      expect.objectContaining({
        consistency: 'file-system-consistent',
        failedScript: 'pre',
        extensionCode: 300,
        scriptExitCode: 5,
        troubleshootingName: 'Pre-ScriptExecutionFailed',
      }),
    );
  });

  it('missing config: the silent 316 fallback', () => {
    const ext = [
      EXT('01:33:00.100000', 'Loading script modules now...'),
      EXT(
        '01:33:00.200000',
        'Plugin host file does not exist in the location /etc/azure/VMSnapshotScriptPluginConfig.json',
      ),
      EXT(
        '01:33:00.300000',
        'Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginConfigNotFound,',
      ),
      EXT('01:33:05.000000', 'T:S freeze, timeout value 60'),
    ];
    const v = judge(
      logsFacts({ extension: tail('extension.log', ext), messages: tail('messages.log', []) }),
      'FileSystemConsistent',
    );
    expect(v.extensionCode).toBe(316);
    expect(v.reasons[0]).toMatch(/^PluginConfigNotFound \(silent fallback, code 316\)/);
  });

  it('JSON owned by nobody, mode 644, as the sandbox logged it before the fallback line: 317 named with the cause', () => {
    const ext = [
      EXT('01:33:00.100000', 'Loading script modules now...'),
      EXT('01:33:00.200000', 'Permissions of the file /etc/azure/VMSnapshotScriptPluginConfig.json are 644'),
      EXT('01:33:00.300000', 'Plugin Config file does not have desired permissions'),
      EXT(
        '01:33:00.400000',
        'The owner of the Plugin Config file /etc/azure/VMSnapshotScriptPluginConfig.json is nobody but not root',
      ),
      EXT('01:33:05.000000', 'T:S freeze, timeout value 60'),
      EXT('01:33:05.100000', 'T:S thaw result 0'),
    ];
    const v = judge(
      logsFacts({ extension: tail('extension.log', ext), messages: tail('messages.log', []) }),
      'FileSystemConsistent',
    );
    expect(v.extensionCode).toBe(317);
    expect(v.reasons).toEqual([
      'PluginConfigPermissionError (code 317): the extension did not run the scripts; extension.log: "Plugin Config file does not have desired permissions", "The owner of the Plugin Config file /etc/azure/VMSnapshotScriptPluginConfig.json is nobody but not root"',
    ]);
  });

  it('Caché sample after dos2unix: pre and post exit 5, thawed in messages.log: not left frozen', () => {
    const ext = [
      ...HAPPY_EXTENSION.slice(0, 4),
      EXT('01:33:02.000000', 'Prescript for ScriptRunner failed with error code: 5 .'),
      EXT('01:33:02.100000', 'Finished prescript execution from PluginHost side. Continue Backup: True'),
      ...HAPPY_EXTENSION.slice(5, 8),
      EXT('01:33:10.000000', 'Postscript for ScriptRunner failed with error code: 5 .'),
      EXT('01:33:10.100000', 'Finished postscript execution from PluginHost side. Continue Backup: True'),
    ];
    const v = judge(
      logsFacts({ extension: tail('extension.log', ext), messages: tail('messages.log', MESSAGES) }, [
        { instance: 'CACHE', rc: 3 },
      ]),
      'FileSystemConsistent',
    );
    expect(v).toMatchObject({ extensionCode: 300, scriptExitCode: 5, failedScript: 'pre', irisLeftFrozen: false });
    expect(v.reasons[0]).toMatch(/^Pre-ScriptExecutionFailed: the pre-script exited 5 /);
  });

  it('post-script failure with IRIS still frozen: irisLeftFrozen', () => {
    const ext = [
      ...HAPPY_EXTENSION.slice(0, 8),
      EXT('01:33:10.000000', 'Postscript for ScriptRunner failed with error code: 1 .'),
    ];
    const v = judge(
      logsFacts({ extension: tail('extension.log', ext), messages: tail('messages.log', MESSAGES.slice(0, 2)) }, [
        { instance: 'IRIS', rc: 5 },
      ]),
      'AppConsistent',
    );
    expect(v.irisLeftFrozen).toBe(true);
    expect(v.failedScript).toBe('post');
    expect(v.reasons).toContain('IRIS instance IRIS was still frozen when the logs were read');
  });

  it('probe output missing: unknown, saying what is missing', () => {
    const v = judge(undefined, 'AppConsistent', ['Run Command ended TimedOut']);
    expect(v.consistency).toBe('unknown');
    expect(v.missing).toEqual(['probe output (Run Command ended TimedOut)']);
  });

  it('logs absent on the VM: unknown with both logs listed', () => {
    const v = judge(logsFacts({}), 'AppConsistent');
    expect(v.consistency).toBe('unknown');
    expect(v.missing).toEqual(['extension.log', 'messages.log']);
  });

  it('a log cut short without its freeze line proves nothing: unknown', () => {
    const cut = { ...tail('/usr/irissys/mgr/messages.log', MESSAGES.slice(2)), truncated: true };
    const v = judge(logsFacts({ extension: tail('extension.log', HAPPY_EXTENSION), messages: cut }), 'AppConsistent');
    expect(v.consistency).toBe('unknown');
    expect(v.missing).toEqual([
      "IRIS freeze lines (/usr/irissys/mgr/messages.log cut short by the probe's output budget)",
    ]);
  });

  it('our script log stands in for a missing messages.log', () => {
    const scripts = [
      '2026-03-10T01:33:01Z level=info script=pre event=frozen run=r1 instance=IRIS rc=5',
      '2026-03-10T01:33:08Z level=info script=post event=thawed run=r1 instance=IRIS rc=5',
    ];
    const v = judge(
      logsFacts({ extension: tail('extension.log', HAPPY_EXTENSION), scripts: tail('freeze-thaw.log', scripts) }),
      'AppConsistent',
    );
    expect(v.consistency).toBe('iris-consistent');
    expect(v.freezeWindowMs).toBe(7000);
  });

  it('ignores an earlier night freeze', () => {
    const old = ['03/09/26-01:33:01:900 (2001) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended'];
    const evidence: BackupEvidence = evidenceFromProbeLogs(
      logsFacts({ messages: tail('messages.log', old) }),
      [],
      SINCE,
    );
    expect(evidence.iris).toEqual({});
  });
});
