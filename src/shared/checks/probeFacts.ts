/**
 * What the read-only probe (`vm/probe.sh`) reports about one VM.
 *
 * The probe prints exactly one line, `IBG_PROBE_V1 <json>`, and keeps the whole line under
 * PROBE_OUTPUT_BUDGET_BYTES because managed Run Command keeps only the last 4 KiB of stdout.
 * Everything here came from a VM and is untrusted: `parseProbeOutput` validates it field by field.
 * Paths are as the VM sees them (without the `--root`/`IBG_ROOT` prefix used for image checks).
 */
export const PROBE_MARKER = 'IBG_PROBE_V1';
export const PROBE_OUTPUT_BUDGET_BYTES = 4000;

export interface ProbeFileFacts {
  path: string;
  /** `-e` after following symlinks. */
  exists: boolean;
  /** `-f` after following symlinks (what the extension's `os.path.isfile` sees). */
  isFile: boolean;
  isLink?: boolean;
  /**
   * The symlink's target as written (when the path itself is a link). Under a root (`check --root`) the target is
   * looked up inside the root, never on the host running the probe.
   */
  linkTarget?: string;
  /** Owner *name* of the link target (`stat -L -c %U`); the extension compares the name with "root". */
  owner?: string;
  /** Octal permission bits of the link target as `stat -L -c %a` prints them, e.g. "600", "4700". */
  mode?: string;
  size?: number;
  readable?: boolean;
}

export interface ProbeTextFileFacts extends ProbeFileFacts {
  /** Content (JSON-escaped by the probe), capped; `truncated` says whether it was cut. */
  text?: string;
  truncated?: boolean;
  /** Starts with the UTF-8 byte order mark EF BB BF. */
  bom?: boolean;
}

/** Ids of the bash-only constructs the probe greps for (the extension runs scripts with `sh`, dash on Debian/Ubuntu). */
export type BashismId =
  | 'double-bracket'
  | 'function-keyword'
  | 'pipe-ampersand'
  | 'array'
  | 'process-substitution'
  | 'source'
  | 'double-equals'
  | 'echo-e'
  | 'pipestatus'
  | 'let'
  | 'declare';

export interface ProbeScriptFacts extends ProbeFileFacts {
  /** First line, at most 80 characters (the shebang, which the extension ignores). */
  firstLine?: string;
  /** Any line ends in CR. */
  crlf?: boolean;
  bashisms?: BashismId[];
  /** The script re-executes itself under bash when started by sh (`[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"`). */
  reexecsBash?: boolean;
  /** Value of our marker line `# iris-backup-guard: <role> v<N>`, e.g. "pre v1"; absent for other scripts. */
  ibgScript?: string;
  /** Occurrences of ExternalFreeze / ExternalThaw. */
  freezeCalls?: number;
  thawCalls?: number;
  /** First line that calls ExternalFreeze, trimmed, at most 160 characters. */
  freezeCall?: string;
  /** Seconds the script bounds its freeze attempt by (our scripts' `FREEZE_ATTEMPT_TIMEOUT=`), if found. */
  freezeAttemptTimeout?: number;
  /** The script compares an exit status with 5 (`-eq 5`, `= 5`, `"5"`, or a `5)` case label). */
  checksFive?: boolean;
  /** Up to 4 `exit …` statements, trimmed, at most 60 characters each. */
  exitLines?: string[];
  /** Lines that write to stdout: `echo`/`printf`/`tee` without a redirection to a file on the same line. */
  stdoutWrites?: number;
  setE?: boolean;
  trap?: boolean;
}

export interface ProbeWdState {
  instance: string;
  /** Exit status of `Backup.General.IsWDSuspendedExt()`: 5 = write daemon suspended (frozen), 3 = running. */
  rc: number;
}

export interface ProbeIrisFacts {
  /** An `iris` (IRIS) or `ccontrol` (Caché) command was found on PATH or in the usual places. */
  present: boolean;
  command?: 'iris' | 'ccontrol';
  /** Raw `iris qlist` output, capped. */
  qlist?: string;
  wd?: ProbeWdState[];
}

export interface ProbeLogTail {
  path: string;
  exists: boolean;
  /** The relevant lines, oldest first, each at most 300 characters. */
  lines: string[];
  truncated?: boolean;
}

/** The VM's time zone, for logs written in its local time (IRIS's messages.log, iris.md §5). */
export interface ProbeTimeZone {
  /** IANA name when known (TZ, the /etc/localtime link, /etc/timezone), e.g. "Europe/Berlin". */
  name?: string;
  /** Where the zone came from: TZ, localtime, timezone, system (the VM's own default) or default (UTC, a root without one). */
  source: string;
  /** Minutes east of UTC when the probe ran (`date +%z`). */
  offsetMinutes?: number;
  /** Minutes east of UTC at IBG_PROBE_SINCE (logs mode); differs from `offsetMinutes` across a DST change. */
  sinceOffsetMinutes?: number;
}

export interface ProbeFacts {
  v: 1;
  /** `check`: setup facts and short log tails; `logs`: the log lines since `since`, for a backup verdict. */
  mode: 'check' | 'logs';
  /** The VM's clock, ISO 8601 UTC. */
  at: string;
  /** Absent from probes older than the zone report: their messages.log times were taken as UTC. */
  tz?: ProbeTimeZone;
  hostConf: ProbeTextFileFacts;
  config: ProbeTextFileFacts;
  pre?: ProbeScriptFacts;
  post?: ProbeScriptFacts;
  workloadConf: ProbeTextFileFacts;
  vmbackupConf: ProbeTextFileFacts;
  /** Installed VMSnapshotLinux extension directory names under /var/lib/waagent. */
  extension: { versions: string[] };
  iris: ProbeIrisFacts;
  logs: {
    extension?: ProbeLogTail;
    /** Our hardened scripts' log (/var/log/iris-backup-guard/freeze-thaw.log). */
    scripts?: ProbeLogTail;
    /** Other script logs named in the scripts (e.g. the Microsoft sample's log), first one found. */
    otherScriptLog?: ProbeLogTail;
    messages?: ProbeLogTail;
  };
  /** Sections the probe shortened or dropped to stay within its output budget. */
  dropped?: string[];
}
