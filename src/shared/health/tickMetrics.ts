/**
 * The one metrics line each advance tick logs (`METRIC tick {...}`): the figures an operator charts from the traces
 * (runs by stage, alerts by severity, drill verdicts, the tick's duration). Counts only, so the line stays small
 * whatever the fleet's size.
 */
import type { AlertSeverity } from '../alerts/alert';
import type { DrillVerdict } from '../drills/drillState';
import type { RunStage } from '../runs/run';

export const TICK_METRIC_MESSAGE = 'METRIC tick';

/**
 * `METRIC tick {json}`: the JSON is in the message itself, because the Node worker joins a line's details into the
 * trace's message with util.format (Node's inspect notation, not JSON), and KQL's parse_json needs JSON.
 */
export const tickMetricLine = (metrics: TickMetrics): string => `${TICK_METRIC_MESSAGE} ${JSON.stringify(metrics)}`;

export interface TickMetrics {
  durationMs: number;
  /** Stage of the runs the tick looked at, afterwards. */
  runsByStage: Partial<Record<RunStage, number>>;
  /** Problems raised during the tick (recoveries are not counted). */
  alertsBySeverity: Partial<Record<AlertSeverity, number>>;
  /** Drills whose verdict was recorded during the tick. */
  drills: Record<DrillVerdict, number>;
}

const countBy = <K extends string>(keys: Iterable<K>): Partial<Record<K, number>> => {
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
};

export function tickMetrics(tick: {
  durationMs: number;
  stages: Record<string, RunStage>;
  alertSeverities: readonly AlertSeverity[];
  drillVerdicts: readonly DrillVerdict[];
}): TickMetrics {
  const drills = countBy(tick.drillVerdicts);
  return {
    durationMs: Math.max(0, Math.round(tick.durationMs)),
    runsByStage: countBy(Object.values(tick.stages)),
    alertsBySeverity: countBy(tick.alertSeverities),
    drills: { passed: drills.passed ?? 0, failed: drills.failed ?? 0, inconclusive: drills.inconclusive ?? 0 },
  };
}
