/**
 * Hostile input for every parser (issue 7, item 7). The parsers were super-linear on these; a regression shows up
 * as a test running into jest's timeout (the sizes below took the old code from tens of seconds to minutes), never
 * as an asserted time. The expectations check that the input was really read.
 *
 * Regex audit (src/shared/parsers, src/shared/checks/parseProbeOutput.ts), by hand: a pattern backtracks
 * super-linearly when a variable-length part can match the same text in many ways before a later part fails,
 * e.g. a lazy group followed by `\s*$` over a run of spaces, or an unanchored pattern whose prefix rescans the
 * rest of the line from every start. Those were replaced by string searches or a scanner (messages.log journal
 * paths, the Portal "Directory:" line, extension.log's "Enable failed" code, the script log's key=value pairs).
 * The remaining patterns are anchored, or every quantifier is followed by a literal it cannot itself match; the
 * lines below aim at each of them with the shape that would hurt if that were not so.
 */
import { CRAFTED_INPUTS, craftedText } from '../../bench/craftedParserInputs';
import { MAX_SCANNED_CHARS, parseProbeOutput } from '../../src/shared/checks/parseProbeOutput';
import { parseExtensionLog, summarizePrePost } from '../../src/shared/parsers/extensionLog';
import { parseIntegrityOutput } from '../../src/shared/parsers/integrityLog';
import { irisBackupEvents, parseMessagesLog } from '../../src/shared/parsers/messagesLog';
import { parseQlist } from '../../src/shared/parsers/qlist';
import { parseScriptLog } from '../../src/shared/parsers/scriptLog';

const MB = 1024 * 1024;
const crafted = (name: string): string => {
  const [label, size] = name.split('@') as [string, string];
  const input = CRAFTED_INPUTS.find((c) => c.name === label);
  if (!input) throw new Error(`no crafted input ${label}`);
  return craftedText(input, Number(size) * MB);
};
const spaces = (n: number): string => ' '.repeat(n);
const repeatLines = (line: string, count: number): string => `${line}\n`.repeat(count);

describe('parsers on crafted hostile input', () => {
  it('integrity: 100k+ directories', () => {
    const result = parseIntegrityOutput(crafted('integrity: many directories@12'));
    expect(result.value.verdict).toBe('ok');
    expect(result.value.omitted?.directories).toBeGreaterThan(100_000);
  });

  it('integrity: 50k+ Not OK globals, repeated in the summary', () => {
    const result = parseIntegrityOutput(crafted('integrity: many Not OK globals@12'));
    expect(result.value.verdict).toBe('errors');
    expect(result.value.omitted?.errors).toBeGreaterThan(50_000);
  });

  it('integrity: one global with 100k+ error lines, repeated in the summary', () => {
    const result = parseIntegrityOutput(crafted('integrity: one global, many error lines@12'));
    expect(result.value.errors).toHaveLength(1);
    expect(result.value.omitted?.errorLines).toBeGreaterThan(100_000);
  });

  it('integrity: the Portal "Directory:" line with a run of spaces in the path', () => {
    const result = parseIntegrityOutput(crafted('integrity: Portal Directory: with spaces@8'));
    expect(result.value.directories[0]?.path).toBe(`a${spaces(1000)}b`);
  });

  it('extension.log: 35k+ distinct status names in one run', () => {
    const entries = parseExtensionLog(crafted('extension.log: many status names@4')).value;
    expect(summarizePrePost(entries).statusCodes.length).toBeGreaterThan(35_000);
  });

  it('extension.log: "Enable failed with error:" followed by a run of spaces', () => {
    const entries = parseExtensionLog(crafted('extension.log: Enable failed with spaces@4')).value;
    expect(summarizePrePost(entries).final.kind).toBe('enable-failed');
  });

  it('messages.log: journal paths with a run of spaces', () => {
    const events = irisBackupEvents(parseMessagesLog(crafted('messages.log: Journaling switched with spaces@4')).value);
    const path = `a${spaces(4000)}b`;
    expect(events).toContainEqual(expect.objectContaining({ type: 'journal-switched', path }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'freeze-journal-restore-file', path }));
  });

  it('script log: long words without = and an unclosed quote', () => {
    const { problems } = parseScriptLog(crafted('script log: long words without =@4'));
    expect(problems).toContainEqual(expect.objectContaining({ message: 'Line has no event= field' }));
  });
});

