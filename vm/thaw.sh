#!/bin/sh
# shellcheck shell=dash
# iris-backup-guard: thaw v1
# Remediation for InterSystems IRIS (iris) and Caché (ccontrol/csession) left frozen by a backup: the only script
# besides the installer that the app sends to a production VM and that changes something there (safety invariant 3;
# sent only with IBG_AUTO_THAW on). It follows the README's runbook ("When IRIS is frozen") for every instance qlist
# lists that is not down:
#   - IsWDSuspendedExt: 3 (running) -> nothing is done; anything but 5 (hung, session failed) -> nothing is done and
#     the state is reported unknown. Only an instance IRIS itself reports as suspended (5) is ever touched.
#   - 5 (frozen) -> Backup.General.ExternalThaw; thawed when it returns 5 and IsWDSuspendedExt then says 3.
#   - the thaw failed, hung (ended by `timeout`) or did not take -> `iris stat <inst> -W` (irisstat: resumes a write
#     daemon suspended by a backup, and nothing else), then IsWDSuspendedExt again.
# It refuses to act while a pre-script is running (a backup is freezing IRIS right now). It never writes the
# pre/post-scripts' state file: a stale entry there is harmless to them (they check IsWDSuspendedExt first), while
# overwriting the entry of a pre-script that starts meanwhile could keep its post-script from thawing.
# Every IRIS call is bounded by `timeout`: at most 90 s per frozen instance, 12 s per other one (+12 s for qlist).
# Stdout (Run Command keeps its last 4 KiB), one line per instance, then a summary (remediation/thawReport.ts):
#   IBG_THAW_V1 instance=<name> before=<frozen|running|down|unknown> action=<none|thawed|resumed-stat-w|failed>
#     after=<...> (on the same line)
#   IBG_THAW_V1 result=<thawed|nothing-frozen|failed> instances=<n> [skipped=<n>] [reason=<why>] [log=unusable]
# Exit codes: 0 no instance is left frozen or unknown; 70 qlist failed or an unexpected exit; 72 an instance's state
# could not be read (nothing was done to it); 73 an instance is still frozen (or unverified) after the thaw and
# irisstat -W; 75 refused, a pre-script is running; 129/130/143 ended by HUP/INT/TERM (reason=unexpected-exit).
# Log: freeze-thaw.log (script=thaw), as iris-pre.sh/iris-post.sh. IBG_ROOT prefixes every file path (empty on a
# real VM).
set -eu

# The status and thaw bounds of iris-post.sh; irisstat needs no session (20 s is generous); KILL 2 s after TERM, as
# the probe does. Worst case 12 s for qlist, 90 s per frozen instance (status, thaw, status, irisstat, status), 12 s
# per other one: one frozen instance fits the default Run Command time-out (120 s).
readonly STATUS_TIMEOUT=10 THAW_TIMEOUT=30 STAT_TIMEOUT=20 KILL_AFTER=2
# More instances than this (never seen on one VM) are reported unknown rather than making the run unbounded.
readonly MAX_INSTANCES=16
readonly EX_OK=0 EX_FAILED=70 EX_UNKNOWN=72 EX_STILL_FROZEN=73 EX_PRE_RUNNING=75
readonly IRIS_OK=5 IRIS_FAILED=3
readonly LOG_DIR="${IBG_ROOT:-}/var/log/iris-backup-guard"
readonly LOG_FILE="${IBG_ROOT:-}/var/log/iris-backup-guard/freeze-thaw.log"
readonly STATE_FILE="${IBG_ROOT:-}/var/lib/iris-backup-guard/freeze-state"

RUN_ID="unknown-$$"
LOG_OK=0
LOG_FAILED=0
MY_UID=""
LAST_TS=""
FINISHED=0
RC=0
COMMAS=""
OUT_PATH=/dev/null
FLAVOUR=""
CONTROL=""
SESSION=""
TIMEOUT_BIN=""
NAMES=""
DOWN=""
SKIPPED=0
COUNT=0
THAWED=0
UNKNOWN=0
LEFT=""
BEFORE=""
ACTION=""
AFTER=""

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
  _line="$_ts level=$_level script=thaw event=$_event run=$RUN_ID${*:+ $*}"
  printf '%s\n' "$_line" >>"$LOG_FILE" 2>/dev/null || LOG_FAILED=1
}

# report WORDS...: one line of the report on stdout (the only thing this script prints).
report() { printf 'IBG_THAW_V1 %s\n' "$*" 2>/dev/null || return 0; }

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

# commas "A B": A,B in COMMAS (no external command).
commas() {
  COMMAS=""
  for _w in $1; do COMMAS="${COMMAS:+$COMMAS,}$_w"; done
}

# has "A B" WORD: whether WORD is in the list.
has() {
  case " $1 " in *" $2 "*) return 0 ;; esac
  return 1
}

