import { parseExtensionLog } from '../../src/shared/parsers/extensionLog';
import { parseIntegrityOutput } from '../../src/shared/parsers/integrityLog';
import { parseMessagesLog } from '../../src/shared/parsers/messagesLog';
import { MAX_PROBLEMS, ParseProblem } from '../../src/shared/parsers/parseResult';
import { parseQlist } from '../../src/shared/parsers/qlist';
import { parseScriptLog } from '../../src/shared/parsers/scriptLog';
import { readFixture } from './readFixture';

const BINARY = '\u001b[2JPK\u0003\u0004\u0000\u0000binary\u0000junk\n\u0000\u0000\u0000\u0000\n';
const binaryLines: ParseProblem[] = [
  { line: 1, message: 'Line contains binary data (NUL or control characters); they were replaced with U+FFFD' },
  { line: 2, message: 'Line contains binary data (NUL or control characters); they were replaced with U+FFFD' },
];

// Each parser, with what "nothing read" looks like for it.
const parsers = [
  ['qlist', parseQlist],
  ['messages.log', parseMessagesLog],
  ['extension.log', parseExtensionLog],
  ['script log', parseScriptLog],
  ['integrity', parseIntegrityOutput],
] as const;

describe('every parser on malformed input', () => {
  it.each(parsers)('%s: empty input', (_name, parse) => {
    const result = parse('');
    if (_name === 'integrity') {
      expect(result.problems).toEqual([
        { message: 'Not integrity check output: no header, directory or summary line found' },
      ]);
    } else {
      expect(result).toEqual({ value: [], problems: [] });
    }
  });

  it.each(parsers)('%s: not a string (an untyped caller)', (_name, parse) => {
    const result = (parse as (t: unknown) => { problems: ParseProblem[] })(null);
    expect(result.problems[0]).toEqual({ message: 'Input is not text (null); nothing was read' });
  });

  it.each([
    [
      'qlist',
      parseQlist,
      [
        ...binaryLines,
        { line: 1, message: 'Not a qlist line: expected 8 to 14 fields separated by ^, found 1' },
        { line: 2, message: 'Not a qlist line: expected 8 to 14 fields separated by ^, found 1' },
      ],
    ],
    [
      'messages.log',
      parseMessagesLog,
      [
        ...binaryLines,
        { line: 1, message: '2 unstamped lines before the first stamped entry were skipped' },
        {
          message: 'No messages.log entries found (expected lines like "MM/DD/YY-HH:MM:SS:mmm (pid) severity text")',
        },
      ],
    ],
    [
      'extension.log',
      parseExtensionLog,
      [
        ...binaryLines,
        { line: 1, message: '2 lines before the first timestamped entry were skipped' },
        { message: 'No extension.log entries found (expected "YYYY-MM-DD HH:MM:SS.ffffff [name-version]message")' },
      ],
    ],
    [
      'script log',
      parseScriptLog,
      [...binaryLines, { line: 1, message: '2 unrecognised lines (first shown by line number)' }],
    ],
    [
      'integrity',
      parseIntegrityOutput,
      [...binaryLines, { message: 'Not integrity check output: no header, directory or summary line found' }],
    ],
  ])('%s: binary garbage with NUL and an escape sequence', (_name, parse, problems) => {
    const result = (parse as (t: string) => { problems: ParseProblem[] })(BINARY);
    expect(result.problems).toEqual(problems);
  });

  it('caps the problem list for a file full of garbage', () => {
    const result = parseQlist('garbage\n'.repeat(500));
    expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.problems[MAX_PROBLEMS]).toEqual({ message: '450 more problems were not listed' });
  });

  it('cuts a huge line and says so', () => {
    const result = parseMessagesLog(`08/11/21-05:49:43:233 (1) 0 ${'x'.repeat(20_000)}\n`);
    expect(result.value[0]?.text).toHaveLength(8192 - 28);
    expect(result.problems).toEqual([{ line: 1, message: 'Line is 20028 characters; only the first 8192 were read' }]);
  });

  describe('20 MB input', () => {
    // 327,680 lines of exactly 64 characters (with the newline) = 20,971,520 characters.
    const messagesLine = '08/11/21-05:49:43:233 (18374) 0 [Utility.Event] padding padding\n';
    const huge = messagesLine.repeat((20 * 1024 * 1024) / 64);

    it('has the shape the expectations below assume', () => {
      expect(messagesLine).toHaveLength(64);
      expect(huge).toHaveLength(20_971_520);
    });

    it('messages.log keeps only the newest 4 MiB and reports the skip', () => {
      const result = parseMessagesLog(huge);
      expect(result.value).toHaveLength(65_536);
      expect(result.value[0]?.line).toBe(262_145);
      expect(result.problems).toEqual([
        { message: 'Input is 20971520 characters; only the last 4194304 (from line 262145) were read' },
      ]);
    });

    it('integrity reads all of it (its parser streams in bounded memory) and finds nothing it knows', () => {
      const result = parseIntegrityOutput(huge);
      expect(result.value.verdict).toBe('incomplete');
      expect(result.problems).toEqual([
        { message: 'Not integrity check output: no header, directory or summary line found' },
      ]);
    });

    it('qlist keeps the head (256 KiB), cut at a line end', () => {
      const result = parseQlist(huge);
      expect(result.problems[0]).toEqual({ message: 'Input is 20971520 characters; only the first 262143 were read' });
      expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    });

    it.each([
      ['extension.log', parseExtensionLog],
      ['script log', parseScriptLog],
    ])('%s is bounded the same way', (_name, parse) => {
      const result = (parse as (t: string) => { problems: ParseProblem[] })(huge);
      expect(result.problems[0]).toEqual({
        message: 'Input is 20971520 characters; only the last 4194304 (from line 262145) were read',
      });
    });
  });

  it.each([
    ['extension.log', 'extension-success.log', parseExtensionLog],
    ['messages.log', 'messages-irismeister-freeze.log', parseMessagesLog],
    ['script log', 'script-irismeister-backupscript.log', parseScriptLog],
    ['integrity', 'integrity-iris-errors.txt', parseIntegrityOutput],
    ['qlist', 'qlist-isclib.txt', parseQlist],
  ])('%s: CRLF line ends give the same result as LF', (_name, fixture, parse) => {
    const lf = readFixture(fixture);
    const run = parse as (t: string) => unknown;
    expect(run(lf.replace(/\n/g, '\r\n'))).toEqual(run(lf));
  });

  it.each([
    [
      'extension.log',
      (t: string) => parseExtensionLog(t).problems,
      'extension-success.log',
      {
        line: 29,
        message: 'The last line has no line break and no timestamp: it looks cut; it was kept as a continuation',
      },
    ],
    [
      'messages.log',
      (t: string) => parseMessagesLog(t).problems,
      'messages-irismeister-freeze.log',
      {
        line: 10,
        message: 'The last line has no line break and no timestamp: it looks cut; it was kept as a continuation',
      },
    ],
  ])('%s: a file truncated in the middle of its last timestamp', (_name, problemsOf, fixture, expected) => {
    const text = readFixture(fixture);
    const lastLineStart = text.lastIndexOf('\n', text.length - 2) + 1;
    expect(problemsOf(text.slice(0, lastLineStart + 12))).toEqual([expected]);
  });
});
