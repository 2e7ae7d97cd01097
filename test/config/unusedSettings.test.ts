import { unusedSettingWarnings } from '../../src/shared/config/unusedSettings';

describe('unusedSettingWarnings', () => {
  it('names planned and misspelt settings, never their values', () => {
    const warnings = unusedSettingWarnings({
      IBG_LOG_ANALYTICS_WORKSPACE_ID: 'workspace-s3cr3t',
      IBG_NIGHTLY_SCHEDUEL: '0 0 1 * * *',
      AZURE_LOGS_ENDPOINT: 'https://api.loganalytics.io/v1',
    });
    expect(warnings).toEqual([
      'AZURE_LOGS_ENDPOINT is set but has no effect yet (planned: the daily Log Analytics cross-check); it is ignored.',
      'IBG_LOG_ANALYTICS_WORKSPACE_ID is set but has no effect yet (planned: the daily Log Analytics cross-check); it is ignored.',
      'IBG_NIGHTLY_SCHEDUEL is not a setting of this app; it is ignored. Check its spelling against the README.',
    ]);
    expect(warnings.join('\n')).not.toContain('s3cr3t');
  });

  it('ignores settings of the app, empty values, and other environment variables', () => {
    expect(
      unusedSettingWarnings({
        IBG_VAULT_IDS: '/subscriptions/x',
        IBG_AUTO_THAW: '',
        IBG_DRILL_ENABLED: '  ',
        PATH: '/usr/bin',
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      }),
    ).toEqual([]);
  });
});
