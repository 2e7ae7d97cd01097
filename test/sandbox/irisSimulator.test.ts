/**
 * The simulated `csession`/`iris session` as a pre/post-script calls it: output to the caller's stdout (a socket
 * under Node, a pipe under the real extension) and the carriage return a CRLF script leaves in the argument.
 */
import { readIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import { makeIrisRoot, removeRoots, runDash, writeFile } from '../vm/vmRoot';

afterAll(removeRoots);

const THAW = 'csession CACHE -U%SYS "##class(Backup.General).ExternalThaw()"\necho "rc=$?"\n';

describe('simulated csession ExternalThaw from a script', () => {
  it.each([
    ['LF line endings: thaws, prints to stdout, exits 5', THAW, 'rc=5', false],
    ['CRLF line endings: the argument ends in \\r, nothing runs, exits 1', THAW.replace(/\n/g, '\r\n'), 'rc=1', true],
  ])('%s', (_name, script, rc, stillFrozen) => {
    const root = makeIrisRoot({ name: 'CACHE', product: 'Cache', status: 'running', frozen: true });
    const file = writeFile(root, 'etc/azure/postScript.sh', script, 0o700);
    const run = runDash(root, file);
    expect(run.stdout).toContain(rc);
    expect(readIrisInstance(root, 'CACHE')?.frozen).toBe(stillFrozen);
    if (!stillFrozen) expect(run.stdout).toContain('Backup.General.ExternalThaw: System resumed');
  });
});
