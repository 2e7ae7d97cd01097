/**
 * Tolerant readers for SDK models. Services return values the specs do not promise (numbers as strings, enums as
 * numbers, dates as strings or Date objects), so gateways read fields through these instead of trusting types.
 */
export type LooseRecord = Record<string, unknown>;

export const asRecord = (value: unknown): LooseRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LooseRecord) : {};

export const readString = (record: LooseRecord, key: string): string | undefined => {
  const value = record[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
};

export const readNumber = (record: LooseRecord, key: string): number | undefined => {
  const value = record[key];
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
};

/** A Date, or a string a Date can read, as an ISO string. */
export const readIsoTime = (record: LooseRecord, key: string): string | undefined => {
  const value = record[key];
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date !== undefined && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
};

export const readStrings = (record: LooseRecord, key: string): string[] => {
  const value = record[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/** The last path segment of a URL, without its query: the operation id in Azure-AsyncOperation/Location. */
export const lastPathSegment = (url: string): string | undefined => {
  const path = url.split(/[?#]/)[0] ?? '';
  const segment = path
    .split('/')
    .filter((s) => s !== '')
    .pop();
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** The segment that follows `name` in an ARM id (case-insensitive), e.g. after `protectedItems`. */
export const segmentAfter = (id: string, name: string): string | undefined => {
  const parts = id.split('/');
  const at = parts.findIndex((p) => p.toLowerCase() === name.toLowerCase());
  return at >= 0 ? parts[at + 1] : undefined;
};
