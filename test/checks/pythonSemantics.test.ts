import {
  analyzePluginConfig,
  continueBackupBehaviour,
  effectiveScriptTimeoutSeconds,
  pythonInt,
} from '../../src/shared/checks/pluginConfigSemantics';
import { getIniValue, parsePythonIni } from '../../src/shared/checks/pythonConfigParser';

describe('pythonInt (int() on a JSON value)', () => {
  it.each([
    [3, { value: 3 }],
    [4.9, { value: 4 }],
    [-0.5, { value: 0 }],
    ['2', { value: 2 }],
    [' 5 ', { value: 5 }],
    ['+1', { value: 1 }],
    ['1_0', { value: 10 }],
    ['2.0', { raises: 'ValueError' }],
    ['abc', { raises: 'ValueError' }],
    ['', { raises: 'ValueError' }],
    [true, { value: 1 }],
    [false, { value: 0 }],
    [null, { raises: 'TypeError' }],
    [[1], { raises: 'TypeError' }],
    [{}, { raises: 'TypeError' }],
    [Infinity, { raises: 'OverflowError' }],
  ])('int(%j)', (input, expected) => {
    expect(pythonInt(input)).toEqual(expected);
  });
});

describe('continueBackupBehaviour (continueBackup & value after a failure)', () => {
  it.each([
    [true, 'continue'],
    [false, 'stop'],
    [1, 'continue'],
    [0, 'stop'],
    [0.5, 'crash'],
    ['false', 'crash'],
    ['', 'crash'],
    [null, 'crash'],
    [[], 'crash'],
  ])('%j → %s', (value, expected) => {
    expect(continueBackupBehaviour(value)).toBe(expected);
  });
});

describe('analyzePluginConfig', () => {
  const base = { preScriptLocation: '/a', postScriptLocation: '/b' };
  it.each([
    ['defaults', base, 1800, { timeoutInSeconds: 10, timeoutSource: 'default', pollSeconds: 3, pollIgnored: false }],
    ['host maximum clamps', { ...base, timeoutInSeconds: 300 }, 60, { timeoutInSeconds: 60 }],
    ['bool timeout is int 1', { ...base, timeoutInSeconds: true }, 1800, { timeoutInSeconds: 1 }],
    ['poll 5 taken', { ...base, ScriptsExecutionPollTimeSeconds: 5 }, 1800, { pollSeconds: 5 }],
    ['poll 6 ignored', { ...base, ScriptsExecutionPollTimeSeconds: 6 }, 1800, { pollSeconds: 3, pollIgnored: true }],
    ['missing booleans default to true', base, 1800, { continueBackupOnFailure: true, fsFreezeEnabled: true }],
    ['missing params default to []', base, 1800, { preScriptParams: [], postScriptNoOfRetries: 0 }],
  ])('%s', (_name, config, max, expected) => {
    expect(analyzePluginConfig(JSON.stringify(config), max)).toMatchObject({ status: 'loaded', ...expected });
  });

  it('reports the first exception Python would hit: the type error on timeout before the missing key', () => {
    expect(analyzePluginConfig('{"timeoutInSeconds": "30"}', 1800)).toMatchObject({
      status: 'type-error',
      extensionStatusCode: 304,
      key: 'timeoutInSeconds',
    });
  });

  it.each([
    [30, 3, 30],
    [10, 3, 12],
    [31, 1, 31],
    [0, 3, 0],
  ])('a %i s timeout polled every %i s gives up after %i s', (timeoutInSeconds, pollSeconds, expected) => {
    expect(effectiveScriptTimeoutSeconds({ timeoutInSeconds, pollSeconds })).toBe(expected);
  });
});

describe('parsePythonIni (configparser.ConfigParser)', () => {
  it('lower-cases option names, accepts both delimiters and continuation lines', () => {
    const doc = parsePythonIni('[pre_post]\nTimeoutInSeconds = 60\nnumberOfPlugins: 1\n  2\n; comment\n# comment\n');
    expect(doc.error).toBeUndefined();
    expect(getIniValue(doc, 'pre_post', 'timeoutInSeconds')).toEqual({ value: '60' });
    expect(getIniValue(doc, 'pre_post', 'numberOfPlugins')).toEqual({ value: '1\n2' });
  });

  it.each([
    ['text before any section', 'a = 1\n[pre_post]\n', /no section headers/],
    ['a duplicate section', '[pre_post]\n[pre_post]\n', /section 'pre_post' already exists/],
    ['a duplicate option', '[pre_post]\na = 1\nA = 2\n', /option 'a' already exists/],
    ['a line without delimiter', '[pre_post]\njunk\n', /parsing error at line 2/],
  ])('raises on %s', (_name, text, error) => {
    expect(parsePythonIni(text).error).toMatch(error);
  });

  it('raises on a lone % when the value is read (BasicInterpolation)', () => {
    const doc = parsePythonIni('[pre_post]\npluginConfigPath0 = /etc/50%.json\nok = 100%%\n');
    expect(getIniValue(doc, 'pre_post', 'pluginConfigPath0').error).toMatch(/'%' must be followed/);
    expect(getIniValue(doc, 'pre_post', 'ok')).toEqual({ value: '100%' });
  });
});
