import { parseDurationInMs } from '../../src/shared/gateways/jobDuration';

describe('parseDurationInMs', () => {
  it.each<[unknown, number | undefined]>([
    ['PT20M23.0896697S', 1_223_090],
    ['PT9.8782791S', 9_878],
    ['PT0S', 0],
    ['P1DT2H', 93_600_000],
    ['pt1h', 3_600_000],
    ['00:20:23.0896697', 1_223_090],
    ['00:00:05', 5_000],
    ['1.02:03:04', 93_784_000],
    ['00:20:23.08', 1_223_080],
    [12.5, 12_500],
    [' PT1M ', 60_000],
    ['P', undefined],
    ['PT', undefined],
    ['00:61:00', undefined],
    ['twenty minutes', undefined],
    ['', undefined],
    [-1, undefined],
    [null, undefined],
    [{ duration: 'PT1S' }, undefined],
    ['P'.padEnd(100, '1'), undefined],
  ])('%j → %s', (value, expected) => expect(parseDurationInMs(value)).toBe(expected));
});
