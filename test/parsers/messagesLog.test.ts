import { irisBackupEvents, parseMessagesLog } from '../../src/shared/parsers/messagesLog';
import { readFixture } from './readFixture';

describe('parseMessagesLog', () => {
  it('reads the IRISMeister freeze/thaw excerpt with its continuation line', () => {
    const result = parseMessagesLog(readFixture('messages-irismeister-freeze.log'));
    expect(result.problems).toEqual([]);
    expect(result.value).toHaveLength(9);
    expect(result.value[0]).toEqual({
      line: 1,
      time: '2021-08-11T04:38:13.440',
      pid: 17808,
      severity: 0,
      category: 'Database.MountedRW',
      text: 'Mounted database /usr/irissys/mgr/user/ (SFN 5) read-write.',
      continuation: [],
    });
    expect(result.value[2]).toMatchObject({ severity: 1, pid: 18374, category: 'Utility.Event' });
    expect(result.value[4]).toEqual({
      line: 5,
      time: '2021-08-11T05:49:43.342',
      pid: 18374,
      severity: 0,
      category: 'Generic.Event',
      text: 'INTERSYSTEMS IRIS JOURNALING SYSTEM MESSAGE',
      continuation: ['Journaling switched to: /iris/journal1/20210811.003'],
    });
  });

  it.each([
    [
      'category missing (IRIS 2018 $ZF sample)',
      '06/14/18-14:25:05:988 (3788) 0 $ZF(-100) cmd=c:\\sdelete64.exe -nobanner',
      { time: '2018-06-14T14:25:05.988', pid: 3788, severity: 0, text: '$ZF(-100) cmd=c:\\sdelete64.exe -nobanner' },
    ],
    [
      'millis missing',
      '11/21/26-01:30:00 (42) 3 [Generic.Event] fatal thing',
      { time: '2026-11-21T01:30:00.000', pid: 42, severity: 3, category: 'Generic.Event', text: 'fatal thing' },
    ],
    [
      'bare category with no text (startup block)',
      '06/26/23-08:02:18:110 (144145) 0 [Generic.Event]',
      { time: '2023-06-26T08:02:18.110', category: 'Generic.Event', text: '' },
    ],
    [
      'upper-case System Monitor category',
      '01/28/24-00:00:11:859 (6552) 2 [SYSTEM MONITOR] ECPClientState Alert: ECP reports Clients state 6',
      { severity: 2, category: 'SYSTEM MONITOR', text: 'ECPClientState Alert: ECP reports Clients state 6' },
    ],
  ])('%s', (_name, line, expected) => {
    const result = parseMessagesLog(line);
    expect(result.problems).toEqual([]);
    expect(result.value[0]).toMatchObject(expected);
  });

  it('attaches the indented startup lines to the bare [Generic.Event] entry', () => {
    const entries = parseMessagesLog(readFixture('messages-line-formats.log')).value;
    expect(entries[0]?.continuation).toEqual([
      'Startup of InterSystems IRIS [IRIS for UNIX (Red Hat Enterprise Linux 8 for x86-64) 2023.1 (Build 235.1) Fri Jun 2 2023 13:26:47 EDT]',
      '        in ../bin/',
      '        with mgr: /intersystems/mgr',
      '        with wij: /intersystems/mgr/IRIS.WIJ',
    ]);
  });

  it('recognises the recovery banner as an entry of its own, with the WIJ lines under it', () => {
    const result = parseMessagesLog(readFixture('messages-irismeister-restore.log'));
    expect(result.problems).toEqual([]);
    expect(result.value.map((e) => [e.line, e.time, e.banner ?? null])).toEqual([
      [1, '2021-08-11T05:49:44.347', null],
      [3, '2021-08-11T06:12:30.000', 'recovery'],
      [14, '2021-08-11T06:12:30.224', null],
      [15, '2021-08-11T06:12:30.297', null],
      [16, '2021-08-11T06:12:30.308', null],
    ]);
    expect(result.value[0]?.continuation).toEqual([]);
    expect(result.value[1]?.continuation).toHaveLength(10);
    expect(result.value[1]?.continuation[9]).toBe('Exiting with status 3 (Success)');
  });

  it.each([
    ['default pivot: 69 is 2069', '01/01/69-00:00:00:000 (1) 0 x', {}, '2069-01-01T00:00:00.000', []],
    ['default pivot: 70 is 1970', '01/01/70-00:00:00:000 (1) 0 x', {}, '1970-01-01T00:00:00.000', []],
    ['pivot 30: 45 is 1945', '01/01/45-00:00:00:000 (1) 0 x', { year2000Pivot: 30 }, '1945-01-01T00:00:00.000', []],
    [
      'offset +09:00 converts to UTC',
      '08/11/21-05:49:43:233 (1) 0 x',
      { timeZoneOffsetMinutes: 540 },
      '2021-08-10T20:49:43.233Z',
      [],
    ],
    [
      'offset -05:00 crosses midnight',
      '12/31/25-22:00:00:000 (1) 0 x',
      { timeZoneOffsetMinutes: -300 },
      '2026-01-01T03:00:00.000Z',
      [],
    ],
    [
      'an impossible offset is ignored and reported',
      '08/11/21-05:49:43:233 (1) 0 x',
      { timeZoneOffsetMinutes: 5000 },
      '2021-08-11T05:49:43.233',
      [{ message: 'timeZoneOffsetMinutes 5000 is out of range (-720 to 840); times are local as written' }],
    ],
    [
      'a bad pivot falls back to 70',
      '01/01/69-00:00:00:000 (1) 0 x',
      { year2000Pivot: 2.5 },
      '2069-01-01T00:00:00.000',
      [{ message: 'year2000Pivot 2.5 is not an integer from 0 to 100; 70 was used' }],
    ],
  ])('time: %s', (_name, line, options, time, problems) => {
    const result = parseMessagesLog(line, options);
    expect(result.value[0]?.time).toBe(time);
    expect(result.problems).toEqual(problems);
  });

  it('keeps a line with an impossible date as a continuation and reports it', () => {
    const result = parseMessagesLog('08/11/21-05:49:43:233 (1) 0 first\n02/30/21-05:49:43:233 (1) 0 bad date\n');
    expect(result.value).toHaveLength(1);
    expect(result.value[0]?.continuation).toEqual(['02/30/21-05:49:43:233 (1) 0 bad date']);
    expect(result.problems).toEqual([
      { line: 2, message: 'Invalid timestamp "02/30/21-05:49:43:233"; the line was kept as a continuation' },
    ]);
  });

  it('reports unstamped lines before the first entry (a tail cut mid-entry)', () => {
    const result = parseMessagesLog('Journaling switched to: /j/1\n  more\n08/11/21-05:49:43:233 (1) 0 x\n');
    expect(result.value).toHaveLength(1);
    expect(result.problems).toEqual([
      { line: 1, message: '2 unstamped lines before the first stamped entry were skipped' },
    ]);
  });
});

