/** What both benchmarks share: trusting the sandbox's certificate, peak memory, CPU use, and how figures print. */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../sandbox/repoRoot';
import type { ProtectionLog } from '../src/shared/protection/protectionDeps';

interface CertificateModule {
  ensureSandboxCertificate(): { certPath: string };
}

/** Node reads extra CAs only at start: run this script again trusting the sandbox's certificate. */
function rerunTrustingSandbox(): number | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cert = require(path.join(repoRoot(), 'scripts', 'sandboxCertificate.js')) as CertificateModule;
  const { certPath } = cert.ensureSandboxCertificate();
  if (process.env.NODE_EXTRA_CA_CERTS === certPath) return undefined;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath },
  });
  return child.status ?? 1;
}

/** Peak RSS and heap, sampled every 50 ms and at each phase boundary. */
export class MemoryPeak {
  rss = 0;
  heapUsed = 0;
  private readonly timer = setInterval(() => this.sample(), 50);
  constructor() {
    this.timer.unref();
  }
  sample(): void {
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.heapUsed = Math.max(this.heapUsed, m.heapUsed);
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

/** A log that only counts warnings and errors. */
export const quietLog = (counts: { warn: number; error: number }): ProtectionLog => ({
  info: () => undefined,
  warn: () => void (counts.warn += 1),
  error: () => void (counts.error += 1),
});

export const verdictOf = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
export const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/** A share 0..1 from the environment (IBG_BENCH_MISCONFIGURED). */
export function shareOf(text: string | undefined, fallback: number): number {
  const n = Number(text ?? fallback);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`IBG_BENCH_MISCONFIGURED must be 0..1, not "${text}"`);
  return n;
}

/** CPU seconds used by this process, and by its finished child processes (the VMs' scripts) from /proc. */
export function cpuSeconds(): { self: number; children: number } {
  const usage = process.cpuUsage();
  let children = NaN;
  try {
    // Fields after the command name: cutime and cstime are the 14th and 15th, in clock ticks (100 per second).
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // Not Linux: report the children as unknown.
  }
  return { self: (usage.user + usage.system) / 1e6, children };
}

/** Runs a benchmark in a process that trusts the sandbox: exit 1 only when it could not run (a MISS is not a failure). */
export function runBenchmark(bench: () => Promise<void>): void {
  const rerun = rerunTrustingSandbox();
  if (rerun !== undefined) {
    process.exitCode = rerun;
    return;
  }
  bench().then(
    () => {
      process.exitCode = 0;
    },
    (e: unknown) => {
      console.error('The benchmark could not run:', e);
      process.exitCode = 1;
    },
  );
}
