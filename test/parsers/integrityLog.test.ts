import { parseIntegrityOutput } from '../../src/shared/parsers/integrityLog';
import { readFixture } from './readFixture';

describe('parseIntegrityOutput', () => {
  it('reads a clean Caché report', () => {
    expect(parseIntegrityOutput(readFixture('integrity-cache-ok.txt'))).toEqual({
      value: {
        header: 'Cache Database Integrity Check on 01/01/2199 at 00:00:01',
        directories: [
          { path: '/database/db1/', verdict: 'ok', globalsChecked: 2, messages: [] },
          { path: '/databases/db2/', verdict: 'ok', globalsChecked: 1, messages: [] },
        ],
        errors: [],
        warnings: [],
        verdict: 'ok',
      },
      problems: [],
    });
  });

  it('reads an IRIS report with a bad global, merging the summary repeat into one error', () => {
    expect(parseIntegrityOutput(readFixture('integrity-iris-errors.txt'))).toEqual({
      value: {
        header: 'Intersystems IRIS Database Integrity Check on 11/21/2026 at 02:10:01',
        directories: [
          { path: '/usr/irissys/mgr/user/', verdict: 'errors', globalsChecked: 2, messages: [] },
          { path: '/usr/irissys/mgr/irislocaldata/', verdict: 'ok', globalsChecked: 1, messages: [] },
        ],
        errors: [
          {
            directory: '/usr/irissys/mgr/user/',
            global: 'CacheTempClassDesc',
            lines: ['The pointer block contains the wrong global', '***Further checking of this global is aborted.'],
          },
        ],
        warnings: [],
        verdict: 'errors',
      },
      problems: [],
    });
  });

  it.each([
    [
      'cut before the final summary',
      'Intersystems IRIS Database Integrity Check on 11/21/2026 at 02:10:01\n---Directory /d/---\nGlobal: A\n',
      'incomplete',
      [{ message: 'No final summary line ("No Errors were found." or "ERRORS WERE FOUND"); the output looks cut' }],
    ],
    [
      'not integrity output at all',
      'Access Denied\n',
      'incomplete',
      [{ message: 'Not integrity check output: no header, directory or summary line found' }],
    ],
    [
      'a localised report keyed on the English summary lines',
      'Intersystems IRIS Database Integrity Check on 11/21/2026\n---Directory /d/---\nGlobale: A\n Niveau de données: # de blocs=18\n---Total for directory /d/---\nNo Errors were found in this directory.\nNo Errors were found.\n',
      'ok',
      [],
    ],
    [
      'a directory that was not mounted',
      '---Directory /d/---\nThe database is not mounted.\nNo Errors were found.\n',
      'errors',
      [{ message: '"No Errors were found." contradicts the error lines; the verdict is errors' }],
    ],
    [
      'the error-count line alone',
      'IRIS Database Integrity Check - Report Created 01/25/2018 10:41:16\n3 errors found during integrity check\n',
      'errors',
      [],
    ],
    [
      'the Portal report format',
      'IRIS Database Integrity Check - Report Created 01/25/2018 10:41:16 System: USER6440\nNo Errors were found.\nFull Listing of Databases Checked\nDirectory: C:\\InterSystems\\Mgr\\DATA\\\n0 globals with errors found\nGlobal: Aviation.AircraftD 0 errors found\n',
      'ok',
      [],
    ],
  ])('%s', (_name, text, verdict, problems) => {
    const result = parseIntegrityOutput(text);
    expect(result.value.verdict).toBe(verdict);
    expect(result.problems).toEqual(problems);
  });

  it('collects warnings and the directory abort line', () => {
    const result = parseIntegrityOutput(
      '---Directory /d/---\n*** Warning: Global X might be corrupt, should be rechecked ***\n***Further checking of this directory is aborted.\n*****ERRORS WERE FOUND *****\n',
    );
    expect(result.value.warnings).toEqual(['*** Warning: Global X might be corrupt, should be rechecked ***']);
    expect(result.value.directories).toEqual([
      {
        path: '/d/',
        verdict: 'errors',
        globalsChecked: 0,
        messages: ['***Further checking of this directory is aborted.'],
      },
    ]);
    expect(result.value.verdict).toBe('errors');
  });
});
