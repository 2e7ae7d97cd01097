import type { ParseKind } from './parsedDocument';

/** `--json` output of `parse` when it parsed nothing: the same `schema` convention as every other document. */
export const PARSE_ERROR_SCHEMA = 'iris-backup-guard/parse-error@1';

export type ParseErrorCode =
  'usage' | 'not-found' | 'not-readable' | 'is-directory' | 'empty' | 'binary' | 'wrong-kind';

/**
 * {
 *   schema: 'iris-backup-guard/parse-error@1',
 *   error: { code, message, fix },   // what was wrong, and how to fix it
 *   kind?, file?,                    // as given on the command line, when they were
 *   suggestedKind?                   // wrong-kind: the kind the file looks like, when one does
 * }
 */
export interface ParseErrorDocument {
  schema: typeof PARSE_ERROR_SCHEMA;
  error: { code: ParseErrorCode; message: string; fix: string };
  kind?: string;
  file?: string;
  suggestedKind?: ParseKind;
}

/** Why `parse` could not parse its input (exit 2): a sentence on what was wrong and one on how to fix it. */
export class ParseInputError extends Error {
  constructor(
    readonly code: ParseErrorCode,
    message: string,
    readonly fix: string,
    readonly suggestedKind?: ParseKind,
  ) {
    super(message);
    this.name = 'ParseInputError';
  }

  toDocument(context: { kind?: string; file?: string }): ParseErrorDocument {
    const doc: ParseErrorDocument = {
      schema: PARSE_ERROR_SCHEMA,
      error: { code: this.code, message: this.message, fix: this.fix },
    };
    if (context.kind !== undefined) doc.kind = context.kind;
    if (context.file !== undefined) doc.file = context.file;
    if (this.suggestedKind !== undefined) doc.suggestedKind = this.suggestedKind;
    return doc;
  }
}
