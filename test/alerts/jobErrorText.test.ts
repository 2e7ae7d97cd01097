import fc from 'fast-check';
import type { JobErrorDetail } from '../../src/shared/azure/backupGateway';
import {
  JOB_TEXT_CHARS,
  QUOTE_CHARS,
  TROUBLESHOOTING_NAMES,
  matchErrorText,
  matchJobErrors,
  quoteLine,
} from '../../src/shared/alerts/jobErrorText';

const detail = (d: Partial<JobErrorDetail>): JobErrorDetail => ({ recommendations: [], ...d });
const job = (...details: Partial<JobErrorDetail>[]) => ({
  status: 'CompletedWithWarnings',
  errorDetails: details.map(detail),
});
const names = (...details: Partial<JobErrorDetail>[]) => matchJobErrors(job(...details)).map((m) => m.name);

describe('matchJobErrors', () => {
  it.each(TROUBLESHOOTING_NAMES.map((n) => [n]))('the exact name %s anywhere in the title', (name) => {
    expect(names({ title: `UserError: ${name} (see the troubleshooting guide)` })).toEqual([name]);
  });

  it.each([
    ['post script execution failed', 'Post-ScriptExecutionFailed'],
    ['POSTSCRIPTEXECUTIONFAILED', 'Post-ScriptExecutionFailed'],
    ['Post-Script execution failed', 'Post-ScriptExecutionFailed'],
    ['pre_script_timeout', 'Pre-ScriptTimeout'],
    ['Insufficient permission for pre-script', 'InsufficientPermissionforPre-Script'],
    ['incorrect json config file', 'IncorrectJSONConfigFile'],
    ['Incorrect Plugin-host File', 'IncorrectPluginhostFile'],
  ])('case and punctuation do not matter: %s', (text, name) => {
    expect(names({ message: text })).toEqual([name]);
  });

  it.each([
    ['The post-script on the VM timed out after 1800 seconds.', 'Post-ScriptTimeout'],
    ['The prescript returned an error, so backup might not be application-consistent', 'Pre-ScriptExecutionFailed'],
    ['The pre script returned an error', 'Pre-ScriptExecutionFailed'],
    ['Could not find the prescript at the configured location', 'Pre-ScriptNotFound'],
    ['Post script does not exist in the location given', 'Post-ScriptNotFound'],
    ['The pre-script does not have the required permissions', 'InsufficientPermissionforPre-Script'],
    ['The JSON config file is malformed', 'IncorrectJSONConfigFile'],
    ['VMSnapshotPluginHost.conf could not be parsed', 'IncorrectPluginhostFile'],
  ])('plain words: %s', (text, name) => {
    expect(names({ message: text })).toEqual([name]);
  });

  // The messages of MS Learn's troubleshooting table (backup-azure-linux-app-consistent.md), without their names.
  it.each([
    ['The pre-script returned an error, so backup might not be application-consistent.', 'Pre-ScriptExecutionFailed'],
    ['The post-script returned an error that might impact application state.', 'Post-ScriptExecutionFailed'],
    [
      "The pre-script wasn't found at the location that's specified in the VMSnapshotScriptPluginConfig.json config file.",
      'Pre-ScriptNotFound',
    ],
    [
      "The post-script wasn't found at the location that's specified in the VMSnapshotScriptPluginConfig.json config file.",
      'Post-ScriptNotFound',
    ],
    [
      "The Pluginhost.config file that comes with the extension has been corrupted, so pre-script and post-script can't run.",
      'IncorrectPluginhostFile',
    ],
    [
      "The VMSnapshotScriptPluginConfig.json file is incorrect, so pre-script and post-script can't run.",
      'IncorrectJSONConfigFile',
    ],
    ['The execution of the application-consistent backup pre-script timed out.', 'Pre-ScriptTimeout'],
    ['The execution of the application-consistent backup post-script timed out.', 'Post-ScriptTimeout'],
  ])('MS Learn wording: %s', (text, name) => {
    expect(names({ message: text })).toEqual([name]);
  });

  it('two scripts in one sentence are two findings, each with its own problem', () => {
    expect(names({ message: 'The pre-script timed out and the post-script failed with exit code 1' })).toEqual([
      'Pre-ScriptTimeout',
      'Post-ScriptExecutionFailed',
    ]);
  });

  it('a script word that only mentions where the path is set stays the script’s problem', () => {
    expect(
      names({ message: 'Post-script not found: check postScriptLocation in VMSnapshotScriptPluginConfig.json' }),
    ).toEqual(['Post-ScriptNotFound']);
  });

  it.each([
    [{ code: 301 }, 'Post-ScriptExecutionFailed', 301],
    [{ code: 1101 }, 'Post-ScriptExecutionFailed', 301],
    [{ code: 1108 }, 'Pre-ScriptTimeout', 308],
    [{ message: 'VMSnapshotLinux error code: 309' }, 'Post-ScriptTimeout', 309],
    [{ message: 'ErrorCode=1103' }, 'Post-ScriptNotFound', 303],
    [{ message: 'StatusCode.FailedPrepostPreScriptPermissionError,' }, 'InsufficientPermissionforPre-Script', 306],
  ])('codes in `code` or after a code word: %j', (d, name, code) => {
    expect(matchJobErrors(job(d))).toEqual([expect.objectContaining({ name, code })]);
  });

  it('a code with no Azure name is kept as a code', () => {
    expect(matchJobErrors(job({ code: 318 }))).toEqual([expect.objectContaining({ code: 318, by: 'code' })]);
    expect(matchJobErrors(job({ code: 318 }))[0]?.name).toBeUndefined();
  });

  it('the code and the name of one problem are one match', () => {
    expect(matchJobErrors(job({ code: 301, title: 'Post-ScriptExecutionFailed' }))).toEqual([
      expect.objectContaining({ name: 'Post-ScriptExecutionFailed', code: 301 }),
    ]);
  });

  it.each([
    [{ code: 400_017 }],
    [{ code: 999 }],
    [{ code: 305.5 }],
    [{ message: 'Backup size 310 GB transferred in 301 seconds' }],
    [{ title: 'UserErrorGuestAgentStatusUnavailable', message: 'VM agent is unable to communicate with Azure Backup' }],
    [{ message: 'The post-script executed successfully' }],
    [{ message: 'The backup failed with an error. The pre-script executed successfully.' }],
    [{}],
  ])('nothing known, nothing guessed: %j', (d) => {
    expect(matchJobErrors(job(d))).toEqual([]);
  });

  it('recommendations are read only when the title and message say nothing', () => {
    const recs = ['Make sure the pre-script has the right permissions (owner root, mode 700)'];
    expect(names({ title: 'Post-ScriptTimeout', recommendations: recs })).toEqual(['Post-ScriptTimeout']);
    expect(names({ code: 400_017, recommendations: recs })).toEqual(['InsufficientPermissionforPre-Script']);
  });

  it('one match per problem across details, with the first detail quoted', () => {
    const m = matchJobErrors(
      job({ title: 'Post-ScriptExecutionFailed' }, { code: 301, message: 'post script failed' }),
    );
    expect(m).toEqual([
      {
        name: 'Post-ScriptExecutionFailed',
        code: 301,
        by: 'name',
        quote: 'job CompletedWithWarnings: Post-ScriptExecutionFailed',
      },
    ]);
  });

  it('malformed details from the wire do not throw', () => {
    const wire = { status: 'Failed', errorDetails: [null, 42, { code: 'x', recommendations: 'nope' }] } as never;
    expect(matchJobErrors(wire)).toEqual([]);
  });

  it('hostile text: the quote is capped and has no control characters', () => {
    const evil = `Post-ScriptExecutionFailed \u001b[2J\u001b]0;pwned\u0007 ${'A'.repeat(1_000_000)}\u202e`;
    const [m] = matchJobErrors(job({ message: evil }));
    expect(m?.name).toBe('Post-ScriptExecutionFailed');
    expect(m?.quote.length).toBeLessThan(QUOTE_CHARS + 120);
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    expect(m?.quote).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(m?.quote).toContain('\\x1b[2J');
  });

  it('a name past the cap is not read (the text is cut before it is read)', () => {
    expect(names({ message: `${'x '.repeat(JOB_TEXT_CHARS)}Post-ScriptExecutionFailed` })).toEqual([]);
  });
});

