#!/bin/sh
# shellcheck shell=dash
# iris-backup-guard: pre v1
# Azure Backup pre-script for InterSystems IRIS (iris) and Caché (ccontrol/csession).
# Freezes every running instance with Backup.General.ExternalFreeze before the VM snapshot. The VMSnapshotLinux
# extension runs it as `sh iris-pre.sh [params]` (dash on Debian/Ubuntu) and counts only exit 0 as success.
# On any failure it thaws every instance it froze (explicitly, and from the EXIT trap should anything else stop it).
# It writes only to its own log: the extension pipes stdout and never reads it.
#
# Instances: IBG_INSTANCES="A B" if set, else the non-empty arguments, else every running instance in qlist.
# IBG_ROOT prefixes every file path (empty on a real VM; set by tests and the sandbox).
# State for the post-script: $STATE_FILE (phase, run id, pid, instances this run froze and has not thawed).
set -eu

readonly FREEZE_ATTEMPT_TIMEOUT=30
# Bounds of the other IRIS calls and the grace before `timeout` sends KILL. The worst case for two instances,
# 2*(10+35) + 10 + 2*35 s, stays below the config's timeoutInSeconds (300), so the extension never gives up on us
# while we still run (it would not kill us, and a late freeze could land after the post-script's thaw).
readonly STATUS_TIMEOUT=10 THAW_TIMEOUT=30 KILL_AFTER=5
# ExternalFreezeTimeOut: after this long IRIS pauses all user processes, not just database writes (default 600).
# WDSuspendLimit: IRIS resumes the write daemon by itself after this long, should the post-script never run.
# A snapshot window is seconds long (poll 1 s, fsfreeze <= 60 s), so 300 s only fires when something is broken;
# the post-script then reports the early resume as a failure. Values as in InterSystems' own AWS template.
readonly EXTERNAL_FREEZE_TIMEOUT=600 WD_SUSPEND_LIMIT=300
readonly EX_OK=0 EX_UNAVAILABLE=69 EX_FREEZE_FAILED=70 EX_ALREADY_FROZEN=71 EX_NOT_RUNNING=72 EX_THAW_FAILED=73
readonly IRIS_OK=5 IRIS_FAILED=3
readonly LOG_DIR="${IBG_ROOT:-}/var/log/iris-backup-guard"
readonly LOG_FILE="${IBG_ROOT:-}/var/log/iris-backup-guard/freeze-thaw.log"
readonly STATE_DIR="${IBG_ROOT:-}/var/lib/iris-backup-guard"
readonly STATE_FILE="${IBG_ROOT:-}/var/lib/iris-backup-guard/freeze-state"

RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)-$$"
FROZEN=""
FINISHED=0
RC=0

# log LEVEL EVENT [key=value ...]: one structured line in our own log.
log() {
  _level=$1
  _event=$2
  shift 2
  _line="$(date -u +%Y-%m-%dT%H:%M:%SZ) level=$_level script=pre event=$_event run=$RUN_ID${*:+ $*}"
  printf '%s\n' "$_line" >>"$LOG_FILE" 2>/dev/null || :
}

write_state() {
  { printf 'phase=%s\nrun=%s\npid=%s\nfrozen=%s\n' "$1" "$RUN_ID" "$$" "$FROZEN" >"$STATE_FILE.tmp" &&
    mv -f "$STATE_FILE.tmp" "$STATE_FILE"; } 2>/dev/null || log error state-write-failed "file=$STATE_FILE"
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
  TIMEOUT_BIN="$(command -v timeout)" || { TIMEOUT_BIN="" && log warn no-timeout-command; }
}

# bounded SECONDS OUTFILE CMD...: runs CMD with stdin closed, output to OUTFILE, within SECONDS; sets RC.
bounded() {
  _secs=$1
  _out=$2
  shift 2
  [ -z "$TIMEOUT_BIN" ] || set -- "$TIMEOUT_BIN" -k "$KILL_AFTER" "$_secs" "$@"
  set +e
  "$@" </dev/null >"$_out" 2>&1
  RC=$?
  set -e
}

# iris_call INSTANCE SECONDS CODE: one ObjectScript call in %SYS; output in $LOG_DIR/last-<method>-<instance>.out.
iris_call() {
  _what=$(printf '%s' "$3" | sed 's/.*)\.\([A-Za-z]*\)(.*/\1/' | tr '[:upper:]' '[:lower:]')
  if [ "$FLAVOUR" = iris ]; then
    bounded "$2" "$LOG_DIR/last-$_what-$1.out" "$SESSION" session "$1" -U%SYS "$3"
  else
    bounded "$2" "$LOG_DIR/last-$_what-$1.out" "$SESSION" "$1" -U%SYS "$3"
  fi
}

wd_status() { iris_call "$1" "$STATUS_TIMEOUT" '##Class(Backup.General).IsWDSuspendedExt()'; }

