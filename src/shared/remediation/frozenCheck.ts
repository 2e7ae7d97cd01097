/**
 * What the read-only frozen check (vm/probe.sh, IBG_PROBE_MODE=frozen) found on a VM: each IRIS instance's write
 * daemon state (IsWDSuspendedExt: 5 frozen, 3 running) and its qlist health. Parsed from untrusted output: a
 * missing, cut or malformed answer is 'unknown' with a problem saying why, never a guess of 'running'.
 */
import type { RunScriptResult } from '../azure/vmCommandGateway';

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
  problems: string[];
}

/** Implemented by the frozen-check parser (helper); see the file comment. */
export declare function frozenCheckOf(result: RunScriptResult): FrozenCheck;
