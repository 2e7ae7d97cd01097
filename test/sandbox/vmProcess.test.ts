import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VmProcessRunner } from '../../sandbox/vmProcess';

describe('VmProcessRunner', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-vmproc-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('runs scripts under dash with IBG_ROOT and the VM root as cwd', async () => {
    const end = await new VmProcessRunner().run({
      root,
      args: ['-s'],
      stdin: 'echo "$IBG_ROOT|$(pwd)|${BASH_VERSION:-dash}"; exit 4',
      timeoutMs: 10_000,
      killOnTimeout: true,
    });
    expect(end).toEqual({ kind: 'exited', exitCode: 4, stdout: `${root}|${root}|dash\n`, stderr: '' });
  });

  it('queues scripts beyond the concurrency limit', async () => {
    const runner = new VmProcessRunner(1);
    const first = runner.run({
      root,
      args: ['-s'],
      stdin: 'sleep 0.3; echo a >> order',
      timeoutMs: 10_000,
      killOnTimeout: true,
    });
    const second = runner.run({ root, args: ['-s'], stdin: 'echo b >> order', timeoutMs: 10_000, killOnTimeout: true });
    await Promise.all([first, second]);
    expect(fs.readFileSync(path.join(root, 'order'), 'utf8')).toBe('a\nb\n');
  });

  it('leaves a timed-out script running when asked not to kill it, until stopAll', async () => {
    const runner = new VmProcessRunner();
    const end = await runner.run({
      root,
      args: ['-s'],
      stdin: 'echo $$ > pid; sleep 30',
      timeoutMs: 300,
      killOnTimeout: false,
    });
    expect(end.kind).toBe('timedOut');
    const pid = Number(fs.readFileSync(path.join(root, 'pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).not.toThrow();
    runner.stopAll();
    await new Promise((r) => setTimeout(r, 100));
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
