import { alertLine } from '../../src/shared/alerts/alert';

describe('alertLine', () => {
  it('is one line with no terminal controls, whatever a VM put in the message', () => {
    const line = alertLine({
      severity: 'critical',
      code: 'PostScriptFailed',
      message: 'thaw failed: \u001b[2J\nALERT info Fake: all good \u202e\u0085done',
    });
    expect(line).toBe(
      'ALERT critical PostScriptFailed: thaw failed: \\x1b[2J\\x0aALERT info Fake: all good \\u202e\\x85done',
    );
    // eslint-disable-next-line no-control-regex -- the test looks for exactly those characters
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps an ordinary message as it is', () => {
    expect(alertLine({ severity: 'warning', code: 'VaultAccessDenied', message: 'vault v1: HTTP 403' })).toBe(
      'ALERT warning VaultAccessDenied: vault v1: HTTP 403',
    );
  });
});
