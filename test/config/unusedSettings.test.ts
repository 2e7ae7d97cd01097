import { unusedSettingWarnings } from '../../src/shared/config/unusedSettings';

describe('unusedSettingWarnings', () => {
  it('names misspelt settings, never their values', () => {
    const warnings = unusedSettingWarnings({
      IBG_LOG_ANALYTICS_WORKSPACE_ID: 'workspace-s3cr3t',
      IBG_NIGHTLY_SCHEDUEL: '0 0 1 * * *',
      IBG_LOG_ANALYTICS_WORKSPACE: 's3cr3t-too',
    });
    // IBG_LOG_ANALYTICS_WORKSPACE_ID is a setting now (the daily reconcile); its misspelling is not.
    expect(warnings).toEqual([
      'IBG_LOG_ANALYTICS_WORKSPACE is not a setting of this app; it is ignored. Check its spelling against the README.',
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
