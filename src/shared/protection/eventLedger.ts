/**
 * The ledger of what arrived from outside (Event Grid events, Azure Monitor alerts) and of the VMs checked because of
 * them. Entries are inserted once and never replaced: a second insert of the same kind and key is a 'duplicate',
 * which is how at-least-once delivery is made to act once. Malformed input is kept here too (capped), so nothing
 * that arrived is lost even when it could not be read.
 */
import { capText } from '../runs/runLimits';

export type LedgerKind =
  /** An Event Grid event, by its id. */
  | 'event'
  /** An Event Grid event that could not be read (keyed by its id, or a digest of its text). */
  | 'malformed-event'
  /** An Azure Monitor alert, by alertId and monitorCondition. */
  | 'alert'
  /** An alert body that could not be read (keyed by a digest of its text). */
  | 'malformed-alert'
  /** A VM checked because an event showed it tagged for enrolment, by VM key and UTC day. */
  | 'vm-check';

export interface LedgerEntry {
  kind: LedgerKind;
  key: string;
  /** ISO 8601: when it was recorded. */
  at: string;
  /** What the app did with it, or why not. */
  outcome: string;
  /** The raw text when it could not be read, capped (RAW_TEXT_CAP). */
  raw?: string;
}

export interface EventLedger {
  /** 'duplicate': an entry of this kind and key exists already; it is left as it is. */
  record(entry: LedgerEntry): Promise<'recorded' | 'duplicate'>;
  get(kind: LedgerKind, key: string): Promise<LedgerEntry | undefined>;
}

/** How much of a raw payload is kept with its entry and quoted in the log. */
export const RAW_TEXT_CAP = 16_384;

/**
 * A raw payload kept or quoted: cut as runs cut text (runLimits.ts capText: never inside a surrogate pair), with a
 * marker saying how much was cut, so a reader knows the record is not the whole payload.
 */
export function capRawText(text: string, cap = RAW_TEXT_CAP): string {
  return text.length <= cap ? text : `${capText(text, cap)}[${text.length - cap} more characters cut]`;
}
