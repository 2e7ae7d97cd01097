import { parseScriptLog, ScriptLogEvent } from '../../src/shared/parsers/scriptLog';
import { readFixture } from './readFixture';

type Row = [ScriptLogEvent['type'], ScriptLogEvent['role'] | undefined, string | undefined];
const rows = (events: ScriptLogEvent[]): Row[] => events.map((e) => [e.type, e.role, e.time]);

describe('parseScriptLog', () => {
  it('reads our hardened scripts’ key=value lines', () => {
    const result = parseScriptLog(readFixture('script-ibg-freeze-thaw.log'));
    expect(result.problems).toEqual([]);
    expect(rows(result.value)).toEqual([
      ['freeze-start', 'pre', '2026-11-21T01:30:00.000Z'],
      ['frozen', 'pre', '2026-11-21T01:30:01.000Z'],
      ['thaw-start', 'post', '2026-11-21T01:30:09.000Z'],
      ['thawed', 'post', '2026-11-21T01:30:10.000Z'],
    ]);
    expect(result.value[1]).toEqual({
      type: 'frozen',
      line: 3,
      format: 'iris-backup-guard',
      time: '2026-11-21T01:30:01.000Z',
      name: 'frozen',
      run: '20261121T013000Z-4242',
      role: 'pre',
      instance: 'IRIS',
      journal: '/iris/journal1/20261121.003',
      fields: {
        level: 'info',
        script: 'pre',
        event: 'frozen',
        run: '20261121T013000Z-4242',
        instance: 'IRIS',
        journal: '/iris/journal1/20261121.003',
      },
    });
    expect(result.value[3]).toMatchObject({ instance: 'IRIS', exitCode: 5 });
  });

  it('classifies our scripts’ failure events and stray command output', () => {
    const result = parseScriptLog(readFixture('script-ibg-failures.log'));
    expect(result.value.map((e) => [e.line, e.type, e.name, e.instance, e.exitCode])).toEqual([
      [1, 'freeze-start', 'start', undefined, undefined],
      [4, 'frozen', 'frozen', 'IRIS', undefined],
      [5, 'already-frozen', 'already-frozen', 'TEST', undefined],
      [6, 'thawed', 'thawed', 'IRIS', 5],
      [7, 'error', 'finished', undefined, 71],
      [8, 'thaw-start', 'start', undefined, undefined],
      [9, 'skipped', 'skip', undefined, undefined],
      [10, 'freeze-start', 'start', undefined, undefined],
      [11, 'instance-down', 'status-failed', 'IRIS', 1],
      [12, 'freeze-failed', 'freeze-failed', 'IRIS', 124],
      [13, 'auto-thawed', 'auto-thawed', 'IRIS', undefined],
      [14, 'thaw-failed', 'thaw-failed', 'IRIS', 1],
      [15, 'error', undefined, undefined, undefined],
    ]);
    // "journal=unknown" means IRIS named no journal file.
    expect(result.value[1]?.journal).toBeUndefined();
    expect(result.value[12]?.message).toBe('sh: 1: /usr/bin/iris: not found');
    expect(result.problems).toEqual([]);
  });

  it('reads IRISMeister’s BackupScript.log (iris session stdout plus the script’s verdicts)', () => {
    const result = parseScriptLog(readFixture('script-irismeister-backupscript.log'));
    expect(result.problems).toEqual([]);
    expect(result.value).toEqual([
      {
        type: 'freeze-start',
        line: 1,
        format: 'external-freeze-stdout',
        time: '2021-08-11T05:49:43.000',
        role: 'pre',
        message: 'Backup.General.ExternalFreeze: Suspending system',
      },
      { type: 'journal-switched', line: 5, format: 'external-freeze-stdout', journal: '/iris/journal1/20210811.003' },
      {
        type: 'frozen',
        line: 11,
        format: 'external-freeze-stdout',
        time: '2021-08-11T05:49:44.000',
        role: 'pre',
        message: 'Backup.General.ExternalFreeze: System suspended',
      },
      {
        type: 'thaw-start',
        line: 13,
        format: 'external-freeze-stdout',
        time: '2021-08-11T05:49:54.000',
        role: 'post',
        message: 'Backup.General.ExternalThaw: Resuming system',
      },
      {
        type: 'thawed',
        line: 14,
        format: 'external-freeze-stdout',
        time: '2021-08-11T05:49:55.000',
        role: 'post',
        message: 'Backup.General.ExternalThaw: System resumed',
      },
    ]);
  });

  it.each([
    [
      'pre-script, frozen',
      'script-ms-sample-pre-frozen.log',
      [
        ['freeze-start', 'pre', '2021-08-11T05:49:43.000'],
        ['journal-switched', undefined, undefined],
        ['frozen', 'pre', '2021-08-11T05:49:44.000'],
      ],
    ],
    ['pre-script, freeze failed', 'script-ms-sample-pre-failed.log', [['freeze-failed', 'pre', undefined]]],
    // The sample's `[ $status req 5]` bug skips both branches on success, so only the header is written.
    ['post-script, success', 'script-ms-sample-post-success.log', []],
    ['post-script, thaw failed', 'script-ms-sample-post-failed.log', [['thaw-failed', 'post', undefined]]],
  ])('Microsoft Caché sample: %s', (_name, fixture, expected) => {
    const result = parseScriptLog(readFixture(fixture));
    expect(result.problems).toEqual([]);
    expect(rows(result.value)).toEqual(expected);
  });

  it.each([
    [
      'a quoted value',
      '2026-11-21T01:30:00Z level=error script=post event=thaw-failed instance=IRIS msg="ERROR #5001: \\"bad\\" thing"',
      { type: 'thaw-failed', message: 'ERROR #5001: "bad" thing' },
      [],
    ],
    [
      'an unknown event at error level',
      '2026-11-21T01:30:00Z level=error script=pre event=something-new',
      { type: 'error', name: 'something-new', role: 'pre' },
      [],
    ],
    [
      'event names and keys that exist on Object.prototype',
      '2026-11-21T01:30:00Z level=warn event=constructor __proto__=x toString=y',
      undefined,
      [],
    ],
    [
      'an offset time converted to UTC',
      '2026-11-21T02:30:00+01:00 level=info script=pre event=frozen instance=IRIS',
      { type: 'frozen', time: '2026-11-21T01:30:00.000Z' },
      [],
    ],
    [
      'a "Journal file switched to:" with no path after it',
      'Journal file switched to:',
      undefined,
      [{ line: 1, message: '"Journal file switched to:" without the path on the next line' }],
    ],
    [
      'an informational event',
      '2026-11-21T01:30:00Z level=info script=post event=not-suspended instance=IRIS',
      undefined,
      [],
    ],
    [
      'a line without event=',
      '2026-11-21T01:30:00Z level=info hello',
      undefined,
      [{ line: 1, message: 'Line has no event= field' }],
    ],
    [
      'an unrecognised line',
      'hello world',
      undefined,
      [{ line: 1, message: '1 unrecognised lines (first shown by line number)' }],
    ],
    [
      'an impossible date',
      '02/30/2021 05:49:43: Backup.General.ExternalFreeze: System suspended',
      { type: 'frozen', role: 'pre' },
      [{ line: 1, message: 'Invalid timestamp "02/30/2021 05:49:43"' }],
    ],
  ])('%s', (_name, text, expected, problems) => {
    const result = parseScriptLog(text);
    if (expected === undefined) expect(result.value).toEqual([]);
    else expect(result.value[0]).toMatchObject(expected);
    expect(result.problems).toEqual(problems);
  });
});
