/**
 * GET /evidence?from=&to=&file=&at=: the evidence pack of a period, one file per request (evidence.json by default;
 * backups.csv, drills.csv, report.html, manifest.json), the same bytes `iris-backup-guard evidence` writes.
 *
 * Every file states when the pack was made, so files fetched in separate requests only match the manifest when they
 * were made "at" the same time: each answer carries `X-IBG-Generated-At`, and `at=<that time>` makes the same pack
 * again (for a period whose runs are finished, byte for byte). Fetch manifest.json first, then each file with its
 * `at`, and the hashes hold.
 */
import { EVIDENCE_FILE_NAMES, evidenceFileOf } from '../evidence/evidenceFiles';
import { evidencePackOf } from '../evidence/evidencePack';
import { parseEvidencePeriod } from '../evidence/evidencePeriod';
import { readPeriodSummaries } from '../evidence/readPeriod';
import { nightOf } from '../protection/night';
import { EVIDENCE_REPORT_CSP } from '../report/evidenceReport';
import { errorResponse, fileResponse, type ApiRequest, type ApiResponse } from './apiMessage';
import type { ApiContext } from './evidenceApi';

const FILES: readonly string[] = EVIDENCE_FILE_NAMES;
const PARAMETERS = new Set(['from', 'to', 'file', 'at', 'code']);
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** When the pack is made: now, or an earlier `at` (a later one would claim evidence not yet seen). */
const generatedAt = (at: string | null, now: Date): Date | { error: string } => {
  if (at === null) return now;
  const t = Date.parse(at);
  if (!ISO_UTC.test(at) || !Number.isFinite(t))
    return { error: `at "${at.slice(0, 40)}" is not a UTC time like 2026-12-01T06:00:00.000Z` };
  if (t > now.getTime()) return { error: `at ${at} is in the future` };
  return new Date(t);
};

export async function evidenceExport(req: ApiRequest, ctx: ApiContext): Promise<ApiResponse> {
  for (const name of req.query.keys()) {
    if (!PARAMETERS.has(name))
      return errorResponse(400, `unknown parameter "${name.slice(0, 40)}"; use from, to, file, at`);
  }
  const file = req.query.get('file') ?? 'evidence.json';
  if (!FILES.includes(file)) return errorResponse(400, `file "${file.slice(0, 40)}" is not one of ${FILES.join(', ')}`);
  const at = generatedAt(req.query.get('at'), ctx.now);
  if ('error' in at) return errorResponse(400, at.error);
  const today = nightOf(at, ctx.settings.schedules.nightTimeZone);
  const period = parseEvidencePeriod(req.query.get('from') ?? undefined, req.query.get('to') ?? undefined, today);
  if ('error' in period) return errorResponse(400, period.error);
  const summaries = await readPeriodSummaries(ctx.source, period);
  const pack = evidencePackOf(summaries, period, ctx.settings.reporting, at);
  const found = evidenceFileOf(pack, file);
  if (found === undefined) return errorResponse(500, `the pack has no ${file}`);
  const download = `iris-backup-guard-evidence-${period.from}-${period.to}-${file}`;
  return fileResponse(200, found.contentType, found.body, {
    'Content-Disposition': `${file === 'report.html' ? 'inline' : 'attachment'}; filename="${download}"`,
    'X-IBG-Generated-At': pack.generatedAt,
    ...(file === 'report.html' ? { 'Content-Security-Policy': EVIDENCE_REPORT_CSP } : {}),
  });
}
