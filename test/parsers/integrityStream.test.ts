import { Readable } from 'node:stream';
import { CRAFTED_INPUTS, craftedText } from '../../bench/craftedParserInputs';
import {
  INTEGRITY_CAPS,
  IntegrityParser,
  parseIntegrityOutput,
  parseIntegrityStream,
} from '../../src/shared/parsers/integrityLog';
import { MAX_PROBLEMS } from '../../src/shared/parsers/parseResult';
import { readFixture } from './readFixture';

const crafted = (name: string): (typeof CRAFTED_INPUTS)[number] => {
  const input = CRAFTED_INPUTS.find((c) => c.name === name);
  if (!input) throw new Error(`no crafted input ${name}`);
  return input;
};

describe('IntegrityParser (streaming)', () => {
  it.each(['integrity-cache-ok.txt', 'integrity-iris-errors.txt'])(
    '%s: any chunking gives the same result as the whole text',
    (fixture) => {
      const text = readFixture(fixture);
      const whole = parseIntegrityOutput(text);
      for (const size of [1, 2, 3, 7, 64, 1000]) {
        const parser = new IntegrityParser();
        for (let i = 0; i < text.length; i += size) parser.write(text.slice(i, i + size));
        expect(parser.end()).toEqual(whole);
      }
      const crlf = new IntegrityParser();
      const crlfText = text.replace(/\n/g, '\r\n');
      // Every chunk but the last ends on a CR, so every CRLF is split.
      for (const piece of crlfText.split(/(?<=\r)/)) crlf.write(piece);
      expect(crlf.end()).toEqual(whole);
    },
  );

  it('reads a Node stream of Buffers, a UTF-8 character split across chunks included', async () => {
    const text =
      'Caché Database Integrity Check on 01/01/2199\n---Directory /d/é/---\nNo Errors were found in this directory.\nNo Errors were found.\n';
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf(Buffer.from('é', 'utf8')) + 1;
    const result = await parseIntegrityStream(Readable.from([bytes.subarray(0, at), bytes.subarray(at)]));
    expect(result).toEqual(parseIntegrityOutput(text));
    expect(result.value.header).toBe('Caché Database Integrity Check on 01/01/2199');
    expect(result.value.directories[0]?.path).toBe('/d/é/');
  });

  it('numbers lines from the start of the file across chunks, and from firstLine when given', () => {
    const parser = new IntegrityParser({ firstLine: 10 });
    parser.write('IRIS Database Integrity Check\nok\n\u0000bad');
    parser.write('\r');
    parser.write('\nNo Errors were found.\n');
    const result = parser.end();
    expect(result.problems).toEqual([
      { line: 12, message: 'Line contains binary data (NUL or control characters); they were replaced with U+FFFD' },
    ]);
    expect(parser.linesRead).toBe(13);
  });

  it('caps what it keeps and counts the rest: many directories', () => {
    const result = parseIntegrityOutput(craftedText(crafted('integrity: many directories'), 2_000_000));
    const dirs = result.value.directories.length + (result.value.omitted?.directories ?? 0);
    expect(result.value.directories).toHaveLength(INTEGRITY_CAPS.directories);
    expect(dirs).toBeGreaterThan(15_000);
    expect(result.value.verdict).toBe('ok');
    expect(result.problems).toEqual([]);
  });

  it('caps what it keeps and counts the rest: many Not OK globals, each also in the summary', () => {
    const text = craftedText(crafted('integrity: many Not OK globals'), 2_000_000);
    const blocks = text.split('is Not OK').length - 1;
    const result = parseIntegrityOutput(text);
    expect(result.value.errors).toHaveLength(INTEGRITY_CAPS.errors);
    expect(result.value.errors[0]).toEqual({
      directory: '/db/',
      global: 'G0',
      lines: ['The pointer block contains the wrong global'],
    });
    // Every global is printed twice (where it was checked and in the summary); each is counted once.
    expect(result.value.errors.length + (result.value.omitted?.errors ?? 0)).toBe(blocks / 2);
    expect(result.value.verdict).toBe('errors');
  });

  it('caps the lines kept for one error and counts the rest once, though the summary repeats them', () => {
    const text = craftedText(crafted('integrity: one global, many error lines'), 1_000_000);
    const perBlock = (text.split('Error of type').length - 1) / 2;
    const result = parseIntegrityOutput(text);
    expect(result.value.errors).toHaveLength(1);
    expect(result.value.errors[0]?.lines).toHaveLength(INTEGRITY_CAPS.linesPerError);
    expect(result.value.omitted).toEqual({
      directories: 0,
      errors: 0,
      errorLines: perBlock - INTEGRITY_CAPS.linesPerError,
      messages: 0,
      warnings: 0,
    });
  });

  it('keeps only the head of an endless line (no line break in 5 MB)', () => {
    const parser = new IntegrityParser();
    for (let i = 0; i < 80; i += 1) parser.write('x'.repeat(64 * 1024));
    const result = parser.end();
    expect(result.problems[0]).toEqual({
      line: 1,
      message: 'Line is 5242880 characters; only the first 1024 were read',
    });
  });

  it('keeps at most MAX_PROBLEMS problems and counts the rest', () => {
    const parser = new IntegrityParser();
    for (let i = 0; i < 1000; i += 1) parser.write('\u0000binary\n');
    const { problems } = parser.end();
    expect(problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(problems[MAX_PROBLEMS]).toEqual({ message: '951 more problems were not listed' });
  });

  it('ignores writes after end and returns the same result', () => {
    const parser = new IntegrityParser();
    parser.write('No Errors were found.\n');
    const first = parser.end();
    parser.write('*****ERRORS WERE FOUND *****\n');
    expect(parser.end()).toBe(first);
  });
});
