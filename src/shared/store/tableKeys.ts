/**
 * Table Storage keys from our own names: PartitionKey and RowKey may not hold '/', '\\', '#', '?' or control
 * characters, and ARM names are case-insensitive, so keys are lower-cased with those characters made '|'.
 */
import { createHash } from 'node:crypto';

export const tableKeyOf = (text: string): string =>
  // eslint-disable-next-line no-control-regex -- control characters are not allowed in table keys
  text.toLowerCase().replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, '|');

/** Beyond this a key is not a name of ours but outside text (an event id): it is digested, keys being at most 1 KiB. */
const LONGEST_READABLE_KEY = 200;

/** tableKeyOf, with a key longer than LONGEST_READABLE_KEY replaced by its SHA-256. */
export const digestedTableKey = (text: string): string => {
  const safe = tableKeyOf(text);
  return safe.length <= LONGEST_READABLE_KEY ? safe : `sha256-${createHash('sha256').update(text).digest('hex')}`;
};
