/**
 * GET /evidence?from=&to=&file=: the evidence pack of a period, one file per request (evidence.json by default;
 * backups.csv, drills.csv, report.html, manifest.json), the same bytes `iris-backup-guard evidence` writes. The
 * manifest's hashes are those of the files as this request would serve them, so an auditor can fetch each and check.
 */
import { EVIDENCE_FILE_NAMES, evidenceFileOf } from '../evidence/evidenceFiles';
import { evidencePackOf } from '../evidence/evidencePack';
import { parseEvidencePeriod } from '../evidence/evidencePeriod';
import { readPeriodSummaries } from '../evidence/readPeriod';
import { nightOf } from '../protection/night';
import { errorResponse, fileResponse, type ApiRequest, type ApiResponse } from './apiMessage';
import type { ApiContext } from './evidenceApi';

const FILES: readonly string[] = EVIDENCE_FILE_NAMES;
const PARAMETERS = new Set(['from', 'to', 'file', 'code']);

/** The printable report has only an inline style sheet: no script, nothing fetched. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export async function evidenceExport(req: ApiRequest, ctx: ApiContext): Promise<ApiResponse> {
  for (const name of req.query.keys()) {
    if (!PARAMETERS.has(name))
      return errorResponse(400, `unknown parameter "${name.slice(0, 40)}"; use from, to, file`);
  }
  const file = req.query.get('file') ?? 'evidence.json';
  if (!FILES.includes(file)) return errorResponse(400, `file "${file.slice(0, 40)}" is not one of ${FILES.join(', ')}`);
  const today = nightOf(ctx.now, ctx.settings.schedules.nightTimeZone);
  const period = parseEvidencePeriod(req.query.get('from') ?? undefined, req.query.get('to') ?? undefined, today);
  if ('error' in period) return errorResponse(400, period.error);
  const summaries = await readPeriodSummaries(ctx.source, period);
  const pack = evidencePackOf(summaries, period, ctx.settings.reporting, ctx.now);
  const found = evidenceFileOf(pack, file);
  if (found === undefined) return errorResponse(500, `the pack has no ${file}`);
  const download = `iris-backup-guard-evidence-${period.from}-${period.to}-${file}`;
  return fileResponse(200, found.contentType, found.body, {
    'Content-Disposition': `${file === 'report.html' ? 'inline' : 'attachment'}; filename="${download}"`,
    ...(file === 'report.html' ? { 'Content-Security-Policy': REPORT_CSP } : {}),
  });
}
