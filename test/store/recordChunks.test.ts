import {
  CHUNK_CHARS,
  MAX_CHUNKS,
  joinChunks,
  splitIntoChunks,
  toChunkProperties,
} from '../../src/shared/store/recordChunks';

describe('recordChunks', () => {
  it.each([
    ['empty', '', 1],
    ['small', '{"a":1}', 1],
    ['exactly one chunk', 'x'.repeat(CHUNK_CHARS), 1],
    ['one over', 'x'.repeat(CHUNK_CHARS + 1), 2],
    ['the maximum', 'x'.repeat(CHUNK_CHARS * MAX_CHUNKS), MAX_CHUNKS],
  ])('%s round-trips in %i chunk(s)', (_case, json, count) => {
    const chunks = splitIntoChunks(json);
    expect(chunks).toHaveLength(count);
    expect(chunks?.every((c) => c.length <= CHUNK_CHARS)).toBe(true);
    expect(joinChunks(toChunkProperties(chunks ?? []))).toBe(json);
  });

  it('refuses JSON that needs more than the maximum number of chunks', () => {
    expect(splitIntoChunks('x'.repeat(CHUNK_CHARS * MAX_CHUNKS + 1))).toBeUndefined();
  });

  it('never splits a surrogate pair', () => {
    const json = `${'x'.repeat(4)}😀${'y'.repeat(4)}`; // the emoji starts at index 4 and takes two UTF-16 units
    const chunks = splitIntoChunks(json, 5) ?? [];
    expect(chunks[0]).toBe('xxxx');
    expect(chunks[1]?.startsWith('😀')).toBe(true);
    expect(chunks.join('')).toBe(json);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no count', { json0: 'x' }],
    ['a missing chunk', { jsonChunks: 2, json0: 'x' }],
    ['a non-string chunk', { jsonChunks: 1, json0: 5 }],
    ['a zero count', { jsonChunks: 0 }],
    ['a huge count', { jsonChunks: 1000 }],
  ])('gives undefined for an entity with %s', (_case, properties) => expect(joinChunks(properties)).toBeUndefined());
});
