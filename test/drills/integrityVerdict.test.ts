import fc from 'fast-check';
import { integrityOfEvidence } from '../../src/shared/drills/integrityEvidence';
import { integrityFromReport, integrityFromSummary } from '../../src/shared/drills/integrityVerdict';
import { parseIntegrityOutput } from '../../src/shared/parsers/integrityLog';
import { readFixture } from '../parsers/readFixture';

const OK = readFixture('integrity-cache-ok.txt');
const ERRORS = readFixture('integrity-iris-errors.txt');

/** The verifier's stdout as uploaded to the evidence blob: progress, the integrity section, the summary block. */
const evidence = (integrity: string, end = true): string =>
  [
    'ibg-drill: freeze state frozen',
    'ibg-drill: starting IRIS without user code',
    `IBG-INTEGRITY-BEGIN bytes=${integrity.length}`,
    integrity,
    ...(end
      ? [
          'IBG-INTEGRITY-END',
          '',
          'IBG-DRILL-BEGIN v=1',
          'integrity=clean databases=1 errors=0 seconds=1',
          'IBG-DRILL-END rc=0',
        ]
      : []),
    '',
  ].join('\n');

async function* chunks(text: string, cuts: number[]): AsyncIterable<string> {
  let from = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    yield text.slice(from, c);
    from = c;
  }
  yield text.slice(from);
}
async function* bytes(text: string, size: number): AsyncIterable<Uint8Array> {
  const b = Buffer.from(text, 'utf8');
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe('integrityFromReport', () => {
  it('clean output: clean, every directory ok', () => {
    const v = integrityFromReport(parseIntegrityOutput(OK).value);
    expect(v.status).toBe('clean');
    expect(v.source).toBe('evidence');
    expect(v.databases.every((d) => d.status === 'ok')).toBe(true);
  });

  it('errors: the global named in its directory', () => {
    const v = integrityFromReport(parseIntegrityOutput(ERRORS).value);
    expect(v.status).toBe('errors');
    expect(v.errorCount).toBeGreaterThan(0);
    expect(v.databases.find((d) => d.directory === '/usr/irissys/mgr/user/')).toEqual(
      expect.objectContaining({ status: 'errors', globals: expect.arrayContaining(['CacheTempClassDesc']) }),
    );
  });

  it('a database the verifier listed but the output never reached: incomplete', () => {
    const v = integrityFromReport(parseIntegrityOutput(OK).value, ['/database/db1/', '/data/missing/']);
    expect(v.status).toBe('incomplete');
    expect(v.messages.join(' ')).toContain('/data/missing');
  });

  it('a not-mounted database: not-mounted, incomplete', () => {
    const text = OK.replace('No Errors were found in this directory.', 'The database is not mounted.');
    const v = integrityFromReport(parseIntegrityOutput(text).value);
    expect(v.databases[0]?.status).toBe('not-mounted');
    expect(v.status).not.toBe('clean');
  });
});

describe('integrityFromSummary', () => {
  it('clean only when every database is ok', () => {
    expect(integrityFromSummary('clean', [{ status: 'ok', directory: '/a/' }], 0).status).toBe('clean');
    expect(integrityFromSummary('clean', [], 0).status).toBe('incomplete');
    expect(integrityFromSummary('clean', [{ status: 'not-mounted', directory: '/a/' }], 0).status).toBe('incomplete');
    expect(integrityFromSummary('errors', [{ status: 'ok', directory: '/a/' }], 1).status).toBe('errors');
    expect(integrityFromSummary('incomplete', [{ status: 'ok', directory: '/a/' }], 0).status).toBe('incomplete');
    expect(integrityFromSummary('clean', [{ status: 'error', directory: '/a/' }], 0).status).toBe('errors');
    const many = integrityFromSummary(
      'clean',
      Array.from({ length: 60 }, (_, i) => ({ status: 'ok', directory: `/d${i}/` })),
      0,
      5,
    );
    expect(many.databases).toHaveLength(40);
    expect(many.databasesOmitted).toBe(25);
  });
});

describe('integrityOfEvidence', () => {
  it('reads only the integrity section: clean, errors, cut', async () => {
    expect((await integrityOfEvidence(chunks(evidence(OK), []))).status).toBe('clean');
    expect((await integrityOfEvidence(chunks(evidence(ERRORS), []))).status).toBe('errors');
    expect((await integrityOfEvidence(chunks(evidence(OK, false), []))).status).toBe('incomplete');
    // Lines outside the section cannot pass for integrity output.
    expect(
      (await integrityOfEvidence(chunks(`${OK}\nIBG-INTEGRITY-BEGIN bytes=0\nIBG-INTEGRITY-END\n`, []))).status,
    ).not.toBe('clean');
  });

  it('the same verdict however the input is chunked (strings or bytes, split anywhere)', async () => {
    for (const text of [evidence(OK), evidence(ERRORS), evidence(OK, false), evidence(OK.replace(/\n/g, '\r\n'))]) {
      const whole = await integrityOfEvidence(chunks(text, []));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 30 }), async (cuts) => {
          expect(await integrityOfEvidence(chunks(text, cuts))).toEqual(whole);
        }),
        { numRuns: 40 },
      );
      for (const size of [1, 3, 7, 4096]) expect(await integrityOfEvidence(bytes(text, size))).toEqual(whole);
    }
  });

  it('a 50 MB generated stream: parsed with a bounded result and bounded memory', async () => {
    const dir = (i: number): string =>
      `---Directory /data/db${i}/---\n\n` +
      'Global: G\n Top/Bottom Pnt Level: # of blocks=1      8kb (4% full)\n Data Level:           # of blocks=18      144kb (72% full)\n'.repeat(
        200,
      ) +
      `\n---Total for directory /data/db${i}/---\nNo Errors were found in this directory.\n\n`;
    const TARGET_BYTES = 50 * 1024 * 1024;
    let produced = 0;
    let peak = 0;
    async function* gen(): AsyncIterable<string> {
      yield 'ibg-drill: progress\nIBG-INTEGRITY-BEGIN bytes=52428800\nIntersystems IRIS Database Integrity Check on 03/10/2026 at 02:10:01\n';
      for (let i = 0; produced < TARGET_BYTES; i++) {
        const d = dir(i);
        produced += d.length;
        if (i % 200 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
        yield d;
      }
      yield 'No Errors were found.\nIBG-INTEGRITY-END\n';
    }
    const before = process.memoryUsage().heapUsed;
    const v = await integrityOfEvidence(gen());
    expect(produced).toBeGreaterThanOrEqual(TARGET_BYTES);
    expect(v.status).toBe('clean');
    expect(v.databases.length).toBeLessThanOrEqual(40);
    expect(v.databasesOmitted).toBeGreaterThan(0);
    expect(JSON.stringify(v).length).toBeLessThan(20_000);
    // Holding the input would take > 50 MB of heap; the parser keeps only its capped report.
    expect(peak - before).toBeLessThan(40 * 1024 * 1024);
  });
});
