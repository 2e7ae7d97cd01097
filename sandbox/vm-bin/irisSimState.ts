/**
 * Sets up and reads the state of the simulated IRIS/Caché command (`sandbox/vm-bin/iris`) inside a simulated VM root.
 * The file layout is documented at the top of that script and in vm/README.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SIM_CLOCK_BIN_DIR } from './simClock';

export type IrisProduct = 'IRIS' | 'Cache';

export interface IrisSimKnobs {
  /** ExternalFreeze exits with this code and does not freeze. */
  freezeRc?: number;
  /** ExternalThaw exits with this code and does not thaw. */
  thawRc?: number;
  /** ExternalFreeze suspends the system, then hangs this long (a hung session after the freeze). */
  freezeHangSeconds?: number;
  /** ExternalThaw hangs this long before resuming. */
  thawHangSeconds?: number;
  /** IsWDSuspendedExt hangs this long before answering. */
  statusHangSeconds?: number;
  /** `iris stat <inst> -W` (irisstat) exits with this code and does not resume the write daemon. */
  statWRc?: number;
  /** `iris start` fails with this exit code: the instance stays down (a restored copy that never comes up). */
  startRc?: number;
  /** `iris start` leaves the instance `starting` this long before it runs (exercises a verifier's wait loop). */
  startSeconds?: number;
}

export interface IrisInstanceSpec {
  name: string;
  product: IrisProduct;
  status: 'running' | 'down';
  frozen?: boolean;
  /** qlist field 9: ok | warn | alert | hung. */
  health?: string;
  mirror?: { type: string; status: string };
  /** As the VM sees it; default /usr/irissys (IRIS) or /usr/cachesys (Caché). */
  installDir?: string;
  version?: string;
  /** Database directories; default `<installDir>/mgr/` and `<installDir>/mgr/user/`. */
  databases?: string[];
  /**
   * Integrity result per database directory; unlisted directories are ok. 'missing': the directory is absent, so
   * the database cannot be mounted at start and the integrity check reports it as not mounted.
   */
  integrity?: Record<string, 'ok' | 'error' | 'missing'>;
  knobs?: IrisSimKnobs;
}

export type IrisInstance = Required<Omit<IrisInstanceSpec, 'mirror'>> & Pick<IrisInstanceSpec, 'mirror'>;

/** The real simulator script (from ts-jest or from dist/); `ccontrol`/`csession` are it called by another name. */
export const IRIS_SIM_SCRIPT =
  [path.join(__dirname, 'iris'), path.join(__dirname, '../../../sandbox/vm-bin/iris')].find((p) => fs.existsSync(p)) ??
  path.join(__dirname, 'iris');

export function irisSimDir(root: string): string {
  return path.join(root, 'opt', 'iris-sim');
}

/** A directory with only the commands this VM's products provide (`iris`, or `ccontrol` + `csession`); put it on PATH. */
export function irisSimBinDir(root: string): string {
  return path.join(irisSimDir(root), 'bin');
}

/**
 * Environment for running vm/ scripts against `root` with the simulator on PATH, and the `date` shim (simClock.ts),
 * which follows the sandbox's time when the environment carries its offset and is the real `date` otherwise.
 */
export function irisSimEnv(root: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    IBG_ROOT: root,
    IRIS_SIM_DIR: irisSimDir(root),
    PATH: `${irisSimBinDir(root)}:${SIM_CLOCK_BIN_DIR}:${base.PATH ?? ''}`,
  };
}

/** messages.log (cconsole.log for Caché) of an instance, as a host path. */
export function irisMessagesLogPath(root: string, instance: IrisInstance): string {
  return path.join(root, instance.installDir, 'mgr', instance.product === 'Cache' ? 'cconsole.log' : 'messages.log');
}

