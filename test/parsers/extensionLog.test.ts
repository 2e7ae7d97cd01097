import {
  parseExtensionLog,
  PREPOST_STATUS_CODES,
  PrePostSummary,
  summarizePrePost,
} from '../../src/shared/parsers/extensionLog';
import { readFixture } from './readFixture';

const SOURCE = 'Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0';
const summaryOf = (fixture: string, since?: string): PrePostSummary =>
  summarizePrePost(parseExtensionLog(readFixture(fixture)).value, since);

describe('parseExtensionLog', () => {
  it('reads Python 3 lines as UTC and the freeze block lines as local entries of their own', () => {
    const result = parseExtensionLog(readFixture('extension-success.log'));
    expect(result.problems).toEqual([]);
    expect(result.value[0]).toEqual({
      line: 1,
      time: '2026-11-21T01:30:00.101Z',
      timeZone: 'utc',
      format: 'python3',
      source: SOURCE,
      message: 'starting daemon',
      continuation: [],
    });
    const block = result.value.filter((e) => e.format === 'freeze-block');
    expect(block.map((e) => [e.line, e.time, e.level, e.message])).toEqual([
      [19, '2026-11-21T01:30:06.300', 'Info', 'T:S freeze, timeout value 60'],
      [20, '2026-11-21T01:30:06.300', 'Info', 'fsfreeze mount :/'],
      [21, '2026-11-21T01:30:06.300', 'Info', 'fsfreeze mount :/datavg/iris'],
      [22, '2026-11-21T01:30:07.900', 'Info', 'T:S thaw result 0'],
    ]);
    expect(block.every((e) => e.timeZone === 'local' && e.source === SOURCE)).toBe(true);
  });

  it('reads Python 2 lines as local time and a stack trace as continuation lines', () => {
    const result = parseExtensionLog(readFixture('extension-python2.log'));
    expect(result.problems).toEqual([]);
    expect(result.value[2]).toEqual({
      line: 3,
      time: '2026-11-20T21:30:00.000',
      timeZone: 'local',
      format: 'python2',
      source: SOURCE,
      message:
        'Error in decoding ScriptRunner config file.: No JSON object could be decoded, stack trace: Traceback (most recent call last):',
      continuation: [],
    });
    // Python 2 repeats the prefix on every line, so the trace lines are entries with the same time.
    expect(result.value[3]?.message).toBe(
      '  File "/var/lib/waagent/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9184.0/main/ScriptRunner.py", line 80, in get_config',
    );
    expect(result.value.filter((e) => e.format === 'freeze-block').map((e) => [e.time, e.message])).toEqual([
      ['2026-11-20T21:30:06.300', 'T:S freeze, timeout value 60'],
      ['2026-11-20T21:30:07.900', 'T:S thaw result 0'],
      ['2026-11-20T21:31:06.500', 'T:S freeze, timeout value 60'],
      ['2026-11-20T21:31:08.100', 'T:S thaw result 0'],
    ]);
  });

  it('attaches unprefixed Python 3 lines (stack trace, status JSON) to the entry before them', () => {
    const text = [
      `2026-11-21 01:30:00.000001 [${SOURCE}]Error in reading PluginHost config file : boom, stack trace: Traceback (most recent call last):`,
      '  File "PluginHost.py", line 120, in load_modules',
      "TypeError: '<' not supported between instances of 'str' and 'int'",
      `2026-11-21 01:30:00 [${SOURCE}]file status report message:`,
      '{"status": {"code": "1"}}',
      '',
    ].join('\n');
    const result = parseExtensionLog(text);
    expect(result.problems).toEqual([]);
    expect(result.value.map((e) => [e.time, e.continuation.length])).toEqual([
      ['2026-11-21T01:30:00.000Z', 2],
      ['2026-11-21T01:30:00.000Z', 1],
    ]);
  });

  it.each([
    [
      'local times converted with an offset',
      '2026/11/21 02:30:00 [X]Loading script modules now...',
      { timeZoneOffsetMinutes: 60 },
      ['2026-11-21T01:30:00.000Z', 'utc'],
      [],
    ],
    [
      'an impossible offset is reported and ignored',
      '2026/11/21 02:30:00 [X]Loading script modules now...',
      { timeZoneOffsetMinutes: -9999 },
      ['2026-11-21T02:30:00.000', 'local'],
      [{ message: 'timeZoneOffsetMinutes -9999 is out of range (-720 to 840); times are local as written' }],
    ],
    [
      'Python 3 time without microseconds (str(datetime) omits .000000)',
      '2026-11-21 01:30:00 [X]Loading script modules now...',
      {},
      ['2026-11-21T01:30:00.000Z', 'utc'],
      [],
    ],
  ])('%s', (_name, text, options, [time, zone], problems) => {
    const result = parseExtensionLog(text, options);
    expect([result.value[0]?.time, result.value[0]?.timeZone]).toEqual([time, zone]);
    expect(result.problems).toEqual(problems);
  });

  it('reports a freeze block that never ended (issue #1868: the VM stayed frozen)', () => {
    const result = parseExtensionLog(readFixture('extension-freeze-never-ended.log'));
    expect(result.problems).toEqual([
      {
        line: 7,
        message: 'The "Logs during Freeze" block has no end marker (log cut, or the extension stopped while frozen)',
      },
    ]);
    expect(result.value.filter((e) => e.format === 'freeze-block')).toHaveLength(2);
  });

  it('reports an impossible date and keeps the line', () => {
    const result = parseExtensionLog(`2026-11-21 01:30:00 [X]first\n2026-13-40 01:30:00.000001 [X]second\n`);
    expect(result.value).toHaveLength(1);
    expect(result.value[0]?.continuation).toEqual(['2026-13-40 01:30:00.000001 [X]second']);
    expect(result.problems).toEqual([
      { line: 2, message: 'Invalid timestamp "2026-13-40 01:30:00.000001"; the line was kept as a continuation' },
    ]);
  });
});

