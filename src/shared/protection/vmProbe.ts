/** Runs the read-only probe on a VM through managed Run Command and parses what it printed (untrusted). */
import { parseProbeOutput } from '../checks/parseProbeOutput';
import type { ProbeFacts } from '../checks/probeFacts';
import { missingRoleHint } from '../alerts/azureCalls';
import { isAppError, toError } from '../errors/appError';
import type { VmCommandGateway } from '../azure/vmCommandGateway';
import { readVmScript } from '../vmScripts/vmScripts';

export interface ProbeRun {
  facts?: ProbeFacts;
  problems: string[];
}

export interface ProbeOptions {
  mode: 'check' | 'logs';
  /** logs mode: the earliest log time wanted (ISO 8601). */
  since?: string;
  /** Run Command resource name, unique per VM and attempt. */
  name: string;
  timeoutInSeconds: number;
}

const problemText = (p: unknown): string =>
  typeof p === 'string' ? p : typeof p === 'object' && p !== null && 'message' in p ? String(p.message) : String(p);

/** Never throws: a Run Command failure comes back as a problem, so the caller can decide what it means. */
export async function runProbe(compute: VmCommandGateway, vmId: string, options: ProbeOptions): Promise<ProbeRun> {
  const parameters: { name: string; value: string }[] = [{ name: 'IBG_PROBE_MODE', value: options.mode }];
  if (options.since !== undefined) parameters.push({ name: 'IBG_PROBE_SINCE', value: options.since });
  try {
    const result = await compute.runScript(vmId, readVmScript('probe'), {
      name: options.name,
      parameters,
      timeoutInSeconds: options.timeoutInSeconds,
    });
    const parsed = parseProbeOutput(result.output);
    const problems = parsed.problems.map(problemText);
    if (result.executionState !== 'Succeeded') {
      problems.unshift(
        `Run Command ended ${result.executionState}${result.exitCode === undefined ? '' : ` (exit ${result.exitCode})`}`,
      );
    }
    return parsed.facts === undefined ? { problems } : { facts: parsed.facts, problems };
  } catch (e) {
    // A refusal names the role to grant: the preflight and the verdict's logs both depend on it.
    const hint = missingRoleHint('runCommand', isAppError(e) ? e.statusCode : undefined);
    return { problems: [`Run Command failed: ${toError(e).message}${hint === undefined ? '' : ` (${hint})`}`] };
  }
}
