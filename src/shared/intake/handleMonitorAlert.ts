/**
 * What the app does with an Azure Monitor alert: a fired alert of a failed backup job of an enrolled VM starts the
 * frozen-IRIS check (requestFrozenCheck), which joins the VM's run. Everything else (resolved, unrelated, a VM the
 * app does not protect) is acknowledged and logged. An alert id already in the ledger is acknowledged and not acted
 * on again. Never throws: the HTTP answer is always an acknowledgement, since an action group retries errors.
 */
import { toError } from '../errors/appError';
import type { ProtectionDeps } from '../protection/protectionDeps';
import { requestFrozenCheck, type FrozenCheckRequestOutcome } from '../protection/requestFrozenCheck';
import { alertVmIds, isBackupFailureAlert, type MonitorAlert } from './monitorAlert';

export type MonitorAlertOutcome =
  | { outcome: 'frozen-check'; checks: ({ vmId: string } & FrozenCheckRequestOutcome)[] }
  | { outcome: 'duplicate'; reason: string }
  | { outcome: 'acknowledged'; reason: string }
  | { outcome: 'failed'; error: string };

const summary = (o: MonitorAlertOutcome): string =>
  o.outcome === 'frozen-check'
    ? `frozen-check: ${o.checks.map((c) => `${c.vmId} ${c.outcome}`).join(', ')}`
    : o.outcome === 'failed'
      ? `failed: ${o.error}`
      : `${o.outcome}: ${o.reason}`;

async function act(deps: ProtectionDeps, alert: MonitorAlert): Promise<MonitorAlertOutcome> {
  if (alert.monitorCondition === 'Resolved') return { outcome: 'acknowledged', reason: 'a resolved alert' };
  if (!isBackupFailureAlert(alert))
    return {
      outcome: 'acknowledged',
      reason: `not a backup failure (${alert.monitoringService || 'no monitoring service'}: ${alert.alertRule || 'no rule'})`,
    };
  const vmIds = alertVmIds(alert);
  if (vmIds.length === 0) return { outcome: 'acknowledged', reason: 'a backup failure that names no virtual machine' };
  const reason = `Azure Monitor alert ${alert.alertRule || alert.alertId} (${alert.severity}) fired at ${alert.firedDateTime || 'an unknown time'}`;
  const checks: ({ vmId: string } & FrozenCheckRequestOutcome)[] = [];
  for (const vmId of vmIds)
    checks.push({ vmId, ...(await requestFrozenCheck(deps, { vmId, reason, source: 'monitor-alert' })) });
  return { outcome: 'frozen-check', checks };
}

export async function handleMonitorAlert(deps: ProtectionDeps, alert: MonitorAlert): Promise<MonitorAlertOutcome> {
  // Fired and Resolved share an alertId: each is acted on once.
  const key = `${alert.alertId}/${alert.monitorCondition}`;
  let outcome: MonitorAlertOutcome;
  try {
    const seen = await deps.events?.get('alert', key);
    outcome =
      seen !== undefined ? { outcome: 'duplicate', reason: `already received at ${seen.at}` } : await act(deps, alert);
  } catch (e) {
    outcome = { outcome: 'failed', error: toError(e).message };
  }
  if (outcome.outcome !== 'duplicate') {
    try {
      await deps.events?.record({ kind: 'alert', key, at: deps.clock.now().toISOString(), outcome: summary(outcome) });
    } catch (e) {
      deps.log.error('Could not record an Azure Monitor alert in the ledger', {
        alertId: alert.alertId,
        error: toError(e).message,
      });
    }
  }
  const details = {
    alertId: alert.alertId,
    alertRule: alert.alertRule,
    severity: alert.severity,
    monitorCondition: alert.monitorCondition,
    monitoringService: alert.monitoringService,
    ...outcome,
  };
  if (outcome.outcome === 'failed') deps.log.error('Azure Monitor alert could not be acted on', details);
  else deps.log.info(`Azure Monitor alert: ${summary(outcome)}`, details);
  return outcome;
}
