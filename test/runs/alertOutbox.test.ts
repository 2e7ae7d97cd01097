/**
 * The run's alert outbox: an alert is kept in the run with its id from the moment it is decided, asked to be
 * recorded every tick until the store says it holds it, and never given a second id, whatever is replayed.
 */
import { decide } from '../../src/shared/runs/decide';
import { MAX_PENDING_ALERTS } from '../../src/shared/runs/phases/alertOutbox';
import type { Run } from '../../src/shared/runs/run';
import type { RunCommand } from '../../src/shared/runs/runCommand';
import { POLICY, at, inTriggering, triggerRequested } from './runSamples';

const alerts = (cs: RunCommand[]): Extract<RunCommand, { type: 'Alert' }>[] =>
  cs.filter((c): c is Extract<RunCommand, { type: 'Alert' }> => c.type === 'Alert');

/** A refused backup: one error alert, decided with the move to 'failed'. */
const refused = () =>
  decide(triggerRequested(), { type: 'BackupTriggerFailed', at: at(3), reason: 'HTTP 403' }, POLICY);

describe('the run alert outbox', () => {
  it('an alert decided is in the run with a fixed id, and its Alert command names that id', () => {
    const d = refused();
    expect(d.run.stage).toBe('failed');
    expect(d.run.alerts).toEqual([
      expect.objectContaining({ id: `${d.run.id}#1`, code: 'BackupTriggerFailed', severity: 'error', at: at(3) }),
    ]);
    expect(alerts(d.commands).map((c) => c.alertId)).toEqual([`${d.run.id}#1`]);
    expect(d.run.alertSeq).toBe(1);
  });

  it('lost before it was recorded (the instance died): every tick asks again, a finished run too, with the same id', () => {
    const d = refused();
    const t1 = decide(d.run, { type: 'Tick', at: at(10) }, POLICY);
    const t2 = decide(t1.run, { type: 'Tick', at: at(15) }, POLICY);
    expect(alerts(t1.commands).map((c) => c.alertId)).toEqual([`${d.run.id}#1`]);
    expect(alerts(t2.commands).map((c) => c.alertId)).toEqual([`${d.run.id}#1`]);
    expect(t2.run.alertSeq).toBe(1);
  });

  it('recorded: it leaves the run; a repeated AlertRecorded changes nothing; ticks ask for nothing more', () => {
    const d = refused();
    const id = `${d.run.id}#1`;
    const rec = decide(d.run, { type: 'AlertRecorded', at: at(4), id }, POLICY);
    expect(rec.run.alerts).toBeUndefined();
    const again = decide(rec.run, { type: 'AlertRecorded', at: at(5), id }, POLICY);
    expect(again.run).toBe(rec.run);
    expect(decide(rec.run, { type: 'Tick', at: at(10) }, POLICY).commands).toEqual([]);
  });

  it('the next alert of the run gets the next id, even while an earlier one is still pending', () => {
    const first = decide(inTriggering(), { type: 'NoInProgressJob', at: at(2) }, POLICY).run;
    const retried = decide(first, { type: 'NoJobSinceRequest', at: at(13), since: at(2) }, POLICY);
    const refusedAfter = decide(retried.run, { type: 'BackupTriggerFailed', at: at(14), reason: 'x' }, POLICY);
    expect(alerts(retried.commands).map((c) => c.alertId)).toEqual([`${first.id}#1`]);
    expect(alerts(refusedAfter.commands).map((c) => c.alertId)).toEqual([`${first.id}#2`]);
    expect(refusedAfter.run.alerts?.map((a) => a.id)).toEqual([`${first.id}#1`, `${first.id}#2`]);
  });

  it('keeps at most MAX_PENDING_ALERTS unrecorded alerts (the oldest go) so the run stays writable', () => {
    const base = triggerRequested();
    const pending = Array.from({ length: MAX_PENDING_ALERTS }, (_, i) => ({
      id: `${base.id}#${i + 1}`,
      severity: 'info' as const,
      code: 'Old',
      message: 'm',
      at: at(2),
    }));
    const run: Run = { ...base, alerts: pending, alertSeq: MAX_PENDING_ALERTS };
    const d = decide(run, { type: 'BackupTriggerFailed', at: at(3), reason: 'HTTP 403' }, POLICY);
    expect(d.run.alerts).toHaveLength(MAX_PENDING_ALERTS);
    expect(d.run.alerts?.[0]?.id).toBe(`${base.id}#2`);
    expect(d.run.alerts?.at(-1)).toMatchObject({
      id: `${base.id}#${MAX_PENDING_ALERTS + 1}`,
      code: 'BackupTriggerFailed',
    });
  });
});
