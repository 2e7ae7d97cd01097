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

/** The pack's files other than the manifest, each rendered only when asked for. */
const RENDERERS: readonly { name: string; contentType: string; render: (pack: EvidencePack) => string }[] = [
  {
    name: 'evidence.json',
    contentType: 'application/json; charset=utf-8',
    // Not indented: 90 nights of 500 VMs come to ~56 MB, against ~70 MB indented (slower to write and to serve).
    render: (p) => `${JSON.stringify(p)}\n`,
  },
  { name: 'backups.csv', contentType: 'text/csv; charset=utf-8', render: backupsCsv },
  { name: 'drills.csv', contentType: 'text/csv; charset=utf-8', render: drillsCsv },
  { name: 'report.html', contentType: 'text/html; charset=utf-8', render: renderEvidenceReport },
];

export const EVIDENCE_FILE_NAMES = [...RENDERERS.map((r) => r.name), 'manifest.json'] as const;

/**
 * One file of the pack (what GET /evidence serves): only that file is rendered, except the manifest, which needs
 * the hashes of all the others. Undefined for a name the pack does not have.
 */
export function evidenceFileOf(pack: EvidencePack, name: string): EvidenceFile | undefined {
  if (name === 'manifest.json') return evidenceFilesOf(pack).find((f) => f.name === name);
  const r = RENDERERS.find((x) => x.name === name);
  return r && { name: r.name, contentType: r.contentType, body: r.render(pack) };
}

/** The files, manifest.json last. */
export function evidenceFilesOf(pack: EvidencePack): EvidenceFile[] {
  const files: EvidenceFile[] = RENDERERS.map((r) => ({
    name: r.name,
    contentType: r.contentType,
    body: r.render(pack),
  }));
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