describe('summarizePrePost', () => {
  const status = (code: number) => PREPOST_STATUS_CODES.find((c) => c.code === code);

  it.each([
    [
      'success',
      'extension-success.log',
      {
        validation: { result: 'ok' },
        mode: 'app-consistent',
        preScript: { result: 'success', retries: 0, continueBackup: true },
        postScript: { result: 'success', retries: 0, continueBackup: true },
        final: { kind: 'app-consistent-snapshot', message: 'Enable Succeeded with App Consistent Snapshot' },
        consistency: 'app-consistent',
        freezeAt: '2026-11-21T01:30:06.300',
        thawAt: '2026-11-21T01:30:07.900',
        thawResult: '0',
      },
      undefined,
    ],
    [
      'no JSON: silent file-system fallback (316)',
      'extension-fs-fallback-316.log',
      {
        validation: { result: 'failed', status: status(316) },
        mode: 'file-system-fallback',
        preScript: { result: 'not-run', retries: 0 },
        postScript: { result: 'not-run', retries: 0 },
        final: { kind: 'none' },
        consistency: 'file-system-consistent',
        statusCodes: ['FailedPrepostPluginConfigNotFound'],
      },
      undefined,
    ],
    [
      'pre-script exits 5 (Microsoft sample) -> 300',
      'extension-prescript-exit5-300.log',
      {
        validation: { result: 'ok' },
        preScript: { result: 'failed', exitCode: 5, retries: 1, continueBackup: true },
        postScript: { result: 'success', retries: 0 },
        final: { kind: 'none' },
        consistency: 'file-system-consistent',
      },
      300,
    ],
    [
      'post-script fails with continueBackupOnFailure false -> 301',
      'extension-postscript-failed-301.log',
      {
        preScript: { result: 'success' },
        postScript: { result: 'failed', exitCode: 1, continueBackup: false },
        final: {
          kind: 'post-script-failed',
          statusName: 'FailedPrepostPostScriptFailed',
          message: 'PostScript failed for the plugin ScriptRunner StatusCode.FailedPrepostPostScriptFailed,',
        },
        consistency: 'failed',
      },
      301,
    ],
    [
      'pre-script timeout -> 308',
      'extension-prescript-timeout-308.log',
      {
        preScript: { result: 'timed-out', retries: 0, endedAt: '2026-11-21T01:31:03.210Z' },
        postScript: { result: 'success' },
        consistency: 'file-system-consistent',
      },
      308,
    ],
    [
      'old "Permisisons" spelling, JSON mode 644 -> 317',
      'extension-permisisons-typo-317.log',
      {
        validation: { result: 'failed', status: status(317) },
        mode: 'file-system-fallback',
        preScript: { result: 'not-run' },
        permissions: [
          { line: 7, path: '/etc/azure/VMSnapshotScriptPluginConfig.json', mode: '644', spelling: 'Permisisons' },
        ],
        errors: [
          { line: 8, message: 'Plugin Config file does not have desired permissions' },
          {
            line: 9,
            message:
              'The owner of the Plugin Config file /etc/azure/VMSnapshotScriptPluginConfig.json is azureuser but not root',
          },
        ],
        consistency: 'file-system-consistent',
      },
      317,
    ],
    [
      'pre-script mode 755 -> 306',
      'extension-prescript-permissions-306.log',
      {
        validation: { result: 'failed', status: status(306) },
        mode: 'file-system-fallback',
        permissions: [
          { line: 4, path: '/etc/azure/VMSnapshotPluginHost.conf', mode: '644', spelling: 'Permissions' },
          { line: 9, path: '/etc/azure/VMSnapshotScriptPluginConfig.json', mode: '600', spelling: 'Permissions' },
          { line: 11, path: '/etc/azure/iris-pre.sh', mode: '755', spelling: 'Permissions' },
        ],
        errors: [{ line: 12, message: 'Prescript file does not have desired permissions' }],
      },
      306,
    ],
    [
      'Python 2, last run app-consistent',
      'extension-python2.log',
      {
        runStartSeen: true,
        startedAt: '2026-11-20T21:31:00.000',
        validation: { result: 'ok' },
        consistency: 'app-consistent',
        freezeAt: '2026-11-20T21:31:06.500',
      },
      undefined,
    ],
    [
      'log ends while frozen',
      'extension-freeze-never-ended.log',
      {
        preScript: { result: 'success' },
        postScript: { result: 'not-run' },
        freezeAt: '2026-11-21T01:16:49.000',
        final: { kind: 'none' },
        consistency: 'unknown',
      },
      undefined,
    ],
  ])('%s', (_name, fixture, expected, extensionCode) => {
    const summary = summaryOf(fixture);
    expect(summary).toMatchObject(expected);
    expect(summary.extensionStatus?.code).toBe(extensionCode);
  });

  // PluginHost's own rejection lines name no code: a log cut before handle.py's fallback line still tells which.
  const run = (...messages: string[]): PrePostSummary =>
    summarizePrePost(
      parseExtensionLog(
        ['Loading script modules now...', ...messages]
          .map((m, i) => `2026-11-21 01:30:00.${String(100 + i).padStart(6, '0')} [${SOURCE}]${m}`)
          .join('\n'),
      ).value,
    );
  it.each([
    [
      'JSON mode 644 and owner nobody, then the freeze (317, no fallback line)',
      run(
        'Permissions of the file /etc/azure/VMSnapshotScriptPluginConfig.json are 644',
        'Plugin Config file does not have desired permissions',
        'The owner of the Plugin Config file /etc/azure/VMSnapshotScriptPluginConfig.json is nobody but not root',
        'T:S freeze, timeout value 60',
        'T:S thaw result 0',
      ),
      { validation: { result: 'failed', status: status(317) }, consistency: 'file-system-consistent' },
      317,
    ],
    [
      'only the owner line (317)',
      run('The owner of the Plugin Config file /etc/azure/x.json is azureuser but not root'),
      { validation: { result: 'failed', status: status(317) }, consistency: 'file-system-consistent' },
      317,
    ],
    [
      'host conf mode 666 (314, silent fallback)',
      run('Plugin host Config file does not have desired permissions'),
      { validation: { result: 'failed', status: status(314) }, mode: 'file-system-fallback' },
      undefined,
    ],
    [
      'only "Plugin Host Precheck Failed" (no snapshot)',
      run('Plugin Host Precheck Failed StatusCode.FailedPrepostPluginConfigPermissionError,'),
      {
        validation: { result: 'failed', status: status(317) },
        final: { kind: 'precheck-failed', statusName: 'FailedPrepostPluginConfigPermissionError' },
        consistency: 'failed',
      },
      317,
    ],
  ])('%s', (_name, summary, expected, extensionCode) => {
    expect(summary).toMatchObject(expected);
    expect(summary.extensionStatus?.code).toBe(extensionCode);
  });

  it('picks the run at or after `since`, not the last one', () => {
    const summary = summaryOf('extension-python2.log', '2026-11-20T21:30:00Z');
    expect(summary).toMatchObject({
      runStartSeen: true,
      validation: { result: 'failed', status: status(305) },
      mode: 'file-system-fallback',
      consistency: 'file-system-consistent',
      freezeAt: '2026-11-20T21:30:06.300',
    });
    expect(summary.endedAt).toBe('2026-11-20T21:30:09.000');
  });

  it('summarises nothing when the log is empty', () => {
    expect(summarizePrePost([])).toEqual({
      runStartSeen: false,
      validation: { result: 'unknown' },
      mode: 'unknown',
      preScript: { result: 'not-run', retries: 0 },
      postScript: { result: 'not-run', retries: 0 },
      final: { kind: 'none' },
      consistency: 'unknown',
      permissions: [],
      errors: [],
      statusCodes: [],
    });
  });
});

