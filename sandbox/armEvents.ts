/**
 * The ARM resource events the emulator's operations produce (azure-apis.md §5: "created for PUT, PATCH, POST, and
 * DELETE operations that are sent to management.azure.com"), kept until a test or the demo takes them to deliver to
 * the app's handler, in the Event Grid or the CloudEvents 1.0 schema (a duplicate or a reordering is theirs to make).
 */
import { randomUUID } from 'node:crypto';
import type { SandboxClock } from './clock';

export type ArmEventType =
  | 'Microsoft.Resources.ResourceWriteSuccess'
  | 'Microsoft.Resources.ResourceDeleteSuccess'
  | 'Microsoft.Resources.ResourceActionSuccess';

export interface ArmEventRecord {
  id: string;
  eventType: ArmEventType;
  eventTime: string;
  /** The resource group (or subscription) the system topic is on. */
  topic: string;
  resourceUri: string;
  operationName: string;
  method: string;
  subscriptionId: string;
  resourceGroup: string;
  resourceProvider: string;
  correlationId: string;
  /** Who caused it: a request to the emulator, or the platform (a restore creating its VM). */
  origin: 'request' | 'platform';
}

export interface EventGridSchemaEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: Record<string, unknown>;
  dataVersion: string;
  metadataVersion: string;
}

export interface CloudEventsSchemaEvent {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}

export type ArmEventSchema = 'eventgrid' | 'cloudevents';

/** The sandbox's tenant: the emulator does not check it, but ARM events carry one. */
export const SANDBOX_TENANT_ID = '00000000-0000-0000-0000-00000000beef';

const PROVIDER_PATH = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?\/providers\/(.+)$/i;

/**
 * The ARM operation name of a request: the provider namespace, the resource types along the path, and write, delete
 * or `<action>/action` (e.g. Microsoft.Compute/virtualMachines/write). Undefined for paths outside a provider.
 */
export function armOperationOf(
  method: string,
  path: string,
):
  | { operationName: string; resourceUri: string; subscriptionId: string; resourceGroup: string; provider: string }
  | undefined {
  const m = PROVIDER_PATH.exec(path.replace(/\/+$/, ''));
  if (!m?.[1] || !m[3]) return undefined;
  const [namespace, ...rest] = m[3].split('/');
  if (!namespace) return undefined;
  const types: string[] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) types.push(rest[i] ?? '');
  const verb = method.toUpperCase();
  let suffix: string;
  if (verb === 'PUT' || verb === 'PATCH') suffix = 'write';
  else if (verb === 'DELETE') suffix = 'delete';
  else if (verb === 'POST' && rest.length % 2 === 1) suffix = `${rest[rest.length - 1]}/action`;
  else return undefined;
  return {
    operationName: [namespace, ...types, suffix].join('/'),
    // An action's URI is the request path (the resource plus the action), as ARM sends it.
    resourceUri: path.replace(/\/+$/, ''),
    subscriptionId: m[1],
    resourceGroup: m[2] ?? '',
    provider: namespace,
  };
}

const typeOf = (method: string): ArmEventType =>
  method === 'DELETE'
    ? 'Microsoft.Resources.ResourceDeleteSuccess'
    : method === 'POST'
      ? 'Microsoft.Resources.ResourceActionSuccess'
      : 'Microsoft.Resources.ResourceWriteSuccess';

/** Events kept untaken: a long run (the bench, the demo) that never takes them does not grow without bound. */
export const ARM_EVENT_LOG_CAP = 10_000;

export class ArmEventLog {
  private pending: ArmEventRecord[] = [];
  /** Untaken events dropped (oldest first) over the cap. */
  dropped = 0;

  constructor(private readonly clock: SandboxClock) {}

  /** A request the emulator answered: a successful PUT, PATCH, POST action or DELETE under a provider is an event. */
  recordRequest(method: string, path: string, status: number): void {
    const verb = method.toUpperCase();
    // 204 on a DELETE: there was nothing to delete, and ARM sends no event.
    if (status < 200 || status >= 300 || (verb === 'DELETE' && status === 204)) return;
    const op = armOperationOf(verb, path);
    if (op === undefined) return;
    this.add(verb, op, 'request');
  }

