import { terminalJson, terminalText } from '../report/terminalText';
import { ExtensionLogEntry, parseExtensionLog, PrePostSummary, summarizePrePost } from './extensionLog';
import { IntegrityReport, parseIntegrityOutput } from './integrityLog';
import { IrisBackupEvent, irisBackupEvents, MessagesLogEntry, parseMessagesLog } from './messagesLog';
import { ParseProblem, ParseResult } from './parseResult';
import type { ParseVerdict } from './parseVerdict';
import { IrisInstance, isMirrorPrimary, parseQlist } from './qlist';
import { parseScriptLog, ScriptLogEvent } from './scriptLog';
import { shiftLineNumbers } from './shiftLineNumbers';

/** The kinds `iris-backup-guard parse <kind> <file> [--json]` accepts. */
export type ParseKind = 'script-log' | 'extension-log' | 'messages-log' | 'qlist' | 'integrity';
export const PARSE_KINDS: readonly ParseKind[] = ['script-log', 'extension-log', 'messages-log', 'qlist', 'integrity'];
export const PARSE_SCHEMA = 'iris-backup-guard/parse@1';

export function isParseKind(value: string): value is ParseKind {
  return (PARSE_KINDS as readonly string[]).includes(value);
}

/** What `--json` prints under `value` for each kind. */
export interface ParsedValueByKind {
  'script-log': ScriptLogEvent[];
  'extension-log': { entries: ExtensionLogEntry[]; lastRun: PrePostSummary };
  'messages-log': { entries: MessagesLogEntry[]; events: IrisBackupEvent[] };
  qlist: IrisInstance[];
  integrity: IntegrityReport;
}

export interface ParsedDocument<K extends ParseKind = ParseKind> {
  schema: typeof PARSE_SCHEMA;
  kind: K;
  value: ParsedValueByKind[K];
  problems: ParseProblem[];
  /** Set by the CLI: what the log says about the backup, which its exit code follows. */
  verdict?: ParseVerdict;
}

export interface ParseByKindOptions {
  /** The text's first line is this line of the file (the CLI reads the tail of a big log): every line number shifts. */
  firstLine?: number;
}

export function integrityDocument(r: ParseResult<IntegrityReport>): ParsedDocument<'integrity'> {
  return { schema: PARSE_SCHEMA, kind: 'integrity', value: r.value, problems: r.problems };
}

export function parseByKind<K extends ParseKind>(
  kind: K,
  text: string,
  options?: ParseByKindOptions,
): ParsedDocument<K>;
export function parseByKind(kind: ParseKind, text: string, options: ParseByKindOptions = {}): ParsedDocument {
  const doc = parseWhole(kind, text);
  const offset = (options.firstLine ?? 1) - 1;
  if (offset > 0) {
    shiftLineNumbers(doc.value, offset);
    shiftLineNumbers(doc.problems, offset);
  }
  return doc;
}

function parseWhole(kind: ParseKind, text: string): ParsedDocument {
  switch (kind) {
    case 'script-log': {
      const r = parseScriptLog(text);
      return { schema: PARSE_SCHEMA, kind, value: r.value, problems: r.problems };
    }
    case 'extension-log': {
      const r = parseExtensionLog(text);
      return {
        schema: PARSE_SCHEMA,
        kind,
        value: { entries: r.value, lastRun: summarizePrePost(r.value) },
        problems: r.problems,
      };
    }
    case 'messages-log': {
      const r = parseMessagesLog(text);
      return {
        schema: PARSE_SCHEMA,
        kind,
        value: { entries: r.value, events: irisBackupEvents(r.value) },
        problems: r.problems,
      };
    }
    case 'qlist': {
      const r = parseQlist(text);
      return { schema: PARSE_SCHEMA, kind, value: r.value, problems: r.problems };
    }
    case 'integrity':
      return integrityDocument(parseIntegrityOutput(text));
  }
}

/** Renders a parse for the CLI: a stable JSON document, or a readable timeline / table. */
export function renderParsed(kind: ParseKind, text: string, options: { json: boolean }): string {
  return renderDocument(parseByKind(kind, text), options);
}

/**
 * The document as stable JSON, or as a readable timeline / table. Log text comes from a VM: both go through the
 * one terminal-text neutraliser, so no control or bidirectional character reaches the screen as itself.
 */
export function renderDocument(doc: ParsedDocument, options: { json: boolean }): string {
  if (options.json) return `${terminalJson(doc)}\n`;
  const body = renderHuman(doc);
  const verdict = doc.verdict?.verdict === 'problem' ? ['', `Problem: ${doc.verdict.reason}`] : [];
  return terminalText(`${[...body, ...renderProblems(doc.problems), ...verdict].join('\n')}\n`);
}

function renderHuman(doc: ParsedDocument): string[] {
  switch (doc.kind) {
    case 'script-log':
      return renderScriptLog(doc.value as ScriptLogEvent[]);
    case 'extension-log':
      return renderExtensionLog(doc.value as ParsedValueByKind['extension-log']);
    case 'messages-log':
      return renderMessagesLog(doc.value as ParsedValueByKind['messages-log']);
    case 'qlist':
      return renderQlist(doc.value as IrisInstance[]);
    case 'integrity':
      return renderIntegrity(doc.value as IntegrityReport);
  }
}

