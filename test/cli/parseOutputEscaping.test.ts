/** `parse` quotes log lines from a VM: its output, text or JSON, carries none of their control or bidi characters. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from './cliIo';

// ESC (a screen clear), a bidi override and a C1 CSI, in an extension.log line.
const LINE =
  '2026-11-21 01:30:01.000000 [VMSnapshotLinux-1.0]Plugin Config file does not have desired permissions ' +
  '\u001b[2J \u202eevil\u009bx\n';
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('parse output escaping', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-parse-'));
  const file = path.join(dir, 'extension.log');
  fs.writeFileSync(file, `2026-11-21 01:30:00.000000 [VMSnapshotLinux-1.0]Loading script modules now...\n${LINE}`);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('human output shows them as visible escapes', async () => {
    const io = captureIo();
    // 0 or 1 (what the log shows is the parse command's business); never a usage error or a failure.
    expect([0, 1]).toContain(await main(['parse', 'extension-log', file], io));
    expect(io.stdout()).toContain('desired permissions');
    expect(io.stdout()).not.toMatch(UNSAFE);
  });

  it('--json stays valid JSON with the same text, and carries none of them raw', async () => {
    const io = captureIo();
    expect([0, 1]).toContain(await main(['parse', 'extension-log', file, '--json'], io));
    expect(io.stdout()).not.toMatch(UNSAFE);
    const doc = JSON.parse(io.stdout()) as { schema: string };
    expect(doc.schema).toBe('iris-backup-guard/parse@1');
    // Written as a JSON escape, read back as the character: the data is unchanged.
    expect(io.stdout()).toContain('\\u202eevil');
    expect(JSON.stringify(doc)).toContain('\u202eevil');
  });
});
