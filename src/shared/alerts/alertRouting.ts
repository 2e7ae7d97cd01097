/**
 * Which notification targets an alert goes to: each configured target whose least severity the alert reaches.
 * A recovery carries the severity of the problem it ends, so it goes where that problem went. Pure.
 */
import type { Severity } from '../checks/finding';
import type { AlertSettings, AlertTargetSettings } from '../config/alertSettings';
import type { Alert } from './alert';
import type { TargetName } from './alertRecord';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

export const atLeast = (severity: Severity, min: Severity): boolean => RANK[severity] >= RANK[min];

/** The configured targets, by name. */
export const configuredTargets = (settings: AlertSettings): [TargetName, AlertTargetSettings][] => {
  const out: [TargetName, AlertTargetSettings][] = [];
  if (settings.webhook !== undefined) out.push(['webhook', settings.webhook]);
  if (settings.teams !== undefined) out.push(['teams', settings.teams]);
  if (settings.slack !== undefined) out.push(['slack', settings.slack]);
  if (settings.eventGrid !== undefined) out.push(['eventgrid', settings.eventGrid]);
  return out;
};

export const targetsFor = (alert: Pick<Alert, 'severity'>, settings: AlertSettings): TargetName[] =>
  configuredTargets(settings)
    .filter(([, target]) => atLeast(alert.severity, target.minSeverity))
    .map(([name]) => name);
