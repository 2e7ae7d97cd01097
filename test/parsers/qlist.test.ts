import { isMirrorPrimary, parseQlist } from '../../src/shared/parsers/qlist';
import { readFixture } from './readFixture';

describe('parseQlist', () => {
  const isclib = parseQlist(readFixture('qlist-isclib.txt'));

  it('reads every isclib sample line without problems', () => {
    expect(isclib.problems).toEqual([]);
    expect(isclib.value).toHaveLength(5);
  });

  it.each([
    [
      'Caché, down, 10 fields with blank health',
      0,
      {
        name: 'DOCKER',
        installDir: '/ensemble/instances/docker/',
        version: '2015.2.2.805.0.16216',
        status: 'down',
        statusText: 'down, last used Fri May 13 18:12:33 2016',
        superserverPort: 56772,
      },
    ],
    [
      'IRIS, running, 13 fields',
      1,
      {
        name: 'DOCKER',
        installDir: '/ensemble/instances/docker',
        version: '2018.1.1.643.0',
        status: 'running',
        statusText: 'running, since Mon Jul 23 14:42:09 2018',
        health: 'ok',
        product: 'IRIS',
        dataDir: '/ensemble/instances/docker',
        superserverPort: 1972,
      },
    ],
    [
      'mirror primary',
      2,
      {
        name: 'INSTTEST',
        installDir: '/ensemble/instances/insttest/',
        version: '2015.2.2.805.0.16216',
        status: 'running',
        statusText: 'running, since Fri May 13 22:07:02 2016',
        health: 'ok',
        mirrorMemberType: 'Failover',
        mirrorStatus: 'Primary',
        dataDir: '/mgr/config',
        superserverPort: 56772,
      },
    ],
    [
      'health warn',
      3,
      {
        name: 'INSTTEST',
        installDir: '/ensemble/instances/insttest/',
        version: '2015.2.2.805.0.16216',
        status: 'running',
        statusText: 'running, since Fri May 13 22:07:02 2016',
        health: 'warn',
        superserverPort: 56772,
      },
    ],
    [
      'legacy 8 fields',
      4,
      {
        name: 'INSTTEST',
        installDir: '/ensemble/instances/insttest/',
        version: '2012.2.3.903.2.12515',
        status: 'down',
        statusText: 'down, last used Thu Sep 15 18:58:30 2016',
        superserverPort: 56772,
      },
    ],
  ])('%s', (_name, index, expected) => {
    expect(isclib.value[index]).toEqual(expected);
  });

  it.each([
    ['the mirror primary', 2, true],
    ['a non-mirrored instance', 1, false],
    ['a legacy line', 4, false],
  ])('isMirrorPrimary: %s', (_name, index, expected) => {
    const instance = isclib.value[index];
    expect(instance && isMirrorPrimary(instance)).toBe(expected);
  });

  it.each([
    [
      'sign-on inhibited with a sub-state',
      'IRIS^/usr/irissys/^2024.1.0.267.2^sign-on inhibited:primary transition^iris.cpf^1972^52773^62972^ok^IRIS^Failover^Backup^/usr/irissys/^1972',
      { status: 'sign-on inhibited', mirrorStatus: 'Backup', superserverPort: 1972 },
      [],
    ],
    [
      'a blank port in field 6 falls back to field 14',
      'IRIS^/usr/irissys/^2025.1^running, since Sat Nov 21 01:00:00 2026^iris.cpf^^52773^62972^ok^IRIS^^^/usr/irissys/^1973',
      { superserverPort: 1973 },
      [],
    ],
    [
      'an unknown status',
      'IRIS^/usr/irissys/^2025.1^starting or stopping^iris.cpf^1972^52773^62972',
      { status: 'other', statusText: 'starting or stopping' },
      [{ line: 1, message: 'Instance IRIS: unrecognised status "starting or stopping"' }],
    ],
    [
      'more than 14 fields',
      'IRIS^/usr/irissys/^2030.1^running^iris.cpf^1972^52773^62972^ok^IRIS^^^/usr/irissys/^1972^future',
      { name: 'IRIS', status: 'running' },
      [{ line: 1, message: 'Line has 15 fields; fields after the 14th were ignored' }],
    ],
    [
      'no port anywhere',
      'IRIS^/usr/irissys/^2025.1^down^iris.cpf^none^52773^62972',
      { name: 'IRIS', status: 'down' },
      [{ line: 1, message: 'Instance IRIS: no valid superserver port in field 6' }],
    ],
  ])('%s', (_name, line, expected, problems) => {
    const result = parseQlist(line);
    expect(result.value).toHaveLength(1);
    expect(result.value[0]).toMatchObject(expected);
    expect(result.problems).toEqual(problems);
  });

  it.each([
    [
      'too few fields',
      'IRIS^/usr/irissys/^2025.1^running',
      'Not a qlist line: expected 8 to 14 fields separated by ^, found 4',
    ],
    [
      'an error message instead of a listing',
      'iris: command not found',
      'Not a qlist line: expected 8 to 14 fields separated by ^, found 1',
    ],
    [
      'no instance name',
      '^/usr/irissys/^2025.1^running^iris.cpf^1972^52773^62972',
      'qlist line without an instance name or installation directory was skipped',
    ],
  ])('skips %s and says so', (_name, line, message) => {
    expect(parseQlist(line)).toEqual({ value: [], problems: [{ line: 1, message }] });
  });

  it('reads `ccontrol qlist` output with CRLF line ends and a blank line', () => {
    const text =
      'CACHE^/usr/cachesys/^2018.1.5.659.0^running, since Sat Nov 21 01:00:00 2026^cache.cpf^1972^57772^62972^ok^\r\n\r\nX^/x/^1^down^c^1^2^3\r\n';
    const result = parseQlist(text);
    expect(result.problems).toEqual([]);
    expect(result.value.map((i) => [i.name, i.status, i.health])).toEqual([
      ['CACHE', 'running', 'ok'],
      ['X', 'down', undefined],
    ]);
  });
});
