import { DRILL_RECORD_SCHEMA, type DrillRecord } from '../../src/shared/drills/drillRecord';
import { staleDrillVms } from '../../src/shared/drills/staleDrills';

const NOW = new Date('2026-12-03T06:00:00Z');
const day = (n: number): string => new Date(NOW.getTime() - n * 86_400_000).toISOString();

const record = (vm: string, verdict: DrillRecord['verdict'], daysAgo: number): DrillRecord => ({
  schema: DRILL_RECORD_SCHEMA,
  runId: `${day(daysAgo).slice(0, 10)}/sub~rg~${vm}`,
  night: day(daysAgo).slice(0, 10),
  vmId: `/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${vm}`,
  vmName: vm,
  verdict,
  reason: verdict,
  notes: [],
  drillVmName: `ibg-drill-${vm}`,
  startedAt: day(daysAgo),
  finishedAt: day(daysAgo),
  phasesMs: {},
  evidence: [],
});

describe('staleDrillVms: no passed drill for N days', () => {
  it('flags a VM whose drills go back N days and none passed since, with its last pass', () => {
    const records = [record('a', 'passed', 12), record('a', 'failed', 9), record('a', 'inconclusive', 1)];
    expect(staleDrillVms(records, NOW, 8)).toEqual([expect.objectContaining({ vmName: 'a', lastPassedAt: day(12) })]);
  });

  it('does not flag a VM that passed within N days, nor one whose records are all newer than N days', () => {
    const records = [record('b', 'failed', 20), record('b', 'passed', 3), record('c', 'failed', 2)];
    expect(staleDrillVms(records, NOW, 8)).toEqual([]);
  });

  it('flags a VM that never passed once its first drill is N days old', () => {
    expect(staleDrillVms([record('d', 'failed', 8), record('d', 'failed', 1)], NOW, 8)).toEqual([
      { vmId: record('d', 'failed', 1).vmId, vmName: 'd' },
    ]);
  });

  it('0 days: never', () => {
    expect(staleDrillVms([record('e', 'failed', 30)], NOW, 0)).toEqual([]);
  });
});
