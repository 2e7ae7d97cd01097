/**
 * What the read-only frozen check (vm/probe.sh, IBG_PROBE_MODE=frozen) found on a VM: each IRIS instance's write
 * daemon state (IsWDSuspendedExt: 5 frozen, 3 running) and its qlist health. Parsed from untrusted output: a
 * missing, cut or malformed answer is 'unknown' with a problem saying why, never a guess of 'running'.
 */
import type { RunScriptResult } from '../azure/vmCommandGateway';
import { PROBE_MARKER } from '../checks/probeFacts';
import { parseQlist } from '../parsers/qlist';

export type InstanceFreeze = 'frozen' | 'running' | 'down' | 'unknown';

export interface InstanceState {
  name: string;
  state: InstanceFreeze;
  /** IsWDSuspendedExt's exit status, when it ran. */
  wdRc?: number;
  /** qlist's state field (e.g. "running, since …", "down"), shortened. */
  health?: string;
}

export interface FrozenCheck {
  instances: InstanceState[];
  /** The hardened scripts' /var/lib/iris-backup-guard/freeze-state phase, when present (e.g. frozen, thawed). */
  freezePhase?: string;
  /** Which product's commands the VM has (the probe found `iris`, or Caché's `ccontrol`): for the manual commands. */
  product?: 'iris' | 'cache';
  problems: string[];
}

/** IsWDSuspendedExt's exit status in an OS script (reference/iris.md §1.2). */
const WD_SUSPENDED = 5;
const WD_RUNNING = 3;
/** The probe prints at most 4000 bytes; Run Command keeps the last 4 KiB. More than this is not the probe's. */
const MAX_OUTPUT_CHARS = 16 * 1024;
const MAX_INSTANCES = 16;
const MAX_PROBLEMS = 20;
const HEALTH_CHARS = 80;
/** What the thaw script accepts as an instance name: nothing else is ever passed to a command (nor a leading dash). */
export const INSTANCE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
const PHASE = /^[a-z][a-z-]{0,31}$/;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Control characters out, length capped: the text may end up in an alert. */
function shortened(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- dropping control characters is the point
  const clean = text.replace(/[\u0000-\u001F\u007F]/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The last `IBG_PROBE_V1 {...}` line that is JSON, or a problem. */
function probeJson(output: string, problems: string[]): Json | undefined {
  const prefix = `${PROBE_MARKER} `;
  const lines = output
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.startsWith(prefix));
  if (lines.length === 0) {
    problems.push(output.trim() === '' ? 'The frozen check printed nothing' : `No ${PROBE_MARKER} line in the output`);
    return undefined;
  }
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    try {
      const data: unknown = JSON.parse((lines[i] ?? '').slice(prefix.length));
      if (isObject(data)) return data;
    } catch {
      // tried below
    }
    problems.push(`A ${PROBE_MARKER} line is not a JSON object (cut output?)`);
  }
  return undefined;
}

/** IsWDSuspendedExt's exit status per instance name (first answer wins), from iris.wd. */
function wdByName(iris: Json, problems: string[]): Map<string, number> {
  const out = new Map<string, number>();
  if (iris.wd === undefined) return out;
  if (!Array.isArray(iris.wd)) {
    problems.push('iris.wd is not a list; the instances are unknown');
    return out;
  }
  for (const item of iris.wd.slice(0, MAX_INSTANCES)) {
    const name = isObject(item) ? item.instance : undefined;
    const rc = isObject(item) ? item.rc : undefined;
    if (typeof name !== 'string' || !INSTANCE_NAME.test(name)) {
      problems.push('An iris.wd entry without a valid instance name was ignored');
      continue;
    }
    if (typeof rc !== 'number' || !Number.isInteger(rc) || rc < 0 || rc > 255) {
      problems.push(`iris.wd for ${name}: no valid exit status`);
      continue;
    }
    if (!out.has(name)) out.set(name, rc);
  }
  if (iris.wd.length > MAX_INSTANCES) problems.push(`iris.wd lists ${iris.wd.length} entries; read ${MAX_INSTANCES}`);
  return out;
}

function stateOfRc(name: string, rc: number | undefined, problems: string[]): InstanceState {
  if (rc === WD_SUSPENDED) return { name, state: 'frozen', wdRc: rc };
  if (rc === WD_RUNNING) return { name, state: 'running', wdRc: rc };
  if (rc === undefined) {
    problems.push(`${name}: its write daemon state was not read`);
    return { name, state: 'unknown' };
  }
  const why = rc === 124 || rc === 137 ? 'the call hung and was ended' : `IsWDSuspendedExt exited ${rc}`;
  problems.push(`${name}: write daemon state unknown (${why})`);
  return { name, state: 'unknown', wdRc: rc };
}

