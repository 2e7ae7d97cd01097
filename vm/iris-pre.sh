#!/bin/sh
# shellcheck shell=dash
# iris-backup-guard: pre v1
# Azure Backup pre-script for InterSystems IRIS (iris) and Caché (ccontrol/csession).
# Freezes every running instance with Backup.General.ExternalFreeze before the VM snapshot. The VMSnapshotLinux
# extension runs it as `sh iris-pre.sh [params]` (dash on Debian/Ubuntu) and counts only exit 0 as success.
# Rules that keep IRIS from being left frozen:
#   - the traps are set before anything that can fail; nothing here uses a special builtin (`:`, `exec`…) with a
#     redirection, which would end dash; logging can never end the script;
#   - before each ExternalFreeze call the instance is recorded durably as attempted (state file, written atomically);
#     if that cannot be written, nothing is frozen (exit 76); the post-script thaws every attempted instance that
#     IsWDSuspendedExt reports as suspended, also when this script was killed in the middle;
#   - on any failure or signal it thaws what it attempted (explicitly, and from the EXIT trap);
#   - it writes only into its own directories, and only when they are real directories owned by root (by the
#     current user in tests) that no one else can write to, never through a symlink (exit 76/77 otherwise).
# It writes only to its own log: the extension pipes stdout and never reads it, so stdout/stderr go to /dev/null.
#
# Instances: IBG_INSTANCES="A B" if set, else the non-empty arguments, else every running instance in qlist.
# IBG_ROOT prefixes every file path (empty on a real VM; set by tests and the sandbox).
# State for the post-script: $STATE_FILE (phase, run id, pid, attempted, frozen, attempt_until).
set -eu

readonly FREEZE_ATTEMPT_TIMEOUT=30
# Bounds of the other IRIS calls and the grace before `timeout` sends KILL. The worst case for two instances,
# 2*(15+35) s to freeze plus 2*(15+35+15) s to undo it, 230 s, stays below the config's timeoutInSeconds (300), so
# the extension never gives up on us while we still run (it would not kill us, and a late freeze could land after
# the post-script's thaw).
readonly STATUS_TIMEOUT=10 THAW_TIMEOUT=30 KILL_AFTER=5
# ExternalFreezeTimeOut: after this long IRIS pauses all user processes, not just database writes (default 600).
# WDSuspendLimit: IRIS resumes the write daemon by itself after this long, should the post-script never run.
# A snapshot window is seconds long (poll 1 s, fsfreeze <= 60 s), so 300 s only fires when something is broken;
# the post-script then reports the early resume as a failure. Values as in InterSystems' own AWS template.
readonly EXTERNAL_FREEZE_TIMEOUT=600 WD_SUSPEND_LIMIT=300
readonly EX_OK=0 EX_UNAVAILABLE=69 EX_FREEZE_FAILED=70 EX_ALREADY_FROZEN=71 EX_NOT_RUNNING=72 EX_THAW_FAILED=73
readonly EX_NO_STATE=76 EX_NO_LOG=77
readonly IRIS_OK=5 IRIS_FAILED=3
readonly LOG_DIR="${IBG_ROOT:-}/var/log/iris-backup-guard"
readonly LOG_FILE="${IBG_ROOT:-}/var/log/iris-backup-guard/freeze-thaw.log"
readonly STATE_DIR="${IBG_ROOT:-}/var/lib/iris-backup-guard"
readonly STATE_FILE="${IBG_ROOT:-}/var/lib/iris-backup-guard/freeze-state"

RUN_ID="unknown-$$"
LOG_OK=0
MY_UID=""
LAST_TS=""
ATTEMPTED=""
FROZEN=""
ATTEMPT_UNTIL=""
FINISHED=0
RC=0
OUT_PATH=/dev/null
COMMAS=""
FLAVOUR=""
CONTROL=""
SESSION=""
TIMEOUT_BIN=""

