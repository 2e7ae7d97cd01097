import { scopeFailureAlert, type ScopeFailure } from '../../src/shared/alerts/scopeFailureAlert';

const AT = '2026-01-01T02:00:00.000Z';
const VAULT = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v';
const failure = (over: Partial<ScopeFailure>): ScopeFailure => ({
  scope: { kind: 'vault', vaultId: VAULT },
  scopeLabel: 'vault v',
  call: 'listProtectedItems',
  consequence: 'Its VMs get no run tonight',
  ...over,
});

describe('scopeFailureAlert', () => {
  it.each([
    ['listProtectedItems', 'Backup Reader'],
    ['listBackupJobs', 'Backup Reader'],
    ['triggerBackup', 'Backup Operator'],
    ['listVms', 'Reader'],
  ] as const)('403 on %s names the role %s', (call, role) => {
    const a = scopeFailureAlert(failure({ call, httpStatus: 403, serviceCode: 'AuthorizationFailed' }), AT);
    expect(a.code).toBe('VaultAccessDenied');
    expect(a.failedCall?.likelyMissingRole).toBe(role);
    expect(a.message).toContain(`probably lacks the role ${role} (at least)`);
  });

  it('403 on a Run Command names Virtual Machine Contributor or the runCommands action', () => {
    const a = scopeFailureAlert(failure({ call: 'runCommand', httpStatus: 403 }), AT);
    expect(a.failedCall?.likelyMissingRole).toMatch(/^Virtual Machine Contributor .*virtualMachines\/runCommands\/\*/);
  });

  it('the whole message for a refused vault listing', () =>
    expect(scopeFailureAlert(failure({ httpStatus: 403, serviceCode: 'AuthorizationFailed' }), AT).message).toBe(
      "vault v: list protected items failed (HTTP 403 AuthorizationFailed); Azure refused it: the app's identity " +
        'probably lacks the role Backup Reader (at least) on the vault (action ' +
        'Microsoft.RecoveryServices/vaults/backupProtectedItems/read). Its VMs get no run tonight.',
    ));

  it.each([
    [503, 'VaultUnavailable'],
    [500, 'VaultUnavailable'],
    [429, 'VaultUnavailable'],
    [undefined, 'VaultUnavailable'],
    [404, 'VaultRequestFailed'],
    [401, 'VaultAccessDenied'],
  ])('HTTP %s is %s', (status, code) => {
    const a = scopeFailureAlert(failure(status === undefined ? {} : { httpStatus: status }), AT);
    expect(a.code).toBe(code);
    expect(a.failedCall?.likelyMissingRole === undefined).toBe(code !== 'VaultAccessDenied');
  });

  it('a subscription scope', () => {
    const a = scopeFailureAlert(
      failure({
        scope: { kind: 'subscription', subscriptionId: 's' },
        scopeLabel: 'subscription s',
        call: 'listVms',
        httpStatus: 403,
      }),
      AT,
    );
    expect([a.code, a.scope, a.severity]).toEqual([
      'SubscriptionAccessDenied',
      { kind: 'subscription', subscriptionId: 's' },
      'error',
    ]);
    expect(a.message).toContain('on the subscription');
  });
});
