import { grantDrillSlots } from '../../src/shared/runs/drillSlots';
import type { Run } from '../../src/shared/runs/run';
import { at } from '../runs/runSamples';
import { queued } from '../runs/drillSamples';

const drillRun = (id: string, sub: string, queuedMinute: number, started: boolean): Run => {
  const base = queued();
  const drill = base.drill;
  if (drill === undefined) throw new Error('sample has no drill');
  return {
    ...base,
    id,
    target: { ...base.target, vmId: base.target.vmId.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${sub}`) },
    drill: { ...drill, queuedAt: at(queuedMinute), ...(started ? { startedAt: at(queuedMinute) } : {}) },
  };
};

describe('grantDrillSlots: at most K drills under way per subscription', () => {
  it('counts the drills under way, then grants the oldest queued ones up to K, per subscription', () => {
    const runs = [
      drillRun('a-running', 'sub-a', 1, true),
      drillRun('a-new', 'sub-a', 9, false),
      drillRun('a-old', 'sub-a', 5, false),
      drillRun('b-1', 'sub-b', 7, false),
    ];
    expect([...grantDrillSlots(runs, 2)].sort()).toEqual(['a-old', 'b-1']);
    expect([...grantDrillSlots(runs, 1)].sort()).toEqual(['b-1']);
  });

  it('a drill that finished cleaning up frees its slot', () => {
    const done: Run = { ...drillRun('a-done', 'sub-a', 1, true), stage: 'done' };
    expect([...grantDrillSlots([done, drillRun('a-q', 'sub-a', 2, false)], 1)]).toEqual(['a-q']);
  });
});
