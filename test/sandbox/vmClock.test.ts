/**
 * One timeline: the sandbox clock runs with real time and jumps on advance(); VM processes see it through the
 * `date` shim. Assertions compare times with each other (offsets, order), never with the wall clock.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hardenedSetupFiles, type Sandbox, startSandbox } from '../../sandbox';
import { SandboxClock } from '../../sandbox/clock';
import { VmProcessRunner } from '../../sandbox/vmProcess';
import { readIrisInstance } from '../../sandbox/vm-bin/irisSimState';
import { SIM_CLOCK_BIN_DIR, simClockEnv } from '../../sandbox/vm-bin/simClock';
import { clients, containerOf, itemOf, testScenario, testVm, triggerBackup, vmIdOf } from './sandboxFixtures';

const DAY_MS = 86_400_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const SHIM = path.join(SIM_CLOCK_BIN_DIR, 'date');

/** Runs the shim and the real date back to back; returns shim seconds minus real seconds. */
function shimShiftSeconds(env: Record<string, string>, args: string[] = ['+%s']): number {
  const shim = spawnSync(SHIM, args, { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' });
  const real = spawnSync('date', args, { encoding: 'utf8' });
  return Number(shim.stdout.trim()) - Number(real.stdout.trim());
}

describe('SandboxClock', () => {
  it('starts at the given time, runs with real time and jumps on advance', () => {
    let real = 1_000_000;
    const clock = new SandboxClock('2025-01-15T01:00:00.000Z', () => real);
    expect(clock.now().toISOString()).toBe('2025-01-15T01:00:00.000Z');
    real += 1500;
    expect(clock.startMs).toBe(Date.parse('2025-01-15T01:00:00.000Z'));
    expect(clock.now().toISOString()).toBe('2025-01-15T01:00:01.500Z');
    const listened: string[] = [];
    clock.onAdvance((now) => listened.push(now.toISOString()));
    expect(clock.advance(10 * 60_000).toISOString()).toBe('2025-01-15T01:10:01.500Z');
    expect(listened).toEqual(['2025-01-15T01:10:01.500Z']);
    expect(clock.offsetFromRealMs()).toBe(clock.nowMs() - real);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('refuses to advance by %p', (ms) => {
    expect(() => new SandboxClock(0).advance(ms)).toThrow(RangeError);
  });

  it('refuses an invalid start time', () => {
    expect(() => new SandboxClock('not a date')).toThrow(TypeError);
  });
});

describe('the date shim', () => {
  it.each([
    ['no offset: the real date', {}, 0],
    ['a day back', simClockEnv(-DAY_MS), -86_400],
    ['a day ahead', simClockEnv(DAY_MS), 86_400],
    ['a garbled offset: the real date', { IBG_SIM_CLOCK_OFFSET_MS: '12x' }, 0],
  ])('%s', (_label, env, shift) => {
    expect(Math.abs(shimShiftSeconds(env) - shift)).toBeLessThanOrEqual(2);
  });

  it.each([
    [['-u', '-d', '@0', '+%F'], '1970-01-01'],
    [['-u', '--date=@86400', '+%F'], '1970-01-02'],
  ])('passes a call about another time through unchanged: date %p', (args, expected) => {
    const run = spawnSync(SHIM, args, { env: { PATH: '/usr/bin:/bin', ...simClockEnv(-DAY_MS) }, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe(expected);
  });

  it("keeps the caller's format, with milliseconds", () => {
    const run = spawnSync(SHIM, ['-u', '+%m/%d/%y-%H:%M:%S:%3N'], {
      env: { PATH: '/usr/bin:/bin', ...simClockEnv(-365 * DAY_MS) },
      encoding: 'utf8',
    });
    expect(run.stdout.trim()).toMatch(/^\d\d\/\d\d\/\d\d-\d\d:\d\d:\d\d:\d{3}$/);
  });
});

describe('VM processes follow the sandbox clock', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-vmclock-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const dateOf = async (runner: VmProcessRunner, clockOffsetMs?: number): Promise<number> => {
    const end = await runner.run({
      root: dir,
      args: ['-s'],
      stdin: 'date -u +%s%3N',
      timeoutMs: 10_000,
      killOnTimeout: true,
      ...(clockOffsetMs === undefined ? {} : { clockOffsetMs }),
    });
    return Number(end.stdout.trim());
  };

  it('a script sees a fixed past start time, then the advance made before it started', async () => {
    const clock = new SandboxClock('2025-01-15T01:00:00.000Z');
    const runner = new VmProcessRunner(undefined, () => clock.offsetFromRealMs());
    const start = Date.parse('2025-01-15T01:00:00.000Z');
    const first = await dateOf(runner);
    expect(first).toBeGreaterThanOrEqual(start);
    expect(first).toBeLessThanOrEqual(clock.nowMs());
    clock.advance(DAY_MS);
    const second = await dateOf(runner);
    expect(second).toBeGreaterThanOrEqual(start + DAY_MS);
    expect(second).toBeLessThanOrEqual(clock.nowMs());
    // A run that pinned its clock (a backup's extension run) keeps it.
    const pinned = await dateOf(runner, first - Date.now());
    expect(pinned).toBeLessThan(start + DAY_MS);
  });
});

describe('a backup during which the sandbox clock is advanced', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: testScenario(
        [
          testVm('hardened', hardenedSetupFiles(), {
            irisInstances: [{ name: 'IRIS', product: 'IRIS', status: 'running', knobs: { freezeHangSeconds: 1 } }],
          }),
        ],
        { startTime: '2025-01-15T01:00:00.000Z' },
      ),
    });
  });
  afterAll(async () => sandbox?.stop());

  it('keeps its own timeline: the freeze window stays short and the snapshot stays app-consistent', async () => {
    await triggerBackup(sandbox, 'hardened');
    // Advance while IRIS is frozen (its freeze call hangs 1 s after suspending), as a test under load may: the run
    // keeps the clock of its start, so the post-script does not see a 30-minute freeze (WDSuspendLimit is 300 s).
    const root = sandbox.vmRoot(vmIdOf('hardened'));
    for (let i = 0; i < 100 && !readIrisInstance(root, 'IRIS')?.frozen; i += 1) await sleep(50);
    expect(readIrisInstance(root, 'IRIS')?.frozen).toBe(true);
    sandbox.clock.advance(30 * 60_000);
    await sandbox.idle();
    const points = [];
    for await (const rp of clients(sandbox).backup.recoveryPoints.list(
      'vault1',
      'rg-backup',
      'Azure',
      containerOf('hardened'),
      itemOf('hardened'),
    )) {
      points.push(rp.properties as { recoveryPointType?: string; recoveryPointTime?: Date });
    }
    expect(points.map((p) => p.recoveryPointType)).toEqual(['AppConsistent']);
    const log = fs.readFileSync(path.join(root, 'var/log/iris-backup-guard/freeze-thaw.log'), 'utf8');
    const stamps = [...log.matchAll(/^(\S+) .*event=(frozen|thawed) /gm)].map((m) => Date.parse(m[1] ?? ''));
    expect(stamps).toHaveLength(2);
    const [frozen = 0, thawed = 0] = stamps;
    const snapshot = points[0]?.recoveryPointTime?.getTime() ?? 0;
    // Second precision in the scripts' log: frozen (floored) <= snapshot < thawed (floored) + 1 s.
    expect(frozen).toBeLessThanOrEqual(snapshot);
    expect(snapshot).toBeLessThan(thawed + 1000);
    expect(thawed - frozen).toBeLessThan(60_000);
    expect(log).not.toContain('event=not-suspended');
  });
});
