import { formatFilterDate, parseEqFilter, parseFilterDate } from '../../sandbox/odataFilter';

describe('parseFilterDate', () => {
  it.each([
    ['2024-01-01 12:00:00 AM', '2024-01-01T00:00:00.000Z'],
    ['2016-01-01 00:00:00 AM', '2016-01-01T00:00:00.000Z'],
    ['2024-01-01 01:30:00 PM', '2024-01-01T13:30:00.000Z'],
    ['2024-01-01 12:15:00 PM', '2024-01-01T12:15:00.000Z'],
    ['2024-01-01 11:59:59 pm', '2024-01-01T23:59:59.000Z'],
    ['2024-01-01T10:00:00.1234567Z', '2024-01-01T10:00:00.123Z'],
    ['2024-01-01T10:00:00', '2024-01-01T10:00:00.000Z'],
    ['2024-01-01', '2024-01-01T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(new Date(parseFilterDate(text) ?? NaN).toISOString()).toBe(iso);
  });

  it.each(['yesterday', '', '2024-13-45 10:00:00', '01/02/2024'])('rejects %p', (text) => {
    expect(parseFilterDate(text)).toBeUndefined();
  });

  it.each([
    ['2024-01-01T00:00:00Z', '2024-01-01 12:00:00 AM'],
    ['2024-01-01T13:30:05Z', '2024-01-01 01:30:05 PM'],
    ['2024-01-01T12:00:00Z', '2024-01-01 12:00:00 PM'],
  ])('formats %s as %s and parses it back', (iso, text) => {
    expect(formatFilterDate(new Date(iso))).toBe(text);
    expect(parseFilterDate(text)).toBe(Date.parse(iso));
  });
});

describe('parseEqFilter', () => {
  const fields = ['operation', 'status', 'startTime'];
  it('reads eq clauses joined by and, field names case-insensitively', () => {
    const r = parseEqFilter(
      "Operation eq 'Backup' and status eq 'In Progress' and startTime eq '2024-01-01 12:00:00 AM'",
      fields,
    );
    expect(r.ok && Object.fromEntries(r.clauses)).toEqual({
      operation: 'Backup',
      status: 'In Progress',
      startTime: '2024-01-01 12:00:00 AM',
    });
  });
  it.each([["status ne 'Failed'"], ["color eq 'red'"], ['status eq Failed'], ["status eq 'a' or operation eq 'b'"]])(
    'rejects %p',
    (f) => {
      expect(parseEqFilter(f, fields).ok).toBe(false);
    },
  );
  it('treats an absent filter as no clauses', () => {
    expect(parseEqFilter(undefined, fields)).toEqual({ ok: true, clauses: new Map() });
  });
});
