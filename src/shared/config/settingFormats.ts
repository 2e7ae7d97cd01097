/** Value formats of app settings. Each parser returns the normalised value, or undefined when it is not valid. */

/** An https URL without credentials, query or fragment; the trailing slash is removed. */
export const parseHttpsBaseUrl = (value: string): string | undefined => {
  const url = parseUrl(value);
  if (url === undefined || url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
  if (url.search !== '' || url.hash !== '') return undefined;
  return url.toString().replace(/\/+$/, '');
};

/** Any https URL (webhooks carry their secret in the path or query, so both are allowed). */
export const parseHttpsUrl = (value: string): string | undefined => {
  const url = parseUrl(value);
  return url !== undefined && url.protocol === 'https:' ? value : undefined;
};

const parseUrl = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const parseGuid = (value: string): string | undefined => (GUID.test(value) ? value.toLowerCase() : undefined);

export interface TagSelector {
  name: string;
  value: string;
}

// Characters Azure refuses in tag names.
const BAD_TAG_NAME = /[<>%&\\?/]/;

/** `name=value`; the name is matched case-insensitively by ARM, the value exactly. */
export const parseTag = (text: string): TagSelector | undefined => {
  const at = text.indexOf('=');
  if (at <= 0) return undefined;
  const name = text.slice(0, at).trim();
  const value = text.slice(at + 1).trim();
  if (name === '' || value === '' || name.length > 512 || value.length > 256 || BAD_TAG_NAME.test(name)) {
    return undefined;
  }
  return { name, value };
};

/** Azure Table names: 3-63 alphanumerics starting with a letter; "tables" is reserved. */
export const parseTableName = (value: string): string | undefined =>
  /^[A-Za-z][A-Za-z0-9]{2,62}$/.test(value) && value.toLowerCase() !== 'tables' ? value : undefined;

/** An IANA zone name that this Node build knows, in its canonical spelling. */
export const parseTimeZone = (value: string): string | undefined => {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
};

/**
 * A storage connection string: `UseDevelopmentStorage=true`, or `key=value` pairs that name an account or a
 * table endpoint. The content is checked only for shape; the SDK reports anything subtler at first use.
 */
export const parseStorageConnectionString = (value: string): string | undefined => {
  const pairs = value
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const keys = new Set<string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return undefined;
    keys.add(pair.slice(0, at).toLowerCase());
  }
  if (/^usedevelopmentstorage=true$/i.test(pairs[0] ?? '')) return value;
  return keys.has('accountname') || keys.has('tableendpoint') ? value : undefined;
};
