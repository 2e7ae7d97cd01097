/**
 * The deployable zip (`npm run package`): built once here into a temp dir, then read as the host would get it. It
 * must hold the compiled app, vm/ and the production dependencies only, and its entry point must load from the
 * unpacked zip alone, with the Functions worker's `@azure/functions-core` stood in for.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runHost, type HostReport } from '../functions/hostStandIn/hostRun';

const ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

const pkg = readJson<{ main: string; devDependencies: Record<string, string> }>(path.join(ROOT, 'package.json'));
const lock = readJson<{ packages: Record<string, { dev?: boolean }> }>(path.join(ROOT, 'package-lock.json'));
const sample = readJson<{ Values: Record<string, string> }>(path.join(ROOT, 'local.settings.sample.json')).Values;

let workDir: string;
let unpacked: string;
let entries: string[];
let packageOutput: string;
let host: HostReport;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-package-test-'));
  const zip = path.join(workDir, 'iris-backup-guard.zip');
  // The fast way to the zip (no npm ci, no type check): the production packages that the lock file lists (what
  // `npm ci --omit=dev` installs) are copied from this checkout's node_modules, each checked against the lock.
  packageOutput = (
    await run(
      process.execPath,
      [path.join(ROOT, 'scripts', 'package.js'), '--out', zip, '--transpile-only', '--deps-from-node-modules'],
      {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
      },
    )
  ).stdout;
  console.log(packageOutput.split('\n').find((l) => l.startsWith('Package: ')));
  entries = (await run('unzip', ['-Z1', zip], { maxBuffer: 64 * 1024 * 1024 })).stdout.split('\n').filter(Boolean);
  unpacked = path.join(workDir, 'app');
  await run('unzip', ['-q', zip, '-d', unpacked]);
  // Only what the zip holds: the child gets no NODE_PATH, and nothing above the temp dir has a node_modules.
  host = await runHost(path.join(unpacked, pkg.main), { ...sample });
}, 120_000);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('npm run package', () => {
  it('prints the size and the file count of the zip it wrote', () => {
    const line = /^Package: \S+ ([\d.]+) MiB, (\d+) files$/m.exec(packageOutput);
    expect(line).not.toBeNull();
    expect(Number(line?.[2])).toBe(entries.filter((e) => !e.endsWith('/')).length);
  });

  it('leaves out the sandbox, the tests, the benches and the TypeScript sources', () => {
    const excluded = /^(sandbox|test|bench|src|docs|scripts|\.sandbox|dist\/(sandbox|test|bench))\//;
    expect(entries.filter((e) => excluded.test(e))).toEqual([]);
    expect(entries.filter((e) => /^dist\/./.test(e) && !e.startsWith('dist/src/'))).toEqual([]);
    expect(entries.filter((e) => /^dist\/.*\.ts$/.test(e))).toEqual([]);
    expect(entries).toContain(pkg.main);
  });

  it('holds no development dependency, direct or transitive', () => {
    expect(Object.keys(pkg.devDependencies).length).toBeGreaterThan(0);
    const devOnly = [
      ...Object.keys(pkg.devDependencies).map((name) => `node_modules/${name}/`),
      ...Object.entries(lock.packages)
        .filter(([key, info]) => key !== '' && info.dev === true)
        .map(([key]) => `${key}/`),
    ];
    expect(entries.filter((e) => devOnly.some((d) => e.startsWith(d)))).toEqual([]);
    // The production dependencies are there.
    expect(entries).toContain('node_modules/@azure/functions/package.json');
  });

  it('carries every VM script, still executable, and the host configuration', () => {
    const scripts = fs.readdirSync(path.join(ROOT, 'vm')).filter((f) => f.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(entries).toContain(`vm/${script}`);
      const mode = fs.statSync(path.join(ROOT, 'vm', script)).mode & 0o111;
      expect(fs.statSync(path.join(unpacked, 'vm', script)).mode & 0o111).toBe(mode);
    }
    expect(entries).toEqual(expect.arrayContaining(['host.json', 'package-lock.json', '.funcignore']));
  });

  it('ships a package.json without scripts or development dependencies', () => {
    const shipped = readJson<Record<string, unknown>>(path.join(unpacked, 'package.json'));
    expect(shipped['scripts']).toBeUndefined();
    expect(shipped['devDependencies']).toBeUndefined();
    expect(shipped['main']).toBe(pkg.main);
  });

  it('loads its entry point from the unpacked zip with production dependencies only', () => {
    expect(host.programmingModel?.name).toBe('@azure/functions');
    expect(host.registrations.map((r) => r.name)).toEqual(
      expect.arrayContaining(['nightlyProtection', 'advanceRuns', 'alertIntake', 'azureEvents', 'fleetApi']),
    );
  });
});
