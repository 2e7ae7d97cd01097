/**
 * Watches one tick for its metrics without touching the use cases: the deps handed to the tick note each problem
 * alert raised and each drill record written, then pass them on unchanged.
 */
import type { AlertSeverity } from '../alerts/alert';
import type { DrillVerdict } from '../drills/drillState';
import type { ProtectionDeps } from '../protection/protectionDeps';

export interface TickObservations {
  alertSeverities: AlertSeverity[];
  drillVerdicts: DrillVerdict[];
}

export function observeTick(deps: ProtectionDeps): { deps: ProtectionDeps; seen: TickObservations } {
  const seen: TickObservations = { alertSeverities: [], drillVerdicts: [] };
  const { alerts, drillRecords } = deps;
  return {
    seen,
    deps: {
      ...deps,
      alerts: {
        raise: async (alert) => {
          if (alert.kind !== 'recovery') seen.alertSeverities.push(alert.severity);
          await alerts?.raise(alert);
        },
      },
      ...(drillRecords === undefined
        ? {}
        : {
            drillRecords: {
              add: async (record) => {
                const written = await drillRecords.add(record);
                // 'exists': another tick recorded this drill already and counted it.
                if (written === 'written') seen.drillVerdicts.push(record.verdict);
                return written;
              },
              list: (filter) => drillRecords.list(filter),
            },
          }),
    },
  };
}
