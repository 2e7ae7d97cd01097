/**
 * Validation of the 6-field NCRONTAB expressions that Functions timer triggers take:
 * `{second} {minute} {hour} {day} {month} {day-of-week}`. We only check shape and ranges, so that a typo fails at
 * start-up with a clear message instead of a timer that silently never fires; the host does the scheduling.
 * parseNcrontab also returns the values each field allows, so that the app can tell when a schedule fires
 * (ncrontabOccurrences.ts).
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Three-letter names the host accepts in this field (index + min = value). */
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 6, names: DAYS },
];

const parseValue = (text: string, spec: FieldSpec): number | undefined => {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + spec.min : undefined;
};

/** One comma-separated element of a field: `*`, `n`, `a-b`, each optionally followed by `/step`; its values or a problem. */
const parseElement = (element: string, spec: FieldSpec): number[] | string => {
  const [range, step, extra] = element.split('/');
  if (range === undefined || range === '' || extra !== undefined) return `"${element}" is not a valid ${spec.name}`;
  if (step !== undefined && !/^[1-9]\d{0,1}$/.test(step)) return `"${element}" has an invalid step in ${spec.name}`;
  let from = spec.min;
  let to = spec.max;
  if (range !== '*') {
    const bounds = range.split('-');
    if (bounds.length > 2) return `"${element}" is not a valid ${spec.name}`;
    const values = bounds.map((b) => parseValue(b, spec));
    for (const [i, value] of values.entries()) {
      if (value === undefined) return `"${bounds[i] ?? ''}" is not a valid ${spec.name}`;
      if (value < spec.min || value > spec.max) {
        return `${spec.name} ${value} is out of range ${spec.min}-${spec.max}`;
      }
    }
    from = values[0] ?? spec.min;
    // `n/step` runs from n to the end of the field, as in NCrontab.
    to = values[1] ?? (step === undefined ? from : spec.max);
    if (from > to) return `${spec.name} range "${range}" runs backwards`;
  }
  const every = step === undefined ? 1 : Number(step);
  const out: number[] = [];
  for (let v = from; v <= to; v += every) out.push(v);
  return out;
};

/** The values each field allows, in field order: second, minute, hour, day, month, day-of-week. */
export type NcrontabFields = readonly [
  second: ReadonlySet<number>,
  minute: ReadonlySet<number>,
  hour: ReadonlySet<number>,
  day: ReadonlySet<number>,
  month: ReadonlySet<number>,
  dayOfWeek: ReadonlySet<number>,
];

/** The allowed values of each field, or what is wrong with the expression. */
export const parseNcrontab = (expression: string): NcrontabFields | string => {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== FIELDS.length) {
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected 6 (second minute hour day month day-of-week)`;
  }
  const sets: Set<number>[] = [];
  for (const [i, field] of fields.entries()) {
    const spec = FIELDS[i];
    if (spec === undefined) break;
    const set = new Set<number>();
    for (const element of field.split(',')) {
      const values = parseElement(element, spec);
      if (typeof values === 'string') return values;
      for (const v of values) set.add(v);
    }
    sets.push(set);
  }
  const [second, minute, hour, day, month, dayOfWeek] = sets;
  if (!second || !minute || !hour || !day || !month || !dayOfWeek) return 'is incomplete';
  return [second, minute, hour, day, month, dayOfWeek];
};

/** Returns what is wrong with the expression, or undefined when it is a valid 6-field NCRONTAB. */
export const checkNcrontab = (expression: string): string | undefined => {
  const parsed = parseNcrontab(expression);
  return typeof parsed === 'string' ? parsed : undefined;
};
