import { createProtectionDeps } from '../../src/composition/composition';
import { ConfigError } from '../../src/shared/errors/appError';
import { drillEnv } from './drillWorld';

const SUB = '00000000-0000-0000-0000-000000000001';
const base = {
  IBG_VAULT_IDS: `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`,
  IBG_ENROLL_TAG: 'iris-backup-guard=enabled',
  IBG_RUNS_TABLE_ENDPOINT: 'https://acct.table.core.windows.net',
};

describe('drills at start-up', () => {
  it('drills on without an evidence container: a configuration error that names the setting', () => {
    expect(() => createProtectionDeps({ ...base, ...drillEnv() })).toThrow(ConfigError);
    expect(() => createProtectionDeps({ ...base, ...drillEnv() })).toThrow(/IBG_EVIDENCE_CONTAINER_URL/);
  });

  it('with a container, the drill gateway, evidence store and records are wired; without drills none is', () => {
    const on = createProtectionDeps({
      ...base,
      ...drillEnv(),
      IBG_EVIDENCE_CONTAINER_URL: 'https://acct.blob.core.windows.net/ibg-evidence',
    });
    expect(on.gateways.drills).toBeDefined();
    expect(on.gateways.evidence).toBeDefined();
    expect(on.drillRecords).toBeDefined();
    const off = createProtectionDeps(base);
    expect(off.gateways.drills).toBeUndefined();
    expect(off.drillRecords).toBeUndefined();
  });

  it('drills on with the drill settings missing: one error naming each', () => {
    expect(() => createProtectionDeps({ ...base, IBG_DRILL_ENABLED: 'true' })).toThrow(
      /IBG_DRILL_RESOURCE_GROUP_ID[\s\S]*IBG_DRILL_SUBNET_ID[\s\S]*IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID/,
    );
  });
});
