/**
 * The simulated IRIS instances of a VM, through the "vm" helper's sandbox/vm-bin/irisSimState.ts: writing them at
 * start, and the environment that puts the VM's own `iris` (or `ccontrol`/`csession`) on PATH.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type IrisInstance,
  type IrisInstanceSpec,
  irisSimDir,
  netSimReachablePath,
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

/** Restore faults on the simulated IRIS of a restored VM (instance: one instance by name; default every one). */
export interface RestoredIrisFaults {
  /** `iris start` fails (startRc knob): the instance stays down and messages.log says why. */
  neverStarts?: { instance?: string };
  /** The integrity check reports errors in this database (default: the instance's last database). */
  integrityErrors?: { instance?: string; database?: string };
  /** This database's directory (default: the instance's last database) is absent: not mountable. */
  databaseMissing?: { instance?: string; database?: string };
  /**
   * `host:port` addresses the restored VM can reach (the simulated `nc` connects to exactly these): a drill subnet
   * that is not isolated from production. Default none.
   */
  reachable?: string[];
}

/** `iris start`'s exit code when a restore fault says IRIS never comes up. */
const START_FAILED_RC = 1;

/**
 * A restored VM boots from the snapshot's disks: what IRIS held in memory (running, frozen) is gone, so every
 * instance starts down and not frozen; its databases, integrity and messages.log come from the snapshot. Every
 * database directory of the snapshot exists on the restored disks (with an IRIS.DAT), except one the
 * restoredDatabaseMissing fault removes; the faults set the simulator's state so a verifier on the VM sees them.
 */
export function bootRestoredIris(root: string, faults: RestoredIrisFaults = {}): void {
  const dir = path.join(irisSimDir(root), 'instances');
  if (!fs.existsSync(dir)) return;
  const applies = (f: { instance?: string } | undefined, name: string): boolean =>
    f !== undefined && (f.instance === undefined || f.instance.toLowerCase() === name.toLowerCase());
  for (const name of fs.readdirSync(dir)) {
    const inst = readIrisInstance(root, name);
    if (!inst) continue;
    const integrity: Record<string, 'ok' | 'error' | 'missing'> = { ...inst.integrity };
    const last = inst.databases[inst.databases.length - 1];
    if (applies(faults.integrityErrors, name)) {
      const db = faults.integrityErrors?.database ?? last;
      if (db !== undefined) integrity[db] = 'error';
    }
    let missing: string | undefined;
    if (applies(faults.databaseMissing, name)) {
      missing = faults.databaseMissing?.database ?? last;
      if (missing !== undefined) integrity[missing] = 'missing';
    }
    for (const db of inst.databases) {
      const hostDir = path.join(root, db);
      if (db === missing) fs.rmSync(hostDir, { recursive: true, force: true });
      else {
        fs.mkdirSync(hostDir, { recursive: true });
        const dat = path.join(hostDir, 'IRIS.DAT');
        if (!fs.existsSync(dat)) fs.writeFileSync(dat, '');
      }
    }
    const knobs = applies(faults.neverStarts, name) ? { ...inst.knobs, startRc: START_FAILED_RC } : inst.knobs;
    writeIrisInstance(root, { ...inst, status: 'down', frozen: false, integrity, knobs });
    // Running and not frozen at the snapshot: the copy is crash-consistent, its next start recovers as after a crash.
    if (inst.status === 'running' && !inst.frozen) fs.writeFileSync(path.join(dir, name, 'crashed_at_snapshot'), '1\n');
    writeCpfIfAbsent(root, inst);
  }
  const reachable = netSimReachablePath(root);
  fs.mkdirSync(path.dirname(reachable), { recursive: true });
  fs.writeFileSync(reachable, (faults.reachable ?? []).map((a) => `${a}\n`).join(''));
}

/**
 * A minimal CPF (iris.cpf, cache.cpf for Caché) in the install directory when the snapshot has none, so a verifier
 * can copy and edit it: [Startup] and [Databases] (NAME=directory) as in reference/iris.md §3.4.
 */
function writeCpfIfAbsent(root: string, inst: IrisInstance): void {
  const file = path.join(root, inst.installDir, inst.product === 'Cache' ? 'cache.cpf' : 'iris.cpf');
  if (fs.existsSync(file)) return;
  const names = inst.databases.map((db, i) => {
    const base = db.replace(/\/+$/, '').split('/').pop() ?? '';
    return `${/^[A-Za-z0-9]+$/.test(base) ? base.toUpperCase() : 'DB'}${i === 0 ? '' : String(i)}=${db}`;
  });
  const body = [
    '[ConfigFile]',
    'Version=2024.1',
    '[Databases]',
    ...names,
    '[Startup]',
    'SystemStart=1',
    'ZSTU=1',
    'EnsembleAutoStart=1',
    '',
  ].join('\n');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
}
