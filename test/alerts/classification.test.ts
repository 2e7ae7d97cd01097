/**
 * classifyBackup from realistic logs: the fixtures under test/fixtures/logs go through the probe facts and
 * evidenceFromProbeLogs exactly as the assess phase builds its verdict, then the verdict and evidence are classified.
 */
import {
  FREEZE_LIMIT_MS,
  classifyBackup,
  classifyTransferFailure,
  type Classification,
  type ClassificationInput,
} from '../../src/shared/alerts/classification';
import type { JobErrorDetail } from '../../src/shared/azure/backupGateway';
import type { ProbeFacts, ProbeLogTail } from '../../src/shared/checks/probeFacts';
import { evidenceFromProbeLogs } from '../../src/shared/runs/backupEvidence';
import { backupVerdict } from '../../src/shared/runs/backupVerdict';
import { readFixture } from '../parsers/readFixture';

const EXT_LOG = '/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log';
const MESSAGES_LOG = '/usr/irissys/mgr/messages.log';
const SCRIPTS_LOG = '/var/log/iris-backup-guard/freeze-thaw.log';
const SINCE = '2026-11-21T01:20:00.000Z';
const POINT_TIME = '2026-11-21T01:30:07.000Z';
const VM =
  '/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-iris/providers/Microsoft.Compute/virtualMachines/iris-prod-01';

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const tail = (path: string, l: string[]): ProbeLogTail => ({ path, exists: true, lines: l });
const absent = (path: string) => ({ path, exists: false, isFile: false });

/** IRISMeister's messages.log freeze and thaw (fixture), moved to this night: frozen 01:30:04.347, thawed 01:30:15.411. */
const messagesTonight = (text = readFixture('messages-irismeister-freeze.log')): string[] =>
  lines(text)
    .filter((l) => l.startsWith('08/11/21-05:49'))
    .map((l) =>
      l.replace(/^08\/11\/21-05:49:4/, '11/21/26-01:30:0').replace(/^08\/11\/21-05:49:5/, '11/21/26-01:30:1'),
    );
const FROZEN_ONLY = messagesTonight().filter((l) => !l.includes('ExternalThaw'));

interface Logs {
  extension?: string;
  messages?: string[];
  scripts?: string;
  wd?: { instance: string; rc: number }[];
  configExists?: boolean;
}

function logsFacts(logs: Logs): ProbeFacts {
  const f: ProbeFacts = {
    v: 1,
    mode: 'logs',
    at: '2026-11-21T02:05:00Z',
    hostConf: absent('/etc/azure/VMSnapshotPluginHost.conf'),
    config: { ...absent('/etc/azure/VMSnapshotScriptPluginConfig.json'), exists: logs.configExists ?? true },
    workloadConf: absent('/etc/azure/workload.conf'),
    vmbackupConf: absent('/etc/azure/vmbackup.conf'),
    extension: { versions: ['Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0'] },
    iris: { present: true, command: 'iris', wd: logs.wd ?? [{ instance: 'IRIS', rc: 3 }] },
    logs: {},
  };
  if (logs.extension !== undefined) f.logs.extension = tail(EXT_LOG, lines(logs.extension));
  if (logs.messages !== undefined) f.logs.messages = tail(MESSAGES_LOG, logs.messages);
  if (logs.scripts !== undefined) f.logs.scripts = tail(SCRIPTS_LOG, lines(logs.scripts));
  return f;
}

interface Case {
  logs?: Logs;
  pointType?: string | null;
  job?: { status: string; errorDetails: JobErrorDetail[] };
  since?: string;
  extra?: Partial<ClassificationInput>;
}

/** The inputs as the assess phase builds them: probe facts → evidence → verdict; then the classification. */
function classify(c: Case): Classification[] {
  const facts = c.logs === undefined ? undefined : logsFacts(c.logs);
  const evidence = evidenceFromProbeLogs(facts, [], c.since ?? SINCE);
  const recoveryPoint = c.pointType === null ? null : { type: c.pointType ?? 'AppConsistent', time: POINT_TIME };
  const verdict = backupVerdict({ job: c.job, recoveryPoint, evidence });
  const input: ClassificationInput = {
    recoveryPoint,
    evidence,
    verdict,
    vmId: VM,
    since: c.since ?? SINCE,
    ...c.extra,
  };
  if (c.job !== undefined) input.job = c.job;
  if (facts !== undefined) input.facts = facts;
  return classifyBackup(input);
}

