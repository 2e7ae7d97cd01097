import { ConfigError } from '../../src/shared/errors/appError';
import { describeSettings, loadSettings } from '../../src/shared/config/settings';

const SUB = '00000000-0000-0000-0000-000000000000';
const VAULT = `/subscriptions/${SUB}/resourceGroups/backup-rg/providers/Microsoft.RecoveryServices/vaults/iris-vault`;
const HOOK = 'https://hooks.example.invalid/ibg/test-secret-not-real';
const TEAMS = 'https://teams.example.invalid/workflows/1/invoke?api-version=1&sig=test-sig-not-real';
const SLACK = 'https://slack.example.invalid/services/T0/B0/test-token-not-real';
const TOPIC = 'https://topic.example.invalid/api/events';

const minimal = (): Record<string, string | undefined> => ({
  IBG_VAULT_IDS: VAULT,
  IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
  IBG_RUNS_TABLE_ENDPOINT: 'https://acct.table.core.windows.net',
});

const errorOf = (env: Record<string, string | undefined>): ConfigError => {
  try {
    loadSettings({ ...minimal(), ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadSettings did not throw');
};

describe('alert settings', () => {
  it('reads every target with its own or the default least severity', () => {
    const s = loadSettings({
      ...minimal(),
      IBG_ALERT_MIN_SEVERITY: 'Error',
      IBG_ALERT_RENOTIFY_MINUTES: '60',
      IBG_ALERT_WEBHOOK_URL: HOOK,
      IBG_ALERT_WEBHOOK_SECRET: 'test-secret-not-real',
      IBG_ALERT_TEAMS_WEBHOOK_URL: TEAMS,
      IBG_ALERT_TEAMS_MIN_SEVERITY: 'critical',
      IBG_ALERT_SLACK_WEBHOOK_URL: SLACK,
      IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT: TOPIC,
      IBG_ALERT_EVENTGRID_TOPIC_KEY: 'test-key-not-real',
      IBG_ALERT_EVENTGRID_MIN_SEVERITY: 'info',
      IBG_AUTO_THAW: 'yes',
      IBG_ALERT_INTAKE_KEYS: ' key-one-not-real , key-two-not-real,key-one-not-real',
    });
    expect(s.alerts).toEqual({
      minSeverity: 'error',
      renotifyMinutes: 60,
      webhook: { url: HOOK, minSeverity: 'error', signingSecret: 'test-secret-not-real' },
      teams: { url: TEAMS, minSeverity: 'critical' },
      slack: { url: SLACK, minSeverity: 'error' },
      eventGrid: { url: TOPIC, minSeverity: 'info', key: 'test-key-not-real' },
    });
    expect(s.autoThaw).toBe(true);
    expect(s.intakeKeys).toEqual(['key-one-not-real', 'key-two-not-real']);
  });

  it('describes the settings without any secret', () => {
    const s = loadSettings({
      ...minimal(),
      IBG_ALERT_WEBHOOK_URL: HOOK,
      IBG_ALERT_WEBHOOK_SECRET: 'test-secret-not-real',
      IBG_ALERT_TEAMS_WEBHOOK_URL: TEAMS,
      IBG_ALERT_SLACK_WEBHOOK_URL: SLACK,
      IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT: TOPIC,
      IBG_ALERT_EVENTGRID_TOPIC_KEY: 'test-key-not-real',
      IBG_ALERT_INTAKE_KEYS: 'key-one-not-real',
    });
    const text = JSON.stringify(describeSettings(s));
    for (const secret of [
      'test-secret-not-real',
      'test-sig-not-real',
      'test-token-not-real',
      'test-key-not-real',
      'key-one-not-real',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(TOPIC);
  });

  it('refuses an http URL without echoing it', () => {
    const e = errorOf({ IBG_ALERT_SLACK_WEBHOOK_URL: 'http://slack.example.invalid/services/test-token-not-real' });
    expect(e.message).toContain('IBG_ALERT_SLACK_WEBHOOK_URL: the value (not shown: secret) is not an https URL');
    expect(e.message).not.toContain('test-token-not-real');
  });

  it('says an unresolved Key Vault reference was not resolved, what to check, and not the reference', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://vault-not-real.vault.azure.net/secrets/hook-name/)';
    const e = errorOf({ IBG_ALERT_WEBHOOK_URL: reference });
    expect(e.setting).toBe('IBG_ALERT_WEBHOOK_URL');
    expect(e.message).toContain('is still a Key Vault reference: the Functions platform could not resolve it');
    expect(e.message).toContain('Key Vault Secrets User');
    expect(e.message).toContain('@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>/)');
    expect(e.message).not.toContain('vault-not-real');
    expect(e.message).not.toContain('hook-name');
  });

  it.each([
    ['IBG_ALERT_WEBHOOK_MIN_SEVERITY', 'IBG_ALERT_WEBHOOK_URL'],
    ['IBG_ALERT_TEAMS_MIN_SEVERITY', 'IBG_ALERT_TEAMS_WEBHOOK_URL'],
    ['IBG_ALERT_SLACK_MIN_SEVERITY', 'IBG_ALERT_SLACK_WEBHOOK_URL'],
    ['IBG_ALERT_EVENTGRID_MIN_SEVERITY', 'IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT'],
  ])('%s without its URL names the missing %s', (min, url) => {
    const e = errorOf({ [min]: 'critical' });
    expect(e.setting).toBe(min);
    expect(e.message).toContain(`${min}: is set but ${url} is not`);
  });

  it.each([
    ['IBG_ALERT_MIN_SEVERITY', 'loud', 'is not a severity'],
    ['IBG_ALERT_RENOTIFY_MINUTES', '4', 'is not a whole number from 5 to 10080'],
    ['IBG_ALERT_RENOTIFY_MINUTES', '10081', 'is not a whole number from 5 to 10080'],
    ['IBG_AUTO_THAW', 'maybe', 'is not a boolean'],
  ])('%s=%j is refused', (name, value, what) => {
    expect(errorOf({ [name]: value }).message).toContain(`${name}: "${value}" ${what}`);
  });

  it('keeps no intake key when the setting is empty (the intake then refuses every call)', () => {
    expect(loadSettings({ ...minimal(), IBG_ALERT_INTAKE_KEYS: ' , ' }).intakeKeys).toEqual([]);
  });
});
