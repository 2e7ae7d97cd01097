/**
 * One vault or subscription that cannot be read must not cost the rest of the fleet its night: through the real SDK
 * gateways against the sandbox, a vault that answers 403 AuthorizationFailed (or 503 through the SDK's retries) and a
 * subscription whose VM list is refused leave every other VM with its run, and raise one alert naming the scope,
 * the call, Azure's answer and the role probably missing.
 */
import { startAzurite, type AzuriteTables } from '../../sandbox/azurite';
import { scenarioVmId, type FaultSpec, type Scenario } from '../../sandbox/index';
import type { Alert } from '../../src/shared/alerts/alert';
import { runNightlyProtection, type NightlyResult } from '../../src/shared/protection/nightlyProtection';
import { runIdOf, vmKeyOf } from '../../src/shared/runs/run';
import { tick, tonight } from './cycleHelpers';
import { protectionVm, startProtectionWorld, SUB, type ProtectionWorld } from './protectionWorld';

const SUB2 = '00000000-0000-0000-0000-0000000000bb';
const vaultId = (sub: string, name: string): string =>
  `/subscriptions/${sub}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/${name}`;
const vault = (subscriptionId: string, name: string) => ({
  subscriptionId,
  resourceGroup: 'rg-backup',
  name,
  location: 'westeurope',
});

/** vault-1 and vault-2 in SUB, vault-3 in SUB2; two VMs per vault. */
function fleet(faults: FaultSpec[]): Scenario {
  return {
    name: 'scope-isolation',
    vaults: [vault(SUB, 'vault-1'), vault(SUB, 'vault-2'), vault(SUB2, 'vault-3')],
    vms: [
      protectionVm('one-a'),
      protectionVm('one-b'),
      protectionVm('two-a', { protectedBy: 'vault-2' }),
      protectionVm('two-b', { protectedBy: 'vault-2' }),
      protectionVm('three-a', { subscriptionId: SUB2, protectedBy: 'vault-3' }),
      protectionVm('three-b', { subscriptionId: SUB2, protectedBy: 'vault-3' }),
    ],
    backup: { durationMinutes: 20 },
    faults,
  };
}

const ENV = {
  IBG_VAULT_IDS: [vaultId(SUB, 'vault-1'), vaultId(SUB, 'vault-2'), vaultId(SUB2, 'vault-3')].join(','),
};
const idOf = (name: string): string =>
  scenarioVmId({ subscriptionId: name.startsWith('three') ? SUB2 : SUB, resourceGroup: 'rg-iris', name });

/** The VMs of the night that have a run in the store. */
async function vmsWithRuns(w: ProtectionWorld, night: string): Promise<string[]> {
  const names = ['one-a', 'one-b', 'two-a', 'two-b', 'three-a', 'three-b'];
  const found = await Promise.all(
    names.map(async (n) => (await w.deps.store.get(runIdOf(night, vmKeyOf(idOf(n))))) !== undefined),
  );
  return names.filter((_, i) => found[i]);
}

