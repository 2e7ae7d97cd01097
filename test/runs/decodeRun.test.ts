import { decodeRun } from '../../src/shared/runs/decodeRun';
import { done, fresh } from './runSamples';

describe('decodeRun', () => {
  it('reads back a stored run', () => expect(decodeRun(JSON.parse(JSON.stringify(done())))).toEqual(done()));
  it.each<[string, unknown, string]>([
    ['null', null, 'Stored run is unreadable: not an object'],
    ['a newer schema', { ...fresh(), schemaVersion: 2 }, 'Stored run is unreadable: schemaVersion 2 is not 1'],
    ['an unknown stage', { ...fresh(), stage: 'paused' }, 'Stored run is unreadable: unknown stage paused'],
    ['no history', { ...fresh(), history: undefined }, 'Stored run is unreadable: target, backup or history missing'],
  ])('%s', (_name, json, message) => expect(() => decodeRun(json)).toThrow(message));
});
