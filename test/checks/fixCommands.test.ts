/**
 * The fixes are meant to be pasted into a root shell: run them (without `sudo`, on a temp copy) and check that the
 * finding they fix is gone afterwards.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkSetup } from '../../src/shared/checks/checkSetup';
import type { ProbeFacts } from '../../src/shared/checks/probeFacts';
import { CONFIG_PATH, configText, factsWith, PRE } from './support/probeFactsBuilder';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibg-fix-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `fix` against a temp copy of `vmPath` holding `content`; returns the file afterwards. */
function applyFix(fix: string, vmPath: string, content: string): string {
  const file = path.join(dir, path.basename(vmPath));
  fs.writeFileSync(file, content);
  const command = fix
    .replace(/^sudo /, '')
    .split(vmPath)
    .join(file);
  execFileSync('sh', ['-c', command]);
  return fs.readFileSync(file, 'utf8');
}

const configRows: [string, string, string][] = [
  ['IncorrectJSONConfigFile', 'poll "abc"', configText({ ScriptsExecutionPollTimeSeconds: 'abc' })],
  ['PluginConfigTypeError', 'string timeout', configText({ timeoutInSeconds: '30' })],
  ['IncorrectJSONConfigFile', 'BOM', `\ufeff${configText()}`],
  ['TimeoutInSecondsDefault', 'no timeout', configText({}, ['timeoutInSeconds'])],
  ['TimeoutInSecondsClamped', 'timeout 5000', configText({ timeoutInSeconds: 5000 })],
  ['PollTimeIgnored', 'poll 9', configText({ ScriptsExecutionPollTimeSeconds: 9 })],
  ['RetriesNotNumber', 'string retries', configText({ preScriptNoOfRetries: '2' })],
  ['RetriesDoNothing', 'retries 2', configText({ postScriptNoOfRetries: 2 })],
  ['ContinueBackupOnFailureIsString', 'cBoF "false"', configText({ continueBackupOnFailure: 'false' })],
  ['FsFreezeEnabledNotBoolean', 'fsFreeze "false"', configText({ fsFreezeEnabled: 'false' })],
  ['ScriptParamsNotArray', 'params a string', configText({ preScriptParams: 'IRIS' })],
  ['ScriptParamsEmptyStrings', 'params ["", ""]', configText({ postScriptParams: ['', ''] })],
  ['TimeoutInSecondsClamped', 'compact JSON', JSON.stringify(JSON.parse(configText({ timeoutInSeconds: 9000 })))],
];

describe('fix commands', () => {
  it.each(configRows)('%s (%s) is fixed by its command', (code, _name, text) => {
    const facts = (t: string): ProbeFacts => factsWith((f) => (f.config.text = t));
    const finding = checkSetup(facts(text)).find((f) => f.code === code);
    expect(finding).toBeDefined();
    const fixed = applyFix(finding?.fix ?? '', CONFIG_PATH, text);
    expect(checkSetup(facts(fixed))).toEqual([]);
  });

  it('strips CRLF from a script', () => {
    const finding = checkSetup(factsWith((f) => f.pre && (f.pre.crlf = true))).find(
      (f) => f.code === 'ScriptCrlfLineEndings',
    );
    expect(applyFix(finding?.fix ?? '', PRE, 'a\r\nb\r\n')).toBe('a\nb\n');
  });

  it('makes a bash script re-exec itself under bash when sh runs it', () => {
    const finding = checkSetup(factsWith((f) => f.pre && (f.pre.bashisms = ['array']))).find(
      (f) => f.code === 'ScriptNotPosixSh',
    );
    const fixed = applyFix(finding?.fix ?? '', PRE, '#!/bin/bash\na=(x y)\necho "${#a[@]}"\n');
    const file = path.join(dir, path.basename(PRE));
    fs.writeFileSync(file, fixed);
    expect(execFileSync('dash', [file]).toString()).toBe('2\n');
  });

  it('empties workload_name in workload.conf', () => {
    const text = '[workload]\nworkload_name = oracle\ncommand = /usr/bin/\n';
    const finding = checkSetup(factsWith((f) => (f.workloadConf.text = text))).find(
      (f) => f.code === 'WorkloadConfOverridesScripts',
    );
    const fixed = applyFix(finding?.fix ?? '', '/etc/azure/workload.conf', text);
    expect(fixed).toBe('[workload]\nworkload_name =\ncommand = /usr/bin/\n');
    expect(checkSetup(factsWith((f) => (f.workloadConf.text = fixed)))).toEqual([]);
  });
});