running_instances() {
  bounded "$STATUS_TIMEOUT" "$LOG_DIR/last-qlist.out" "$CONTROL" qlist
  [ "$RC" -eq 0 ] || return 0
  awk -F '^' '$4 ~ /^running/ { print $1 }' "$LOG_DIR/last-qlist.out"
}

# Thaws everything this run froze; what cannot be thawed stays in FROZEN (and the state) for the post-script.
thaw_frozen() {
  _left=""
  for _inst in $FROZEN; do
    iris_call "$_inst" "$THAW_TIMEOUT" '##Class(Backup.General).ExternalThaw()'
    _thaw_rc=$RC
    [ "$_thaw_rc" -eq "$IRIS_OK" ] || wd_status "$_inst"
    if [ "$_thaw_rc" -eq "$IRIS_OK" ] || [ "$RC" -eq "$IRIS_FAILED" ]; then
      log info thawed "instance=$_inst" "rc=$_thaw_rc"
    else
      log error thaw-failed "instance=$_inst" "rc=$_thaw_rc"
      _left="$_left $_inst"
    fi
  done
  FROZEN="${_left# }"
}

# fail CODE EVENT [key=value ...]: logs, thaws what this run froze, records the outcome and exits.
fail() {
  _code=$1
  shift
  log error "$@"
  thaw_frozen
  [ -z "$FROZEN" ] || _code=$EX_THAW_FAILED
  write_state pre-failed
  FINISHED=1
  log error finished "rc=$_code" "still_frozen=${FROZEN:-none}"
  exit "$_code"
}

# Anything that ends the script early (set -e, a signal) still thaws.
# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  _rc=$?
  [ "$FINISHED" -eq 0 ] || return 0
  set +e
  FINISHED=1
  log error unexpected-exit "rc=$_rc"
  thaw_frozen
  write_state pre-failed
  [ "$_rc" -ne 0 ] || _rc=$EX_FREEZE_FAILED
  exit "$_rc"
}

freeze_one() {
  _inst=$1
  wd_status "$_inst"
  case "$RC" in
    "$IRIS_FAILED") ;;
    "$IRIS_OK") fail "$EX_ALREADY_FROZEN" already-frozen "instance=$_inst" ;;
    *) fail "$EX_NOT_RUNNING" status-failed "instance=$_inst" "rc=$RC" ;;
  esac
  iris_call "$_inst" "$FREEZE_ATTEMPT_TIMEOUT" \
    "##Class(Backup.General).ExternalFreeze(\"\",,,,,,$EXTERNAL_FREEZE_TIMEOUT,,,$WD_SUSPEND_LIMIT)"
  _freeze_rc=$RC
  if [ "$_freeze_rc" -ne "$IRIS_OK" ]; then
    # A hung or killed call may still have suspended the system: thaw it too unless IRIS says it is running.
    wd_status "$_inst"
    [ "$RC" -eq "$IRIS_FAILED" ] || FROZEN="${FROZEN:+$FROZEN }$_inst"
    fail "$EX_FREEZE_FAILED" freeze-failed "instance=$_inst" "rc=$_freeze_rc"
  fi
  FROZEN="${FROZEN:+$FROZEN }$_inst"
  write_state pre-running
  _journal="$(sed -n 's/.*journal file: *\([^ ]*\).*/\1/p' "$LOG_DIR/last-externalfreeze-$_inst.out" | tail -n 1)"
  log info frozen "instance=$_inst" "journal=${_journal:-unknown}"
}

main() {
  umask 077
  mkdir -p "$LOG_DIR" "$STATE_DIR" 2>/dev/null || :
  # Stray output (a command's complaint) goes to our log, never to the extension's unread pipe.
  if : >>"$LOG_FILE" 2>/dev/null; then exec >>"$LOG_FILE" 2>&1; else exec >/dev/null 2>&1; fi
  trap on_exit EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log info start "pid=$$"
  write_state pre-running
  find_iris || fail "$EX_UNAVAILABLE" no-iris-command
  _instances="${IBG_INSTANCES:-}"
  if [ -z "$_instances" ]; then
    for _arg in "$@"; do _instances="$_instances $_arg"; done
  fi
  _instances="$(printf '%s' "$_instances" | tr ',' ' ' | tr -s ' ' | sed 's/^ //;s/ $//')"
  [ -n "$_instances" ] || _instances="$(running_instances | tr '\n' ' ' | sed 's/ $//')"
  [ -n "$_instances" ] || fail "$EX_UNAVAILABLE" no-running-instance
  for _inst in $_instances; do
    case "$_inst" in
      *[!A-Za-z0-9_-]*) fail "$EX_NOT_RUNNING" bad-instance-name ;;
    esac
  done
  log info instances "flavour=$FLAVOUR" "names=$(printf '%s' "$_instances" | tr ' ' ',')"
  for _inst in $_instances; do
    freeze_one "$_inst"
  done
  write_state frozen
  FINISHED=1
  log info finished "rc=$EX_OK" "frozen=$(printf '%s' "$FROZEN" | tr ' ' ',')"
  exit "$EX_OK"
}

main "$@"
