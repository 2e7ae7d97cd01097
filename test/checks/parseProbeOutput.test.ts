import { MAX_SCANNED_CHARS, parseProbeOutput } from '../../src/shared/checks/parseProbeOutput';
import { healthyFacts } from './support/probeFactsBuilder';

const line = (o: unknown): string => `IBG_PROBE_V1 ${JSON.stringify(o)}`;
const healthy = healthyFacts();
const withField = (path: string[], value: unknown): unknown => {
  const copy = JSON.parse(JSON.stringify(healthy)) as Record<string, unknown>;
  let obj = copy;
  for (const key of path.slice(0, -1)) obj = obj[key] as Record<string, unknown>;
  obj[path[path.length - 1] ?? ''] = value;
  return copy;
};

describe('parseProbeOutput', () => {
  it('reads a clean probe line back into the same facts', () => {
    expect(parseProbeOutput(`${line(healthy)}\n`)).toEqual({ facts: healthy, problems: [] });
  });

  it('takes the last marker line, after other output and with CRLF', () => {
    const older = { ...healthy, at: '2000-01-01T00:00:00Z' };
    const out = `noise\r\n${line(older)}\r\nmore noise\r\n${line(healthy)}\r\ntrailing\r\n`;
    expect(parseProbeOutput(out).facts?.at).toBe(healthy.at);
  });

  it('falls back to an earlier line when the last one is cut short', () => {
    const out = `${line(healthy)}\n${line(healthy).slice(0, 200)}`;
    const result = parseProbeOutput(out);
    expect(result.facts).toEqual(healthy);
    expect(result.problems).toEqual(['A IBG_PROBE_V1 line is not valid JSON (truncated output?)']);
  });

  it.each([
    ['empty output', '', 'The probe printed nothing'],
    ['only whitespace', ' \n\n', 'The probe printed nothing'],
    ['no marker', 'bash: probe.sh: not found\n', 'No line starting with "IBG_PROBE_V1 " was found'],
    ['marker not at line start', `x ${line(healthy)}`, 'No line starting with "IBG_PROBE_V1 " was found'],
    [
      'marker without space',
      `IBG_PROBE_V1${JSON.stringify(healthy)}`,
      'No line starting with "IBG_PROBE_V1 " was found',
    ],
    ['truncated JSON', line(healthy).slice(0, 500), 'A IBG_PROBE_V1 line is not valid JSON (truncated output?)'],
    [
      'binary garbage',
      'IBG_PROBE_V1 \u0000\u00ff\ufffd{{{',
      'A IBG_PROBE_V1 line is not valid JSON (truncated output?)',
    ],
    ['a JSON array', 'IBG_PROBE_V1 [1,2]', 'The probe line is not a JSON object'],
    ['JSON null', 'IBG_PROBE_V1 null', 'The probe line is not a JSON object'],
    ['another version', line({ ...healthy, v: 2 }), 'Unsupported probe version 2; expected 1'],
    ['no version', line({ ...healthy, v: undefined }), 'Unsupported probe version absent; expected 1'],
  ])('gives no facts for %s', (_name, out, problem) => {
    const result = parseProbeOutput(out);
    expect(result.facts).toBeUndefined();
    expect(result.problems).toContain(problem);
  });

  it.each([
    ['config', ['config'], undefined, 'config: missing'],
    ['config.exists', ['config', 'exists'], 'yes', 'config.exists: expected a boolean, dropped'],
    ['config.path', ['config', 'path'], 5, 'config.path: expected a string, dropped'],
    ['iris.present', ['iris', 'present'], 1, 'iris.present: expected a boolean, dropped'],
    ['hostConf', ['hostConf'], 'x', 'probe.hostConf: expected an object, dropped'],
  ])('refuses facts without an essential part: %s', (_name, path, value, problem) => {
    const result = parseProbeOutput(line(withField(path, value)));
    expect(result.facts).toBeUndefined();
    expect(result.problems).toContain(problem);
    expect(result.problems).toContain('The probe output lacks essential sections, so the VM cannot be judged');
  });

  it.each([
    [
      'config.mode not octal',
      ['config', 'mode'],
      '0x1ff',
      ['config', 'mode'],
      'config.mode: not an octal mode, dropped',
    ],
    ['config.owner a number', ['config', 'owner'], 0, ['config', 'owner'], 'config.owner: expected a string, dropped'],
    [
      'pre.freezeCalls a string',
      ['pre', 'freezeCalls'],
      '1',
      ['pre', 'freezeCalls'],
      'pre.freezeCalls: expected an integer 0..9007199254740991, dropped',
    ],
    [
      'pre.freezeCalls negative',
      ['pre', 'freezeCalls'],
      -1,
      ['pre', 'freezeCalls'],
      'pre.freezeCalls: expected an integer 0..9007199254740991, dropped',
    ],
    [
      'pre.checksFive a string',
      ['pre', 'checksFive'],
      'true',
      ['pre', 'checksFive'],
      'pre.checksFive: expected a boolean, dropped',
    ],
    [
      'pre.exitLines a string',
      ['pre', 'exitLines'],
      'exit 0',
      ['pre', 'exitLines'],
      'pre.exitLines: expected an array of strings, dropped',
    ],
    [
      'iris.command unknown',
      ['iris', 'command'],
      'rm',
      ['iris', 'command'],
      'iris.command: expected "iris" or "ccontrol", dropped',
    ],
    ['iris.wd an object', ['iris', 'wd'], { IRIS: 5 }, ['iris', 'wd'], 'iris.wd: expected an array, dropped'],
  ])('drops a wrong type and keeps the rest: %s', (_name, path, value, droppedPath, problem) => {
    const result = parseProbeOutput(line(withField(path, value)));
    expect(result.problems).toContain(problem);
    let obj: unknown = result.facts;
    for (const key of droppedPath) obj = (obj as Record<string, unknown> | undefined)?.[key];
    expect(obj).toBeUndefined();
    expect(result.facts?.config.path).toBe(healthy.config.path);
  });

  it('drops a script section without path/exists/isFile but keeps the facts', () => {
    const result = parseProbeOutput(line(withField(['pre'], { path: '/x' })));
    expect(result.facts?.pre).toBeUndefined();
    expect(result.facts?.post).toEqual(healthy.post);
    expect(result.problems).toContain('pre: path, exists and isFile are required; the section was dropped');
  });

  it('keeps only known bashism ids and valid wd entries', () => {
    const facts = withField(['pre', 'bashisms'], ['array', 'rm -rf', 'array', 7]);
    const withWd = JSON.parse(JSON.stringify(facts)) as { iris: { wd: unknown } };
    withWd.iris.wd = [{ instance: 'IRIS', rc: 5 }, { instance: 3, rc: 'x' }, 'junk'];
    const result = parseProbeOutput(line(withWd));
    expect(result.facts?.pre?.bashisms).toEqual(['array']);
    expect(result.facts?.iris.wd).toEqual([{ instance: 'IRIS', rc: 5 }]);
  });

  it('caps long strings and marks cut file text as truncated', () => {
    const huge = 'x'.repeat(200_000);
    const result = parseProbeOutput(line(withField(['config', 'text'], huge)));
    expect(result.facts?.config.text).toHaveLength(64 * 1024);
    expect(result.facts?.config.truncated).toBe(true);
    expect(result.problems).toContain('config.text: longer than 65536 characters, cut');
  });

  it('searches only the tail of a huge output', () => {
    const out = `${'y'.repeat(MAX_SCANNED_CHARS + 10)}\n${line(healthy)}\n`;
    const result = parseProbeOutput(out);
    expect(result.facts).toEqual(healthy);
    expect(result.problems[0]).toMatch(/only the last 1048576 were searched/);
  });

  it('caps the number of problems', () => {
    const garbage = Array.from({ length: 100 }, (_, i) => `IBG_PROBE_V1 {x${i}`).join('\n');
    expect(parseProbeOutput(`${garbage}\n${line(healthy)}\n`)).toEqual({ facts: healthy, problems: [] });
    const result = parseProbeOutput(garbage);
    expect(result.problems).toHaveLength(51);
    expect(result.problems[50]).toBe('50 more problems were not listed');
  });

  it('never throws on non-string input', () => {
    expect(parseProbeOutput(undefined as unknown as string).facts).toBeUndefined();
  });
});
