/**
 * Removes secrets from text that echoes a setting value. Secret settings are never echoed at all, but an operator
 * can paste a secret into a setting that is not secret (a connection string into an endpoint, a SAS URL, a URL with
 * `user:password@`), and the start-up error quotes the bad value so that it can be recognised. Only the secret part
 * is replaced, so the setting name, the rest of the value and what was wrong stay readable.
 */
export const REDACTED = '[redacted]';

const RULES: readonly { pattern: RegExp; replace: string }[] = [
  // Connection-string keys (storage, Service Bus, Event Hubs, SQL): the value runs to the next `;`.
  {
    pattern: /\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=[^;"\s]*/gi,
    replace: `$1=${REDACTED}`,
  },
  // Query parameters that carry a credential. In a SAS only `sig` is secret; `sv`, `se`, `sp` are kept for context.
  {
    pattern: /([?&;]|\b)(sig|client_secret|access_token|refresh_token|id_token|password|api[-_]?key)=[^&;#"\s]*/gi,
    replace: `$1$2=${REDACTED}`,
  },
  // `scheme://user:password@host`: the user name is kept, it tells which account was meant.
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"]*):[^/\s@"]*@/gi, replace: `$1:${REDACTED}@` },
  // An Authorization header value pasted whole.
  { pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g, replace: `$1 ${REDACTED}` },
];

export const redactSecrets = (text: string): string =>
  RULES.reduce((out, rule) => out.replace(rule.pattern, rule.replace), text);

/** Every string inside a plain value (objects, arrays), redacted; other values are kept as they are. */
export const redactSecretsDeep = (value: unknown): unknown => {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactSecretsDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecretsDeep(v)]));
  }
  return value;
};