describe('each remaining regex on the line shape that would make it backtrack', () => {
  // Integrity lines are cut at 1,024 characters; other logs at 8,192.
  const star = '*'.repeat(200);
  it.each([
    ['header', `Cache Database Integrity Check${' x'.repeat(500)}`],
    ['directory', `---Directory ${'---'.repeat(100)}${spaces(600)}x`],
    ['total', `---Total for directory ${'--- '.repeat(250)}x`],
    ['not ok', `${star} Global ${' is Not OK '.repeat(40)}${spaces(100)}${star}x`],
    ['errors in directory', `*** Errors in directory: ${' *'.repeat(250)} ${star}x`],
    ['errors found', `${star}${spaces(300)}ERRORS WERE FOUND${spaces(300)}x`],
    ['warning', `*** Warning: ${'*** '.repeat(250)}x`],
    ['map error', `***Map Error: ${spaces(1000)}x`],
    ['stars', `${star}${spaces(600)}x`],
    ['counts', `${'1,'.repeat(500)}x`],
  ])('integrity: %s', (_name, line) => {
    expect(parseIntegrityOutput(repeatLines(line, 20_000)).value.verdict).toBe('incomplete');
  });

  const ext = (message: string): string => `2026-11-21 01:30:00.101334 [x-1.0]${message}`;
  it.each([
    ['script line', ext(`Prescript for ${'successfully executed. '.repeat(300)}${spaces(1000)}x`)],
    ['running', ext(`Running prescript for ${' module...'.repeat(400)}${spaces(3000)}x`)],
    ['permissions', ext(`Permissions of the file ${' are 644'.repeat(500)}${spaces(3000)}x`)],
    ['owner', ext(`The owner of the Plugin Config file ${' but'.repeat(500)}${spaces(3000)}x`)],
    ['final pre-script', ext(`PreScript failed for the plugin ${'StatusCode'.repeat(700)}`)],
    ['status codes', ext(`${'StatusCode.'.repeat(700)}`)],
    ['enable failed, code mid-line', ext(`Enable failed with error: StatusCode.X${spaces(7000)}x`)],
    ['freeze marker', ext(`${'='.repeat(4000)} Logs during Freeze Start ${'='.repeat(3000)}x`)],
    ['python 2 prefix', `2026/11/21 01:30:00 [${'['.repeat(7000)}`],
  ])('extension.log: %s', (_name, line) => {
    const result = parseExtensionLog(repeatLines(line, 500));
    summarizePrePost(result.value);
    expect(result.value.length + result.problems.length).toBeGreaterThan(0);
  });

  const stamp = '08/11/21-05:49:43:342 (18374) 0 ';
  it.each([
    ['category', `${stamp}[${'['.repeat(8000)}`],
    ['recovery exit', `*** Recovery started at x\n  Exiting with status 1 (${'('.repeat(8000)}`],
    ['startup', `${stamp}Startup of IRIS${spaces(8000)}x`],
    ['banner date', `*** Recovery started at ${'Wed '.repeat(2000)}`],
  ])('messages.log: %s', (_name, line) => {
    const entries = parseMessagesLog(repeatLines(line, 500)).value;
    irisBackupEvents(entries);
    expect(entries.length).toBeGreaterThan(0);
  });

  it.each([
    ['our line', `2026-11-21T01:30:00Z${spaces(8000)}x`],
    ['stdout events', `11/21/2026 01:30:00: ${'<A'.repeat(4000)}`],
    ['stdout instance down', `${'not '.repeat(2000)}`],
  ])('script log: %s', (_name, line) => {
    expect(parseScriptLog(repeatLines(line, 500)).problems.length).toBeGreaterThan(0);
  });

  it('qlist: a line of carets and commas', () => {
    expect(parseQlist(repeatLines(`a^b^c^${','.repeat(4000)}^${'^'.repeat(100)}`, 60)).value).toHaveLength(60);
  });

  it('probe output: a megabyte of probe lines that are not JSON', () => {
    const line = `IBG_PROBE_V1 {${'"a":['.repeat(2000)}\n`;
    const result = parseProbeOutput(line.repeat(Math.ceil(MAX_SCANNED_CHARS / line.length) + 10));
    expect(result.facts).toBeUndefined();
  });
});