# log LEVEL EVENT [key=value ...]: one structured line in our own log; never fails, never ends the script.
log() {
  [ "$LOG_OK" -eq 1 ] || return 0
  _level=$1
  _event=$2
  shift 2
  _ts="$(date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)" || _ts=""
  case "$_ts" in
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z) LAST_TS=$_ts ;;
    *) _ts="${LAST_TS:-1970-01-01T00:00:00Z}" ;;
  esac
  _line="$_ts level=$_level script=pre event=$_event run=$RUN_ID${*:+ $*}"
  printf '%s\n' "$_line" >>"$LOG_FILE" 2>/dev/null || return 0
}

# safe_dir DIR: DIR is (or is created as) a real directory, not a symlink, owned by us (MY_UID: root on a VM), and
# neither group- nor world-writable. Only then do we write into it as root.
safe_dir() {
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then
    { mkdir -p "${1%/*}" && mkdir -m 700 "$1"; } 2>/dev/null || return 1
  fi
  [ -d "$1" ] && [ ! -L "$1" ] || return 1
  [ -n "$MY_UID" ] || return 1
  _ls="$(ls -ldn "$1" 2>/dev/null)" || return 1
  # shellcheck disable=SC2086 # split the ls line into fields
  set -- $_ls
  [ "$#" -ge 3 ] && [ "$3" = "$MY_UID" ] || return 1
  case "$1" in
    d????[!w]??[!w]*) return 0 ;;
  esac
  return 1
}

# safe_file FILE: FILE does not exist, or is a regular file (not a symlink) owned by us.
safe_file() {
  [ ! -L "$1" ] || return 1
  [ -e "$1" ] || return 0
  [ -f "$1" ] || return 1
  [ -n "$MY_UID" ] || return 1
  _ls="$(ls -ln "$1" 2>/dev/null)" || return 1
  # shellcheck disable=SC2086 # split the ls line into fields
  set -- $_ls
  [ "$#" -ge 3 ] && [ "$3" = "$MY_UID" ]
}

# write_state PHASE: records the state atomically (temp file in the same directory, then mv). Returns non-zero when
# it could not be recorded; the callers refuse to freeze (or undo the freeze) then.
write_state() {
  safe_dir "$STATE_DIR" && safe_file "$STATE_FILE" || return 1
  rm -f "$STATE_FILE.tmp" 2>/dev/null || return 1
  [ ! -e "$STATE_FILE.tmp" ] && [ ! -L "$STATE_FILE.tmp" ] || return 1
  _nl='
'
  _body="phase=$1${_nl}run=$RUN_ID${_nl}pid=$$${_nl}attempted=$ATTEMPTED${_nl}"
  _body="${_body}frozen=$FROZEN${_nl}attempt_until=$ATTEMPT_UNTIL"
  printf '%s\n' "$_body" >"$STATE_FILE.tmp" 2>/dev/null || return 1
  mv -f "$STATE_FILE.tmp" "$STATE_FILE" 2>/dev/null || return 1
}

# Finds the command set: iris (IRIS), else ccontrol + csession (Caché). Sets FLAVOUR, CONTROL, SESSION.
find_iris() {
  if CONTROL="$(command -v iris)"; then
    FLAVOUR=iris SESSION=$CONTROL
  elif CONTROL="$(command -v ccontrol)" && SESSION="$(command -v csession)"; then
    FLAVOUR=cache
  else
    return 1
  fi
  TIMEOUT_BIN="$(command -v timeout)" || {
    TIMEOUT_BIN=""
    log warn no-timeout-command
  }
}

# out_file NAME: sets OUT_PATH to where the raw output of an IRIS call goes: $LOG_DIR/NAME when that is safe and
# writable, else /dev/null.
out_file() {
  OUT_PATH="$LOG_DIR/$1"
  # A one-byte test write: on a full or read-only file system the call's output goes to /dev/null instead, so a
  # failing write can never get in the way of the call itself. The call's own redirection truncates it again.
  if [ "$LOG_OK" -eq 1 ] && safe_file "$OUT_PATH" && (printf '\n' >"$OUT_PATH") 2>/dev/null; then return 0; fi
  OUT_PATH=/dev/null
}

