import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from './cliIo';

const fixtures = path.join(__dirname, '../fixtures/logs');
const fixture = (name: string): string => path.join(fixtures, name);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-parse-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function parse(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await main(['parse', ...argv], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

interface ErrorDoc {
  schema: string;
  error: { code: string; message: string; fix: string };
  kind?: string;
  file?: string;
  suggestedKind?: string;
}

describe('iris-backup-guard parse', () => {
  it('--json prints the stable parse document', async () => {
    const { code, stdout } = await parse('qlist', fixture('qlist-isclib.txt'), '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { schema: string; kind: string; value: unknown[]; verdict: unknown };
    expect(doc.schema).toBe('iris-backup-guard/parse@1');
    expect(doc.kind).toBe('qlist');
    expect(doc.value.length).toBeGreaterThan(0);
    expect(doc.verdict).toEqual({ verdict: 'ok' });
  });

  describe('the exit code follows the verdict', () => {
    it.each([
      ['integrity', 'integrity-cache-ok.txt', 0],
      ['integrity', 'integrity-iris-errors.txt', 1],
      ['extension-log', 'extension-success.log', 0],
      ['extension-log', 'extension-prescript-exit5-300.log', 1],
      ['script-log', 'script-ibg-freeze-thaw.log', 0],
      ['script-log', 'script-ms-sample-pre-failed.log', 1],
      ['messages-log', 'messages-irismeister-freeze.log', 0],
    ])('%s %s: %i', async (kind, name, expected) => {
      const { code, stdout } = await parse(kind, fixture(name));
      expect(code).toBe(expected);
      if (expected === 1) expect(stdout).toMatch(/\nProblem: .+\n$/);
    });

    it('a cut integrity output is a problem too', async () => {
      const file = write('cut.txt', 'Intersystems IRIS Database Integrity Check on 11/21/2026\n---Directory /d/---\n');
      const { code, stdout } = await parse('integrity', file);
      expect(code).toBe(1);
      expect(stdout).toContain('Problem: the integrity output has no final summary line (cut or crashed)');
    });
  });

  describe('input that cannot be parsed: exit 2, what was wrong and how to fix it', () => {
    it('a file that does not exist', async () => {
      const { code, stderr } = await parse('messages-log', '/nonexistent/messages.log');
      expect(code).toBe(2);
      expect(stderr).toBe('cannot read /nonexistent/messages.log: ENOENT (no such file)\nCheck the path.');
    });

    it('a directory', async () => {
      const { code, stderr } = await parse('integrity', dir);
      expect(code).toBe(2);
      expect(stderr).toBe(`${dir} is a directory\nGive the log file inside it.`);
    });

    it('an empty file, and one of blank lines', async () => {
      const empty = await parse('extension-log', write('empty.log', ''));
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain('is empty (0 bytes): there is nothing to parse');
      const blank = await parse('extension-log', write('blank.log', '\n  \r\n\n'));
      expect(blank.code).toBe(2);
      expect(blank.stderr).toContain('holds only blank lines');
    });

    it('a binary file', async () => {
      const bytes = Buffer.alloc(4096);
      for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7919) % 256;
      const { code, stderr } = await parse('messages-log', write('core.bin', bytes));
      expect(code).toBe(2);
      expect(stderr).toMatch(
        /core\.bin is not text: \d+% of its first 4096 bytes are NUL, control bytes or invalid UTF-8/,
      );
      expect(stderr).toContain('not an archive, a core file or a disk image');
    });

    it('UTF-16 text', async () => {
      const file = write('utf16.log', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello\n', 'utf16le')]));
      const { code, stderr } = await parse('messages-log', file);
      expect(code).toBe(2);
      expect(stderr).toContain(`iconv -f UTF-16 -t UTF-8 ${file}`);
    });

    it('a messages.log given as integrity output names the kind it looks like', async () => {
      const file = fixture('messages-irismeister-freeze.log');
      const { code, stderr } = await parse('integrity', file);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `${file} does not look like integrity check output: nothing in it was recognised; it looks like an IRIS ` +
          `messages.log\nTry: iris-backup-guard parse messages-log ${file}`,
      );
    });

    it.each([
      ['extension-log', 'messages-irismeister-freeze.log', 'messages-log'],
      ['messages-log', 'extension-success.log', 'extension-log'],
      ['qlist', 'integrity-cache-ok.txt', 'integrity'],
      ['extension-log', 'qlist-isclib.txt', 'qlist'],
    ])('%s given %s suggests %s', async (kind, name, suggested) => {
      const { code, stdout } = await parse(kind, fixture(name), '--json');
      expect(code).toBe(2);
      const doc = JSON.parse(stdout) as ErrorDoc;
      expect(doc.error.code).toBe('wrong-kind');
      expect(doc.suggestedKind).toBe(suggested);
    });

    it('text of no known kind', async () => {
      const { code, stderr } = await parse('extension-log', write('notes.txt', 'shopping list\nmilk\n'));
      expect(code).toBe(2);
      expect(stderr).toContain('does not look like an extension.log (VMSnapshotLinux): nothing in it was recognised');
      expect(stderr).toContain('give the kind that matches it');
    });
  });

  describe('--json errors are JSON with a schema', () => {
    it('a refused input', async () => {
      const { code, stdout, stderr } = await parse('messages-log', '/nonexistent/messages.log', '--json');
      expect(code).toBe(2);
      expect(stderr).toBe('');
      expect(JSON.parse(stdout)).toEqual({
        schema: 'iris-backup-guard/parse-error@1',
        error: {
          code: 'not-found',
          message: 'cannot read /nonexistent/messages.log: ENOENT (no such file)',
          fix: 'Check the path.',
        },
        kind: 'messages-log',
        file: '/nonexistent/messages.log',
      });
    });

    it.each([
      [
        ['bogus', 'f', '--json'],
        'unknown kind "bogus"; use one of script-log, extension-log, messages-log, qlist, integrity',
      ],
      [['qlist', '--json'], 'parse needs a kind and a file'],
      [['qlist', 'f', '--wat', '--json'], 'unknown option --wat'],
    ])('a usage error %j', async (argv, message) => {
      const { code, stdout } = await parse(...argv);
      expect(code).toBe(2);
      const doc = JSON.parse(stdout) as ErrorDoc;
      expect(doc.schema).toBe('iris-backup-guard/parse-error@1');
      expect(doc.error).toMatchObject({ code: 'usage', message });
      expect(doc.error.fix).toMatch(/^Usage: iris-backup-guard parse </);
    });
  });

  it('--help lists the exit codes', async () => {
    const io = captureIo();
    expect(await main(['parse', '--help'], io)).toBe(0);
    expect(io.stdout()).toMatch(
      /Exit codes:\n {2}0 {2}parsed; the log reports nothing wrong\n {2}1 {2}parsed; the log reports a problem/,
    );
    expect(io.stdout()).toContain('2  usage error, or input that cannot be parsed');
  });

  describe('line numbers count from the start of the file', () => {
    const entry = '08/11/21-05:49:43:233 (18374) 0 [Utility.Event] padding padding\n';

    it.each([
      ['LF', '\n'],
      ['CRLF', '\r\n'],
    ])('the tail of a messages.log over 4 MiB (%s)', async (_name, eol) => {
      const count = Math.ceil((5 * 1024 * 1024) / entry.length);
      const body = entry.replace('\n', eol).repeat(count);
      const file = write(`big-${_name}.log`, `${body}13/45/21-05:49:43:233 (1) 0 bad month${eol}`);
      const { code, stdout } = await parse('messages-log', file, '--json');
      expect(code).toBe(0);
      const doc = JSON.parse(stdout) as {
        value: { entries: { line: number }[] };
        problems: { line?: number; message: string }[];
      };
      const first = doc.value.entries[0]?.line ?? 0;
      const skipped = doc.problems[0]?.message.match(
        /^File is (\d+) bytes; only the last (\d+) \(from line (\d+)\) were read$/,
      );
      expect(Number(skipped?.[3])).toBe(first);
      // Every line is the same length, so the first line read is the one after the skipped bytes.
      const lineBytes = entry.length - 1 + eol.length;
      expect((first - 1) * lineBytes).toBe(Number(skipped?.[1]) - Number(skipped?.[2]));
      expect(doc.problems).toContainEqual({
        line: count + 1,
        message: 'Invalid timestamp "13/45/21-05:49:43:233"; the line was kept as a continuation',
      });
    });

    it('integrity output streamed whole, with CRLF and a binary line far into it', async () => {
      const globals = 'Global: A\r\n Data Level: # of blocks=1 8kb (1% full)\r\n'.repeat(100_000);
      const file = write(
        'big-integrity.txt',
        `Intersystems IRIS Database Integrity Check on 11/21/2026\r\n---Directory /d/---\r\n${globals}` +
          'bad\u0000line\r\nNo Errors were found in this directory.\r\nNo Errors were found.\r\n',
      );
      const { code, stdout } = await parse('integrity', file, '--json');
      expect(code).toBe(0);
      const doc = JSON.parse(stdout) as { value: { directories: { globalsChecked: number }[] }; problems: unknown[] };
      expect(doc.value.directories[0]?.globalsChecked).toBe(100_000);
      expect(doc.problems).toEqual([
        {
          line: 200_003,
          message: 'Line contains binary data (NUL or control characters); they were replaced with U+FFFD',
        },
      ]);
    });
  });

  it('text from the VM is shown with control and bidirectional characters escaped', async () => {
    const file = write(
      'evil-integrity.txt',
      'Intersystems IRIS Database Integrity Check\n---Directory /d/\u202egnp.exe\u009b2J/---\nNo Errors were found in this directory.\nNo Errors were found.\n',
    );
    const human = await parse('integrity', file);
    expect(human.stdout).toContain('/d/\\u202egnp.exe\\x9b2J/');
    expect(human.stdout).not.toMatch(/[\u202e\u009b]/);
    const json = await parse('integrity', file, '--json');
    expect(json.stdout).not.toMatch(/[\u202e\u009b]/);
    expect((JSON.parse(json.stdout) as { value: { directories: { path: string }[] } }).value.directories[0]?.path).toBe(
      '/d/\u202egnp.exe\u009b2J/',
    );
  });
});
