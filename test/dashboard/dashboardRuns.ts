/** Whole runs for the dashboard's and the timeline's tests, played through the real state machine. */
import type { IntegrityVerdict } from '../../src/shared/drills/integrityVerdict';
import type { Run } from '../../src/shared/runs/run';
import {
  CLAIMED,
  TONIGHT,
  playAll,
  verifierEnded,
  verifierOutput,
  verifierStarted,
  type SummaryFields,
} from '../runs/drillSamples';
import { at, job } from '../runs/runSamples';

export const CLEAN: IntegrityVerdict = {
  status: 'clean',
  source: 'evidence',
  databases: [
    { directory: '/usr/irissys/mgr/', status: 'ok' },
    { directory: '/usr/irissys/mgr/user/', status: 'ok' },
  ],
  errorCount: 0,
  messages: [],
};

/** The verifier ended at minute 60 with `fields`, its evidence (`integrity`) read at 61: the drill's outcome is set. */
export function drillEnded(fields: SummaryFields = {}, integrity: IntegrityVerdict = CLEAN): Run {
  const s = verifierStarted();
  const end = playAll(s, [verifierEnded(s, 60, verifierOutput(fields))]).run;
  return end.stage === 'verifying' ? playAll(end, [{ type: 'EvidenceRead', at: at(61), integrity }]).run : end;
}

/** Recorded at 62, resources deleted at 63, the job completed at 90 and its point in the vault at 91: done. */
export function finished(run: Run): Run {
  return playAll(run, [
    { type: 'DrillRecorded', at: at(62) },
    { type: 'DrillResourcesDeleted', at: at(63), deleted: CLAIMED },
    { type: 'JobObserved', at: at(90), job: job('Completed', { endTime: at(89) }) },
    { type: 'RecoveryPointObserved', at: at(91), point: { ...TONIGHT, tiers: ['InstantRP', 'HardenedRP'] } },
  ]).run;
}

/** A run whose verdict saw IRIS frozen at minute 4 for 1.5 s and thawed. */
export function withFreeze(run: Run): Run {
  const v = run.verdict;
  if (v === undefined) return run;
  return {
    ...run,
    verdict: {
      ...v,
      consistency: 'iris-consistent',
      frozenAt: at(4),
      thawedAt: new Date(Date.parse(at(4)) + 1500).toISOString(),
      freezeWindowMs: 1500,
      reasons: ['IRIS was frozen at the snapshot and thawed after it'],
    },
  };
}

/** Night `night`, VM `vmName`: a copy of `run` moved to another VM and night (times kept; only the names change). */
export function renamed(run: Run, vmName: string, night = run.night): Run {
  const vmId = run.target.vmId.replace(/[^/]+$/, vmName);
  const vmKey = run.vmKey.replace(/[^~]+$/, vmName.toLowerCase());
  const shift = (iso: string): string => `${night}${iso.slice(10)}`;
  const json = JSON.stringify({ ...run, target: { ...run.target, vmId, vmName } }).replace(
    /"(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}\.\d{3}Z)"/g,
    (_m, _d: string, t: string) => `"${night}${t}"`,
  );
  const moved = JSON.parse(json) as Run;
  return { ...moved, id: `${night}/${vmKey}`, night, vmKey, createdAt: shift(moved.createdAt) };
}
