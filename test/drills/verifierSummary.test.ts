import fc from 'fast-check';
import {
  MAX_DATABASES,
  MAX_EVIDENCE_LINES,
  MAX_PROBLEMS,
  MAX_TEXT,
  parseVerifierSummary,
} from '../../src/shared/drills/verifierSummary';

/** A block as vm/drill-verify.sh prints it. */
const BLOCK = [
  'IBG-DRILL-BEGIN v=1',
  'instance=IRIS product=IRIS',
  'freeze=frozen journal=/usr/irissys/mgr/journal/20261203.002',
  'isolation=ok checked=3 reached=-',
  'iris=up seconds=14',
  'recovery=clean',
  'integrity=errors databases=3 errors=1 seconds=52',
  'db=error /usr/irissys/mgr/user/',
  'db=not-mounted /data/with space/',
  'db=ok /usr/irissys/mgr/',
  'evidence=/var/tmp/ibg-drill/integrity.log bytes=10240',
  'stop=ok',
  'line=12/03/26-16:00:00:000 (42) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended',
  'IBG-DRILL-END rc=1',
  '',
].join('\n');

describe('parseVerifierSummary', () => {
  it('reads every field of a complete block, typed', () => {
    expect(parseVerifierSummary(`ibg-drill: progress\nIBG-INTEGRITY-END\n\n${BLOCK}`)).toEqual({
      found: true,
      complete: true,
      version: 1,
      rc: 1,
      instance: 'IRIS',
      product: 'IRIS',
      freeze: 'frozen',
      journal: '/usr/irissys/mgr/journal/20261203.002',
      isolation: 'ok',
      checked: 3,
      reached: undefined,
      iris: 'up',
      irisSeconds: 14,
      recovery: 'clean',
      integrity: 'errors',
      databases: 3,
      errors: 1,
      integritySeconds: 52,
      databaseResults: [
        { status: 'error', directory: '/usr/irissys/mgr/user/' },
        { status: 'not-mounted', directory: '/data/with space/' },
        { status: 'ok', directory: '/usr/irissys/mgr/' },
      ],
      moreDatabases: 0,
      evidence: { path: '/var/tmp/ibg-drill/integrity.log', bytes: 10240 },
      stop: 'ok',
      evidenceLines: ['12/03/26-16:00:00:000 (42) 0 [Utility.Event] Backup.General.ExternalFreeze: System suspended'],
      moreEvidenceLines: 0,
      problems: [],
    });
  });

  it('takes the last block, reads CRLF, adds more= counts', () => {
    const older = BLOCK.replace('freeze=frozen', 'freeze=none');
    const s = parseVerifierSummary(
      `${older}junk\n${BLOCK.replace('stop=ok', 'more=db 460\nmore=line 3\nstop=ok').replace(/\n/g, '\r\n')}`,
    );
    expect(s).toMatchObject({ freeze: 'frozen', complete: true, moreDatabases: 460, moreEvidenceLines: 3 });
    expect(s.problems).toEqual([]);
  });

  it('a block cut at the front: found=false, what remains is read, complete from END', () => {
    const cut = BLOCK.slice(BLOCK.indexOf('ation=ok'));
    const s = parseVerifierSummary(cut);
    expect(s).toMatchObject({ found: false, complete: true, rc: 1, iris: 'up', stop: 'ok' });
    expect(s.freeze).toBeUndefined();
    expect(s.problems).toContain('no IBG-DRILL-BEGIN line');
  });

  it('a block cut at the end is incomplete', () => {
    const s = parseVerifierSummary(BLOCK.slice(0, BLOCK.indexOf('stop=ok')));
    expect(s).toMatchObject({ found: true, complete: false, integrity: 'errors' });
    expect(s.rc).toBeUndefined();
    expect(s.stop).toBeUndefined();
  });

  it('unknown values and hostile lines become problems, capped; control characters are replaced', () => {
    const hostile = [
      'IBG-DRILL-BEGIN v=1',
      'freeze=melted journal=/x',
      `db=ok /a\u0007b\u001b[31m`,
      'db=exploded /x',
      `line=${'x'.repeat(10_000)}`,
      ...Array.from({ length: 50 }, (_, i) => `garbage ${String(i)}`),
      'IBG-DRILL-END rc=9',
    ].join('\n');
    const s = parseVerifierSummary(hostile);
    expect(s.freeze).toBeUndefined();
    expect(s.databaseResults).toEqual([{ status: 'ok', directory: '/a?b?[31m' }]);
    expect(s.evidenceLines[0]).toHaveLength(MAX_TEXT);
    expect(s.problems).toHaveLength(MAX_PROBLEMS);
    expect(s.problems[0]).toBe('freeze=melted journal=/x');
    expect(s.rc).toBe(9);
  });

  it('caps list lengths and counts the rest', () => {
    const many = [
      'IBG-DRILL-BEGIN v=1',
      ...Array.from({ length: MAX_DATABASES + 7 }, (_, i) => `db=ok /d${String(i)}/`),
      ...Array.from({ length: MAX_EVIDENCE_LINES + 4 }, (_, i) => `line=e${String(i)}`),
      'IBG-DRILL-END rc=0',
    ].join('\n');
    const s = parseVerifierSummary(many);
    expect(s.databaseResults).toHaveLength(MAX_DATABASES);
    expect(s.moreDatabases).toBe(7);
    expect(s.evidenceLines).toHaveLength(MAX_EVIDENCE_LINES);
    expect(s.moreEvidenceLines).toBe(4);
  });

  it('no block at all: nothing stated, never throws', () => {
    expect(parseVerifierSummary('')).toMatchObject({ found: false, complete: false, databaseResults: [] });
    expect(parseVerifierSummary(undefined as unknown as string).complete).toBe(false);
  });

  it('property: never throws and its output stays bounded, whatever the text', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom(...BLOCK.split('\n')),
      fc.constantFrom('IBG-DRILL-BEGIN v=1', 'IBG-DRILL-END rc=0', 'db=ok ', 'line=', '\r', '\u0000'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 300 }), (pieces) => {
        const s = parseVerifierSummary(pieces.join('\n'));
        expect(s.databaseResults.length).toBeLessThanOrEqual(MAX_DATABASES);
        expect(s.evidenceLines.length).toBeLessThanOrEqual(MAX_EVIDENCE_LINES);
        expect(s.problems.length).toBeLessThanOrEqual(MAX_PROBLEMS);
        for (const t of [...s.evidenceLines, ...s.problems, ...s.databaseResults.map((d) => d.directory)]) {
          expect(t.length).toBeLessThanOrEqual(MAX_TEXT);
          // eslint-disable-next-line no-control-regex -- checking that none are left
          expect(t).not.toMatch(/[\u0000-\u001f\u007f]/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: any cut of a real block keeps the fields that survive it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: BLOCK.length }), (at) => {
        const s = parseVerifierSummary(BLOCK.slice(at));
        if (at === 0) expect(s.found).toBe(true);
        // stop=ok is a whole line after the cut whenever the cut is before its line start.
        if (at <= BLOCK.indexOf('\nstop=ok')) expect(s.stop).toBe('ok');
      }),
    );
  });
});
