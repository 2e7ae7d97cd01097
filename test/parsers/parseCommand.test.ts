import { isParseKind, PARSE_KINDS } from '../../src/shared/parsers/parsedDocument';
import { renderParsed } from '../../src/shared/report/parseReport';
import { readFixture } from './readFixture';

describe('renderParsed', () => {
  it.each([
    ['script-log', 'script-ibg-freeze-thaw.log', 4],
    ['extension-log', 'extension-success.log', 27],
    ['messages-log', 'messages-irismeister-freeze.log', 9],
    ['qlist', 'qlist-isclib.txt', 5],
  ] as const)('%s --json prints the stable document', (kind, fixture, count) => {
    const doc = JSON.parse(renderParsed(kind, readFixture(fixture), { json: true })) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['schema', 'kind', 'value', 'problems']);
    expect(doc.schema).toBe('iris-backup-guard/parse@1');
    expect(doc.kind).toBe(kind);
    expect(doc.problems).toEqual([]);
    const value = doc.value as unknown[] | { entries: unknown[] };
    expect(Array.isArray(value) ? value.length : value.entries.length).toBe(count);
  });

  it('extension-log --json carries the last run summary', () => {
    const doc = JSON.parse(
      renderParsed('extension-log', readFixture('extension-prescript-exit5-300.log'), { json: true }),
    );
    expect(doc.value.lastRun.extensionStatus).toEqual({
      code: 300,
      name: 'FailedPrepostPreScriptFailed',
      azureName: 'Pre-ScriptExecutionFailed',
      silentFallback: false,
    });
  });

  it('qlist as a table', () => {
    expect(renderParsed('qlist', readFixture('qlist-isclib.txt'), { json: false })).toBe(
      [
        'NAME      STATUS   VERSION               HEALTH  PORT   MIRROR                      DIRECTORY',
        'DOCKER    down     2015.2.2.805.0.16216  -       56772  -                           /ensemble/instances/docker/',
        'DOCKER    running  2018.1.1.643.0        ok      1972   -                           /ensemble/instances/docker',
        'INSTTEST  running  2015.2.2.805.0.16216  ok      56772  Failover/Primary (primary)  /ensemble/instances/insttest/',
        'INSTTEST  running  2015.2.2.805.0.16216  warn    56772  -                           /ensemble/instances/insttest/',
        'INSTTEST  down     2012.2.3.903.2.12515  -       56772  -                           /ensemble/instances/insttest/',
        '',
      ].join('\n'),
    );
  });

  it('script log as a timeline, with what could not be read', () => {
    const text = `${readFixture('script-ibg-freeze-thaw.log')}garbage line\n`;
    expect(renderParsed('script-log', text, { json: false })).toBe(
      [
        'TIME                      ROLE  EVENT         INSTANCE  DETAIL',
        '2026-11-21T01:30:00.000Z  pre   freeze-start  -         start',
        '2026-11-21T01:30:01.000Z  pre   frozen        IRIS      /iris/journal1/20261121.003',
        '2026-11-21T01:30:09.000Z  post  thaw-start    -         start',
        '2026-11-21T01:30:10.000Z  post  thawed        IRIS      rc=5',
        '',
        'Could not read (1):',
        '  line 8: 1 unrecognised lines (first shown by line number)',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['extension-log', 'extension-fs-fallback-316.log', '  Validation:   failed, 316 FailedPrepostPluginConfigNotFound'],
    [
      'extension-log',
      'extension-prescript-exit5-300.log',
      '  Status code:  300 FailedPrepostPreScriptFailed (Pre-ScriptExecutionFailed)',
    ],
    [
      'messages-log',
      'messages-irismeister-restore.log',
      '2021-08-11T06:12:30.000  -      recovery-exit     status 3 (Success)',
    ],
    ['integrity', 'integrity-iris-errors.txt', 'Verdict: errors'],
  ] as const)('%s %s shows "%s"', (kind, fixture, line) => {
    expect(renderParsed(kind, readFixture(fixture), { json: false }).split('\n')).toContain(line);
  });

  it('renders binary garbage without passing control characters through', () => {
    const out = renderParsed('script-log', '\u001b]0;owned\u0007 SYSTEM FREEZE FAILED\n', { json: false });
    // eslint-disable-next-line no-control-regex -- the assertion is about control characters
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it.each([...PARSE_KINDS.map((k) => [k, true] as const), ['syslog', false] as const])(
    'isParseKind(%s) is %s',
    (k, ok) => {
      expect(isParseKind(k)).toBe(ok);
    },
  );
});