# bounded SECONDS OUTNAME CMD...: runs CMD with stdin closed, output to out_file OUTNAME, within SECONDS; sets RC.
bounded() {
  _secs=$1
  out_file "$2"
  _out=$OUT_PATH
  shift 2
  [ -z "$TIMEOUT_BIN" ] || set -- "$TIMEOUT_BIN" -k "$KILL_AFTER" "$_secs" "$@"
  set +e
  "$@" </dev/null >"$_out" 2>&1
  RC=$?
  set -e
}

# iris_call INSTANCE SECONDS METHOD CODE: one ObjectScript call in %SYS; output in last-<method>-<instance>.out.
iris_call() {
  if [ "$FLAVOUR" = iris ]; then
    bounded "$2" "last-$3-$1.out" "$SESSION" session "$1" -U%SYS "$4"
  else
    bounded "$2" "last-$3-$1.out" "$SESSION" "$1" -U%SYS "$4"
  fi
}

wd_status() { iris_call "$1" "$STATUS_TIMEOUT" iswdsuspendedext '##Class(Backup.General).IsWDSuspendedExt()'; }

# running_instances: sets NAMES to the instances qlist lists as running. The output is read into the shell (not
# from a file, so a full or read-only log file system cannot hide an instance) and kept in last-qlist.out if possible.
running_instances() {
  NAMES=""
  set -- "$CONTROL" qlist
  [ -z "$TIMEOUT_BIN" ] || set -- "$TIMEOUT_BIN" -k "$KILL_AFTER" "$STATUS_TIMEOUT" "$@"
  _q="$("$@" </dev/null 2>/dev/null)" && RC=0 || RC=$?
  out_file last-qlist.out
  [ "$OUT_PATH" = /dev/null ] || printf '%s\n' "$_q" >"$OUT_PATH" 2>/dev/null || :
  [ "$RC" -eq 0 ] || return 0
  while IFS='^' read -r _name _dir _version _status _rest; do
    case "$_status" in running*) NAMES="${NAMES:+$NAMES }$_name" ;; esac
  done <<EOF
$_q
EOF
}

# Undoes every freeze this run attempted: an instance IsWDSuspendedExt reports as running (3) is dropped; one that
# is suspended, or whose status cannot be read, gets ExternalThaw. What cannot be confirmed thawed stays in
# ATTEMPTED (and the state) for the post-script.
thaw_attempted() {
  # Before find_iris (leftovers carried over, then an early failure): find the commands first; without them the
  # instances stay listed.
  [ -n "$FLAVOUR" ] || find_iris || return 0
  _left=""
  for _inst in $ATTEMPTED; do
    wd_status "$_inst"
    if [ "$RC" -eq "$IRIS_FAILED" ]; then
      log info not-suspended "instance=$_inst"
      continue
    fi
    iris_call "$_inst" "$THAW_TIMEOUT" externalthaw '##Class(Backup.General).ExternalThaw()'
    _thaw_rc=$RC
    [ "$_thaw_rc" -eq "$IRIS_OK" ] || wd_status "$_inst"
    if [ "$_thaw_rc" -eq "$IRIS_OK" ] || [ "$RC" -eq "$IRIS_FAILED" ]; then
      log info thawed "instance=$_inst" "rc=$_thaw_rc"
    else
      log error thaw-failed "instance=$_inst" "rc=$_thaw_rc"
      _left="${_left:+$_left }$_inst"
    fi
  done
  ATTEMPTED=$_left
  FROZEN=$_left
}

