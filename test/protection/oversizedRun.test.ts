/**
 * A run that grows past what the store can write could never be saved again, so it could never end (DESIGN.md
 * safety invariant 6). Through the real Table store on Azurite: a VM with a huge extension.log (long lines, binary
 * noise) and a run whose history already fills the store's limit still reaches 'done', and stays readable.
 */
import { EXTENSION_LOG_PATH } from '../../sandbox/extension/extensionLog';
import { hardenedSetupFiles } from '../../sandbox/hardenedSetup';
import { runNightlyProtection } from '../../src/shared/protection/nightlyProtection';
import type { Run, StageTransition } from '../../src/shared/runs/run';
import { RUN_LIMITS, RUN_MAX_JSON_CHARS, runJsonChars } from '../../src/shared/runs/runLimits';
import { CHUNK_CHARS, MAX_CHUNKS } from '../../src/shared/store/recordChunks';
import { runOf, settle, tick, tonight } from './cycleHelpers';
import { protectionVm, singleVmScenario, startProtectionWorld, type ProtectionWorld } from './protectionWorld';

const STORE_LIMIT_CHARS = MAX_CHUNKS * CHUNK_CHARS;

/** Old extension runs: 4 MiB of lines, some 100 KiB long, with control characters and invalid UTF-8 in them. */
function hugeExtensionLog(): string {
  const long = `2026-01-01 00:00:00 INFO ${'x\u0001\u001b[31m\u00ff'.repeat(25_000)}\n`;
  const short = '2026-01-01 00:00:01 INFO [Pre-Script] noise from an earlier night\n';
  return `${long}${short.repeat(40_000)}${long}`;
}

/** The stored run with its history grown until its JSON is `slack` characters short of what the store can write. */
function filledToTheLimit(run: Run, slack: number): Run {
  const entry = (reason: string): StageTransition => ({
    from: 'triggering',
    to: 'triggering',
    at: run.createdAt,
    reason,
  });
  const filler = 'h'.repeat(1_000);
  const history = [...run.history];
  const size = (): number => runJsonChars({ ...run, history });
  while (size() + filler.length + 200 < STORE_LIMIT_CHARS - slack) history.push(entry(filler));
  history.push(entry('h'.repeat(STORE_LIMIT_CHARS - slack - size() - 100)));
  return { ...run, history };
}

describe('an oversized run still ends (Azurite, real Table store)', () => {
  let w: ProtectionWorld;
  beforeAll(async () => {
    const base = singleVmScenario();
    const vm = protectionVm('iris-a', {
      files: [...hardenedSetupFiles(), { path: EXTENSION_LOG_PATH, content: hugeExtensionLog() }],
    });
    w = await startProtectionWorld({ ...base, vms: [vm] });
  });
  afterAll(async () => w?.stop());

  it("reaches 'done' with a verdict, its history capped, and is read back", async () => {
    const night = tonight(w);
    await runNightlyProtection(w.deps, night);
    // The next tick reads the preflight probe and triggers the backup.
    await tick(w, w.deps);
    const started = await w.deps.store.get((await runOf(w, night, 'iris-a'))?.id ?? '');
    if (started === undefined) throw new Error('no run');
    expect(started.run.stage).toBe('backup-running');

    // Within the store's limit, but any growth at all would take it past.
    const full = filledToTheLimit(started.run, 50);
    expect(runJsonChars(full)).toBeGreaterThan(STORE_LIMIT_CHARS - 200);
    await w.deps.store.update(full, started.etag);

    const [run] = await settle(w, w.deps, night, ['iris-a']);
    expect(run?.stage).toBe('done');
    expect(run?.verdict?.consistency).toBe('iris-consistent');

    const stored = await w.deps.store.get(run?.id ?? '');
    expect(stored?.run.stage).toBe('done');
    const json = runJsonChars(stored?.run as Run);
    expect(json).toBeLessThanOrEqual(RUN_MAX_JSON_CHARS);
    const history = stored?.run.history ?? [];
    expect(history).toHaveLength(RUN_LIMITS.historyHead + RUN_LIMITS.historyTail);
    // The first transitions (preflight → triggering → backup-running) and the last (→ done) are kept.
    expect(history.slice(0, 2).map((t) => t.to)).toEqual(['triggering', 'backup-running']);
    expect(history.at(-1)?.to).toBe('done');
    // Three transitions after the filler: to assessing, to transfer-running, to done.
    expect(stored?.run.historyDropped).toBe(full.history.length + 3 - history.length);
  }, 180_000);
});