describe('PREPOST_STATUS_CODES', () => {
  it.each([
    [300, 'FailedPrepostPreScriptFailed', 'Pre-ScriptExecutionFailed', false],
    [301, 'FailedPrepostPostScriptFailed', 'Post-ScriptExecutionFailed', false],
    [302, 'FailedPrepostPreScriptNotFound', 'Pre-ScriptNotFound', false],
    [303, 'FailedPrepostPostScriptNotFound', 'Post-ScriptNotFound', false],
    [305, 'FailedPrepostPluginConfigParsing', 'IncorrectJSONConfigFile', true],
    [306, 'FailedPrepostPreScriptPermissionError', 'InsufficientPermissionforPre-Script', false],
    [307, 'FailedPrepostPostScriptPermissionError', 'InsufficientPermissionforPost-Script', false],
    [308, 'FailedPrepostPreScriptTimeout', 'Pre-ScriptTimeout', false],
    [309, 'FailedPrepostPostScriptTimeout', 'Post-ScriptTimeout', false],
    [316, 'FailedPrepostPluginConfigNotFound', undefined, true],
  ])('%i is %s (%s)', (code, name, azureName, silent) => {
    const entry = PREPOST_STATUS_CODES.find((c) => c.code === code);
    expect([entry?.name, entry?.azureName, entry?.silentFallback]).toEqual([name, azureName, silent]);
  });

  it('covers 300 to 318 once each, and only 304, 305, 313, 314, 316 fall back silently', () => {
    expect(PREPOST_STATUS_CODES.map((c) => c.code)).toEqual(Array.from({ length: 19 }, (_, i) => 300 + i));
    expect(PREPOST_STATUS_CODES.filter((c) => c.silentFallback).map((c) => c.code)).toEqual([304, 305, 313, 314, 316]);
  });
});