  /** A VM the platform wrote itself (a restore creating it): a write event, as ARM sends for it. */
  recordPlatformWrite(resourceId: string): void {
    const op = armOperationOf('PUT', resourceId);
    if (op !== undefined) this.add('PUT', op, 'platform');
  }

  private add(
    method: string,
    op: NonNullable<ReturnType<typeof armOperationOf>>,
    origin: ArmEventRecord['origin'],
  ): void {
    this.pending.push({
      id: randomUUID(),
      eventType: typeOf(method),
      eventTime: this.clock.now().toISOString(),
      topic: `/subscriptions/${op.subscriptionId}${op.resourceGroup ? `/resourceGroups/${op.resourceGroup}` : ''}`,
      resourceUri: op.resourceUri,
      operationName: op.operationName,
      method,
      subscriptionId: op.subscriptionId,
      resourceGroup: op.resourceGroup,
      resourceProvider: op.provider,
      correlationId: randomUUID(),
      origin,
    });
    if (this.pending.length > ARM_EVENT_LOG_CAP) {
      this.dropped += this.pending.length - ARM_EVENT_LOG_CAP;
      this.pending = this.pending.slice(-ARM_EVENT_LOG_CAP);
    }
  }

  /** The events recorded since the last take, oldest first, and forgets them. */
  takeRecords(filter?: (e: ArmEventRecord) => boolean): ArmEventRecord[] {
    const taken = filter ? this.pending.filter(filter) : this.pending;
    this.pending = filter ? this.pending.filter((e) => !filter(e)) : [];
    return taken;
  }

  /** The events recorded since the last take in one schema, oldest first, and forgets them. */
  take(
    schema: ArmEventSchema = 'eventgrid',
    filter?: (e: ArmEventRecord) => boolean,
  ): (EventGridSchemaEvent | CloudEventsSchemaEvent)[] {
    return this.takeRecords(filter).map((e) => armEventIn(e, schema));
  }

  /** How many are waiting. */
  get size(): number {
    return this.pending.length;
  }
}

const dataOf = (e: ArmEventRecord): Record<string, unknown> => ({
  authorization: {
    scope: e.resourceUri,
    action: e.operationName,
    evidence: { role: 'Contributor', roleAssignmentScope: `/subscriptions/${e.subscriptionId}` },
  },
  claims: { appid: '00000000-0000-0000-0000-0000000000ff' },
  correlationId: e.correlationId,
  httpRequest:
    e.origin === 'request'
      ? {
          clientRequestId: randomUUID(),
          clientIpAddress: '127.0.0.1',
          method: e.method,
          url: `https://management.azure.com${e.resourceUri}`,
        }
      : {},
  resourceProvider: e.resourceProvider,
  resourceUri: e.resourceUri,
  operationName: e.operationName,
  status: 'Succeeded',
  subscriptionId: e.subscriptionId,
  tenantId: SANDBOX_TENANT_ID,
});

export function armEventIn(e: ArmEventRecord, schema: 'eventgrid'): EventGridSchemaEvent;
export function armEventIn(e: ArmEventRecord, schema: 'cloudevents'): CloudEventsSchemaEvent;
export function armEventIn(e: ArmEventRecord, schema: ArmEventSchema): EventGridSchemaEvent | CloudEventsSchemaEvent;
export function armEventIn(e: ArmEventRecord, schema: ArmEventSchema): EventGridSchemaEvent | CloudEventsSchemaEvent {
  const data = dataOf(e);
  return schema === 'eventgrid'
    ? {
        id: e.id,
        topic: e.topic,
        subject: e.resourceUri,
        eventType: e.eventType,
        eventTime: e.eventTime,
        data,
        dataVersion: '2',
        metadataVersion: '1',
      }
    : {
        specversion: '1.0',
        id: e.id,
        type: e.eventType,
        source: e.topic,
        subject: e.resourceUri,
        time: e.eventTime,
        datacontenttype: 'application/json',
        data,
      };
}
