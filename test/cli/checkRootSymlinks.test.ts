/**
 * `check --root` on an image whose files are symlinks to absolute paths: the probe looks the targets up inside the
 * root, as the VM would, so a host file's content never reaches the report, in JSON or text.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { makeRoot, removeRoot } from '../checks/support/fsRoot';
import { captureIo } from './cliIo';

const MARKER = 'HOST-FILE-MARKER-c41d';

describe('check --root: a config linked to a host file', () => {
  let hostDir: string;
  let root: string;

  beforeAll(() => {
    hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-hostfile-'));
    const hostFile = path.join(hostDir, 'config.json');
    fs.writeFileSync(hostFile, `{"preScriptLocation": "/${MARKER}/pre.sh", "note": "${MARKER}"}\n`);
    root = makeRoot({ files: {} });
    fs.mkdirSync(path.join(root, 'etc', 'azure'), { recursive: true });
    fs.symlinkSync(hostFile, path.join(root, 'etc', 'azure', 'VMSnapshotScriptPluginConfig.json'));
    fs.symlinkSync(`${'../'.repeat(10)}${hostFile.slice(1)}`, path.join(root, 'etc', 'azure', 'workload.conf'));
  });

  afterAll(() => {
    removeRoot(root);
    fs.rmSync(hostDir, { recursive: true, force: true });
  });

  it.each([
    ['JSON', ['--json']],
    ['text', []],
  ])('the %s report never shows the host file, and says the config is missing', async (_label, extra) => {
    const io = captureIo(process.env);
    await main(['check', '--root', root, ...extra], io);
    expect(io.stdout()).not.toContain(MARKER);
    expect(io.stderr()).not.toContain(MARKER);
    expect(io.stdout()).toContain('PluginConfigNotFound');
  });
});
