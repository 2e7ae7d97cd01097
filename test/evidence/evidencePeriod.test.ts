import { MAX_EVIDENCE_NIGHTS, parseEvidencePeriod } from '../../src/shared/evidence/evidencePeriod';

describe('parseEvidencePeriod', () => {
  it('defaults: to is today, from 29 nights before, nights ascending', () => {
    const p = parseEvidencePeriod(undefined, undefined, '2026-12-03');
    if ('error' in p) throw new Error(p.error);
    expect(p.from).toBe('2026-11-04');
    expect(p.to).toBe('2026-12-03');
    expect(p.nights).toHaveLength(30);
    expect(p.nights[0]).toBe(p.from);
    expect(p.nights[29]).toBe(p.to);
    expect([...p.nights].sort()).toEqual(p.nights);
  });

  it('only --from: to is today', () => {
    expect(parseEvidencePeriod('2026-12-01', undefined, '2026-12-03')).toEqual({
      from: '2026-12-01',
      to: '2026-12-03',
      nights: ['2026-12-01', '2026-12-02', '2026-12-03'],
    });
  });

  it('only --to: the 30 nights ending with it', () => {
    const p = parseEvidencePeriod(undefined, '2026-03-01', '2026-12-03');
    expect('error' in p ? p.error : p.from).toBe('2026-01-31');
  });

  it('a leap day and a year end are nights like any other', () => {
    const p = parseEvidencePeriod('2024-02-27', '2024-03-01', '2026-12-03');
    expect('error' in p ? p.error : p.nights).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    const q = parseEvidencePeriod('2025-12-31', '2026-01-01', '2026-12-03');
    expect('error' in q ? q.error : q.nights).toEqual(['2025-12-31', '2026-01-01']);
  });

  it('one night, and the longest period allowed', () => {
    const one = parseEvidencePeriod('2026-12-03', '2026-12-03', '2026-12-03');
    expect('error' in one ? one.error : one.nights).toEqual(['2026-12-03']);
    const longest = parseEvidencePeriod('2025-10-30', '2026-12-03', '2026-12-03');
    expect('error' in longest ? longest.error : longest.nights.length).toBe(MAX_EVIDENCE_NIGHTS);
  });

  it.each([
    ['2026-02-30', '2026-03-02', /^from "2026-02-30" is not a date YYYY-MM-DD; .*e\.g\. 2026-11-01$/],
    ['2026-3-1', '2026-03-02', /^from "2026-3-1" is not a date/],
    ['2026-03-01', 'yesterday', /^to "yesterday" is not a date YYYY-MM-DD/],
    ['2026-03-01', '2026-13-01', /^to "2026-13-01" is not a date/],
    ['2026-03-02', '2026-03-01', /^from 2026-03-02 is after to 2026-03-01; give from ≤ to, e\.g\./],
    ['2025-10-29', '2026-12-03', /^from 2025-10-29 to 2026-12-03 is 401 nights; at most 400 per export, e\.g\./],
  ])('from %s to %s is refused', (from, to, message) => {
    const p = parseEvidencePeriod(from, to, '2026-12-03');
    expect('error' in p ? p.error : 'accepted').toMatch(message);
  });
});