const detail = (d: Partial<JobErrorDetail>): JobErrorDetail => ({ recommendations: [], ...d });
const warned = (...d: Partial<JobErrorDetail>[]) => ({ status: 'CompletedWithWarnings', errorDetails: d.map(detail) });
const COMPLETED = { status: 'Completed', errorDetails: [] };
const fixture = readFixture;
const names = (cs: Classification[]) => cs.map((c) => c.name);

describe('classifyBackup from realistic logs', () => {
  it('a good backup: nothing to classify', () => {
    const cs = classify({
      logs: { extension: fixture('extension-success.log'), messages: messagesTonight() },
      job: COMPLETED,
    });
    expect(cs).toEqual([]);
  });

  it('Pre-ScriptExecutionFailed: the pre-script exited 1', () => {
    const ext = fixture('extension-prescript-exit5-300.log').replace('error code: 5 .', 'error code: 1 .');
    const cs = classify({ logs: { extension: ext, messages: [] }, pointType: 'FileSystemConsistent', job: COMPLETED });
    expect(names(cs)).toEqual(['Pre-ScriptExecutionFailed']);
    expect(cs[0]).toMatchObject({
      severity: 'error',
      source: 'extension.log',
      irisMayBeFrozen: false,
      extensionCode: 300,
    });
    expect(cs[0]?.summary).toContain('status 1');
    expect(cs[0]?.evidence).toEqual(
      expect.arrayContaining([expect.stringContaining('Prescript for ScriptRunner failed with error code: 1 .')]),
    );
  });

  it('Pre-ScriptExecutionFailed quotes our script log on why: the freeze timed out', () => {
    const ext = fixture('extension-prescript-exit5-300.log')
      .replace('error code: 5 .', 'error code: 70 .')
      .replace(/2026-11-21 01:30/g, '2026-11-23 01:30');
    const cs = classify({
      logs: { extension: ext, scripts: fixture('script-ibg-failures.log') },
      since: '2026-11-23T01:20:00.000Z',
      pointType: 'FileSystemConsistent',
    });
    expect(names(cs)).toContain('Pre-ScriptExecutionFailed');
    expect(cs.find((c) => c.name === 'Pre-ScriptExecutionFailed')?.evidence).toEqual(
      expect.arrayContaining([
        '2026-11-23T01:30:31Z level=error script=pre event=freeze-failed run=20261123T013000Z-6100 instance=IRIS rc=124',
      ]),
    );
  });

  it('InsufficientPermissionforPre-Script without a path in the log: the fix names the config key', () => {
    const ext = fixture('extension-prescript-permissions-306.log').replace(
      /^.*Permissions of the file \/etc\/azure\/iris-pre.sh.*\n/m,
      '',
    );
    const cs = classify({ logs: { extension: ext, messages: [] }, pointType: 'FileSystemConsistent' });
    expect(cs[0]?.fix).toContain('chown root:root <preScriptLocation> && chmod 700 <preScriptLocation>');
  });

  it('Post-ScriptExecutionFailed: extension.log and the job name one failure, one classification with both lines', () => {
    const cs = classify({
      logs: { extension: fixture('extension-postscript-failed-301.log'), messages: messagesTonight() },
      pointType: 'FileSystemConsistent',
      job: {
        status: 'Failed',
        errorDetails: [
          detail({
            code: 400_123,
            title: 'Post-ScriptExecutionFailed',
            message: 'The postscript returned an error, so backup might not be application-consistent.',
          }),
        ],
      },
    });
    expect(names(cs)).toEqual(['Post-ScriptExecutionFailed']);
    const [c] = cs;
    expect(c).toMatchObject({ severity: 'critical', irisMayBeFrozen: true, source: 'extension.log' });
    expect(c?.evidence).toEqual([
      '2026-11-21 01:30:14.100000 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]Postscript for ScriptRunner failed with error code: 1 .',
      '2026-11-21 01:30:14.100200 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0]PostScript failed for the plugin ScriptRunner StatusCode.FailedPrepostPostScriptFailed,',
      'job Failed: 400123 Post-ScriptExecutionFailed The postscript returned an error, so backup might not be application-consistent.',
    ]);
    expect(c?.fix).toContain('iris session IRIS -U%SYS "##Class(Backup.General).IsWDSuspendedExt()"');
    expect(c?.fix).toContain('iris stat IRIS -W');
    expect(c?.fix).toContain(`iris-backup-guard check --vm ${VM}`);
  });

  it("quotes come from the backup's own run when extension.log still holds an earlier night", () => {
    const lastNight = fixture('extension-postscript-failed-301.log').replace(/2026-11-21 /g, '2026-11-20 ');
    const tonight = fixture('extension-postscript-failed-301.log').replace('error code: 1 .', 'error code: 2 .');
    const cs = classify({
      logs: { extension: `${lastNight}${tonight}`, messages: messagesTonight() },
      pointType: 'FileSystemConsistent',
    });
    expect(names(cs)).toEqual(['Post-ScriptExecutionFailed']);
    expect(cs[0]?.summary).toContain('status 2');
    expect(cs[0]?.evidence.join('\n')).toContain('2026-11-21 01:30:14.100000');
    expect(cs[0]?.evidence.join('\n')).not.toContain('2026-11-20');
  });

  it('Post-ScriptExecutionFailed with no thaw and the probe finding IRIS frozen: IrisStillFrozen first, both critical', () => {
    const cs = classify({
      logs: {
        extension: fixture('extension-postscript-failed-301.log'),
        messages: FROZEN_ONLY,
        wd: [{ instance: 'IRIS', rc: 5 }],
      },
      pointType: 'FileSystemConsistent',
      job: COMPLETED,
    });
    expect(names(cs)).toEqual(['IrisStillFrozen', 'Post-ScriptExecutionFailed']);
    expect(cs.every((c) => c.severity === 'critical' && c.irisMayBeFrozen)).toBe(true);
    expect(cs[0]?.evidence).toEqual([
      '11/21/26-01:30:04:347 (18374) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended',
      'IsWDSuspendedExt returned 5 for instance IRIS at 2026-11-21T02:05:00Z',
    ]);
  });

  it('Pre-ScriptTimeout: error, and IRIS must be checked (the script is not killed and may freeze late)', () => {
    const cs = classify({
      logs: { extension: fixture('extension-prescript-timeout-308.log'), messages: messagesTonight() },
      pointType: 'FileSystemConsistent',
      job: COMPLETED,
    });
    expect(names(cs)).toEqual(['Pre-ScriptTimeout']);
    expect(cs[0]).toMatchObject({ severity: 'error', irisMayBeFrozen: true, extensionCode: 308 });
    expect(cs[0]?.evidence).toEqual([expect.stringContaining('Prescript for ScriptRunner timed out.')]);
  });

  it('Post-ScriptTimeout: critical', () => {
    const ext = fixture('extension-postscript-failed-301.log').replace(
      'Postscript for ScriptRunner failed with error code: 1 .',
      'Postscript for ScriptRunner timed out.',
    );
    const cs = classify({ logs: { extension: ext, messages: messagesTonight() }, pointType: 'FileSystemConsistent' });
    expect(names(cs)).toEqual(['Post-ScriptTimeout']);
    expect(cs[0]).toMatchObject({ severity: 'critical', irisMayBeFrozen: true });
    expect(cs[0]?.fix).toContain('timeoutInSeconds');
  });

  const validation = (fileLine: string, code: number, status: string): string =>
    fixture('extension-prescript-permissions-306.log')
      .replace('Permissions of the file /etc/azure/iris-pre.sh are 755\n', '')
      .replace(/^.*Prescript file does not have desired permissions.*$/m, (l) => l.replace(/\].*$/, `]${fileLine}`))
      .replace('errorCode - 306', `errorCode - ${code}`)
      .replace('StatusCode.FailedPrepostPreScriptPermissionError', `StatusCode.${status}`);

  it('Pre-ScriptNotFound: the extension ran neither script', () => {
    const ext = validation(
      'Prescript file does not exist in the location /etc/azure/iris-pre.sh',
      302,
      'FailedPrepostPreScriptNotFound',
    );
    const cs = classify({ logs: { extension: ext, messages: [] }, pointType: 'FileSystemConsistent' });
    expect(names(cs)).toEqual(['Pre-ScriptNotFound']);
    expect(cs[0]).toMatchObject({ severity: 'error', irisMayBeFrozen: false, extensionCode: 302 });
    expect(cs[0]?.evidence[0]).toContain('Prescript file does not exist in the location /etc/azure/iris-pre.sh');
    expect(cs[0]?.fix).toContain(
      '/etc/azure/iris-pre.sh (preScriptLocation in /etc/azure/VMSnapshotScriptPluginConfig.json) does not exist',
    );
  });

  it('Post-ScriptNotFound', () => {
    const ext = validation(
      'Postscript file does not exist in the location /etc/azure/iris-post.sh',
      303,
      'FailedPrepostPostScriptNotFound',
    );
    const cs = classify({ logs: { extension: ext, messages: [] }, pointType: 'FileSystemConsistent' });
    expect(names(cs)).toEqual(['Post-ScriptNotFound']);
    expect(cs[0]).toMatchObject({ severity: 'error', irisMayBeFrozen: false, extensionCode: 303 });
  });

  it('InsufficientPermissionforPre-Script: mode 755, with the exact chmod', () => {
    const cs = classify({
      logs: { extension: fixture('extension-prescript-permissions-306.log'), messages: [] },
      pointType: 'FileSystemConsistent',
      job: warned({ code: 306 }),
    });
    expect(names(cs)).toEqual(['InsufficientPermissionforPre-Script']);
    expect(cs[0]?.evidence).toEqual([
      expect.stringContaining('Prescript file does not have desired permissions'),
      expect.stringContaining('Triggering File System Consistent Backup because of error code'),
      'job CompletedWithWarnings: 306',
    ]);
    expect(cs[0]?.fix).toContain('chown root:root /etc/azure/iris-pre.sh && chmod 700 /etc/azure/iris-pre.sh');
  });

  it('InsufficientPermissionforPost-Script, from the job text alone (no VM logs): still classified', () => {
    const cs = classify({
      pointType: 'FileSystemConsistent',
      job: warned({
        title: 'Insufficient permission for post-script',
        message: 'The post-script does not have the required permissions.',
      }),
    });
    expect(names(cs)).toEqual(['InsufficientPermissionforPost-Script']);
    expect(cs[0]).toMatchObject({ source: 'job', severity: 'error' });
  });

  it('Post-ScriptExecutionFailed from the job code alone (older 1101 numbering): critical', () => {
    const cs = classify({ pointType: 'FileSystemConsistent', job: warned({ code: 1101 }) });
    expect(cs).toEqual([
      expect.objectContaining({
        name: 'Post-ScriptExecutionFailed',
        severity: 'critical',
        irisMayBeFrozen: true,
        extensionCode: 301,
      }),
    ]);
  });

  it('IncorrectJSONConfigFile from the job; a python 2 VM whose log shows the 305 fallback gives one classification', () => {
    const job = warned({ title: 'IncorrectJSONConfigFile', message: 'The JSON config file is incorrect.' });
    expect(names(classify({ pointType: 'FileSystemConsistent', job }))).toEqual(['IncorrectJSONConfigFile']);
    const cs = classify({
      logs: { extension: fixture('extension-python2.log'), messages: [] },
      since: '2026-11-20T21:20:00.000Z',
      pointType: 'FileSystemConsistent',
      job,
    });
    expect(names(cs)).toEqual(['SilentFileSystemFallback']);
    expect(cs[0]).toMatchObject({ azureName: 'IncorrectJSONConfigFile', extensionCode: 305 });
    expect(cs[0]?.evidence).toEqual([
      expect.stringContaining('Error in decoding ScriptRunner config file.: No JSON object could be decoded'),
      expect.stringContaining('StatusCode.FailedPrepostPluginConfigParsing,'),
      'job CompletedWithWarnings: IncorrectJSONConfigFile The JSON config file is incorrect.',
    ]);
    expect(cs[0]?.fix).toContain('without a byte order mark');
  });

  it('IncorrectPluginhostFile from the job text', () => {
    const cs = classify({
      pointType: 'FileSystemConsistent',
      job: warned({ message: 'The plugin host config file VMSnapshotPluginHost.conf is invalid.' }),
    });
    expect(names(cs)).toEqual(['IncorrectPluginhostFile']);
    expect(cs[0]?.fix).toContain('/etc/azure/VMSnapshotPluginHost.conf');
  });

  it('SilentFileSystemFallback: no config (316), no error anywhere but extension.log', () => {
    const cs = classify({
      logs: { extension: fixture('extension-fs-fallback-316.log'), messages: [], configExists: false },
      pointType: 'FileSystemConsistent',
      job: COMPLETED,
    });
    expect(names(cs)).toEqual(['SilentFileSystemFallback']);
    expect(cs[0]).toMatchObject({ severity: 'error', source: 'extension.log', extensionCode: 316 });
    expect(cs[0]?.summary).toContain('FailedPrepostPluginConfigNotFound');
    expect(cs[0]?.evidence).toEqual([
      expect.stringContaining(
        'Plugin host file does not exist in the location /etc/azure/VMSnapshotScriptPluginConfig.json',
      ),
      expect.stringContaining(
        'Triggering File System Consistent Backup because of error code StatusCode.FailedPrepostPluginConfigNotFound,',
      ),
    ]);
    expect(cs[0]?.fix).toContain(`iris-backup-guard install --vm ${VM}`);
  });

  it('SilentFileSystemFallback: a FileSystemConsistent point although the scripts ran and nothing logged an error', () => {
    const cs = classify({
      logs: { extension: fixture('extension-success.log'), messages: messagesTonight() },
      pointType: 'FileSystemConsistent',
      job: COMPLETED,
    });
    expect(names(cs)).toEqual(['SilentFileSystemFallback']);
    expect(cs[0]).toMatchObject({ source: 'recovery-point', severity: 'error' });
    expect(cs[0]?.evidence).toEqual([`recovery point FileSystemConsistent at ${POINT_TIME}`]);
  });

  it('no SilentFileSystemFallback guess when nothing says scripts are set up', () => {
    const cs = classify({
      logs: { extension: fixture('extension-fs-fallback-316.log').split('Loading')[0] ?? '', configExists: false },
      pointType: 'FileSystemConsistent',
    });
    expect(cs).toEqual([]);
  });

  it('IrisStillFrozen: the extension died inside the freeze and messages.log has no thaw', () => {
    const cs = classify({
      logs: {
        extension: fixture('extension-freeze-never-ended.log'),
        messages: FROZEN_ONLY.map((l) => l.replace('01:30:0', '01:16:4')),
      },
      since: '2026-11-21T01:06:00.000Z',
      pointType: null,
    });
    expect(names(cs)).toEqual(['IrisStillFrozen']);
    expect(cs[0]).toMatchObject({ severity: 'critical', irisMayBeFrozen: true, source: 'messages.log' });
    expect(cs[0]?.fix).toContain('ExternalThaw()');
    expect(cs[0]?.fix).toContain(`iris-backup-guard backup --vm ${VM}`);
  });

  it('IrisStillFrozen from our scripts’ log: a thaw that failed', () => {
    const scripts = fixture('script-ibg-failures.log');
    const cs = classify({
      logs: { extension: fixture('extension-success.log').replace(/2026-11-21 01:30/g, '2026-11-23 01:30'), scripts },
      since: '2026-11-23T01:20:00.000Z',
      job: COMPLETED,
    });
    expect(names(cs)).toContain('IrisStillFrozen');
    const frozen = cs.find((c) => c.name === 'IrisStillFrozen');
    expect(frozen?.evidence).toContain(
      '2026-11-23T01:30:46Z level=error script=post event=thaw-failed run=20261123T013000Z-6100 instance=IRIS rc=1',
    );
  });

  it('FreezeTooLong: an 11 s freeze is a warning against a 5 s limit, and nothing at the default limit', () => {
    const logs = { extension: fixture('extension-success.log'), messages: messagesTonight() };
    expect(classify({ logs, job: COMPLETED })).toEqual([]);
    expect(FREEZE_LIMIT_MS).toBe(60_000);
    const cs = classify({ logs, job: COMPLETED, extra: { freezeLimitMs: 5_000 } });
    expect(names(cs)).toEqual(['FreezeTooLong']);
    expect(cs[0]).toMatchObject({ severity: 'warning', irisMayBeFrozen: false, source: 'messages.log' });
    expect(cs[0]?.summary).toContain('11.1 s');
    expect(cs[0]?.evidence).toEqual([
      '11/21/26-01:30:04:347 (18374) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended',
      '11/21/26-01:30:15:411 (18380) 0 [Utility.Event] Backup.General.ExternalThaw: System resumed',
    ]);
  });

  it('TransferFailedAfterSnapshot: a good snapshot, the job then failed in its transfer', () => {
    const job = {
      status: 'Failed',
      errorDetails: [
        detail({ code: 400_002, title: 'UserErrorVaultTransferFailed', message: 'Transfer to vault failed.' }),
      ],
    };
    const cs = classify({
      logs: { extension: fixture('extension-success.log'), messages: messagesTonight() },
      job,
      extra: { transferFailed: true },
    });
    expect(names(cs)).toEqual(['TransferFailedAfterSnapshot']);
    expect(cs[0]?.evidence).toEqual(['job Failed: 400002 UserErrorVaultTransferFailed Transfer to vault failed.']);
    expect(classifyTransferFailure(job, { vmId: VM })).toEqual(
      expect.objectContaining({ name: 'TransferFailedAfterSnapshot', severity: 'error', irisMayBeFrozen: false }),
    );
    expect(classifyTransferFailure(job)?.fix).toContain('iris-backup-guard backup --vm <vmResourceId>');
    expect(classifyTransferFailure({ status: 'Completed', errorDetails: [] })).toBeUndefined();
  });

  it('a failed job with a point is not taken for a transfer failure without the transfer phase saying so', () => {
    const cs = classify({
      logs: { extension: fixture('extension-success.log'), messages: messagesTonight() },
      job: { status: 'Failed', errorDetails: [] },
    });
    expect(names(cs)).not.toContain('TransferFailedAfterSnapshot');
  });

  it('ExitCodeFiveFromIris: the pre-script passed IRIS’s 5 through; the job’s Pre-ScriptExecutionFailed is the same problem', () => {
    const cs = classify({
      logs: { extension: fixture('extension-prescript-exit5-300.log'), messages: messagesTonight() },
      pointType: 'FileSystemConsistent',
      job: warned({ title: 'Pre-ScriptExecutionFailed', message: 'The prescript returned an error' }),
    });
    expect(names(cs)).toEqual(['ExitCodeFiveFromIris']);
    expect(cs[0]).toMatchObject({ severity: 'error', irisMayBeFrozen: false, azureName: 'Pre-ScriptExecutionFailed' });
    expect(cs[0]?.evidence).toEqual([
      expect.stringContaining('Prescript for ScriptRunner failed. Retrying...'),
      expect.stringContaining('Prescript for ScriptRunner failed with error code: 5 .'),
      'job CompletedWithWarnings: Pre-ScriptExecutionFailed The prescript returned an error',
    ]);
    expect(cs[0]?.fix).toContain('map 5 to 0');
    expect(cs[0]?.fix).not.toContain('IsWDSuspendedExt');
  });

  it('ExitCodeFiveFromIris in both scripts (the Caché sample): one classification, critical for the post-script', () => {
    const ext = fixture('extension-prescript-exit5-300.log').replace(
      'Postscript for ScriptRunner successfully executed.',
      'Postscript for ScriptRunner failed with error code: 5 .',
    );
    const cs = classify({ logs: { extension: ext, messages: messagesTonight() }, pointType: 'FileSystemConsistent' });
    expect(names(cs)).toEqual(['ExitCodeFiveFromIris']);
    expect(cs[0]).toMatchObject({ severity: 'critical', irisMayBeFrozen: true });
    expect(cs[0]?.summary).toContain('Both scripts exited 5');
    expect(cs[0]?.fix).toContain('IsWDSuspendedExt');
  });

  it('ConfigPermissionOrOwnership: the JSON is 644 and owned by azureuser (317, logged with the old typo)', () => {
    const cs = classify({
      logs: { extension: fixture('extension-permisisons-typo-317.log'), messages: [] },
      pointType: 'FileSystemConsistent',
    });
    expect(names(cs)).toEqual(['ConfigPermissionOrOwnership']);
    expect(cs[0]).toMatchObject({ azureName: 'IncorrectJSONConfigFile', extensionCode: 317, severity: 'error' });
    expect(cs[0]?.evidence).toEqual([
      expect.stringContaining('Plugin Config file does not have desired permissions'),
      expect.stringContaining('is azureuser but not root'),
      expect.stringContaining('StatusCode.FailedPrepostPluginConfigPermissionError,'),
    ]);
    expect(cs[0]?.fix).toContain(
      'chown root:root /etc/azure/VMSnapshotScriptPluginConfig.json && chmod 600 /etc/azure/VMSnapshotScriptPluginConfig.json',
    );
  });

  it('CrashConsistentOnly', () => {
    const cs = classify({
      logs: { extension: fixture('extension-success.log'), messages: [] },
      pointType: 'CrashConsistent',
    });
    expect(names(cs)).toEqual(['CrashConsistentOnly']);
    expect(cs[0]).toMatchObject({ severity: 'error', source: 'recovery-point' });
  });

  it('a job text with an unknown numeric code and no words classifies nothing', () => {
    expect(classify({ pointType: 'AppConsistent', job: warned({ code: 400_017 }) })).toEqual([]);
    expect(classify({ pointType: 'AppConsistent', job: warned({ code: 312 }) })).toEqual([]);
  });

  it('order: critical first, then error, then warning; no name twice', () => {
    const cs = classify({
      logs: {
        extension: fixture('extension-prescript-exit5-300.log').replace(
          'Postscript for ScriptRunner successfully executed.',
          'Postscript for ScriptRunner failed with error code: 1 .',
        ),
        messages: messagesTonight(),
      },
      pointType: 'FileSystemConsistent',
      job: warned({ code: 300 }, { code: 301 }, { message: 'post script failed' }),
      extra: { freezeLimitMs: 5_000 },
    });
    expect(names(cs)).toEqual(['Post-ScriptExecutionFailed', 'ExitCodeFiveFromIris', 'FreezeTooLong']);
    expect(cs.map((c) => c.severity)).toEqual(['critical', 'error', 'warning']);
  });

  it('hostile text is capped and neutralised in evidence', () => {
    const ESC = '\u001b';
    const huge = 'A'.repeat(1_000_000);
    const ext = fixture('extension-postscript-failed-301.log').replace(
      'Postscript for ScriptRunner failed with error code: 1 .',
      // The probe caps each line at 300 characters; the job's text has no such cap. The plugin name is the JSON's.
      `Postscript for Script${ESC}[2J${ESC}]0;pwned\u0007\u202eRunner failed with error code: 1 .`,
    );
    const cs = classify({
      logs: { extension: ext, messages: messagesTonight() },
      pointType: 'FileSystemConsistent',
      job: {
        status: 'Failed',
        errorDetails: [detail({ title: `Post-ScriptExecutionFailed\r\nALERT critical Forged: ${huge}` })],
      },
    });
    expect(names(cs)).toEqual(['Post-ScriptExecutionFailed']);
    const evidence = cs[0]?.evidence ?? [];
    expect(evidence).toHaveLength(3);
    for (const line of evidence) {
      expect(line.length).toBeLessThanOrEqual(401);
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
    expect(evidence.join('\n')).toContain('\\x0d\\x0aALERT critical Forged');
    expect(evidence[0]).toContain('Postscript for Script\\x1b[2J\\x1b]0;pwned\\x07\\u202eRunner failed');
  });

  it('a verdict that says IRIS may be left frozen is never dropped', () => {
    const cs = classifyBackup({
      verdict: {
        consistency: 'unknown',
        reasons: ['The post-script logged that ExternalThaw failed'],
        irisLeftFrozen: true,
        missing: [],
      },
    });
    expect(cs).toEqual([
      expect.objectContaining({ name: 'IrisStillFrozen', severity: 'critical', irisMayBeFrozen: true }),
    ]);
  });
});
