import { readInputLines } from './inputLines';
import { ParseResult, ProblemLog } from './parseResult';

/** One line of `iris qlist` / `ccontrol qlist` (iris.md §4): caret-separated, 8 fields (legacy) to 14. */
export interface IrisInstance {
  name: string;
  installDir: string;
  version: string;
  /** Field 4 before its first comma, normalised. */
  status: 'running' | 'down' | 'sign-on inhibited' | 'other';
  /** Field 4 as written, e.g. "running, since Mon Jul 23 14:42:09 2018". */
  statusText: string;
  /** Field 9: ok, warn, alert, hung…; absent on legacy 8-field lines and when blank. */
  health?: string;
  /** Field 10: IRIS, Ensemble, HealthShare…; blank on Caché. */
  product?: string;
  /** Field 11, e.g. Failover, Disaster Recovery. */
  mirrorMemberType?: string;
  /** Field 12, e.g. Primary, Backup, Connected, Waiting. */
  mirrorStatus?: string;
  /** Field 13, the durable %SYS directory. */
  dataDir?: string;
  /** Field 6, or the first port of field 14 when field 6 is blank. */
  superserverPort?: number;
}

const MIN_FIELDS = 8;
const MAX_FIELDS = 14;
const QLIST_LIMITS = { maxChars: 256 * 1024, keep: 'head', maxLineChars: 4096 } as const;

function statusOf(text: string): IrisInstance['status'] {
  const head = (text.split(',')[0] ?? '').trim().toLowerCase();
  if (head === 'running') return 'running';
  if (head === 'down') return 'down';
  if (head.startsWith('sign-on inhibited')) return 'sign-on inhibited';
  return 'other';
}

function portOf(text: string | undefined): number | undefined {
  const m = /^\s*(\d{1,5})\b/.exec(text ?? '');
  if (!m?.[1]) return undefined;
  const port = Number(m[1]);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function nonBlank(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

export function parseQlist(text: string): ParseResult<IrisInstance[]> {
  const problems = new ProblemLog();
  const instances: IrisInstance[] = [];
  for (const { n, text: line } of readInputLines(text, QLIST_LIMITS, problems)) {
    if (line.trim() === '') continue;
    const fields = line.split('^');
    if (fields.length < MIN_FIELDS) {
      problems.add(
        `Not a qlist line: expected ${MIN_FIELDS} to ${MAX_FIELDS} fields separated by ^, found ${fields.length}`,
        n,
      );
      continue;
    }
    if (fields.length > MAX_FIELDS) {
      problems.add(`Line has ${fields.length} fields; fields after the ${MAX_FIELDS}th were ignored`, n);
    }
    const [name, installDir, version, statusText] = fields.map((f) => f.trim());
    if (!name || !installDir) {
      problems.add('qlist line without an instance name or installation directory was skipped', n);
      continue;
    }
    const instance: IrisInstance = {
      name,
      installDir,
      version: version ?? '',
      status: statusOf(statusText ?? ''),
      statusText: statusText ?? '',
    };
    const port = portOf(fields[5]) ?? portOf(fields[13]);
    if (port !== undefined) instance.superserverPort = port;
    else problems.add(`Instance ${name}: no valid superserver port in field 6`, n);
    const optional: [keyof IrisInstance, string | undefined][] = [
      ['health', nonBlank(fields[8])],
      ['product', nonBlank(fields[9])],
      ['mirrorMemberType', nonBlank(fields[10])],
      ['mirrorStatus', nonBlank(fields[11])],
      ['dataDir', nonBlank(fields[12])],
    ];
    for (const [key, value] of optional) if (value !== undefined) Object.assign(instance, { [key]: value });
    if (instance.status === 'other') problems.add(`Instance ${name}: unrecognised status "${statusText}"`, n);
    instances.push(instance);
  }
  return { value: instances, problems: problems.list() };
}

/** The instance is the primary failover member of a mirror (freezing it risks a failover, iris.md §1.3). */
export function isMirrorPrimary(instance: IrisInstance): boolean {
  return instance.mirrorStatus?.trim().toLowerCase() === 'primary';
}
