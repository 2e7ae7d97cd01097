/**
 * Timer: the daily reconcile with Log Analytics (the vaults' own diagnostics against the app's runs). Registered
 * only when IBG_LOG_ANALYTICS_WORKSPACE_ID is set, so a deployment without a workspace has no timer to configure.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import type { LogQueryGateway } from '../shared/azure/logQueryGateway';
import { reconcileTimerEnabled, RECONCILE_TIMER, scheduleBinding } from '../shared/config/timerSchedules';
import { createLogQueryGateway } from '../composition/composition';
import { reconcileWithLogs } from '../shared/protection/reconcileWithLogs';
import { depsFor } from './protectionContext';

let logs: LogQueryGateway | undefined;

/** For tests that point the reconcile at the sandbox with their own client. */
export function setReconcileLogs(next: LogQueryGateway | undefined): void {
  logs = next;
}

export async function dailyReconcile(timer: Timer, context: InvocationContext): Promise<void> {
  const deps = depsFor(context);
  const workspaceId = deps.settings.logAnalytics?.workspaceId;
  if (workspaceId === undefined) {
    context.warn('dailyReconcile: IBG_LOG_ANALYTICS_WORKSPACE_ID is not set; there is nothing to reconcile with');
    return;
  }
  if (timer.isPastDue) context.warn('dailyReconcile is running late (past due)');
  logs ??= createLogQueryGateway(deps.settings);
  // The use case logs the summary line and raises the alerts; findings are not errors of the function.
  await reconcileWithLogs({ ...deps, logs }, workspaceId);
}

if (reconcileTimerEnabled(process.env)) {
  app.timer(RECONCILE_TIMER.functionName, {
    schedule: scheduleBinding(RECONCILE_TIMER.setting),
    handler: dailyReconcile,
  });
}
