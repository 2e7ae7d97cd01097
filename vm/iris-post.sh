#!/bin/sh
# shellcheck shell=dash
# iris-backup-guard: post v1
# Azure Backup post-script for InterSystems IRIS (iris) and Caché (ccontrol/csession).
# Thaws, with Backup.General.ExternalThaw, the instances iris-pre.sh attempted to freeze (its state file lists them
# before each ExternalFreeze call): each one IsWDSuspendedExt reports as suspended, or whose status cannot be read,
# gets ExternalThaw (retried once). It never thaws an instance the pre-script did not try to freeze.
# The extension runs it after the snapshot and also after a failed or timed-out pre-script (vmsnapshot.md §3.5):
#   - pre froze and all is well: thaw each instance; exit 0 only if each was still suspended and thawed.
#   - an instance was no longer suspended (WDSuspendLimit fired, or someone thawed it): the snapshot may not be
#     IRIS-consistent, so exit non-zero (EX_AUTO_THAWED) and say so in the log.
#   - pre failed, or was killed: it thawed what it could; we thaw what is left. Exit 0, unless something is still
#     suspended and cannot be thawed. This keeps Post-ScriptExecutionFailed meaning "IRIS may still be frozen or the
#     freeze ended too early" (or, with 76/77 only, "IRIS is thawed but our state or log could not be written").
#   - no state (the pre-script never ran): nothing of ours to thaw; exit 0. We never thaw a freeze we did not make.
# Thawing never depends on the log: with an unusable or unsafe log directory it thaws without logging and reports
# that with exit 77 (when nothing worse happened). Traps are set before anything that can fail; no special builtin
# is used with a redirection. IBG_ROOT prefixes every file path (empty on a real VM).
set -eu

# Bounds as in iris-pre.sh; PRE_WAIT covers a pre-script that is still running (the extension never kills it).
readonly STATUS_TIMEOUT=10 THAW_TIMEOUT=30 KILL_AFTER=5 PRE_WAIT=60
readonly EX_OK=0 EX_UNAVAILABLE=69 EX_THAW_FAILED=73 EX_AUTO_THAWED=74 EX_PRE_RUNNING=75
readonly EX_NO_STATE=76 EX_NO_LOG=77
readonly IRIS_OK=5 IRIS_FAILED=3
readonly LOG_DIR="${IBG_ROOT:-}/var/log/iris-backup-guard"
readonly LOG_FILE="${IBG_ROOT:-}/var/log/iris-backup-guard/freeze-thaw.log"
readonly STATE_DIR="${IBG_ROOT:-}/var/lib/iris-backup-guard"
readonly STATE_FILE="${IBG_ROOT:-}/var/lib/iris-backup-guard/freeze-state"

RUN_ID="none"
LOG_OK=0
MY_UID=""
LOG_FAILED=0
LAST_TS=""
FINISHED=0
RC=0
OUT_PATH=/dev/null
COMMAS=""
FLAVOUR=""
CONTROL=""
SESSION=""
TIMEOUT_BIN=""
PHASE=""
TARGETS=""
PRE_FROZEN=""
S_PHASE="" S_RUN="" S_PID="" S_ATTEMPTED="" S_FROZEN="" S_UNTIL=""
DONE=0
CODE=0
LEFT=""

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
  _line="$_ts level=$_level script=post event=$_event run=$RUN_ID${*:+ $*}"
  printf '%s\n' "$_line" >>"$LOG_FILE" 2>/dev/null || LOG_FAILED=1
}

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

# has "A B" WORD: whether WORD is in the list.
has() {
  case " $1 " in *" $2 "*) return 0 ;; esac
  return 1
}

commas() {
  COMMAS=""
  for _w in $1; do COMMAS="${COMMAS:+$COMMAS,}$_w"; done
}

# read_state: loads the pre-script's state file into S_PHASE, S_RUN, S_PID, S_ATTEMPTED, S_FROZEN, S_UNTIL with the
# shell's own `read`, so no failing command can make us miss what to thaw. It is read even from an unsafe place
# (reading cannot hurt, and thawing what the pre-script attempted matters most); we never write there then.
read_state() {
  S_PHASE="" S_RUN="" S_PID="" S_ATTEMPTED="" S_FROZEN="" S_UNTIL=""
  [ -f "$STATE_FILE" ] || return 0
  {
    while IFS= read -r _line || [ -n "$_line" ]; do
      case "$_line" in
        phase=*) S_PHASE=${_line#phase=} ;;
        run=*) S_RUN=${_line#run=} ;;
        pid=*) S_PID=${_line#pid=} ;;
        attempted=*) S_ATTEMPTED=${_line#attempted=} ;;
        frozen=*) S_FROZEN=${_line#frozen=} ;;
        attempt_until=*) S_UNTIL=${_line#attempt_until=} ;;
      esac
    done <"$STATE_FILE"
  } 2>/dev/null || return 0
}

