/**
 * Azure Monitor alerts in the common alert schema (azure-apis.md §5, item 3), as an action group posts them: parsed
 * from untrusted text into what the app needs, or a problem that names what was wrong and how to fix it. Pure.
 */
import { parseVmId } from '../azure/armResourceId';

export const MONITOR_ALERT_MAX_BYTES = 256 * 1024;
export const COMMON_SCHEMA_ID = 'azureMonitorCommonAlertSchema';

export type AlertSeverityLevel = 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';
export type MonitorCondition = 'Fired' | 'Resolved';

export interface MonitorAlert {
  alertId: string;
  alertRule: string;
  severity: AlertSeverityLevel;
  signalType: string;
  monitorCondition: MonitorCondition;
  monitoringService: string;
  alertTargetIds: string[];
  configurationItems: string[];
  firedDateTime: string;
  resolvedDateTime?: string;
  description: string;
  /** Whatever the alert's context holds (its shape depends on the monitoring service). */
  alertContext: Record<string, unknown>;
}

export type MonitorAlertParse = { ok: true; alert: MonitorAlert } | { ok: false; problem: string };

const ENABLE_SCHEMA =
  'Enable the common alert schema on the action group’s webhook or Azure Function action ("Enable the common alert schema": Yes).';
const FIELD_CAP = 2048;
const LIST_CAP = 100;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SEVERITIES: readonly string[] = ['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4'];

export function parseMonitorAlert(text: string): MonitorAlertParse {
  const fail = (problem: string): MonitorAlertParse => ({ ok: false, problem });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return fail(
      `The body is not valid JSON (${e instanceof Error ? e.message.slice(0, 200) : 'parse error'}). ` +
        `Send the alert as JSON with Content-Type: application/json. ${ENABLE_SCHEMA}`,
    );
  }
  if (!isRecord(body)) return fail(`The body is JSON but not an object. ${ENABLE_SCHEMA}`);
  if (body.schemaId !== COMMON_SCHEMA_ID)
    return fail(
      `schemaId is ${typeof body.schemaId === 'string' ? `'${body.schemaId.slice(0, 80)}'` : 'missing'}, ` +
        `not '${COMMON_SCHEMA_ID}'. ${ENABLE_SCHEMA}`,
    );
  const data = body.data;
  if (!isRecord(data) || !isRecord(data.essentials))
    return fail(`data.essentials is missing: not a common-schema alert. ${ENABLE_SCHEMA}`);
  const e = data.essentials;
  const problems: string[] = [];
  const text1 = (name: string, required: boolean): string => {
    const v = e[name];
    if (v === undefined || v === null) {
      if (required) problems.push(`data.essentials.${name} is missing`);
      return '';
    }
    if (typeof v !== 'string') {
      problems.push(`data.essentials.${name} is not a string`);
      return '';
    }
    if (v.length > FIELD_CAP) {
      problems.push(`data.essentials.${name} is longer than ${FIELD_CAP} characters`);
      return '';
    }
    return v;
  };
  const list = (name: string): string[] => {
    const v = e[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      problems.push(`data.essentials.${name} is not an array`);
      return [];
    }
    return v.slice(0, LIST_CAP).filter((x): x is string => typeof x === 'string' && x.length <= FIELD_CAP);
  };
  const alertId = text1('alertId', true);
  const severity = text1('severity', true);
  const monitorCondition = text1('monitorCondition', true);
  const alert = {
    alertId,
    alertRule: text1('alertRule', false),
    signalType: text1('signalType', false),
    monitoringService: text1('monitoringService', false),
    alertTargetIds: list('alertTargetIDs'),
    configurationItems: list('configurationItems'),
    firedDateTime: text1('firedDateTime', false),
    description: text1('description', false),
  };
  const resolvedDateTime = text1('resolvedDateTime', false);
  if (severity !== '' && !SEVERITIES.includes(severity))
    problems.push(`data.essentials.severity '${severity.slice(0, 20)}' is not one of Sev0-Sev4`);
  if (monitorCondition !== '' && monitorCondition !== 'Fired' && monitorCondition !== 'Resolved')
    problems.push(`data.essentials.monitorCondition '${monitorCondition.slice(0, 20)}' is not Fired or Resolved`);
  if (data.alertContext !== undefined && data.alertContext !== null && !isRecord(data.alertContext))
    problems.push('data.alertContext is not an object');
  if (problems.length > 0) return fail(`${problems.join('; ')}. ${ENABLE_SCHEMA}`);
  return {
    ok: true,
    alert: {
      ...alert,
      severity: severity as AlertSeverityLevel,
      monitorCondition: monitorCondition as MonitorCondition,
      ...(resolvedDateTime === '' ? {} : { resolvedDateTime }),
      alertContext: isRecord(data.alertContext) ? data.alertContext : {},
    },
  };
}

const WALK_MAX_NODES = 5000;
const WALK_MAX_DEPTH = 8;

/** The VM ids found in a string: an ARM VM id, or one ending a longer id (e.g. a protected item's source). */
const vmIdIn = (value: string): string | undefined => {
  if (value.length > FIELD_CAP) return undefined;
  if (parseVmId(value)) return value;
  const i = value.toLowerCase().indexOf('/subscriptions/');
  return i > 0 && parseVmId(value.slice(i)) ? value.slice(i) : undefined;
};

/**
 * The VMs an alert is about, distinct (ARM ids are case-insensitive): its targets and configuration items, then the
 * context's fields that name a data source (DatasourceResourceId, SourceId, …), including log-search dimensions
 * ({name, value}) and result rows. The walk is bounded, so a huge context costs no more than a small one.
 */
export function alertVmIds(alert: MonitorAlert): string[] {
  const found = new Map<string, string>();
  const add = (v: string): void => {
    const id = vmIdIn(v);
    if (id !== undefined && !found.has(id.toLowerCase())) found.set(id.toLowerCase(), id);
  };
  for (const v of [...alert.alertTargetIds, ...alert.configurationItems]) add(v);
  let nodes = 0;
  // Every string is looked at, whatever its key (DatasourceResourceId, SourceId, a dimension's value, a row cell):
  // only a VM id is taken.
  const walk = (v: unknown, depth: number): void => {
    nodes += 1;
    if (nodes > WALK_MAX_NODES || depth > WALK_MAX_DEPTH) return;
    if (typeof v === 'string') add(v);
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (isRecord(v)) for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(alert.alertContext, 0);
  return [...found.values()];
}

/** Whether the alert is about a failed Azure Backup job: Azure Backup's own alerts, or a log alert on its job table. */
export function isBackupFailureAlert(alert: MonitorAlert): boolean {
  if (/^azure backup$/i.test(alert.monitoringService.trim())) return true;
  let context: string;
  try {
    context = JSON.stringify(alert.alertContext).slice(0, MONITOR_ALERT_MAX_BYTES);
  } catch {
    context = '';
  }
  const text = `${alert.alertRule}\n${alert.description}\n${context}`.toLowerCase();
  return /^log alerts? v2$|^log analytics$/i.test(alert.monitoringService.trim())
    ? text.includes('addonazurebackupjobs')
    : false;
}
