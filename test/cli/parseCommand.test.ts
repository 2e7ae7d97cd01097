import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from './cliIo';

const fixtures = path.join(__dirname, '../fixtures/logs');

describe('iris-backup-guard parse', () => {
  it('--json prints the stable parse document', async () => {
    const files = fs.readdirSync(fixtures);
    const qlist = files.find((f) => f.includes('qlist'));
    expect(qlist).toBeDefined();
    const io = captureIo();
    expect(await main(['parse', 'qlist', path.join(fixtures, qlist as string), '--json'], io)).toBe(0);
    const doc = JSON.parse(io.stdout()) as { schema: string; kind: string; value: { name: string }[] };
    expect(doc.schema).toBe('iris-backup-guard/parse@1');
    expect(doc.kind).toBe('qlist');
    expect(doc.value.length).toBeGreaterThan(0);
  });

  it('a file that does not exist', async () => {
    const io = captureIo();
    expect(await main(['parse', 'messages-log', '/nonexistent/messages.log'], io)).toBe(2);
    expect(io.stderr()).toContain('cannot read /nonexistent/messages.log: ENOENT');
  });
});