# Finds the command set: iris (IRIS), else ccontrol + csession (Caché), on PATH or where the probe looks too.
find_iris() {
  if CONTROL="$(command -v iris)"; then
    FLAVOUR=iris SESSION=$CONTROL
  elif CONTROL="$(command -v ccontrol)" && SESSION="$(command -v csession)"; then
    FLAVOUR=cache
  else
    CONTROL="" SESSION=""
    for _d in /usr/bin /usr/local/bin /usr/irissys/bin /usr/cachesys/bin; do
      if [ -x "$_d/iris" ]; then
        FLAVOUR=iris CONTROL="$_d/iris" SESSION="$_d/iris"
        break
      fi
      if [ -x "$_d/ccontrol" ] && [ -x "$_d/csession" ]; then
        FLAVOUR=cache CONTROL="$_d/ccontrol" SESSION="$_d/csession"
        break
      fi
    done
    [ -n "$CONTROL" ] || return 1
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
# irisstat (cstat on Caché) through the control command; its exit code is only logged, the status call decides.
stat_w_call() { bounded "$STAT_TIMEOUT" "last-stat-w-$1.out" "$CONTROL" stat "$1" -W; }

# list_instances: NAMES (not down, safe names, at most MAX_INSTANCES), DOWN, SKIPPED (unsafe names) from qlist; RC
# is qlist's exit code. Read into the shell, not from a file, so a full log file system cannot hide an instance.
list_instances() {
  set -- "$CONTROL" qlist
  [ -z "$TIMEOUT_BIN" ] || set -- "$TIMEOUT_BIN" -k "$KILL_AFTER" "$STATUS_TIMEOUT" "$@"
  _q="$("$@" </dev/null 2>/dev/null)" && RC=0 || RC=$?
  out_file last-qlist.out
  [ "$OUT_PATH" = /dev/null ] || printf '%s\n' "$_q" >"$OUT_PATH" 2>/dev/null || LOG_FAILED=1
  [ "$RC" -eq 0 ] || return 0
  while IFS='^' read -r _name _dir _version _status _rest; do
    [ -n "$_name$_status" ] || continue
    # A name is only ever used as one word of a command line, and only when it is a plain instance name (not one
    # that could pass for an option either).
    case "$_name" in '' | -* | *[!A-Za-z0-9_-]*)
      SKIPPED=$((SKIPPED + 1))
      continue
      ;;
    esac
    if has "$NAMES $DOWN" "$_name"; then continue; fi
    case "$_status" in
      down*) DOWN="${DOWN:+$DOWN }$_name" ;;
      *) NAMES="${NAMES:+$NAMES }$_name" ;;
    esac
  done <<EOF
$_q
EOF
}

# thaw_frozen INSTANCE: the runbook's steps 3 and 4 for an instance IsWDSuspendedExt reported as suspended; sets
# ACTION and AFTER.
thaw_frozen() {
  thaw_call "$1"
  _thaw_rc=$RC
  wd_status "$1"
  _status=$RC
  if [ "$_status" -eq "$IRIS_FAILED" ]; then
    # Running again. A thaw that answered something else (a hang ended by timeout after it resumed) still took.
    log warn auto-thawed "instance=$1" method=external-thaw "rc=$_thaw_rc"
    ACTION=thawed AFTER=running
    return 0
  fi
  log warn stat-w "instance=$1" "rc=$_thaw_rc" "status=$_status"
  stat_w_call "$1"
  _stat_rc=$RC
  wd_status "$1"
  case "$RC" in
    "$IRIS_FAILED")
      log warn auto-thawed "instance=$1" method=stat-w "rc=$_stat_rc" "thaw_rc=$_thaw_rc"
      ACTION=resumed-stat-w AFTER=running
      ;;
    "$IRIS_OK")
      log error thaw-failed "instance=$1" "rc=$_thaw_rc" "stat_rc=$_stat_rc" "status=$RC"
      ACTION=failed AFTER=frozen
      ;;
    *)
      log error thaw-failed "instance=$1" "rc=$_thaw_rc" "stat_rc=$_stat_rc" "status=$RC"
      ACTION=failed AFTER=unknown
      ;;
  esac
}

# check_one INSTANCE: reads the instance's state and thaws it only when IRIS says it is suspended.
check_one() {
  ACTION=none
  if [ "$COUNT" -ge "$MAX_INSTANCES" ]; then
    log error status-failed "instance=$1" reason=too-many-instances
    BEFORE=unknown AFTER=unknown
    return 0
  fi
  wd_status "$1"
  case "$RC" in
    "$IRIS_FAILED")
      log info not-suspended "instance=$1"
      BEFORE=running AFTER=running
      ;;
    "$IRIS_OK")
      BEFORE=frozen
      thaw_frozen "$1"
      ;;
    *)
      # Hung, killed, session refused: no action on an instance IRIS did not say is suspended.
      log error status-failed "instance=$1" "rc=$RC"
      BEFORE=unknown AFTER=unknown
      ;;
  esac
}

