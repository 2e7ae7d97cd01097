import { tickMetricLine, tickMetrics } from '../../src/shared/health/tickMetrics';

describe('tickMetrics', () => {
  it('counts runs by stage, alerts by severity and drill verdicts', () => {
    expect(
      tickMetrics({
        durationMs: 1234.6,
        stages: { a: 'done', b: 'done', c: 'backup-running' },
        alertSeverities: ['critical', 'warning', 'warning'],
        drillVerdicts: ['passed', 'failed', 'passed'],
      }),
    ).toEqual({
      durationMs: 1235,
      runsByStage: { done: 2, 'backup-running': 1 },
      alertsBySeverity: { critical: 1, warning: 2 },
      drills: { passed: 2, failed: 1, inconclusive: 0 },
    });
  });

  it('an empty tick: zero drills, empty counts', () => {
    expect(tickMetrics({ durationMs: 0, stages: {}, alertSeverities: [], drillVerdicts: [] })).toEqual({
      durationMs: 0,
      runsByStage: {},
      alertsBySeverity: {},
      drills: { passed: 0, failed: 0, inconclusive: 0 },
    });
  });

  it('the line carries the metrics as JSON after its prefix', () => {
    const m = tickMetrics({ durationMs: 5, stages: { a: 'failed' }, alertSeverities: ['error'], drillVerdicts: [] });
    const line = tickMetricLine(m);
    expect(line.startsWith('METRIC tick {')).toBe(true);
    expect(JSON.parse(line.slice('METRIC tick '.length))).toEqual(m);
  });
});
