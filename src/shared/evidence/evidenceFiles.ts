/**
 * The evidence pack as the files an auditor receives: evidence.json (the whole pack), backups.csv, drills.csv,
 * report.html, and manifest.json with the SHA-256 and size of each of the others, so anyone can check that a file was
 * not edited after it was made. Pure: the same pack gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { renderEvidenceReport } from '../report/evidenceReport';
import { backupsCsv, drillsCsv } from '../report/evidenceCsv';
import type { EvidencePack } from './evidencePack';

export const EVIDENCE_MANIFEST_SCHEMA = 'iris-backup-guard/evidence-manifest@1';

export interface EvidenceFile {
  name: string;
  contentType: string;
  body: string;
}

export interface EvidenceManifest {
  schema: typeof EVIDENCE_MANIFEST_SCHEMA;
  evidenceSchema: EvidencePack['schema'];
  generatedAt: string;
  period: { from: string; to: string };
  files: { name: string; contentType: string; bytes: number; sha256: string }[];
}

export const sha256Hex = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex');

/** The files, manifest.json last. */
export function evidenceFilesOf(pack: EvidencePack): EvidenceFile[] {
  const files: EvidenceFile[] = [
    {
      name: 'evidence.json',
      contentType: 'application/json; charset=utf-8',
      body: `${JSON.stringify(pack)}\n`,
    },
    { name: 'backups.csv', contentType: 'text/csv; charset=utf-8', body: backupsCsv(pack) },
    { name: 'drills.csv', contentType: 'text/csv; charset=utf-8', body: drillsCsv(pack) },
    { name: 'report.html', contentType: 'text/html; charset=utf-8', body: renderEvidenceReport(pack) },
  ];
  const manifest: EvidenceManifest = {
    schema: EVIDENCE_MANIFEST_SCHEMA,
    evidenceSchema: pack.schema,
    generatedAt: pack.generatedAt,
    period: { from: pack.period.from, to: pack.period.to },
    files: files.map((f) => ({
      name: f.name,
      contentType: f.contentType,
      bytes: Buffer.byteLength(f.body, 'utf8'),
      sha256: sha256Hex(f.body),
    })),
  };
  return [
    ...files,
    {
      name: 'manifest.json',
      contentType: 'application/json; charset=utf-8',
      body: `${JSON.stringify(manifest, null, 2)}\n`,
    },
  ];
}
