/**
 * ARM resource events from Event Grid (azure-apis.md §5), parsed from `unknown` into the few the app acts on.
 * Accepts the Event Grid schema (`eventType`, `data.resourceUri`) and CloudEvents 1.0 (`type`, `subject`).
 * Everything else is an explicit 'ignored' with the reason, never an exception.
 */
import { parseVmId } from '../azure/armResourceId';

export type AzureEvent =
  /** An on-demand backup POST was accepted (by this app or anyone else). */
  | { kind: 'backup-triggered'; id: string; at: string; resourceUri: string; vaultId: string; vmName?: string }
  /** A VM was created or updated: it may have just been tagged for enrollment. */
  | { kind: 'vm-written'; id: string; at: string; vmId: string }
  | { kind: 'ignored'; id: string; reason: string };

const BACKUP_ACTION =
  /^microsoft\.recoveryservices\/vaults\/backupfabrics\/protectioncontainers\/protecteditems\/backup\/action$/i;
const VM_WRITE = /^microsoft\.compute\/virtualmachines\/write$/i;
const VAULT_OF =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.RecoveryServices\/vaults\/[^/]+)\//i;
// Protected item names look like VM;iaasvmcontainerv2;<rg>;<vm> (azure-apis.md §1.3).
const ITEM_VM = /\/protectedItems\/(?:[^/;]*;)+([^/;]+)(?:\/|$)/i;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 && v.length <= 2048 ? v : undefined;

export function parseAzureEvent(input: unknown): AzureEvent {
  if (!isRecord(input)) return { kind: 'ignored', id: '', reason: 'not an event object' };
  const id = str(input.id) ?? '';
  const type = str(input.eventType) ?? str(input.type);
  const at = str(input.eventTime) ?? str(input.time) ?? '';
  const data = isRecord(input.data) ? input.data : {};
  const resourceUri = str(data.resourceUri) ?? str(input.subject) ?? '';
  const operationName = str(data.operationName) ?? '';
  if (type === undefined) return { kind: 'ignored', id, reason: 'no event type' };

  if (/^Microsoft\.Resources\.ResourceActionSuccess$/i.test(type)) {
    if (!BACKUP_ACTION.test(operationName))
      return { kind: 'ignored', id, reason: `action ${operationName || '(none)'} is not a backup` };
    const vault = VAULT_OF.exec(resourceUri);
    if (!vault?.[1]) return { kind: 'ignored', id, reason: 'backup action without a vault in its resource URI' };
    const vmName = ITEM_VM.exec(resourceUri)?.[1];
    return { kind: 'backup-triggered', id, at, resourceUri, vaultId: vault[1], ...(vmName ? { vmName } : {}) };
  }
  if (/^Microsoft\.Resources\.ResourceWriteSuccess$/i.test(type)) {
    const vm = parseVmId(resourceUri);
    if (!VM_WRITE.test(operationName) || !vm)
      return { kind: 'ignored', id, reason: `write ${operationName || '(none)'} is not a VM` };
    return { kind: 'vm-written', id, at, vmId: resourceUri };
  }
  return { kind: 'ignored', id, reason: `event type ${type} is not handled` };
}