describe('nightly protection isolates a failing vault or subscription (sandbox, real SDK gateways)', () => {
  let azurite: AzuriteTables;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => azurite?.stop());

  /** The nightly call, then `ticks` ticks of the advance timer (the probes are read, the backups triggered). */
  async function night(
    faults: FaultSpec[],
    ticks = 0,
  ): Promise<{ w: ProtectionWorld; result: NightlyResult; withRuns: string[] }> {
    const w = await startProtectionWorld(fleet(faults), azurite, ENV);
    try {
      const n = tonight(w);
      const result = await runNightlyProtection(w.deps, n);
      for (let i = 0; i < ticks; i += 1) await tick(w, w.deps);
      return { w, result, withRuns: await vmsWithRuns(w, n) };
    } finally {
      await w.stop();
    }
  }

  const only = (alerts: readonly Alert[]): Alert => {
    expect(alerts).toHaveLength(1);
    return alerts[0] as Alert;
  };

  it('a vault that answers 403 AuthorizationFailed: every other VM gets its run, one alert names vault, call and role', async () => {
    const { w, result, withRuns } = await night([
      { kind: 'forbidden', pathPattern: '/vaults/vault-2/backupProtectedItems$', method: 'GET' },
    ]);
    expect(withRuns).toEqual(['one-a', 'one-b', 'three-a', 'three-b']);
    expect(result.vms.map((v) => v.outcome)).toEqual(['started', 'started', 'started', 'started']);
    const alert = only(result.alerts);
    expect(alert).toMatchObject({
      severity: 'error',
      code: 'VaultAccessDenied',
      scope: { kind: 'vault', vaultId: vaultId(SUB, 'vault-2') },
      failedCall: {
        operation: 'list protected items',
        httpStatus: 403,
        serviceCode: 'AuthorizationFailed',
        likelyMissingRole: 'Backup Reader',
      },
    });
    expect(alert.message).toMatch(/^vault vault-2 .*: list protected items failed \(HTTP 403 AuthorizationFailed\)/);
    expect(alert.message).toContain('Backup Reader');
    // Raised through the app's alert sink too, not only returned.
    expect(w.scopeAlerts).toEqual([alert]);
    // The tagged VMs of the unreadable vault are neither enrolled nor called unprotected: nobody knows.
    expect(result.enrollment.undecided).toEqual([idOf('two-a'), idOf('two-b')]);
    expect(result.enrollment.taggedNotProtected).toEqual([]);
  });

  it('a vault that answers 503 through the retries: the others go on, and the alert says it is not a role', async () => {
    const { w, result, withRuns } = await night([
      { kind: 'serverError', pathPattern: '/vaults/vault-2/backupProtectedItems$', method: 'GET', nth: 1, count: 1000 },
    ]);
    expect(withRuns).toEqual(['one-a', 'one-b', 'three-a', 'three-b']);
    const alert = only(result.alerts);
    expect(alert).toMatchObject({
      code: 'VaultUnavailable',
      scope: { kind: 'vault', vaultId: vaultId(SUB, 'vault-2') },
      failedCall: { operation: 'list protected items', httpStatus: 503, serviceCode: 'ServiceUnavailable' },
    });
    expect(alert.failedCall?.likelyMissingRole).toBeUndefined();
    expect(alert.message).toContain('not a permissions problem');
    // The SDK retried before giving up: the first request and its retries all reached the sandbox.
    expect(w.sandbox.requestStats().byRoute['fault.serverError']?.count).toBeGreaterThan(1);
  }, 120_000);

  it('a subscription whose VM list is refused: the other subscription gets its runs, one alert names it and Reader', async () => {
    const { result, withRuns } = await night([
      { kind: 'forbidden', pathPattern: `^/subscriptions/${SUB2}/providers/Microsoft.Compute/virtualMachines$` },
    ]);
    expect(withRuns).toEqual(['one-a', 'one-b', 'two-a', 'two-b']);
    const alert = only(result.alerts);
    expect(alert).toMatchObject({
      code: 'SubscriptionAccessDenied',
      scope: { kind: 'subscription', subscriptionId: SUB2 },
      failedCall: { operation: 'list virtual machines', httpStatus: 403, likelyMissingRole: 'Reader' },
    });
    expect(alert.message).toContain(`subscription ${SUB2}`);
    // Its protected VMs may carry the tag: reported as undecided, not silently dropped.
    expect(result.enrollment.undecided.sort()).toEqual([idOf('three-a'), idOf('three-b')].sort());
  });

  it('refusals later in the night name their role too: job list (nightly alert), backup trigger and Run Command (run alerts)', async () => {
    const { w, result, withRuns } = await night(
      [
        { kind: 'forbidden', pathPattern: '/vaults/vault-3/backupJobs$', method: 'GET' },
        { kind: 'forbidden', pathPattern: '/vaults/vault-2/.*/backup$', method: 'POST' },
        { kind: 'forbidden', pathPattern: '/virtualMachines/one-a/runCommands/', method: 'PUT' },
      ],
      1,
    );
    expect(withRuns).toEqual(['one-a', 'one-b', 'two-a', 'two-b', 'three-a', 'three-b']);
    expect(only(result.alerts)).toMatchObject({
      code: 'VaultAccessDenied',
      scope: { kind: 'vault', vaultId: vaultId(SUB2, 'vault-3') },
      failedCall: { operation: 'list backup jobs', httpStatus: 403, likelyMissingRole: 'Backup Reader' },
    });
    const runAlerts = (code: string): string[] =>
      w.alerts
        .filter((a) => a.code === code)
        .map((a) => a.vmId.split('/').at(-1) ?? '')
        .sort();
    expect(runAlerts('BackupTriggerFailed')).toEqual(['two-a', 'two-b']);
    expect(w.alerts.find((a) => a.code === 'BackupTriggerFailed')?.message).toContain('HTTP 403 AuthorizationFailed');
    expect(w.alerts.find((a) => a.code === 'BackupTriggerFailed')?.message).toContain(
      "the app's identity probably lacks the role Backup Operator (at least) on the vault",
    );
    expect(runAlerts('PreflightUnavailable')).toEqual(['one-a']);
    expect(w.alerts.find((a) => a.code === 'PreflightUnavailable')?.message).toContain(
      'probably lacks the role Virtual Machine Contributor (or a custom role with Microsoft.Compute/virtualMachines/runCommands/*)',
    );
  });
});
