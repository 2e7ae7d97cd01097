import { nightOf } from '../../src/shared/protection/night';

describe('nightOf', () => {
  it.each([
    ['2026-03-10T01:30:00Z', 'UTC', '2026-03-10'],
    ['2026-03-10T23:30:00Z', 'Europe/Paris', '2026-03-11'],
    ['2026-03-10T03:30:00Z', 'America/New_York', '2026-03-09'],
  ])('%s in %s is the night of %s', (at, zone, night) => expect(nightOf(new Date(at), zone)).toBe(night));
});