/** Lines `<command> <args>` of every simulated call so far. */
export function readIrisCalls(root: string): string[] {
  const file = path.join(irisSimDir(root), 'calls.log');
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

function resolve(spec: IrisInstanceSpec): IrisInstance {
  const installDir = spec.installDir ?? (spec.product === 'Cache' ? '/usr/cachesys' : '/usr/irissys');
  const mgr = `${installDir.replace(/\/$/, '')}/mgr/`;
  return {
    name: spec.name,
    product: spec.product,
    status: spec.status,
    frozen: spec.frozen ?? false,
    health: spec.health ?? 'ok',
    mirror: spec.mirror,
    installDir,
    version: spec.version ?? (spec.product === 'Cache' ? '2018.1.5.659.0' : '2024.1.0.267.2'),
    databases: spec.databases ?? [mgr, `${mgr}user/`],
    integrity: spec.integrity ?? {},
    knobs: spec.knobs ?? {},
  };
}

function assertSafeName(name: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TypeError(`Invalid IRIS instance name: '${name}'`);
}

/** Creates or replaces one simulated instance and refreshes the bin directory's commands. */
export function writeIrisInstance(root: string, spec: IrisInstanceSpec): IrisInstance {
  assertSafeName(spec.name);
  const inst = resolve(spec);
  const dir = path.join(irisSimDir(root), 'instances', inst.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const put = (field: string, value: string | number | undefined): void => {
    if (value !== undefined) fs.writeFileSync(path.join(dir, field), `${value}\n`);
  };
  put('product', inst.product);
  put('status', inst.status);
  put('frozen', inst.frozen ? 1 : 0);
  put('health', inst.health);
  put('mirror_type', inst.mirror?.type);
  put('mirror_status', inst.mirror?.status);
  put('version', inst.version);
  put('install_dir', inst.installDir);
  fs.writeFileSync(path.join(dir, 'databases'), inst.databases.map((d) => `${d}\n`).join(''));
  fs.writeFileSync(
    path.join(dir, 'integrity'),
    Object.entries(inst.integrity)
      .map(([db, result]) => `${result} ${db}\n`)
      .join(''),
  );
  put('freeze_rc', inst.knobs.freezeRc);
  put('thaw_rc', inst.knobs.thawRc);
  put('freeze_hang_seconds', inst.knobs.freezeHangSeconds);
  put('thaw_hang_seconds', inst.knobs.thawHangSeconds);
  put('status_hang_seconds', inst.knobs.statusHangSeconds);
  put('stat_w_rc', inst.knobs.statWRc);
  put('start_rc', inst.knobs.startRc);
  put('start_seconds', inst.knobs.startSeconds);
  fs.mkdirSync(path.dirname(irisMessagesLogPath(root, inst)), { recursive: true });
  refreshBinDir(root);
  return inst;
}

/** Reads one instance back (undefined if it does not exist). */
export function readIrisInstance(root: string, name: string): IrisInstance | undefined {
  assertSafeName(name);
  const dir = path.join(irisSimDir(root), 'instances', name);
  if (!fs.existsSync(dir)) return undefined;
  const get = (field: string): string | undefined => {
    const file = path.join(dir, field);
    return fs.existsSync(file) ? (fs.readFileSync(file, 'utf8').split('\n')[0] ?? '') : undefined;
  };
  const lines = (field: string): string[] => (get(field) === undefined ? [] : readLines(path.join(dir, field)));
  const num = (field: string): number | undefined => {
    const v = get(field);
    return v === undefined || v === '' ? undefined : Number(v);
  };
  const integrity: Record<string, 'ok' | 'error' | 'missing'> = {};
  for (const line of lines('integrity')) {
    const m = /^(ok|error|missing) (.+)$/.exec(line);
    if (m?.[1] && m[2]) integrity[m[2]] = m[1] as 'ok' | 'error' | 'missing';
  }
  const mirrorType = get('mirror_type');
  const knobs: IrisSimKnobs = {};
  const setKnob = (key: keyof IrisSimKnobs, field: string): void => {
    const v = num(field);
    if (v !== undefined) knobs[key] = v;
  };
  setKnob('freezeRc', 'freeze_rc');
  setKnob('thawRc', 'thaw_rc');
  setKnob('freezeHangSeconds', 'freeze_hang_seconds');
  setKnob('thawHangSeconds', 'thaw_hang_seconds');
  setKnob('statusHangSeconds', 'status_hang_seconds');
  setKnob('statWRc', 'stat_w_rc');
  setKnob('startRc', 'start_rc');
  setKnob('startSeconds', 'start_seconds');
  return {
    name,
    product: get('product') === 'Cache' ? 'Cache' : 'IRIS',
    status: get('status') === 'down' ? 'down' : 'running',
    frozen: get('frozen') === '1',
    health: get('health') ?? 'ok',
    mirror: mirrorType ? { type: mirrorType, status: get('mirror_status') ?? '' } : undefined,
    installDir: get('install_dir') ?? '/usr/irissys',
    version: get('version') ?? '',
    databases: lines('databases'),
    integrity,
    knobs,
  };
}

function readLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** sandbox/vm-bin/nc (a connect test against the VM's simulated network), found like the simulator. */
export const NC_SIM_SCRIPT = path.join(path.dirname(IRIS_SIM_SCRIPT), 'nc');

/** Where the simulated `nc` reads the `host:port` lines this VM can reach (beside the simulator's directory). */
export function netSimReachablePath(root: string): string {
  return path.join(root, 'opt', 'net-sim', 'reachable');
}

/**
 * Links `iris` when any IRIS instance exists and `ccontrol`/`csession` when any Caché instance exists, and always
 * the simulated `nc`, so a VM's PATH finds it before any real one.
 */
function refreshBinDir(root: string): void {
  const bin = irisSimBinDir(root);
  fs.mkdirSync(bin, { recursive: true });
  const products = new Set<IrisProduct>();
  const instancesDir = path.join(irisSimDir(root), 'instances');
  for (const name of fs.readdirSync(instancesDir)) {
    products.add(readIrisInstance(root, name)?.product ?? 'IRIS');
  }
  const wanted = new Map<string, boolean>([
    ['iris', products.has('IRIS')],
    ['ccontrol', products.has('Cache')],
    ['csession', products.has('Cache')],
  ]);
  for (const [command, present] of wanted) {
    const link = path.join(bin, command);
    fs.rmSync(link, { force: true });
    if (present) fs.symlinkSync(IRIS_SIM_SCRIPT, link);
  }
  const nc = path.join(bin, 'nc');
  fs.rmSync(nc, { force: true });
  fs.symlinkSync(NC_SIM_SCRIPT, nc);
}

/** What a fault rule does to the call it matches (see the top of sandbox/vm-bin/iris). */
export type FaultAction =
  `fail:${number}` | 'hang' | 'hang-after' | 'kill-before' | 'kill-after' | `sig:${'TERM' | 'INT' | 'HUP' | 'KILL'}`;

/**
 * One fault-injection rule: in `phase` (the caller's IBG_FAULT_PHASE, or '*'), the `n`-th call ('*': every call)
 * with `key` (an IRIS call: qlist, IsWDSuspendedExt, ExternalFreeze, ExternalThaw, stat; or a command the fault shim
 * stands in for: date, mv…) does `action`.
 */
export interface FaultRule {
  phase: string;
  key: string;
  n: number | '*';
  action: FaultAction;
}

export interface FaultTraceEntry {
  phase: string;
  key: string;
  n: number;
}

/** sandbox/vm-bin/fault-shim, found like the simulator. */
export const FAULT_SHIM_SCRIPT = path.join(path.dirname(IRIS_SIM_SCRIPT), 'fault-shim');

/** Turns fault injection on for `root` with these rules (none: only trace), and resets the counters and the trace. */
export function setFaults(root: string, rules: FaultRule[]): void {
  const dir = irisSimDir(root);
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'counts'), { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'counts'));
  fs.rmSync(path.join(dir, 'trace.log'), { force: true });
  fs.writeFileSync(
    path.join(dir, 'faults'),
    rules.map((r) => `${r.phase} ${r.key} ${String(r.n)} ${r.action}\n`).join(''),
  );
}

/** The calls counted so far, in order. */
export function readFaultTrace(root: string): FaultTraceEntry[] {
  const file = path.join(irisSimDir(root), 'trace.log');
  if (!fs.existsSync(file)) return [];
  return readLines(file).flatMap((line) => {
    const [phase, key, n] = line.split(' ');
    return phase && key && n ? [{ phase, key, n: Number(n) }] : [];
  });
}

/** A directory (put it first on PATH) where each of `commands` is the fault shim; the pid file for `sig:` rules. */
export function faultShimBinDir(root: string, commands: readonly string[]): string {
  const dir = path.join(irisSimDir(root), 'fault-bin');
  fs.mkdirSync(dir, { recursive: true });
  for (const command of commands) {
    const link = path.join(dir, command);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(FAULT_SHIM_SCRIPT, link);
  }
  return dir;
}

/** Where the fault shim and the simulator read the pid that `sig:` rules signal. */
export function faultTargetPidFile(root: string): string {
  return path.join(irisSimDir(root), 'target.pid');
}