# finish CODE RESULT [REASON]: the summary line, the log's last line, the exit.
finish() {
  trap '' HUP INT TERM
  FINISHED=1
  _summary="result=$2 instances=$COUNT"
  [ "$SKIPPED" -eq 0 ] || _summary="$_summary skipped=$SKIPPED"
  [ -z "${3:-}" ] || _summary="$_summary reason=$3"
  if [ "$1" -eq "$EX_OK" ]; then _level=info; else _level=error; fi
  commas "${LEFT:-none}"
  log "$_level" finished "rc=$1" "result=$2" "still_frozen=$COMMAS" ${3:+"reason=$3"}
  [ "$LOG_OK" -eq 1 ] && [ "$LOG_FAILED" -eq 0 ] || _summary="$_summary log=unusable"
  report "$_summary"
  exit "$1"
}

# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  _rc=$?
  [ "$FINISHED" -eq 0 ] || return 0
  set +e
  log error unexpected-exit "rc=$_rc"
  [ "$_rc" -ne 0 ] || _rc=$EX_FAILED
  # Cut short (a signal turned into an exit, after the IRIS call in flight ended): what is frozen is not known.
  LEFT=${LEFT:-unknown}
  finish "$_rc" failed unexpected-exit
}

# pre_alive PID: whether the pre-script is still running as PID (on Linux, a reused pid whose command line does not
# name iris-pre does not count). As in iris-post.sh.
pre_alive() {
  [ "$1" -gt 0 ] && kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/cmdline" ] || return 0
  grep -qa iris-pre "/proc/$1/cmdline" 2>/dev/null
}

# pre_running: whether the state file says a pre-script is freezing and its process is alive. Read with `read`.
pre_running() {
  [ -f "$STATE_FILE" ] || return 1
  _phase="" _pid=""
  {
    while IFS= read -r _line || [ -n "$_line" ]; do
      case "$_line" in
        phase=*) _phase=${_line#phase=} ;;
        pid=*) _pid=${_line#pid=} ;;
      esac
    done <"$STATE_FILE"
  } 2>/dev/null || return 1
  [ "$_phase" = pre-running ] || return 1
  case "$_pid" in '' | *[!0-9]*) return 1 ;; esac
  pre_alive "$_pid"
}

main() {
  umask 077
  MY_UID="$(id -u 2>/dev/null)" || MY_UID=""
  RUN_ID="$(date -u +%Y%m%dT%H%M%SZ 2>/dev/null)-$$" || RUN_ID="unknown-$$"
  if safe_dir "$LOG_DIR" && safe_file "$LOG_FILE"; then LOG_OK=1; fi
  log info start "pid=$$"
  if pre_running; then
    log error refused reason=pre-script-running
    finish "$EX_PRE_RUNNING" failed pre-script-running
  fi
  if ! find_iris; then
    log info no-iris-command
    finish "$EX_OK" nothing-frozen no-iris-command
  fi
  list_instances
  if [ "$RC" -ne 0 ]; then
    log error qlist-failed "rc=$RC"
    finish "$EX_FAILED" failed qlist-failed
  fi
  [ "$SKIPPED" -eq 0 ] || log warn bad-instance-name "count=$SKIPPED"
  commas "$NAMES $DOWN"
  log info instances "flavour=$FLAVOUR" "names=${COMMAS:-none}"
  for _inst in $DOWN; do
    log info not-running "instance=$_inst" status=down
    report "instance=$_inst before=down action=none after=down"
  done
  for _inst in $NAMES; do
    check_one "$_inst"
    COUNT=$((COUNT + 1))
    if [ "$ACTION" = failed ]; then
      LEFT="${LEFT:+$LEFT }$_inst"
    elif [ "$AFTER" = unknown ]; then
      UNKNOWN=$((UNKNOWN + 1))
    fi
    case "$ACTION" in thawed | resumed-stat-w) THAWED=$((THAWED + 1)) ;; esac
    report "instance=$_inst before=$BEFORE action=$ACTION after=$AFTER"
  done
  for _inst in $DOWN; do COUNT=$((COUNT + 1)); done
  # A thaw that could not be verified counts as still frozen; an instance never touched as unknown.
  [ -z "$LEFT" ] || finish "$EX_STILL_FROZEN" failed
  [ "$UNKNOWN" -eq 0 ] || finish "$EX_UNKNOWN" failed
  [ "$THAWED" -eq 0 ] || finish "$EX_OK" thawed
  finish "$EX_OK" nothing-frozen
}

# Traps first: every exit goes through on_exit, which still prints the summary.
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
main "$@" </dev/null 2>/dev/null
