/** What `parse` produces for each kind of log: the stable document (data only; report/parseReport.ts renders it). */
import { ExtensionLogEntry, parseExtensionLog, PrePostSummary, summarizePrePost } from './extensionLog';
import { IntegrityReport, parseIntegrityOutput } from './integrityLog';
import { IrisBackupEvent, irisBackupEvents, MessagesLogEntry, parseMessagesLog } from './messagesLog';
import { ParseProblem, ParseResult } from './parseResult';
import type { ParseVerdict } from './parseVerdict';
import { IrisInstance, parseQlist } from './qlist';
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
