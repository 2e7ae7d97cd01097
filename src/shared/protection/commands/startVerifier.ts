/**
 * Starts the drill verifier (vm/drill-verify.sh) on the drill VM, with the source VM's private addresses it must
 * NOT reach (the isolation check runs before IRIS starts) and an evidence blob URL for its whole output.
 */
import type { NicInfo } from '../../azure/drillResources';
import { evidenceBlobName } from '../../drills/evidenceBlobName';
import { readVmScript } from '../../vmScripts/vmScripts';
import type { CommandInput, CommandOf } from './commandHandler';
import { drillDepsOf, type DrillDeps } from './drillDeps';
import { runPolicyOf } from '../runPolicyOf';
import { scriptTimeoutMs } from '../../runs/phases/vmScript';
import type { ProtectionDeps } from '../protectionDeps';

/** IRIS superserver, ISCAgent (mirroring), web gateway/management, SSH: what a production copy could talk to. */
const PRODUCTION_PORTS = [1972, 2188, 52773, 22];

/** The `ip:port`s of the source VM a drill VM must not reach. */
export const productionAddressesOf = (nics: readonly (NicInfo | undefined)[]): string[] =>
  nics
    .filter((n): n is NicInfo => n?.privateIpAddress !== undefined)
    .flatMap((n) => PRODUCTION_PORTS.map((port) => `${n.privateIpAddress ?? ''}:${port}`));

/** The source VM's NICs as Azure describes them (undefined: a NIC that could not be read). */
export async function sourceNics(deps: ProtectionDeps, d: DrillDeps, vmId: string): Promise<(NicInfo | undefined)[]> {
  const source = await deps.gateways.compute.getVm(vmId);
  return Promise.all((source?.nicIds ?? []).map((id) => d.drills.getNic(id)));
}
/** The verifier's own default, should a policy ever come without drills (drillDepsOf refuses that first). */
const DEFAULT_IRIS_UP_SECONDS = 600;
/** The upload URL outlives the Run Command's own time-out. */
const UPLOAD_GRACE_MS = 60 * 60_000;

export async function startVerifier({
  deps,
  run,
  command,
  now,
}: CommandInput<CommandOf<'StartScript'>>): Promise<void> {
  const d = drillDepsOf(deps);
  const drill = run.drill;
  if (drill === undefined) throw new Error(`Run ${run.id} has no drill to verify`);
  // Read with the target checks before the restore; read again only for a run that does not have them.
  const addresses = drill.productionAddresses ?? productionAddressesOf(await sourceNics(deps, d, run.target.vmId));
  const policy = runPolicyOf(deps.settings);
  const timeoutMs = scriptTimeoutMs('verify', policy);
  const blob = evidenceBlobName(run.night, drill.vmName, command.name);
  const outputBlobUri = await d.evidence.uploadUrl(blob, new Date(now.getTime() + timeoutMs + UPLOAD_GRACE_MS));
  await deps.gateways.compute.startScript(command.vmId, readVmScript('drill-verify'), {
    name: command.name,
    parameters: [
      { name: 'PRODUCTION_ADDRESSES', value: addresses.join(' ') },
      { name: 'IRIS_UP_SECONDS', value: String(policy.drill?.irisUpSeconds ?? DEFAULT_IRIS_UP_SECONDS) },
    ],
    timeoutInSeconds: Math.round(timeoutMs / 1000),
    outputBlobUri,
    ...(drill.region === undefined ? {} : { location: drill.region }),
  });
}
