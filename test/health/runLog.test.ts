import { runLog } from '../../src/shared/protection/runLog';
import type { ProtectionLog } from '../../src/shared/protection/protectionDeps';

describe('runLog', () => {
  const lines: [string, string, Record<string, unknown> | undefined][] = [];
  const base: ProtectionLog = {
    info: (m, d) => lines.push(['info', m, d]),
    warn: (m, d) => lines.push(['warn', m, d]),
    error: (m, d) => lines.push(['error', m, d]),
  };
  const log = runLog(base, { id: '2026-03-02/iris-a', target: { vmName: 'iris-a' } as never });

  beforeEach(() => lines.splice(0));

  it('adds the run id and VM to every level', () => {
    log.info('one');
    log.warn('two', { code: 'X' });
    log.error('three', {});
    expect(lines).toEqual([
      ['info', 'one', { runId: '2026-03-02/iris-a', vm: 'iris-a' }],
      ['warn', 'two', { runId: '2026-03-02/iris-a', vm: 'iris-a', code: 'X' }],
      ['error', 'three', { runId: '2026-03-02/iris-a', vm: 'iris-a' }],
    ]);
  });

  it("keeps a line's own run id and VM", () => {
    log.info('other', { runId: 'r2', vm: 'iris-b' });
    expect(lines).toEqual([['info', 'other', { runId: 'r2', vm: 'iris-b' }]]);
  });
});
