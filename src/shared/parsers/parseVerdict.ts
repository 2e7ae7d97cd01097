import type { IrisBackupEvent } from './messagesLog';
import type { ParsedDocument, ParsedValueByKind } from './parsedDocument';
import type { ScriptLogEventType } from './scriptLog';

/**
 * What a parsed log says about the backup, for `parse`'s exit code: 'problem' (exit 1) when the log itself reports
 * something wrong, with the reason; 'ok' (exit 0) when it reports nothing wrong. Lines that could not be read do
 * not count: they are listed, and a file with nothing recognisable is refused before this is asked.
 */
export type ParseVerdict = { verdict: 'ok' } | { verdict: 'problem'; reason: string };

const FAILED_SCRIPT_EVENTS: ReadonlySet<ScriptLogEventType> = new Set([
  'freeze-failed',
  'thaw-failed',
  'error',
  'instance-down',
  'auto-thawed',
]);

const ok: ParseVerdict = { verdict: 'ok' };
const problem = (reason: string): ParseVerdict => ({ verdict: 'problem', reason });

function integrityVerdict(r: ParsedValueByKind['integrity']): ParseVerdict {
  if (r.verdict === 'errors') return problem('the integrity check found errors');
  if (r.verdict === 'incomplete') return problem('the integrity output has no final summary line (cut or crashed)');
  return ok;
}

function extensionVerdict(v: ParsedValueByKind['extension-log']): ParseVerdict {
  const c = v.lastRun.consistency;
  if (c === 'failed') return problem('the last backup run failed');
  if (c === 'file-system-consistent') return problem('the last backup run was only file-system-consistent');
  return ok;
}

function scriptVerdict(events: ParsedValueByKind['script-log']): ParseVerdict {
  const failed = events.find((e) => FAILED_SCRIPT_EVENTS.has(e.type));
  return failed ? problem(`the script log reports ${failed.type} (line ${failed.line})`) : ok;
}

function messagesVerdict(v: ParsedValueByKind['messages-log']): ParseVerdict {
  const fatal = v.entries.find((e) => e.severity === 3);
  if (fatal) return problem(`messages.log has a fatal entry (line ${fatal.line})`);
  const exit = v.events.find(
    (e): e is Extract<IrisBackupEvent, { type: 'recovery-exit' }> => e.type === 'recovery-exit' && e.status !== 0,
  );
  return exit ? problem(`a recovery exited with status ${exit.status} (line ${exit.line})`) : ok;
}

function qlistVerdict(instances: ParsedValueByKind['qlist']): ParseVerdict {
  const odd = instances.find((i) => i.status !== 'running' && i.status !== 'down');
  return odd ? problem(`instance ${odd.name} is ${odd.statusText || odd.status}`) : ok;
}

export function parseVerdict(doc: ParsedDocument): ParseVerdict {
  switch (doc.kind) {
    case 'integrity':
      return integrityVerdict(doc.value as ParsedValueByKind['integrity']);
    case 'extension-log':
      return extensionVerdict(doc.value as ParsedValueByKind['extension-log']);
    case 'script-log':
      return scriptVerdict(doc.value as ParsedValueByKind['script-log']);
    case 'messages-log':
      return messagesVerdict(doc.value as ParsedValueByKind['messages-log']);
    case 'qlist':
      return qlistVerdict(doc.value as ParsedValueByKind['qlist']);
  }
}

/** Whether the parse recognised anything at all: nothing means the file is not of the kind asked for. */
export function recognisedAnything(doc: ParsedDocument): boolean {
  switch (doc.kind) {
    case 'integrity': {
      const r = doc.value as ParsedValueByKind['integrity'];
      return r.verdict !== 'incomplete' || r.header !== undefined || r.directories.length > 0;
    }
    case 'extension-log':
      return (doc.value as ParsedValueByKind['extension-log']).entries.length > 0;
    case 'messages-log':
      return (doc.value as ParsedValueByKind['messages-log']).entries.length > 0;
    case 'script-log':
      return (doc.value as ParsedValueByKind['script-log']).length > 0;
    case 'qlist':
      return (doc.value as ParsedValueByKind['qlist']).length > 0;
  }
}
