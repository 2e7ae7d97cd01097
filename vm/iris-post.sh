#!/bin/sh
# shellcheck shell=dash
# iris-backup-guard: post v1
# Azure Backup post-script for InterSystems IRIS (iris) and Caché (ccontrol/csession).
# Thaws, with Backup.General.ExternalThaw, exactly the instances iris-pre.sh froze (read from its state file).
# The extension runs it after the snapshot and also after a failed or timed-out pre-script (vmsnapshot.md §3.5):
#   - pre froze and all is well: thaw each instance; exit 0 only if each was still suspended and thawed.
#   - an instance was no longer suspended (WDSuspendLimit fired, or someone thawed it): the snapshot may not be
#     IRIS-consistent, so exit non-zero (EX_AUTO_THAWED) and say so in the log.
#   - pre failed: it already thawed what it froze and the backup is already reported as Pre-ScriptExecutionFailed.
#     Exit 0, unless something it froze is still suspended and cannot be thawed. This keeps
#     Post-ScriptExecutionFailed meaning one thing: "IRIS may still be frozen or the freeze ended too early".
#   - no state (the pre-script never ran): nothing of ours to thaw; exit 0. We never thaw a freeze we did not make.
# It writes only to its own log. IBG_ROOT prefixes every file path (empty on a real VM).
set -eu

# Bounds as in iris-pre.sh; PRE_WAIT covers a pre-script that is still running (the extension never kills it).
readonly STATUS_TIMEOUT=10 THAW_TIMEOUT=30 KILL_AFTER=5 PRE_WAIT=60
readonly EX_OK=0 EX_UNAVAILABLE=69 EX_NOT_RUNNING=72 EX_THAW_FAILED=73 EX_AUTO_THAWED=74 EX_PRE_RUNNING=75
readonly IRIS_OK=5 IRIS_FAILED=3
readonly LOG_DIR="${IBG_ROOT:-}/var/log/iris-backup-guard"
readonly LOG_FILE="${IBG_ROOT:-}/var/log/iris-backup-guard/freeze-thaw.log"
readonly STATE_FILE="${IBG_ROOT:-}/var/lib/iris-backup-guard/freeze-state"

RUN_ID="none"
FINISHED=0
RC=0

log() {
  _level=$1
  _event=$2
  shift 2
  _line="$(date -u +%Y-%m-%dT%H:%M:%SZ) level=$_level script=post event=$_event run=$RUN_ID${*:+ $*}"
  printf '%s\n' "$_line" >>"$LOG_FILE" 2>/dev/null || :
}

# state KEY: one value of the pre-script's state file.
state() { sed -n "s/^$1=//p" "$STATE_FILE" 2>/dev/null | head -n 1; }

write_state() {
  { printf 'phase=%s\nrun=%s\npid=%s\nfrozen=%s\n' "$1" "$RUN_ID" "$$" "$2" >"$STATE_FILE.tmp" &&
    mv -f "$STATE_FILE.tmp" "$STATE_FILE"; } 2>/dev/null || log error state-write-failed "file=$STATE_FILE"
}

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

iris_call() {
  _what=$(printf '%s' "$3" | sed 's/.*)\.\([A-Za-z]*\)(.*/\1/' | tr '[:upper:]' '[:lower:]')
  if [ "$FLAVOUR" = iris ]; then
    bounded "$2" "$LOG_DIR/last-$_what-$1.out" "$SESSION" session "$1" -U%SYS "$3"
  else
    bounded "$2" "$LOG_DIR/last-$_what-$1.out" "$SESSION" "$1" -U%SYS "$3"
  fi
}

wd_status() { iris_call "$1" "$STATUS_TIMEOUT" '##Class(Backup.General).IsWDSuspendedExt()'; }

# finish CODE PHASE LEFT: records the outcome and exits.
finish() {
  FINISHED=1
  write_state "$2" "$3"
  if [ "$1" -eq "$EX_OK" ]; then _level=info; else _level=error; fi
  log "$_level" finished "rc=$1" "still_frozen=${3:-none}"
  exit "$1"
}

# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  _rc=$?
  [ "$FINISHED" -eq 0 ] || return 0
  log error unexpected-exit "rc=$_rc"
  [ "$_rc" -ne 0 ] || exit "$EX_THAW_FAILED"
}

# Waits (bounded) for a pre-script that is still running; it may still freeze something.
wait_for_pre() {
  _waited=0
  while [ "$(state phase)" = pre-running ] && kill -0 "$(state pid)" 2>/dev/null; do
    if [ "$_waited" -ge "$PRE_WAIT" ]; then
      log error pre-still-running "pid=$(state pid)"
      finish "$EX_PRE_RUNNING" pre-running "$(state frozen)"
    fi
    [ "$_waited" -gt 0 ] || log warn waiting-for-pre "pid=$(state pid)"
    sleep 1
    _waited=$((_waited + 1))
  done
}

main() {
  umask 077
  mkdir -p "$LOG_DIR" 2>/dev/null || :
  if : >>"$LOG_FILE" 2>/dev/null; then exec >>"$LOG_FILE" 2>&1; else exec >/dev/null 2>&1; fi
  trap on_exit EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [ ! -f "$STATE_FILE" ]; then
    log info start "pid=$$"
    log info skip reason=no-pre-state
    FINISHED=1
    exit "$EX_OK"
  fi
  RUN_ID="$(state run)"
  log info start "pid=$$" "pre_phase=$(state phase)"
  wait_for_pre
  _phase="$(state phase)"
  _frozen="$(state frozen)"
  # Only a completed pre-script promised a freeze for the snapshot; otherwise we only clean up what is left.
  _expected=0
  [ "$_phase" = frozen ] && _expected=1
  if [ -z "$_frozen" ]; then
    log info skip "reason=nothing-frozen" "pre_phase=$_phase"
    finish "$EX_OK" thawed ""
  fi
  find_iris || {
    log error no-iris-command
    finish "$EX_UNAVAILABLE" post-failed "$_frozen"
  }
  _code=$EX_OK
  _left=""
  for _inst in $_frozen; do
    wd_status "$_inst"
    case "$RC" in
      "$IRIS_OK") ;;
      "$IRIS_FAILED")
        if [ "$_expected" -eq 1 ]; then
          log error auto-thawed "instance=$_inst"
          _code=$EX_AUTO_THAWED
        else
          log info not-suspended "instance=$_inst"
        fi
        continue
        ;;
      *)
        log error status-failed "instance=$_inst" "rc=$RC"
        [ "$_code" -ne "$EX_OK" ] || _code=$EX_NOT_RUNNING
        _left="$_left $_inst"
        continue
        ;;
    esac
    iris_call "$_inst" "$THAW_TIMEOUT" '##Class(Backup.General).ExternalThaw()'
    _thaw_rc=$RC
    [ "$_thaw_rc" -eq "$IRIS_OK" ] || wd_status "$_inst"
    if [ "$_thaw_rc" -eq "$IRIS_OK" ] || [ "$RC" -eq "$IRIS_FAILED" ]; then
      log info thawed "instance=$_inst" "rc=$_thaw_rc"
    else
      log error thaw-failed "instance=$_inst" "rc=$_thaw_rc"
      _code=$EX_THAW_FAILED
      _left="$_left $_inst"
    fi
  done
  if [ "$_code" -eq "$EX_OK" ]; then
    finish "$EX_OK" thawed "${_left# }"
  fi
  finish "$_code" post-failed "${_left# }"
}

main "$@"