# cleanup: thaws and records the outcome; returns the exit code to use instead of $1 when something stays frozen.
cleanup() {
  _code=$1
  thaw_attempted
  [ -z "$ATTEMPTED" ] || _code=$EX_THAW_FAILED
  # If this write fails, the last state (phase pre-running, attempted=…) stays and the post-script cleans up.
  write_state pre-failed || log error state-write-failed "file=$STATE_FILE"
  CLEANUP_CODE=$_code
}

# fail CODE EVENT [key=value ...]: logs, thaws what this run attempted, records the outcome and exits.
fail() {
  trap '' HUP INT TERM
  _fail_code=$1
  shift
  log error "$@"
  cleanup "$_fail_code"
  FINISHED=1
  commas "${ATTEMPTED:-none}"
  log error finished "rc=$CLEANUP_CODE" "still_frozen=$COMMAS"
  exit "$CLEANUP_CODE"
}

# Anything that ends the script early (set -e, a signal turned into an exit) still thaws.
# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  _rc=$?
  [ "$FINISHED" -eq 0 ] || return 0
  set +e
  trap '' HUP INT TERM
  FINISHED=1
  log error unexpected-exit "rc=$_rc"
  [ "$_rc" -ne 0 ] || _rc=$EX_FREEZE_FAILED
  cleanup "$_rc"
  commas "${ATTEMPTED:-none}"
  log error finished "rc=$CLEANUP_CODE" "still_frozen=$COMMAS"
  exit "$CLEANUP_CODE"
}

freeze_one() {
  _inst=$1
  wd_status "$_inst"
  case "$RC" in
    "$IRIS_FAILED") ;;
    "$IRIS_OK") fail "$EX_ALREADY_FROZEN" already-frozen "instance=$_inst" ;;
    *) fail "$EX_NOT_RUNNING" status-failed "instance=$_inst" "rc=$RC" ;;
  esac
  # Record the attempt durably before the call: a signal or KILL during the call must not leave an unknown freeze.
  _now="$(date +%s 2>/dev/null)" || _now=""
  case "$_now" in
    '' | *[!0-9]*) ATTEMPT_UNTIL="" ;;
    *) ATTEMPT_UNTIL=$((_now + FREEZE_ATTEMPT_TIMEOUT + KILL_AFTER + 1)) ;;
  esac
  _was_attempted=$ATTEMPTED
  case " $ATTEMPTED " in *" $_inst "*) ;; *) ATTEMPTED="${ATTEMPTED:+$ATTEMPTED }$_inst" ;; esac
  if ! write_state pre-running; then
    ATTEMPTED=$_was_attempted
    fail "$EX_NO_STATE" state-write-failed "file=$STATE_FILE" "instance=$_inst"
  fi
  log info freeze-attempt "instance=$_inst" "until=${ATTEMPT_UNTIL:-unknown}"
  iris_call "$_inst" "$FREEZE_ATTEMPT_TIMEOUT" externalfreeze \
    "##Class(Backup.General).ExternalFreeze(\"\",,,,,,$EXTERNAL_FREEZE_TIMEOUT,,,$WD_SUSPEND_LIMIT)"
  _freeze_rc=$RC
  _freeze_out=$OUT_PATH
  ATTEMPT_UNTIL=""
  # Any other answer (3, a hung or killed call) may still have suspended the system: the clean-up checks and thaws.
  [ "$_freeze_rc" -eq "$IRIS_OK" ] || fail "$EX_FREEZE_FAILED" freeze-failed "instance=$_inst" "rc=$_freeze_rc"
  FROZEN="${FROZEN:+$FROZEN }$_inst"
  write_state pre-running || fail "$EX_NO_STATE" state-write-failed "file=$STATE_FILE" "instance=$_inst"
  _journal=""
  if [ "$_freeze_out" != /dev/null ]; then
    _journal="$(sed -n 's/.*journal file: *\([^ ]*\).*/\1/p' "$_freeze_out" 2>/dev/null | tail -n 1 2>/dev/null)" ||
      _journal=""
  fi
  log info frozen "instance=$_inst" "journal=${_journal:-unknown}"
}

