/**
 * A config the extension cannot load: the finding says where the JSON breaks (line and column, as Python's json
 * reports them), and the scripts the probe found are still checked, so that one round of fixes is enough.
 */
import { checkSetup } from '../../src/shared/checks/checkSetup';
import { configText, factsWith, PRE, script } from './support/probeFactsBuilder';

// A comma missing after the first value: line 3, column 3, where the second key starts.
const MISSING_COMMA = configText().replace(/("pluginName": "ScriptRunner"),/, '$1');

it('a JSON syntax error is reported with its line and column', () => {
  expect(MISSING_COMMA.split('\n')[2]).toMatch(/^ {2}"preScriptLocation"/);
  const findings = checkSetup(factsWith((f) => (f.config.text = MISSING_COMMA)));
  const json = findings.find((f) => f.code === 'IncorrectJSONConfigFile');
  expect(json?.message).toMatch(/invalid JSON at line 3, column 3: Expected ',' or '}' after property value/);
  expect(json?.extensionStatusCode).toBe(305);
});

it('the other findings are still reported: a pre-script readable by others, a CRLF post-script', () => {
  const findings = checkSetup(
    factsWith((f) => {
      f.config.text = MISSING_COMMA;
      f.pre = script(PRE, 'pre', { mode: '755' });
      if (f.post) f.post = { ...f.post, crlf: true };
    }),
  );
  expect(findings.map((f) => f.code)).toEqual(
    expect.arrayContaining(['IncorrectJSONConfigFile', 'InsufficientPermissionforPre-Script', 'ScriptCrlfLineEndings']),
  );
});
