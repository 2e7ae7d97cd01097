/**
 * Benchmark: the log parsers on hostile input (issue 7, item 7). Prints, next to each target, PASS/MISS:
 * - each crafted input (bench/craftedParserInputs.ts) at IBG_BENCH_PARSER_MB (default 10) MB: seconds per 10 MB,
 *   target under 1 s. extension.log, messages.log and script logs are parsed whole and keep their newest 4 MiB
 *   (LOG_LIMITS), so their figure is for reading 10 MB of which 4 MiB are parsed; integrity output streams in full;
 * - a plausible 200 MB ^Integrity output (IBG_BENCH_INTEGRITY_MB) streamed through the parser: parse time (the
 *   generator's own time excluded), target under 3 s; memory growth (peak heap + external over the start, after a
 *   GC, sampled after every chunk), target under 50 MB.
 * Inputs are generated on the fly, never written to disk. Never fails on a missed target; exits 1 only on a crash.
 *
 *   npm run bench:parsers        (builds, then node --expose-gc dist/bench/parsers.bench.js)
 */
import { performance } from 'node:perf_hooks';
import { parseExtensionLog, summarizePrePost } from '../src/shared/parsers/extensionLog';
import { IntegrityParser } from '../src/shared/parsers/integrityLog';
import { irisBackupEvents, parseMessagesLog } from '../src/shared/parsers/messagesLog';
import { parseScriptLog } from '../src/shared/parsers/scriptLog';
import { CRAFTED_INPUTS, CraftedInput, CraftedKind, realisticIntegrityOutput } from './craftedParserInputs';

const MB = 1024 * 1024;
const TARGETS = { secondsPer10Mb: 1, integritySeconds: 3, integrityGrowthMb: 50 };
const verdictOf = (ok: boolean): string => (ok ? 'PASS' : 'MISS');

const numberFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const wholeTextParsers: Record<Exclude<CraftedKind, 'integrity'>, (text: string) => unknown> = {
  'extension-log': (text) => summarizePrePost(parseExtensionLog(text).value),
  'messages-log': (text) => irisBackupEvents(parseMessagesLog(text).value),
  'script-log': (text) => parseScriptLog(text),
};

/** Wall and CPU seconds spent in this process's work on `run`. */
function timed(run: () => void): { seconds: number; cpuSeconds: number } {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  run();
  const used = process.cpuUsage(cpuStart);
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Time spent parsing one crafted input of about `chars` characters (generation not counted). */
function timeCrafted(input: CraftedInput, chars: number): { seconds: number; cpuSeconds: number; chars: number } {
  if (input.kind === 'integrity') {
    const parser = new IntegrityParser();
    const total = { seconds: 0, cpuSeconds: 0 };
    let size = 0;
    const add = (t: { seconds: number; cpuSeconds: number }): void => {
      total.seconds += t.seconds;
      total.cpuSeconds += t.cpuSeconds;
    };
    for (const chunk of input.chunks(chars)) {
      size += chunk.length;
      add(timed(() => parser.write(chunk)));
    }
    add(timed(() => parser.end()));
    return { ...total, chars: size };
  }
  const text = [...input.chunks(chars)].join('');
  const kind = input.kind;
  return { ...timed(() => wholeTextParsers[kind](text)), chars: text.length };
}

interface MemorySample {
  heap: number;
  rss: number;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const memory = (): MemorySample => {
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
};

/** Streams a large plausible integrity output through the parser; parse time and peak memory growth. */
function timeLargeIntegrity(chars: number): {
  seconds: number;
  cpuSeconds: number;
  chars: number;
  heapGrowthMb: number;
  rssGrowthMb: number;
  retainedMb: number;
  verdict: string;
} {
  gc();
  const base = memory();
  let peak = base;
  const parser = new IntegrityParser();
  let seconds = 0;
  let cpu = 0;
  let size = 0;
  for (const chunk of realisticIntegrityOutput(chars)) {
    size += chunk.length;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    parser.write(chunk);
    const used = process.cpuUsage(cpuStart);
    cpu += (used.user + used.system) / 1e6;
    seconds += (performance.now() - start) / 1000;
    const now = memory();
    peak = { heap: Math.max(peak.heap, now.heap), rss: Math.max(peak.rss, now.rss) };
  }
  const start = performance.now();
  const result = parser.end();
  seconds += (performance.now() - start) / 1000;
  // What the parser holds on to once the garbage is gone: the report and its bookkeeping.
  gc();
  const retained = memory().heap - base.heap;
  return {
    seconds,
    cpuSeconds: cpu,
    chars: size,
    heapGrowthMb: (peak.heap - base.heap) / MB,
    rssGrowthMb: (peak.rss - base.rss) / MB,
    retainedMb: retained / MB,
    verdict: `${result.value.verdict}, ${result.value.directories.length} directories, ${result.value.errors.length} errors`,
  };
}

function bench(): void {
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    console.log('(run with node --expose-gc for a memory baseline after a collection)');
  }
  const craftedMb = numberFromEnv('IBG_BENCH_PARSER_MB', 10);
  const integrityMb = numberFromEnv('IBG_BENCH_INTEGRITY_MB', 200);
  // The large run goes first, so its memory baseline is not raised by the crafted runs' leftovers.
  const large = timeLargeIntegrity(integrityMb * MB);
  console.log(`Integrity output, ${(large.chars / MB).toFixed(0)} MB streamed (${large.verdict})`);
  // On a shared machine the wall time also counts other processes; the CPU time is this parse's own work.
  console.log(
    `  parse time     ${large.seconds.toFixed(2)} s wall (${(large.chars / MB / large.seconds).toFixed(0)} MB/s), ` +
      `${large.cpuSeconds.toFixed(2)} s CPU  target < ${TARGETS.integritySeconds} s  ` +
      `wall ${verdictOf(large.seconds < TARGETS.integritySeconds)}, CPU ${verdictOf(large.cpuSeconds < TARGETS.integritySeconds)}`,
  );
  console.log(
    `  memory growth  ${large.heapGrowthMb.toFixed(1)} MB peak heap+external, uncollected garbage of the ` +
      `generator included (RSS +${large.rssGrowthMb.toFixed(1)} MB; ${large.retainedMb.toFixed(1)} MB retained ` +
      `after a GC)  target < ${TARGETS.integrityGrowthMb} MB  ${verdictOf(large.heapGrowthMb < TARGETS.integrityGrowthMb)}`,
  );
  console.log(`Parsers on crafted input, ${craftedMb} MB each (target: under ${TARGETS.secondsPer10Mb} s per 10 MB)`);
  const width = Math.max(...CRAFTED_INPUTS.map((c) => c.name.length));
  for (const input of CRAFTED_INPUTS) {
    const { seconds, cpuSeconds, chars } = timeCrafted(input, craftedMb * MB);
    const per10 = (seconds * 10 * MB) / chars;
    const cpuPer10 = (cpuSeconds * 10 * MB) / chars;
    console.log(
      `  ${input.name.padEnd(width)}  ${(chars / MB).toFixed(1)} MB  ${per10.toFixed(2)} s/10 MB wall ` +
        `${verdictOf(per10 < TARGETS.secondsPer10Mb)}, ${cpuPer10.toFixed(2)} s/10 MB CPU ` +
        `${verdictOf(cpuPer10 < TARGETS.secondsPer10Mb)}  ${(chars / MB / seconds).toFixed(0)} MB/s  (${input.attack})`,
    );
  }
}

try {
  bench();
} catch (e) {
  console.error('The parser benchmark could not run:', e);
  process.exitCode = 1;
}
