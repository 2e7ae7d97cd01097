/**
 * ARM resource events from Event Grid (azure-apis.md §5), parsed from `unknown` into the few the app acts on.
 * Accepts the Event Grid schema (`eventType`, `eventTime`, `data.resourceUri`) and CloudEvents 1.0 (`specversion`,
 * `type`, `time`, `subject`). Pure and total: what the app does not act on is 'ignored' with the reason, and what
 * cannot be read is 'malformed' with the reason and its raw text (capped), never an exception.
 */
import { parseVmId } from '../azure/armResourceId';
import { capRawText } from './eventLedger';

export type EventSchema = 'eventgrid' | 'cloudevents';

interface EventBase {
  id: string;
  schema: EventSchema;
  /** ISO 8601 as sent; '' when the event had no time. */
  at: string;
}

export type AzureEvent =
  /** An on-demand backup POST was accepted (by this app or anyone else). */
  | (EventBase & {
      kind: 'backup-triggered';
      resourceUri: string;
      vaultId: string;
      vmName?: string;
      /** The VM's resource group, from the protected item's name (`VM;iaasvmcontainerv2;<rg>;<vm>`). */
      vmResourceGroup?: string;
    })
  /** A VM was created or updated (a tag change is an update). */
  | (EventBase & { kind: 'vm-written'; vmId: string })
  | (EventBase & { kind: 'vm-deleted'; vmId: string })
  | (EventBase & { kind: 'ignored'; reason: string })
  /** Not an event the app can read: `raw` is its text, capped, for the log and the ledger. */
  | { kind: 'malformed'; id: string; reason: string; raw: string };

/** Caps on the fields read: Azure's own are far below them, so a longer value is not an ARM event. */
export const EVENT_CAPS = { id: 256, type: 256, time: 64, resourceUri: 2048, operationName: 512 } as const;
const RAW_CAP = 4096;

const ACTION_SUCCESS = 'microsoft.resources.resourceactionsuccess';
const ACTION_FAILURE = 'microsoft.resources.resourceactionfailure';
const WRITE_SUCCESS = 'microsoft.resources.resourcewritesuccess';
const DELETE_SUCCESS = 'microsoft.resources.resourcedeletesuccess';

const BACKUP_ACTION =
  'microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems/backup/action';
const VM_WRITE = 'microsoft.compute/virtualmachines/write';
const VM_DELETE = 'microsoft.compute/virtualmachines/delete';
const VAULT_OF =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.RecoveryServices\/vaults\/[^/]+)\//i;
// Protected item names look like VM;iaasvmcontainerv2;<rg>;<vm> (azure-apis.md §1.3).
const ITEM_OF = /\/protectedItems\/([^/]+)(?:\/|$)/i;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The event's text for the log and the ledger: JSON when it can be, capped either way. */
export function rawEventText(input: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(input) ?? String(input);
  } catch {
    text = String(input);
  }
  return capRawText(text, RAW_CAP);
}

type Field = { value?: string; problem?: string };

/** A string field within its cap; absent is not a problem here (the caller decides which fields are required). */
const field = (record: Record<string, unknown>, name: string, cap: number): Field => {
  const v = record[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'string') return { problem: `'${name}' is not a string` };
  if (v.length > cap) return { problem: `'${name}' is longer than ${cap} characters` };
  return v.length === 0 ? {} : { value: v };
};

/** The VM's resource group and name from a protected item name such as `VM;iaasvmcontainerv2;rg-iris;iris-a`. */
export function vmOfProtectedItem(resourceUri: string): { vmResourceGroup?: string; vmName?: string } {
  const item = ITEM_OF.exec(resourceUri)?.[1];
  if (item === undefined) return {};
  const parts = item.split(';');
  const vmName = parts[parts.length - 1];
  const vmResourceGroup = parts.length >= 3 ? parts[parts.length - 2] : undefined;
  return {
    ...(vmName ? { vmName } : {}),
    ...(vmResourceGroup ? { vmResourceGroup } : {}),
  };
}

