/** Realistic alerts and records for the alert tests (fake ids, no secrets). */
import type { Alert } from '../../src/shared/alerts/alert';
import type { AlertRecord } from '../../src/shared/alerts/alertRecord';
import { dedupKey } from '../../src/shared/alerts/alertDedup';

export const VM_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/IRIS-RG/providers/Microsoft.Compute/virtualMachines/iris-prod-04';
export const RUN_ID = '2026-12-03/iris-prod-04';

export const frozenAlert = (overrides: Partial<Alert> = {}): Alert => ({
  severity: 'critical',
  code: 'IrisStillFrozen',
  classification: 'Post-ScriptExecutionFailed',
  message:
    'The post-script failed after the snapshot and IRIS instance IRIS is still frozen: writes are suspended until it is thawed.',
  scope: { kind: 'run', runId: RUN_ID, vmId: VM_ID },
  at: '2026-12-03T01:04:12.000Z',
  vmName: 'iris-prod-04',
  evidence: [
    '2026-12-03 01:04:10 post-script: iris session IRIS -U%SYS "##Class(Backup.General).ExternalThaw()" returned 0',
    '2026-12-03 01:04:11 post-script: ExternalThaw failed: ERROR #5001: journal daemon not responding',
    'VMSnapshotPluginHost: Post-ScriptExecutionFailed, exit code 1',
  ],
  fix: "Thaw now: sudo -u irisowner iris session IRIS -U%SYS '##Class(Backup.General).ExternalThaw()'\nThen check: iris qlist",
  kind: 'problem',
  ...overrides,
});

export const recordOf = (alert: Alert, id = `${RUN_ID}#1`, extra: Partial<AlertRecord> = {}): AlertRecord => ({
  id,
  alert,
  decidedAt: '2026-12-03T01:04:13.000Z',
  dedupKey: dedupKey(alert),
  deliveries: { webhook: { state: 'pending', attempts: 0 } },
  ...extra,
});