describe('matchErrorText', () => {
  it('names in a free text', () => {
    expect(
      matchErrorText('PostScript failed for the plugin ScriptRunner StatusCode.FailedPrepostPostScriptFailed,'),
    ).toEqual(['Post-ScriptExecutionFailed']);
  });

  it('"Plugin Host Precheck Failed" names no host conf problem by itself', () => {
    expect(matchErrorText('Plugin Host Precheck Failed StatusCode.FailedPrepostPreScriptNotFound,')).toEqual([
      'Pre-ScriptNotFound',
    ]);
  });
});

describe('quoteLine', () => {
  it('keeps ordinary text as it is', () => {
    expect(quoteLine('Postscript for ScriptRunner failed with error code: 1 .')).toBe(
      'Postscript for ScriptRunner failed with error code: 1 .',
    );
  });
});

describe('never throws, on any input', () => {
  const anyDetail = fc.record(
    {
      code: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(301, 1109, 316)),
      title: fc.string({ maxLength: 200 }),
      message: fc.oneof(
        fc.string({ maxLength: 500 }),
        fc
          .array(
            fc.constantFrom('pre', 'post', 'script', 'timed', 'out', 'failed', 'not', 'found', '-', ' ', 'code', '301'),
            {
              maxLength: 60,
            },
          )
          .map((w) => w.join(' ')),
      ),
      recommendations: fc.array(fc.string({ maxLength: 100 }), { maxLength: 5 }),
    },
    { requiredKeys: ['recommendations'] },
  );

  it('arbitrary details give well-formed matches', () => {
    fc.assert(
      fc.property(fc.array(anyDetail, { maxLength: 8 }), (details) => {
        const out = matchJobErrors({ status: 'Failed', errorDetails: details });
        for (const m of out) {
          expect(m.name !== undefined || m.code !== undefined).toBe(true);
          if (m.name !== undefined) expect(TROUBLESHOOTING_NAMES).toContain(m.name);
          expect(m.quote.length).toBeLessThanOrEqual(QUOTE_CHARS * 2);
        }
        expect(new Set(out.map((m) => m.name ?? m.code)).size).toBe(out.length);
      }),
    );
  });

  it('1 MB inputs of repeated script and problem words are handled', () => {
    const words = ['post', 'script', 'timed', 'out', 'pre', '-', 'error', 'code', '3', ' '];
    fc.assert(
      fc.property(fc.constantFrom(...words), fc.constantFrom(...words), (a, b) => {
        const text = `${a}${b} `.repeat(Math.ceil(1_000_000 / (a.length + b.length + 1)));
        expect(() => matchJobErrors(job({ title: text, message: text, recommendations: [text] }))).not.toThrow();
        expect(() => matchErrorText(text)).not.toThrow();
      }),
      { numRuns: 20 },
    );
  });
});
