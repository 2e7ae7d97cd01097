/**
 * `iris-backup-guard evidence`: the evidence pack of a period written as files (evidence.json, backups.csv,
 * drills.csv, report.html, manifest.json). Only reads the tables (the read-only view: nothing is created or
 * written there), one night partition at a time with bounded concurrency. The files are created, never followed:
 * each is opened with 'wx' (O_CREAT|O_EXCL, which also refuses a symlink), and an existing one is a refusal unless
 * --force, which removes that entry (a symlink itself, never what it points to) before creating the file afresh.
 */
import { lstat, mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { optionString, parseArgs, UsageError } from '../args';
import { signIn, STORAGE_SCOPE } from '../azureSignIn';
import { CliCommand, EXIT_OK, FAILURE_MEANING, USAGE_MEANING } from '../cliCommand';
import { readOnlyTable } from '../runHistory';
import { createEvidenceSource } from '../../composition/composition';
import { systemClock } from '../../shared/clock/clock';
import { loadSettings } from '../../shared/config/settings';
import {
  evidenceFilesOf,
  sha256Hex,
  type EvidenceFile,
  type EvidenceManifest,
} from '../../shared/evidence/evidenceFiles';
import { evidencePackOf } from '../../shared/evidence/evidencePack';
import { MAX_EVIDENCE_NIGHTS, parseEvidencePeriod } from '../../shared/evidence/evidencePeriod';
import { readPeriodSummaries } from '../../shared/evidence/readPeriod';
import { nightOf } from '../../shared/protection/night';
import { terminalJson, terminalLine } from '../../shared/report/terminalText';

export const EVIDENCE_EXPORT_SCHEMA = 'iris-backup-guard/evidence-export@1';

const errnoOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null ? (e as { code?: unknown }).code?.toString() : undefined;

/** The entry at `path` without following a symlink, or undefined when there is none. */
async function entryAt(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** The output directory, made when missing; a file there is a usage error. */
async function prepareDirectory(dir: string): Promise<void> {
  const entry = await entryAt(dir);
  if (entry !== undefined && !entry.isDirectory() && !entry.isSymbolicLink())
    throw new UsageError(
      `--out "${dir}" is an existing file, not a directory; give a directory, e.g. --out ./evidence`,
    );
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    if (errnoOf(e) === 'EEXIST' || errnoOf(e) === 'ENOTDIR')
      throw new UsageError(`--out "${dir}" is not a directory; give a directory, e.g. --out ./evidence`);
    throw e;
  }
}

/** Refuses before anything is written when a file of the pack is already there (unless forced). */
async function clearWay(dir: string, files: readonly EvidenceFile[], force: boolean): Promise<void> {
  const present: string[] = [];
  for (const f of files) {
    const entry = await entryAt(join(dir, f.name));
    if (entry === undefined) continue;
    if (entry.isDirectory()) throw new UsageError(`"${join(dir, f.name)}" is a directory; choose another --out`);
    present.push(f.name);
  }
  if (present.length === 0) return;
  if (!force)
    throw new UsageError(
      `--out "${dir}" already holds ${present.join(', ')}; nothing was written. Choose an empty directory, or give --force to replace them`,
    );
  for (const name of present) await unlink(join(dir, name));
}

async function writeNew(path: string, body: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') throw new Error(`"${path}" appeared while the pack was written; nothing replaced it`);
    throw e;
  }
  try {
    await handle.writeFile(body, 'utf8');
  } finally {
    await handle.close();
  }
}

