/**
 * Splitting a record's JSON across several string properties. An Azure Table string property holds at most
 * 64 KiB of UTF-16 (32K characters) and an entity at most 1 MiB, so a record is cut into pieces of at most
 * CHUNK_CHARS characters, never in the middle of a surrogate pair, and refused beyond MAX_CHUNKS pieces.
 */
export const CHUNK_CHARS = 32_000;
export const MAX_CHUNKS = 15;
export const CHUNK_COUNT_PROPERTY = 'jsonChunks';
export const chunkProperty = (index: number): string => `json${index}`;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** The pieces of `json`, or undefined when it needs more than MAX_CHUNKS properties. */
export const splitIntoChunks = (json: string, size = CHUNK_CHARS): string[] | undefined => {
  const chunks: string[] = [];
  let start = 0;
  while (start < json.length) {
    let end = Math.min(start + size, json.length);
    if (end < json.length && isHighSurrogate(json.charCodeAt(end - 1))) end -= 1;
    chunks.push(json.slice(start, end));
    start = end;
    if (chunks.length > MAX_CHUNKS) return undefined;
  }
  return chunks.length === 0 ? [''] : chunks;
};

export const toChunkProperties = (chunks: string[]): Record<string, string | number> => {
  const properties: Record<string, string | number> = { [CHUNK_COUNT_PROPERTY]: chunks.length };
  chunks.forEach((chunk, i) => (properties[chunkProperty(i)] = chunk));
  return properties;
};

/** Reassembles the JSON, or undefined when a piece is missing (a damaged or foreign entity). */
export const joinChunks = (properties: Record<string, unknown>): string | undefined => {
  const count = properties[CHUNK_COUNT_PROPERTY];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_CHUNKS) return undefined;
  let json = '';
  for (let i = 0; i < count; i += 1) {
    const chunk = properties[chunkProperty(i)];
    if (typeof chunk !== 'string') return undefined;
    json += chunk;
  }
  return json;
};