function instancesOf(iris: Json, problems: string[]): InstanceState[] {
  const wd = wdByName(iris, problems);
  const out: InstanceState[] = [];
  const seen = new Set<string>();
  const qlistText = typeof iris.qlist === 'string' ? iris.qlist : undefined;
  if (iris.qlist !== undefined && qlistText === undefined) problems.push('iris.qlist is not text; ignored');
  if (qlistText !== undefined) {
    const parsed = parseQlist(qlistText);
    let unsafe = 0;
    for (const inst of parsed.value) {
      if (!INSTANCE_NAME.test(inst.name)) {
        unsafe += 1;
        continue;
      }
      if (seen.has(inst.name) || out.length >= MAX_INSTANCES) continue;
      seen.add(inst.name);
      const health = shortened(inst.statusText, HEALTH_CHARS);
      const state: InstanceState =
        inst.status === 'down' && !wd.has(inst.name)
          ? { name: inst.name, state: 'down' }
          : stateOfRc(inst.name, wd.get(inst.name), problems);
      out.push(health === '' ? state : { ...state, health });
    }
    if (unsafe > 0) problems.push(`${unsafe} qlist instance name(s) with unexpected characters were ignored`);
  }
  // An answer for an instance the (possibly shortened) qlist does not show still counts.
  for (const [name, rc] of wd) {
    if (seen.has(name) || out.length >= MAX_INSTANCES) continue;
    seen.add(name);
    out.push(stateOfRc(name, rc, problems));
  }
  return out;
}

/**
 * Reads the frozen check's Run Command result. Never throws; `problems` lists what could not be read (then the
 * affected instances are 'unknown', and with no readable answer at all there are no instances: the caller must
 * treat problems without instances as "could not check").
 */
export function frozenCheckOf(result: RunScriptResult): FrozenCheck {
  const problems: string[] = [];
  const done = (check: Omit<FrozenCheck, 'problems'>): FrozenCheck => {
    const kept = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) kept.push(`${problems.length - MAX_PROBLEMS} more problems`);
    return { ...check, problems: kept };
  };
  try {
    if (result.executionState !== 'Succeeded') {
      const exit = result.exitCode === undefined ? '' : ` (exit ${String(result.exitCode)})`;
      problems.push(`Run Command ended ${shortened(String(result.executionState), 40)}${exit}`);
    }
    let output = typeof result.output === 'string' ? result.output : '';
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS);
    const data = probeJson(output, problems);
    if (data === undefined) return done({ instances: [] });
    if (data.mode !== 'frozen') {
      problems.push('The output is not the frozen check\'s (mode is not "frozen")');
      return done({ instances: [] });
    }
    const check: Omit<FrozenCheck, 'problems'> = { instances: [] };
    const state = data.freezeState;
    if (isObject(state) && state.phase !== undefined) {
      if (typeof state.phase === 'string' && PHASE.test(state.phase)) check.freezePhase = state.phase;
      else problems.push('freezeState.phase is not a phase name; ignored');
    }
    if (Array.isArray(data.dropped) && data.dropped.includes('all'))
      problems.push('The probe could not fit its answer');
    if (!isObject(data.iris)) {
      problems.push('No IRIS section in the answer; the instances are unknown');
      return done(check);
    }
    if (data.iris.present !== true) {
      if (data.iris.present === false) problems.push('No iris or ccontrol command was found: no instance was checked');
      else problems.push('iris.present is missing; the instances are unknown');
      return done(check);
    }
    if (data.iris.command === 'iris' || data.iris.command === 'ccontrol')
      check.product = data.iris.command === 'iris' ? 'iris' : 'cache';
    check.instances = instancesOf(data.iris, problems);
    if (typeof data.iris.qlist !== 'string' && check.instances.length === 0) {
      problems.push('No qlist in the answer; instances that are down or were not checked are not listed');
    }
    return done(check);
  } catch (e) {
    // Defensive: nothing above should throw, but a VM must never be able to crash the caller.
    problems.push(`The frozen check's output could not be read: ${e instanceof Error ? e.message : String(e)}`);
    return done({ instances: [] });
  }
}
