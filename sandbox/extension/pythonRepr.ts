/** How Python 3 prints values in the extension's log lines (`str(x)`), so simulated lines match real ones. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** `str(x)` rather than `repr(x)`: strings print bare. */
export const pyStr = (value: unknown): string => (typeof value === 'string' ? value : pyRepr(value));

/** JSON numbers are ints unless written with a fraction; Python prints floats with a ".0". */
export const pyNumber = (n: number): string => String(n);

/** The result of Python 3 true division, always a float. */
export const pyFloat = (n: number): string => (Number.isInteger(n) ? `${n}.0` : String(n));