# write_state PHASE LEFT: records the outcome atomically; non-zero when it could not.
write_state() {
  safe_dir "$STATE_DIR" && safe_file "$STATE_FILE" || return 1
  rm -f "$STATE_FILE.tmp" 2>/dev/null || return 1
  [ ! -e "$STATE_FILE.tmp" ] && [ ! -L "$STATE_FILE.tmp" ] || return 1
  _nl='
'
  _body="phase=$1${_nl}run=$RUN_ID${_nl}pid=$$${_nl}attempted=$2${_nl}frozen=$2${_nl}attempt_until="
  printf '%s\n' "$_body" >"$STATE_FILE.tmp" 2>/dev/null || return 1
  mv -f "$STATE_FILE.tmp" "$STATE_FILE" 2>/dev/null || return 1
}

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

out_file() {
  OUT_PATH="$LOG_DIR/$1"
  # A one-byte test write: on a full or read-only file system the call's output goes to /dev/null instead, so a
  # failing write can never get in the way of the call itself. The call's own redirection truncates it again.
  if [ "$LOG_OK" -eq 1 ] && safe_file "$OUT_PATH" && (printf '\n' >"$OUT_PATH") 2>/dev/null; then return 0; fi
  OUT_PATH=/dev/null
}

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

iris_call() {
  if [ "$FLAVOUR" = iris ]; then
    bounded "$2" "last-$3-$1.out" "$SESSION" session "$1" -U%SYS "$4"
  else
    bounded "$2" "last-$3-$1.out" "$SESSION" "$1" -U%SYS "$4"
  fi
}

wd_status() { iris_call "$1" "$STATUS_TIMEOUT" iswdsuspendedext '##Class(Backup.General).IsWDSuspendedExt()'; }
thaw_call() { iris_call "$1" "$THAW_TIMEOUT" externalthaw '##Class(Backup.General).ExternalThaw()'; }

# finish CODE PHASE LEFT: records the outcome (unless PHASE is empty) and exits. 0 becomes 76/77 when the state or
# the log failed us.
finish() {
  trap '' HUP INT TERM
  FINISHED=1
  _fcode=$1
  if [ -n "$2" ] && ! write_state "$2" "$3"; then
    log error state-write-failed "file=$STATE_FILE"
    [ "$_fcode" -ne "$EX_OK" ] || _fcode=$EX_NO_STATE
  fi
  if [ "$_fcode" -eq "$EX_OK" ]; then _level=info; else _level=error; fi
  commas "${3:-none}"
  log "$_level" finished "rc=$_fcode" "still_frozen=$COMMAS"
  if [ "$_fcode" -eq "$EX_OK" ] && { [ "$LOG_OK" -ne 1 ] || [ "$LOG_FAILED" -ne 0 ]; }; then _fcode=$EX_NO_LOG; fi
  exit "$_fcode"
}

# thaw_one INSTANCE: ExternalThaw, retried once while the instance still is (or may be) suspended. Sets RC to 0
# when the instance is confirmed running afterwards.
thaw_one() {
  _tries=0
  while [ "$_tries" -lt 2 ]; do
    _tries=$((_tries + 1))
    thaw_call "$1"
    _thaw_rc=$RC
    if [ "$_thaw_rc" -eq "$IRIS_OK" ]; then
      log info thawed "instance=$1" "rc=$_thaw_rc"
      RC=0
      return 0
    fi
    wd_status "$1"
    if [ "$RC" -eq "$IRIS_FAILED" ]; then
      log info thawed "instance=$1" "rc=$_thaw_rc"
      RC=0
      return 0
    fi
    log warn thaw-retry "instance=$1" "rc=$_thaw_rc" "status=$RC"
  done
  log error thaw-failed "instance=$1" "rc=$_thaw_rc"
  RC=1
}

# thaw_targets: checks and thaws every instance in TARGETS; sets CODE and LEFT. Runs once (main or the EXIT trap).
thaw_targets() {
  [ "$DONE" -eq 0 ] || return 0
  DONE=1
  for _inst in $TARGETS; do
    wd_status "$_inst"
    case "$RC" in
      "$IRIS_OK") ;;
      "$IRIS_FAILED")
        if [ "$PHASE" = frozen ] && has "$PRE_FROZEN" "$_inst"; then
          log error auto-thawed "instance=$_inst"
          CODE=$EX_AUTO_THAWED
        else
          log info not-suspended "instance=$_inst"
        fi
        continue
        ;;
      *)
        # Unknown status (hung, killed, session failed): ours to thaw anyway, as the pre-script attempted it.
        log error status-failed "instance=$_inst" "rc=$RC"
        ;;
    esac
    thaw_one "$_inst"
    if [ "$RC" -ne 0 ]; then
      CODE=$EX_THAW_FAILED
      LEFT="${LEFT:+$LEFT }$_inst"
    fi
  done
}

# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  _rc=$?
  [ "$FINISHED" -eq 0 ] || return 0
  set +e
  trap '' HUP INT TERM
  log error unexpected-exit "rc=$_rc"
  if [ "$DONE" -eq 0 ] && [ -n "$TARGETS" ] && [ -n "$FLAVOUR" ]; then
    thaw_targets
  fi
  FINISHED=1
  [ "$_rc" -ne 0 ] || _rc=$EX_THAW_FAILED
  [ -z "$LEFT" ] || _rc=$EX_THAW_FAILED
  exit "$_rc"
}

# pre_alive PID: whether the pre-script is still running as PID (on Linux, a reused pid whose command line does not
# name iris-pre does not count).
pre_alive() {
  [ "$1" -gt 0 ] && kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/cmdline" ] || return 0
  grep -qa iris-pre "/proc/$1/cmdline" 2>/dev/null
}

# now: epoch seconds, or empty.
now() { date +%s 2>/dev/null || :; }

# Waits (bounded) for a pre-script that is still running, then for a freeze call it left in flight (it was killed
# during ExternalFreeze: the call ends by attempt_until at the latest, as `timeout` kills it).
wait_for_pre() {
  _waited=0
  read_state
  while [ "$S_PHASE" = pre-running ]; do
    _t="$(now)" || _t=""
    case "$S_PID" in '' | *[!0-9]*) S_PID=0 ;; esac
    if pre_alive "$S_PID"; then
      [ "$_waited" -gt 0 ] || log warn waiting-for-pre "pid=$S_PID"
    elif [ -n "$S_ATTEMPTED" ] && [ -n "$S_UNTIL" ] && [ -n "$_t" ] && [ "$_t" -lt "$S_UNTIL" ] 2>/dev/null; then
      [ "$_waited" -gt 0 ] || log warn waiting-for-freeze-call "until=$S_UNTIL"
    else
      return 0
    fi
    if [ "$_waited" -ge "$PRE_WAIT" ]; then
      log error pre-still-running "pid=$S_PID"
      # The pre-script still owns the state: leave it as it is.
      finish "$EX_PRE_RUNNING" "" "$S_ATTEMPTED"
    fi
    sleep 1 || :
    _waited=$((_waited + 1))
    read_state
  done
}

main() {
  umask 077
  MY_UID="$(id -u 2>/dev/null)" || MY_UID=""
  if safe_dir "$LOG_DIR" && safe_file "$LOG_FILE"; then LOG_OK=1; fi
  if [ ! -e "$STATE_FILE" ] && [ ! -L "$STATE_FILE" ]; then
    log info start "pid=$$"
    log info skip reason=no-pre-state
    FINISHED=1
    [ "$LOG_OK" -eq 1 ] && [ "$LOG_FAILED" -eq 0 ] || exit "$EX_NO_LOG"
    exit "$EX_OK"
  fi
  read_state
  RUN_ID=${S_RUN:-none}
  log info start "pid=$$" "pre_phase=$S_PHASE"
  wait_for_pre
  PHASE=$S_PHASE
  PRE_FROZEN=$S_FROZEN
  _attempted=$S_ATTEMPTED
  # attempted lists every instance whose freeze was tried and not undone; frozen (older scripts: the only list)
  # those confirmed frozen. Each name once.
  TARGETS=""
  for _inst in $_attempted $PRE_FROZEN; do
    case "$_inst" in *[!A-Za-z0-9_-]*) continue ;; esac
    has "$TARGETS" "$_inst" || TARGETS="${TARGETS:+$TARGETS }$_inst"
  done
  if [ -z "$TARGETS" ]; then
    log info skip "reason=nothing-frozen" "pre_phase=$PHASE"
    finish "$EX_OK" thawed ""
  fi
  find_iris || {
    log error no-iris-command
    finish "$EX_UNAVAILABLE" post-failed "$TARGETS"
  }
  thaw_targets
  if [ "$CODE" -eq "$EX_OK" ]; then
    finish "$EX_OK" thawed "$LEFT"
  fi
  finish "$CODE" post-failed "$LEFT"
}

# Traps first: from here on every exit goes through on_exit, which still thaws.
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@" </dev/null >/dev/null 2>&1
