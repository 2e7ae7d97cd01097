/**
 * How `parse` reads to a person: the document as stable JSON, or a readable timeline / table per kind of log. Pure.
 * The parsers produce the data (parsers/parsedDocument.ts); log text comes from a VM, so everything shown goes
 * through the one terminal-text policy.
 */
import type { PrePostSummary } from '../parsers/extensionLog';
import type { IntegrityReport } from '../parsers/integrityLog';
import type { IrisBackupEvent } from '../parsers/messagesLog';
import { parseByKind, type ParsedDocument, type ParsedValueByKind, type ParseKind } from '../parsers/parsedDocument';
import type { ParseProblem } from '../parsers/parseResult';
import { type IrisInstance, isMirrorPrimary } from '../parsers/qlist';
import type { ScriptLogEvent } from '../parsers/scriptLog';
import { textTable } from './textTable';
import { terminalJson, terminalText } from './terminalText';

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
  return textTable(['TIME', 'ROLE', 'EVENT', 'INSTANCE', 'DETAIL'], rows);
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
  return [...lines, ...textTable(['TIME', 'PID', 'EVENT', 'DETAIL'], rows)];
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
  return textTable(['NAME', 'STATUS', 'VERSION', 'HEALTH', 'PORT', 'MIRROR', 'DIRECTORY'], rows);
}

function renderIntegrity(r: IntegrityReport): string[] {
  const lines = [`Verdict: ${r.verdict}`];
  if (r.header) lines.push(r.header);
  if (r.directories.length > 0) {
    lines.push(
      ...textTable(
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
