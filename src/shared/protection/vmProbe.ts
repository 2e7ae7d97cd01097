/**
 * Runs the read-only probe on a VM through managed Run Command, waiting for it, and parses what it printed
 * (untrusted). For the CLI's `check`, whose user waits anyway; the functions' runs never wait (phases/vmScript.ts).
 */
import type { ProbeFacts } from '../checks/probeFacts';
import { missingRoleHint } from '../alerts/azureCalls';
import { isAppError, toError } from '../errors/appError';
import type { VmCommandGateway } from '../azure/vmCommandGateway';
import { readVmScript } from '../vmScripts/vmScripts';
import { probeOutcome } from '../runs/phases/probeResult';

export interface ProbeRun {
  facts?: ProbeFacts;
  problems: string[];
}

export interface ProbeOptions {
  /** frozen: only whether each IRIS instance is frozen (the remediation's check). */
  mode: 'check' | 'logs' | 'frozen';
  /** logs mode: the earliest log time wanted (ISO 8601). */
  since?: string;
  /** Run Command resource name, unique per VM and attempt. */
  name: string;
  timeoutInSeconds: number;
}

/** The probe's parameters (environment variables of its script): its mode and, for logs, since when. */
export function probeParameters(mode: ProbeOptions['mode'], since?: string): { name: string; value: string }[] {
  const parameters: { name: string; value: string }[] = [{ name: 'IBG_PROBE_MODE', value: mode }];
  if (since !== undefined) parameters.push({ name: 'IBG_PROBE_SINCE', value: since });
  return parameters;
}

/** Never throws: a Run Command failure comes back as a problem, so the caller can decide what it means. */
export async function runProbe(compute: VmCommandGateway, vmId: string, options: ProbeOptions): Promise<ProbeRun> {
  const parameters = probeParameters(options.mode, options.since);
  try {
    const result = await compute.runScript(vmId, readVmScript('probe'), {
      name: options.name,
      parameters,
      timeoutInSeconds: options.timeoutInSeconds,
    });
    return probeOutcome({ ran: true, result, name: options.name });
  } catch (e) {
    // A refusal names the role to grant: every check depends on it.
    const hint = missingRoleHint('runCommand', isAppError(e) ? e.statusCode : undefined);
    return { problems: [`Run Command failed: ${toError(e).message}${hint === undefined ? '' : ` (${hint})`}`] };
  }
}
