/**
 * What the probe's Run Command reported, as the preflight's or the verdict's event. Its output is the VM's text,
 * untrusted: parseProbeOutput reads only its own line and reports the rest as problems.
 */
import { checkSetup } from '../../checks/checkSetup';
import { parseProbeOutput, type ProbeParseResult } from '../../checks/parseProbeOutput';
import { compactFinding } from '../run';
import type { RunEvent } from '../runEvent';
import type { ScriptEnd } from './vmScript';

/** The probe's facts and the problems met, from how its Run Command ended. */
export function probeOutcome(end: ScriptEnd): ProbeParseResult {
  if (!end.ran) return { problems: [end.reason] };
  const { result } = end;
  const out = parseProbeOutput(result.output);
  if (result.executionState === 'Succeeded') return out;
  const how = `Run Command ended ${result.executionState}${result.exitCode === undefined ? '' : ` (exit ${result.exitCode})`}`;
  return { ...out, problems: [how, ...out.problems] };
}

export function preflightEvent(
  end: ScriptEnd,
  at: string,
  vmId: string,
): Extract<RunEvent, { type: 'PreflightCompleted' | 'PreflightFailed' }> {
  const { facts, problems } = probeOutcome(end);
  if (facts === undefined) {
    return {
      type: 'PreflightFailed',
      at,
      reason: problems.join('; '),
      ...(end.ran || !end.vmNotRunning ? {} : { vmNotRunning: true }),
    };
  }
  return { type: 'PreflightCompleted', at, findings: checkSetup(facts, { vmId }).map(compactFinding) };
}

export function logsEvent(end: ScriptEnd, at: string): Extract<RunEvent, { type: 'LogsCollected' }> {
  const { facts, problems } = probeOutcome(end);
  return { type: 'LogsCollected', at, ...(facts === undefined ? {} : { facts }), problems };
}
