/**
 * Adds `offset` to every numeric `line` field in a parse result, in place. The CLI parses the tail of a big log
 * and must still report line numbers from the start of the file. Only numbers are shifted: a VM's own key=value
 * fields (strings) named `line` stay as written.
 */
export function shiftLineNumbers(value: unknown, offset: number): void {
  if (offset === 0) return;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  // Iterative, so a deep structure cannot exhaust the call stack.
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
      continue;
    }
    const record = item as Record<string, unknown>;
    for (const [key, field] of Object.entries(record)) {
      if (key === 'line' && typeof field === 'number') record[key] = field + offset;
      else if (typeof field === 'object') stack.push(field);
    }
  }
}
