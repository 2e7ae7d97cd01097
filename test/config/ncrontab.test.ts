import { checkNcrontab } from '../../src/shared/config/ncrontab';

describe('checkNcrontab', () => {
  it.each([
    '0 30 1 * * *',
    '0 */5 * * * *',
    '*/10 0-59/15 0,12 1-31 JAN-DEC SUN-SAT',
    '0 0 2 * * mon-fri',
    '  0 0 0 1 1 0 ',
  ])('accepts %j', (expression) => expect(checkNcrontab(expression)).toBeUndefined());

  it.each([
    ['', 'has 1 field, expected 6 (second minute hour day month day-of-week)'],
    ['0 30 1 * *', 'has 5 fields, expected 6 (second minute hour day month day-of-week)'],
    ['0 0 30 1 * * *', 'has 7 fields, expected 6 (second minute hour day month day-of-week)'],
    ['60 * * * * *', 'second 60 is out of range 0-59'],
    ['0 0 24 * * *', 'hour 24 is out of range 0-23'],
    ['0 0 0 0 * *', 'day 0 is out of range 1-31'],
    ['0 0 0 * 13 *', 'month 13 is out of range 1-12'],
    ['0 0 0 * * 7', 'day-of-week 7 is out of range 0-6'],
    ['0 */0 * * * *', '"*/0" has an invalid step in minute'],
    ['0 5-1 * * * *', 'minute range "5-1" runs backwards'],
    ['0 a * * * *', '"a" is not a valid minute'],
    ['0 1-2-3 * * * *', '"1-2-3" is not a valid minute'],
    ['0 , * * * *', '"" is not a valid minute'],
    ['0 0 0 * FOO *', '"FOO" is not a valid month'],
  ])('rejects %j: %s', (expression, problem) => expect(checkNcrontab(expression)).toBe(problem));
});