describe('irisBackupEvents', () => {
  it('classifies the IRISMeister freeze and thaw', () => {
    const events = irisBackupEvents(parseMessagesLog(readFixture('messages-irismeister-freeze.log')).value);
    expect(events).toEqual([
      { type: 'freeze-suspending', time: '2021-08-11T05:49:43.233', line: 2, pid: 18374 },
      {
        type: 'freeze-warning',
        time: '2021-08-11T05:49:43.233',
        line: 3,
        pid: 18374,
        text: 'Warning, /usr/irissys/mgr/irislocaldata/ is not being journalled',
      },
      {
        type: 'freeze-warning',
        time: '2021-08-11T05:49:43.233',
        line: 4,
        pid: 18374,
        text: 'Warning, 1 databases are not journalled, data will be lost in them if system crashes while suspended',
      },
      {
        type: 'journal-switched',
        time: '2021-08-11T05:49:43.342',
        line: 5,
        pid: 18374,
        path: '/iris/journal1/20210811.003',
      },
      {
        type: 'freeze-journal-restore-file',
        time: '2021-08-11T05:49:43.342',
        line: 7,
        pid: 18374,
        path: '/iris/journal1/20210811.003',
      },
      { type: 'frozen', time: '2021-08-11T05:49:44.347', line: 8, pid: 18374 },
      { type: 'thaw-resuming', time: '2021-08-11T05:49:54.410', line: 9, pid: 18380 },
      { type: 'thawed', time: '2021-08-11T05:49:55.411', line: 10, pid: 18380 },
    ]);
  });

  it('shows a restored VM: frozen at the snapshot, then WIJ recovery that exited with status 3', () => {
    const events = irisBackupEvents(parseMessagesLog(readFixture('messages-irismeister-restore.log')).value);
    expect(events).toEqual([
      { type: 'frozen', time: '2021-08-11T05:49:44.347', line: 1, pid: 18374 },
      { type: 'recovery-started', time: '2021-08-11T06:12:30.000', line: 3 },
      { type: 'recovery-exit', time: '2021-08-11T06:12:30.000', line: 3, status: 3, statusText: 'Success' },
    ]);
  });

  it('finds the startup entry and nothing else in unrelated lines', () => {
    const events = irisBackupEvents(parseMessagesLog(readFixture('messages-line-formats.log')).value);
    expect(events).toEqual([
      {
        type: 'startup',
        time: '2023-06-26T08:02:18.110',
        line: 1,
        pid: 144145,
        text: 'Startup of InterSystems IRIS [IRIS for UNIX (Red Hat Enterprise Linux 8 for x86-64) 2023.1 (Build 235.1) Fri Jun 2 2023 13:26:47 EDT]',
      },
    ]);
  });

  it('reads a Caché-style line without category', () => {
    const entries = parseMessagesLog(
      '08/11/21-05:49:44:347 (18374) 0 Backup.General.ExternalFreeze: System suspended',
    ).value;
    expect(irisBackupEvents(entries)).toEqual([
      { type: 'frozen', time: '2021-08-11T05:49:44.347', line: 1, pid: 18374 },
    ]);
  });
});