export const evidenceCommand: CliCommand = {
  name: 'evidence',
  summary: 'Export the evidence of a period for auditors: every backup and drill verdict, CSV, JSON and a report',
  usage: [
    'iris-backup-guard evidence [--from YYYY-MM-DD] [--to YYYY-MM-DD] --out <dir> [--force] [--json]',
    '',
    'Writes into <dir> (made when missing): evidence.json (the whole pack), backups.csv and drills.csv (one row per',
    'backup and per drill, each with its run id), report.html (one printable page: per VM the tests done and their',
    'results against the RPO/RTO targets, mapped to SOC 2 A1.3, ISO 27001 A.8.13, HIPAA 164.308(a)(7)(ii)(D),',
    'NIST SP 800-53 CP-4, CP-9(1), CP-9(2) and DORA Art. 12), and manifest.json (the SHA-256 of each file).',
    `--to defaults to tonight (IBG_NIGHT_TIME_ZONE), --from to 29 nights before --to; at most ${MAX_EVIDENCE_NIGHTS} nights.`,
    'An existing file of the pack in <dir> is refused unless --force; a symlink is never followed.',
    'Only reads: it never creates a table or writes to storage.',
    `--json prints { schema: "${EVIDENCE_EXPORT_SCHEMA}", period, totals, out, files } instead of the summary.`,
  ].join('\n'),
  exitCodes: {
    0: 'the pack was written (also when the period has no runs)',
    2: `${USAGE_MEANING}; also when <dir> is a file or already holds the pack's files (without --force)`,
    3: FAILURE_MEANING,
  },
  async run(argv, io) {
    const args = parseArgs(argv, { values: ['from', 'to', 'out'], flags: ['json', 'force'] });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const out = optionString(args, 'out');
    if (out === undefined)
      throw new UsageError('--out <dir> is missing: the directory to write the pack into, e.g. --out ./evidence');
    const settings = loadSettings(io.env);
    const now = (io.clock ?? systemClock).now();
    const parsed = parseEvidencePeriod(
      optionString(args, 'from'),
      optionString(args, 'to'),
      nightOf(now, settings.schedules.nightTimeZone),
    );
    if ('error' in parsed) throw new UsageError(`--${parsed.error}`);
    await prepareDirectory(out);

    // A table endpoint is reached with the credential; a connection string carries its own key.
    const credential = settings.runsTable.kind === 'endpoint' ? await signIn(io, STORAGE_SCOPE) : io.credential;
    const source = createEvidenceSource(settings, {
      credential,
      warn: (m) => io.err(`warning: ${terminalLine(m)}`),
      table: readOnlyTable,
    });
    const summaries = await readPeriodSummaries(source, parsed);
    const pack = evidencePackOf(summaries, parsed, settings.reporting, now);
    const files = evidenceFilesOf(pack);

    await clearWay(out, files, args.options.force === true);
    for (const f of files) await writeNew(join(out, f.name), f.body);

    // Sizes and hashes from the manifest: hashing the bodies again would double the work on a large pack.
    const manifestBody = files.find((f) => f.name === 'manifest.json')?.body ?? '{"files":[]}';
    const manifest = JSON.parse(manifestBody) as EvidenceManifest;
    const written = [
      ...manifest.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 })),
      { name: 'manifest.json', bytes: Buffer.byteLength(manifestBody, 'utf8'), sha256: sha256Hex(manifestBody) },
    ];
    if (args.options.json === true) {
      io.out(
        terminalJson({
          schema: EVIDENCE_EXPORT_SCHEMA,
          period: pack.period,
          totals: pack.totals,
          out,
          files: written,
        }),
      );
      return EXIT_OK;
    }
    const t = pack.totals;
    const width = Math.max(...written.map((f) => f.name.length));
    io.out(
      [
        `Evidence for nights ${pack.period.from} to ${pack.period.to} (${pack.period.nights} nights): ${t.runs} runs, ` +
          `${t.vms} VMs, ${t.backups} backups, ${t.drills} drills (${t.drillsPassed} passed).`,
        t.runs === 0 ? 'No run was recorded in the period: the pack says so.' : '',
        `Written to ${terminalLine(out)}:`,
        ...written.map((f) => `  ${f.name.padEnd(width)}  ${f.bytes} bytes`),
        'manifest.json holds the SHA-256 of each file: keep it (or its hash) with the audit record.',
      ]
        .filter((l) => l !== '')
        .join('\n'),
    );
    return EXIT_OK;
  },
};