/** Fixed-width columns; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  // A loop, not Math.max(...rows): spreading 100k+ rows as arguments overflows the call stack.
  const widths = header.map((h) => h.length);
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function renderScriptLog(events: ScriptLogEvent[]): string[] {
  if (events.length === 0) return ['No freeze/thaw events found.'];
  const rows = events.map((e) => [
    e.time ?? '-',
    e.role ?? '-',
    e.type,
    e.instance ?? '-',
    [
      e.name && e.name !== e.type ? e.name : undefined,
      e.journal,
      e.exitCode === undefined ? undefined : `rc=${e.exitCode}`,
      e.message,
    ]
      .filter(Boolean)
      .join(' '),
  ]);
  return table(['TIME', 'ROLE', 'EVENT', 'INSTANCE', 'DETAIL'], rows);
}

function phaseText(p: PrePostSummary['preScript']): string {
  const parts: string[] = [p.result];
  if (p.exitCode !== undefined) parts.push(`exit code ${p.exitCode}`);
  if (p.retries > 0) parts.push(`${p.retries} "retries" (the extension does not re-run scripts)`);
  if (p.startedAt) parts.push(`started ${p.startedAt}`);
  return parts.join(', ');
}

function renderExtensionLog(value: ParsedValueByKind['extension-log']): string[] {
  const s = value.lastRun;
  const status = (c: PrePostSummary['extensionStatus']): string =>
    c ? `${c.code} ${c.name}${c.azureName ? ` (${c.azureName}${c.azureNameInferred ? '?' : ''})` : ''}` : '-';
  const lines = [
    `Entries: ${value.entries.length}`,
    `Last run${s.runStartSeen ? '' : ' (start not in the log)'}: ${s.startedAt ?? '-'} to ${s.endedAt ?? '-'}`,
    `  Validation:   ${s.validation.result}${s.validation.status ? `, ${status(s.validation.status)}` : ''}`,
    `  Mode:         ${s.mode}`,
    `  Pre-script:   ${phaseText(s.preScript)}`,
    `  Freeze:       ${s.freezeAt ?? '-'}`,
    `  Thaw:         ${s.thawAt ?? '-'}${s.thawResult ? ` (${s.thawResult})` : ''}`,
    `  Post-script:  ${phaseText(s.postScript)}`,
    `  Final line:   ${s.final.message ?? '-'}`,
    `  Consistency:  ${s.consistency}`,
    `  Status code:  ${status(s.extensionStatus)}`,
  ];
  for (const p of s.permissions) lines.push(`  ${p.spelling} of ${p.path}: ${p.mode} (line ${p.line})`);
  for (const e of s.errors) lines.push(`  Error (line ${e.line}): ${e.message}`);
  return lines;
}

function eventDetail(e: IrisBackupEvent): string {
  switch (e.type) {
    case 'freeze-warning':
    case 'startup':
      return e.text;
    case 'journal-switched':
    case 'freeze-journal-restore-file':
      return e.path;
    case 'recovery-exit':
      return `status ${e.status}${e.statusText ? ` (${e.statusText})` : ''}`;
    default:
      return '';
  }
}

function renderMessagesLog(value: ParsedValueByKind['messages-log']): string[] {
  const bySeverity = [0, 0, 0, 0];
  for (const e of value.entries) bySeverity[e.severity] = (bySeverity[e.severity] ?? 0) + 1;
  const lines = [
    `Entries: ${value.entries.length} (info ${bySeverity[0]}, warning ${bySeverity[1]}, severe ${bySeverity[2]}, fatal ${bySeverity[3]})`,
  ];
  if (value.events.length === 0) return [...lines, 'No freeze/thaw/recovery events found.'];
  const rows = value.events.map((e) => [e.time, e.pid === undefined ? '-' : String(e.pid), e.type, eventDetail(e)]);
  return [...lines, ...table(['TIME', 'PID', 'EVENT', 'DETAIL'], rows)];
}

function renderQlist(instances: IrisInstance[]): string[] {
  if (instances.length === 0) return ['No instances found.'];
  const rows = instances.map((i) => [
    i.name,
    i.status,
    i.version,
    i.health ?? '-',
    i.superserverPort === undefined ? '-' : String(i.superserverPort),
    i.mirrorStatus ? `${i.mirrorMemberType ?? '?'}/${i.mirrorStatus}${isMirrorPrimary(i) ? ' (primary)' : ''}` : '-',
    i.installDir,
  ]);
  return table(['NAME', 'STATUS', 'VERSION', 'HEALTH', 'PORT', 'MIRROR', 'DIRECTORY'], rows);
}

function renderIntegrity(r: IntegrityReport): string[] {
  const lines = [`Verdict: ${r.verdict}`];
  if (r.header) lines.push(r.header);
  if (r.directories.length > 0) {
    lines.push(
      ...table(
        ['DIRECTORY', 'VERDICT', 'GLOBALS'],
        r.directories.map((d) => [d.path, d.verdict, String(d.globalsChecked)]),
      ),
    );
  }
  for (const e of r.errors) lines.push(`Error: ${e.directory ?? '?'} ^${e.global}: ${e.lines.join(' / ')}`);
  for (const d of r.directories) for (const m of d.messages) lines.push(`Error: ${d.path}: ${m}`);
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  const o = r.omitted;
  if (o) {
    const parts = [
      [o.directories, 'directories'],
      [o.errors, 'bad globals'],
      [o.errorLines, 'error lines'],
      [o.messages, 'directory messages'],
      [o.warnings, 'warnings'],
    ]
      .filter(([count]) => Number(count) > 0)
      .map(([count, what]) => `${count} more ${what}`);
    lines.push(`Not listed (the verdict covers them): ${parts.join(', ')}`);
  }
  return lines;
}

function renderProblems(problems: readonly ParseProblem[]): string[] {
  if (problems.length === 0) return [];
  return [
    '',
    `Could not read (${problems.length}):`,
    ...problems.map((p) => `  ${p.line === undefined ? '' : `line ${p.line}: `}${p.message}`),
  ];
}