export function parseAzureEvent(input: unknown): AzureEvent {
  const malformed = (reason: string, id = ''): AzureEvent => ({
    kind: 'malformed',
    id,
    reason,
    raw: rawEventText(input),
  });
  if (!isRecord(input)) return malformed(Array.isArray(input) ? 'an array, not one event' : 'not an event object');
  const schema: EventSchema = input.specversion !== undefined ? 'cloudevents' : 'eventgrid';
  if (schema === 'cloudevents' && input.specversion !== '1.0')
    return malformed(`CloudEvents specversion ${rawEventText(input.specversion).slice(0, 20)} is not 1.0`);

  const id = field(input, 'id', EVENT_CAPS.id);
  const type = field(input, schema === 'cloudevents' ? 'type' : 'eventType', EVENT_CAPS.type);
  const time = field(input, schema === 'cloudevents' ? 'time' : 'eventTime', EVENT_CAPS.time);
  const subject = field(input, 'subject', EVENT_CAPS.resourceUri);
  const firstProblem = [id, type, time, subject].find((f) => f.problem !== undefined)?.problem;
  if (firstProblem !== undefined) return malformed(firstProblem, id.value ?? '');
  if (id.value === undefined) return malformed('no event id');
  if (type.value === undefined)
    return malformed(`no event type ('${schema === 'cloudevents' ? 'type' : 'eventType'}')`, id.value);
  if (time.value !== undefined && Number.isNaN(Date.parse(time.value)))
    return malformed(`event time '${time.value}' is not a date`, id.value);
  if (input.data !== undefined && !isRecord(input.data)) return malformed("'data' is not an object", id.value);
  const data = isRecord(input.data) ? input.data : {};
  const resourceUriField = field(data, 'resourceUri', EVENT_CAPS.resourceUri);
  const operationField = field(data, 'operationName', EVENT_CAPS.operationName);
  const dataProblem = resourceUriField.problem ?? operationField.problem;
  if (dataProblem !== undefined) return malformed(`data: ${dataProblem}`, id.value);

  const base: EventBase = { id: id.value, schema, at: time.value ?? '' };
  const ignored = (reason: string): AzureEvent => ({ ...base, kind: 'ignored', reason });
  const resourceUri = resourceUriField.value ?? subject.value ?? '';
  const operationName = operationField.value ?? '';
  const op = operationName.toLowerCase();
  const eventType = type.value.toLowerCase();

  if (eventType === ACTION_SUCCESS || eventType === ACTION_FAILURE) {
    if (op !== BACKUP_ACTION) return ignored(`action ${operationName || '(none)'} is not a backup`);
    // A refused request started no job: there is nothing to track.
    if (eventType === ACTION_FAILURE) return ignored('a backup request that Azure refused (no job started)');
    const vault = VAULT_OF.exec(resourceUri);
    if (!vault?.[1]) return ignored('backup action without a vault in its resource URI');
    return { ...base, kind: 'backup-triggered', resourceUri, vaultId: vault[1], ...vmOfProtectedItem(resourceUri) };
  }
  if (eventType === WRITE_SUCCESS || eventType === DELETE_SUCCESS) {
    const verb = eventType === WRITE_SUCCESS ? 'write' : 'delete';
    const expected = verb === 'write' ? VM_WRITE : VM_DELETE;
    // An operation name is optional here: the resource URI alone says it is a VM.
    if (!parseVmId(resourceUri) || (op !== '' && op !== expected))
      return ignored(`${verb} ${operationName || resourceUri || '(none)'} is not a VM`);
    return verb === 'write'
      ? { ...base, kind: 'vm-written', vmId: resourceUri }
      : { ...base, kind: 'vm-deleted', vmId: resourceUri };
  }
  return ignored(`event type ${type.value} is not handled`);
}
