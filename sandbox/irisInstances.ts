/**
 * The simulated IRIS instances of a VM, through the "vm" helper's sandbox/vm-bin/irisSimState.ts: writing them at
 * start, and the environment that puts the VM's own `iris` (or `ccontrol`/`csession`) on PATH.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type IrisInstanceSpec,
  irisSimDir,
  irisSimEnv,
  readIrisInstance,
  writeIrisInstance,
} from './vm-bin/irisSimState';

export type { IrisInstanceSpec } from './vm-bin/irisSimState';

/** ExternalThaw's exit code when a scenario says the freeze never thaws (IRIS's "failed"). */
const THAW_FAILED_RC = 3;

export function writeIrisInstances(
  root: string,
  instances: readonly IrisInstanceSpec[],
  freezeNeverThaws: boolean,
): void {
  for (const spec of instances) {
    const knobs = freezeNeverThaws ? { ...spec.knobs, thawRc: spec.knobs?.thawRc ?? THAW_FAILED_RC } : spec.knobs;
    writeIrisInstance(root, { ...spec, ...(knobs ? { knobs } : {}) });
  }
}

/**
 * IBG_ROOT, IRIS_SIM_DIR and PATH for a script on this VM. Only the VM's own simulated commands are on PATH
 * (a VM without Caché has no `ccontrol`), then the system's.
 */
export function vmScriptEnv(root: string): Record<string, string> {
  const env = irisSimEnv(root, { PATH: '/usr/bin:/bin' });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * A restored VM boots from the snapshot's disks: what IRIS held in memory (running, frozen) is gone, so every
 * instance starts down and not frozen; its databases, integrity and messages.log come from the snapshot.
 */
export function bootRestoredIris(root: string): void {
  const dir = path.join(irisSimDir(root), 'instances');
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const inst = readIrisInstance(root, name);
    if (inst) writeIrisInstance(root, { ...inst, status: 'down', frozen: false });
  }
}