# commas "A B": A,B (no external command).
commas() {
  COMMAS=""
  for _w in $1; do COMMAS="${COMMAS:+$COMMAS,}$_w"; done
}

# carry_leftovers: instances an earlier run attempted and could not confirm thawed (its state still lists them as
# attempted) stay ours: they go into ATTEMPTED, so this run's clean-up or the post-script thaws them if suspended.
# Read with the shell's own `read`; a state we cannot read carries nothing over.
carry_leftovers() {
  [ -f "$STATE_FILE" ] && [ ! -L "$STATE_FILE" ] || return 0
  _old=""
  {
    while IFS= read -r _line || [ -n "$_line" ]; do
      case "$_line" in attempted=* | frozen=*) _old="$_old ${_line#*=}" ;; esac
    done <"$STATE_FILE"
  } 2>/dev/null || return 0
  for _n in $_old; do
    case "$_n" in *[!A-Za-z0-9_-]*) continue ;; esac
    case " $ATTEMPTED " in *" $_n "*) continue ;; esac
    ATTEMPTED="${ATTEMPTED:+$ATTEMPTED }$_n"
  done
  [ -z "$ATTEMPTED" ] || log warn leftover "instances=$ATTEMPTED"
}

# split_names TEXT: the instance names in TEXT (separated by spaces or commas), space-separated, without subshells.
split_names() {
  NAMES=""
  _ifs=$IFS
  IFS=', 	'
  set -f
  # shellcheck disable=SC2086 # split on IFS on purpose
  set -- $1
  set +f
  IFS=$_ifs
  for _n in "$@"; do
    NAMES="${NAMES:+$NAMES }$_n"
  done
}

main() {
  umask 077
  MY_UID="$(id -u 2>/dev/null)" || MY_UID=""
  RUN_ID="$(date -u +%Y%m%dT%H%M%SZ 2>/dev/null)-$$" || RUN_ID="unknown-$$"
  if safe_dir "$LOG_DIR" && safe_file "$LOG_FILE"; then LOG_OK=1; fi
  # Without a log we could not tell anyone what we froze: refuse before freezing anything.
  [ "$LOG_OK" -eq 1 ] || fail "$EX_NO_LOG" log-unusable "dir=$LOG_DIR"
  log info start "pid=$$"
  carry_leftovers
  write_state pre-running || fail "$EX_NO_STATE" state-write-failed "file=$STATE_FILE"
  find_iris || fail "$EX_UNAVAILABLE" no-iris-command
  _raw="${IBG_INSTANCES:-}"
  [ -n "$_raw" ] || _raw="$*"
  split_names "$_raw"
  [ -n "$NAMES" ] || running_instances
  _instances=$NAMES
  [ -n "$_instances" ] || fail "$EX_UNAVAILABLE" no-running-instance
  for _inst in $_instances; do
    case "$_inst" in
      *[!A-Za-z0-9_-]*) fail "$EX_NOT_RUNNING" bad-instance-name ;;
    esac
  done
  commas "$_instances"
  log info instances "flavour=$FLAVOUR" "names=$COMMAS"
  for _inst in $_instances; do
    freeze_one "$_inst"
  done
  # Everything is frozen and recorded as attempted: a signal from here on must not turn success into a failure that
  # leaves IRIS frozen (the post-script thaws it either way).
  trap '' HUP INT TERM
  write_state frozen || fail "$EX_NO_STATE" state-write-failed "file=$STATE_FILE"
  FINISHED=1
  commas "$FROZEN"
  log info finished "rc=$EX_OK" "frozen=$COMMAS"
  exit "$EX_OK"
}

# Traps first: nothing above this line can fail, and from here on every exit goes through on_exit.
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
CLEANUP_CODE=0
NAMES=""
main "$@" </dev/null >/dev/null 2>&1
