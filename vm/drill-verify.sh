#!/bin/sh
# shellcheck shell=dash
# iris-backup-guard: drill-verify v1
# Restore-and-verify drill: runs (as root, under sh, as an asynchronous managed Run Command) on a VM Azure Backup just
# restored from a recovery point of a production IRIS/Caché VM, into an isolated drill subnet. It verifies every
# instance qlist lists (in its order), or only INSTANCE when that is set. In this order it:
#   1. reads each instance's freeze state at the snapshot from messages.log (cconsole.log) before any IRIS starts;
#   2. checks once that the copy cannot reach production (a TCP connect to each PRODUCTION_ADDRESSES entry); if it
#      can, or that cannot be checked, no instance is ever started;
#   then for each instance in turn:
#   3. starts it from a copy of its CPF that keeps it from acting as production (nostu, no mirror/ECP/shards) and
#      reads what this start appended to its messages.log: crash recovery clean, recovered or failed;
#   4. runs the integrity check of every mounted database into its own section of the one evidence file;
#   5. stops it again, on every path after a start attempt (the EXIT trap), as the freeze scripts thaw;
#   and last:
#   6. prints the whole evidence file (every instance's report, IBG-INTEGRITY-BEGIN ... IBG-INTEGRITY-END), then the
#      compact summary aggregated over the instances (IBG-DRILL-BEGIN ... IBG-DRILL-END, at most 4,096 bytes) last,
#      because Azure keeps only the last 4 KiB of stdout in the instance view (the app reads the full stdout from
#      the output blob). An instance that does not come up does not stop the others from being verified.
# Parameters (environment): INSTANCE (default: every instance qlist lists), PRODUCTION_ADDRESSES ("ip:port ..."),
# IRIS_UP_SECONDS (default 600), EVIDENCE_DIR (default /var/tmp/ibg-drill), ALLOW_UNVERIFIED_ISOLATION=1 (start even
# when isolation could not be checked). IBG_ROOT prefixes every file path (empty on a real VM).
# Exit codes: 0 passed, 1 integrity errors or a database not mounted, 2 usage/other, 3 IRIS did not come up,
# 4 isolation breached or unknown, 5 crash recovery failed. The app judges by the summary, not only the exit code.
# No `set -e`: every failure here is expected and handled, and the script must always reach its summary.
set -u

readonly EX_OK=0 EX_INTEGRITY=1 EX_OTHER=2 EX_DOWN=3 EX_ISOLATION=4 EX_RECOVERY=5
readonly CONNECT_SECONDS=3 POLL_SECONDS=2 STOP_SECONDS=300 QLIST_SECONDS=30 KILL_AFTER=10
# Summary budget (bytes): the whole block must stay inside the last 4,096 bytes of stdout.
readonly DB_LINES=40 DB_BYTES=2000 EV_LINES=10 EV_BYTES=1000 FIELD_CAP=200 DIR_CAP=160
R="${IBG_ROOT:-}"
R="${R%/}"
readonly R

MY_UID=""
FLAVOUR=""
CONTROL=""
SESSION=""
TIMEOUT_BIN=""
INST="-"
PRODUCT="-"
INSTALL=""
DATA_DIR=""
CPF_NAME=""
LOG=""
LOG_SIZE0=0
EV_DIR=""
EV_VM_DIR=""
FREEZE=unknown
JOURNAL="-"
ISOLATION=unknown
CHECKED=0
REACHED="-"
IRIS=not-started
UP_SECONDS=0
RECOVERY=unknown
INTEGRITY=not-run
DB_COUNT=0
DB_ERRORS=0
INTEG_SECONDS=0
EVIDENCE="-"
EVIDENCE_BYTES=0
STOP=not-needed
START_ATTEMPTED=0
STOPPED=0
FINISHED=0
RC=0
NOTE=""
# Every instance to verify (space-separated, qlist order) and, for the summary, their comma list.
INSTANCES=""
INST_LIST="-"
FIRST_PRODUCT=""
# The instance being verified: its own results, added to the aggregate (add_result) once it is stopped.
I_PENDING=0
I_IRIS=not-started
I_RECOVERY=unknown
I_INTEGRITY=not-run
# Aggregate flags over the instances verified so far (finalize turns them into IRIS, RECOVERY, INTEGRITY).
N_STARTED=0
ANY_DOWN=0
REC_FAILED=0
REC_UNKNOWN=0
REC_RECOVERED=0
INT_ERRORS=0
INT_INCOMPLETE=0
INT_NOTRUN=0
INT_RAN=0
FREEZE_SET=0
PRINTED=0

# ---- small helpers ------------------------------------------------------------------------------------------

# safe_dir DIR: DIR is (or is created as) a real directory, not a symlink, owned by us (MY_UID: root on a VM), and
# neither group- nor world-writable. Only then do we write into it as root. (Same as in iris-pre.sh.)
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

# safe_file FILE: FILE does not exist, or is a regular file (not a symlink) owned by us. (Same as in iris-pre.sh.)
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

# progress TEXT: one progress line on stdout (the full stdout goes to the output blob; the summary comes last).
progress() { printf 'ibg-drill: %s\n' "$1"; }

now() {
  _n="$(date +%s 2>/dev/null)" || _n=0
  case "$_n" in '' | *[!0-9]*) _n=0 ;; esac
  printf '%s\n' "$_n"
}

# file_size FILE: its size in bytes (0 when absent or unreadable).
file_size() {
  _s="$(wc -c <"$1" 2>/dev/null)" || _s=0
  _s="$(printf '%s' "$_s" | tr -cd '0-9')"
  printf '%s\n' "${_s:-0}"
}

# clean TEXT CAP: TEXT on one line, control characters replaced by ?, at most CAP bytes (sets CLEAN).
clean() {
  CLEAN="$(printf '%s' "$1" | LC_ALL=C tr '\000-\037\177' '?' | LC_ALL=C cut -c "1-$2")"
  [ -n "$CLEAN" ] || CLEAN="-"
}

# bounded SECONDS CMD...: CMD within SECONDS when `timeout` exists.
bounded() {
  _secs=$1
  shift
  if [ -n "$TIMEOUT_BIN" ]; then "$TIMEOUT_BIN" -k "$KILL_AFTER" "$_secs" "$@"; else "$@"; fi
}

# evidence TEXT...: lines kept for the summary's line= entries (the summary caps them).
evidence() {
  [ -n "$EV_DIR" ] || return 0
  printf '%s\n' "$@" >>"$EV_DIR/evidence.txt" 2>/dev/null || :
}

# ---- IRIS ---------------------------------------------------------------------------------------------------

# Finds the command set: iris (IRIS), else ccontrol + csession (Caché).
find_iris() {
  if CONTROL="$(command -v iris)"; then
    FLAVOUR=iris SESSION=$CONTROL
  elif CONTROL="$(command -v ccontrol)" && SESSION="$(command -v csession)"; then
    FLAVOUR=cache
  else
    return 1
  fi
  TIMEOUT_BIN="$(command -v timeout)" || TIMEOUT_BIN=""
}

# qlist_fields: QSTATUS (field 4 before the comma) and QHEALTH (field 9) of INST; with no INSTALL read yet for it,
# also sets INST (as qlist spells it), INSTALL, DATA_DIR, CPF_NAME and PRODUCT.
qlist_fields() {
  QSTATUS="" QHEALTH=""
  if [ "$INST" = "-" ]; then
    _q="$(bounded "$QLIST_SECONDS" "$CONTROL" qlist </dev/null 2>/dev/null)" || return 1
  else
    _q="$(bounded "$QLIST_SECONDS" "$CONTROL" qlist "$INST" </dev/null 2>/dev/null)" || return 1
  fi
  _line="$(printf '%s\n' "$_q" | sed -n '1p')"
  [ -n "$_line" ] || return 1
  IFS='^' read -r _f1 _f2 _f3 _f4 _f5 _f6 _f7 _f8 _f9 _f10 _f11 _f12 _f13 _rest <<EOF
$_line
EOF
  QSTATUS=${_f4%%,*}
  QHEALTH=$_f9
  if [ "$INST" = "-" ] || [ -z "$INSTALL" ]; then
    INST=$_f1
    INSTALL=${_f2%/}
    DATA_DIR=${_f13%/}
    [ -n "$DATA_DIR" ] || DATA_DIR=$INSTALL
    CPF_NAME=$_f5
    if [ "$FLAVOUR" = cache ]; then PRODUCT=Cache; else PRODUCT=${_f10:-IRIS}; fi
  fi
  : "$_f3" "$_f6" "$_f7" "$_f8" "$_f11" "$_f12" "$_rest"
  return 0
}

# list_instances: INSTANCES = the name (field 1) of every line `qlist` lists, in its order; 1 when there is none or
# a name is not a plain instance name.
list_instances() {
  _q="$(bounded "$QLIST_SECONDS" "$CONTROL" qlist </dev/null 2>/dev/null)" || return 1
  INSTANCES="$(printf '%s\n' "$_q" | LC_ALL=C awk -F'^' 'NF > 1 && $1 != "" && n < 64 { print $1; n++ }' | tr '\n' ' ')"
  INSTANCES=${INSTANCES% }
  [ -n "$INSTANCES" ] || return 1
  case "$INSTANCES" in *[!A-Za-z0-9_\ -]*) return 1 ;; esac
  return 0
}

# ---- step 1: freeze state -----------------------------------------------------------------------------------

# The freeze state at the snapshot from the whole messages.log as restored: the last `ExternalFreeze: System
# suspended` line, and whether a resume (`ExternalThaw: Resuming system` / `System resumed`, or the write daemon
# resuming by itself at WDSuspendLimit: the simulator's wording, no verbatim line known) follows it. Lines of the
# reference's §1.5. The journal is the last "Start a journal restore ... journal file:" before the snapshot.
read_freeze_state() {
  I_FREEZE=unknown
  I_JOURNAL="-"
  if [ ! -f "$LOG" ] || [ ! -r "$LOG" ]; then
    evidence "messages log not readable: ${LOG#"$R"}"
    return 0
  fi
  LOG_SIZE0="$(file_size "$LOG")"
  _fs="$(LC_ALL=C awk '
    /Backup\.General\.ExternalFreeze: System suspended/ { susp = $0; thaw = ""; next }
    /Backup\.General\.ExternalThaw: (Resuming system|System resumed)/ || /WDSuspendLimit.*resuming system/ {
      if (susp != "") thaw = $0
      next
    }
    /Start a journal restore for this backup with journal file:/ {
      j = $0; sub(/.*journal file: */, "", j); sub(/[ \r].*/, "", j)
    }
    END {
      state = (susp == "") ? "none" : (thaw == "" ? "frozen" : "thawed")
      print state
      print (j == "" ? "-" : j)
      if (susp != "") print susp
      if (thaw != "") print thaw
    }' "$LOG" 2>/dev/null)" || _fs=""
  I_FREEZE="$(printf '%s\n' "$_fs" | sed -n '1p')"
  case "$I_FREEZE" in frozen | thawed | none) ;; *) I_FREEZE=unknown ;; esac
  clean "$(printf '%s\n' "$_fs" | sed -n '2p')" "$FIELD_CAP"
  I_JOURNAL=$CLEAN
  case "$I_JOURNAL" in *' '*) I_JOURNAL="-" ;; esac
  _ev="$(printf '%s\n' "$_fs" | sed -n '3,4p')"
  [ -z "$_ev" ] || evidence "$_ev"
}

# add_freeze: the aggregate freeze state is frozen only when every instance was frozen, else the first non-frozen
# state in qlist order; the journal is the first instance's.
add_freeze() {
  if [ "$FREEZE_SET" -eq 0 ]; then
    FREEZE_SET=1
    FREEZE=$I_FREEZE
    JOURNAL=$I_JOURNAL
  elif [ "$FREEZE" = frozen ]; then
    FREEZE=$I_FREEZE
  fi
}

# ---- step 2: isolation --------------------------------------------------------------------------------------

# connect HOST PORT: 0 when a TCP connection succeeds within CONNECT_SECONDS, 1 when it does not, 2 when there is
# no way to try (no nc, no bash with timeout).
connect() {
  if command -v nc >/dev/null 2>&1; then
    nc -z -w "$CONNECT_SECONDS" "$1" "$2" </dev/null >/dev/null 2>&1 && return 0
    return 1
  fi
  if command -v bash >/dev/null 2>&1 && [ -n "$TIMEOUT_BIN" ]; then
    # shellcheck disable=SC2016 # expanded by bash, not here
    "$TIMEOUT_BIN" -k 1 "$CONNECT_SECONDS" bash -c 'exec 3<>"/dev/tcp/$1/$2"' ibg "$1" "$2" \
      </dev/null >/dev/null 2>&1 && return 0
    return 1
  fi
  return 2
}

# Tries every PRODUCTION_ADDRESSES entry ("host:port", "[v6]:port"); the first success is a breach.
check_isolation() {
  _addrs="${PRODUCTION_ADDRESSES:-}"
  _unknown=0
  set -f
  # shellcheck disable=SC2086 # split the list on whitespace on purpose
  set -- $_addrs
  set +f
  if [ "$#" -eq 0 ]; then
    # Nothing to try is not proof of isolation.
    ISOLATION=unknown
    evidence "no PRODUCTION_ADDRESSES to check"
    return 0
  fi
  for _a in "$@"; do
    _port=${_a##*:}
    _host=${_a%:*}
    _host=${_host#[}
    _host=${_host%]}
    case "$_port" in '' | *[!0-9]*) _port="" ;; esac
    case "$_host" in '' | *[!A-Za-z0-9.:_-]*) _host="" ;; esac
    if [ -z "$_port" ] || [ -z "$_host" ] || [ "$_a" = "$_port" ]; then
      clean "$_a" 100
      NOTE="bad address $CLEAN"
      ISOLATION=unknown
      return 0
    fi
    CHECKED=$((CHECKED + 1))
    connect "$_host" "$_port"
    case $? in
      0)
        ISOLATION=breached
        clean "$_a" 100
        REACHED=$CLEAN
        evidence "production address reachable from the restored copy: $REACHED"
        return 0
        ;;
      2) _unknown=1 ;;
    esac
  done
  if [ "$_unknown" -eq 1 ]; then
    ISOLATION=unknown
    evidence "no nc, and no bash with timeout: isolation could not be checked"
  else
    ISOLATION=ok
  fi
}

# ---- step 3: start with a drill CPF --------------------------------------------------------------------------

# write_drill_cpf SRC DST: DST is SRC with what would let the copy act as production turned off. This is our reading
# of the CPF reference: [Startup] SystemStart=0, ZSTU=0 (no ^ZSTU/%ZSTART user startup code) and EnsembleAutoStart=0
# (no interoperability productions), added when absent; the members of [MirrorMember] and [Mirrors] (no mirror
# join), of [ECPServers] (no ECP connections to data servers) and of [Shards] removed, their headers kept. It is not
# a guarantee: network isolation, checked before this, is the real guard. `nostu` on the start skips ^STU as well.
write_drill_cpf() {
  LC_ALL=C awk '
    function flush_startup() {
      if (!("SystemStart" in seen)) print "SystemStart=0"
      if (!("ZSTU" in seen)) print "ZSTU=0"
      if (!("EnsembleAutoStart" in seen)) print "EnsembleAutoStart=0"
    }
    {
      line = $0; sub(/\r$/, "", line)
      if (line ~ /^\[[^]]*\][ \t]*$/) {
        if (sect == "Startup") flush_startup()
        sect = line; sub(/^\[/, "", sect); sub(/\][ \t]*$/, "", sect)
        if (sect == "Startup") had_startup = 1
        print; next
      }
      if (sect == "MirrorMember" || sect == "Mirrors" || sect == "ECPServers" || sect == "Shards") {
        if (line ~ /^[ \t]*$/) print
        next
      }
      if (sect == "Startup") {
        key = line; sub(/=.*/, "", key); gsub(/[ \t]/, "", key)
        if (key == "SystemStart" || key == "ZSTU" || key == "EnsembleAutoStart") {
          seen[key] = 1; print key "=0"; next
        }
      }
      print
    }
    END {
      if (sect == "Startup") flush_startup()
      if (!had_startup) { print "[Startup]"; flush_startup() }
    }' "$1" >"$2"
}

prepare_cpf() {
  case "$CPF_NAME" in
    /*) _src="$R$CPF_NAME" ;;
    '' | */* | *..*) if [ "$FLAVOUR" = cache ]; then _src="$R$INSTALL/cache.cpf"; else _src="$R$INSTALL/iris.cpf"; fi ;;
    *) _src="$R$INSTALL/$CPF_NAME" ;;
  esac
  DRILL_CPF="$R$INSTALL/iris-ibg-drill.cpf"
  if [ ! -f "$_src" ] || [ ! -r "$_src" ]; then
    NOTE="CPF not readable: ${_src#"$R"}"
    return 1
  fi
  # Written as root into the install directory: never through a symlink or into someone else's file.
  if ! safe_file "$DRILL_CPF" || ! safe_file "$DRILL_CPF.tmp"; then
    NOTE="drill CPF path unsafe: ${DRILL_CPF#"$R"}"
    return 1
  fi
  rm -f "$DRILL_CPF.tmp" 2>/dev/null
  if ! (umask 022 && write_drill_cpf "$_src" "$DRILL_CPF.tmp") 2>/dev/null ||
    ! mv -f "$DRILL_CPF.tmp" "$DRILL_CPF" 2>/dev/null; then
    rm -f "$DRILL_CPF.tmp" 2>/dev/null
    NOTE="drill CPF not written: ${DRILL_CPF#"$R"}"
    return 1
  fi
  # IRIS runs as its own owner: let it read the copy as it reads the original.
  chown --reference="$_src" "$DRILL_CPF" 2>/dev/null || :
  return 0
}

# Starts IRIS with the drill CPF and nostu, then waits (polling qlist every POLL_SECONDS) until it is running and
# not hung, up to IRIS_UP_SECONDS.
start_iris() {
  _limit="${IRIS_UP_SECONDS:-600}"
  case "$_limit" in '' | *[!0-9]*) _limit=600 ;; esac
  _t0="$(now)"
  START_ATTEMPTED=1
  STOPPED=0
  I_PENDING=1
  I_IRIS=down
  I_RECOVERY=unknown
  I_INTEGRITY=not-run
  progress "starting $INST with ${DRILL_CPF#"$R"} nostu"
  bounded "$((_limit + 30))" "$CONTROL" start "$INST" "$DRILL_CPF" nostu </dev/null >>"$EV_DIR/start.out" 2>&1
  _start_rc=$?
  while :; do
    if qlist_fields && [ "$QSTATUS" = running ] && [ "$QHEALTH" != hung ]; then
      I_IRIS=up
      break
    fi
    # A start that failed and left the instance down is not coming up: no point in waiting.
    if [ "$_start_rc" -ne 0 ] && [ "$QSTATUS" = down ]; then break; fi
    _el=$(($(now) - _t0))
    [ "$_el" -lt "$_limit" ] || break
    sleep "$POLL_SECONDS" 2>/dev/null || break
  done
  _up=$(($(now) - _t0))
  [ "$_up" -ge 0 ] || _up=0
  [ "$_up" -le "$UP_SECONDS" ] || UP_SECONDS=$_up
  [ "$I_IRIS" = up ] || evidence "$INST not up after ${_up}s: start rc=$_start_rc status=${QSTATUS:-?} health=${QHEALTH:-?}"
}

# Reads only what this start appended to messages.log (from LOG_SIZE0 on; all of it if the log was rotated).
# Lines matched: "Previous system shutdown was abnormal" (iris.md §5, verbatim), the "*** Recovery started at"
# banner and WIJ/journal recovery lines (§1.5, described, not verbatim: the simulator's wording "WIJ recovery ...",
# "Journal recovery ..." is used), and the MISMATCH.WIJ / "Startup aborted, entering single user mode" text (§3.6,
# verbatim). failed: a failure line; recovered: recovery lines and IRIS came up; clean: neither and IRIS came up.
read_recovery() {
  I_RECOVERY=unknown
  if [ ! -f "$LOG" ] || [ ! -r "$LOG" ]; then
    return 0
  fi
  _size="$(file_size "$LOG")"
  _from=$((LOG_SIZE0 + 1))
  [ "$_size" -ge "$LOG_SIZE0" ] || _from=1
  _rs="$(tail -c "+$_from" "$LOG" 2>/dev/null | LC_ALL=C awk '
    /MISMATCH\.WIJ|Startup aborted|entering single user mode/ { failed = 1; if (n < 8) ev[n++] = $0; next }
    /Previous system shutdown was abnormal|\*\*\* Recovery started|WIJ recovery|[Jj]ournal recovery|transaction rollback|Exiting with status/ {
      rec = 1; if (n < 8) ev[n++] = $0; next
    }
    END {
      print (failed ? "failed" : (rec ? "recovered" : "clean"))
      for (i = 0; i < n; i++) print ev[i]
    }' 2>/dev/null)" || _rs=""
  _verdict="$(printf '%s\n' "$_rs" | sed -n '1p')"
  case "$_verdict" in
    failed) I_RECOVERY=failed ;;
    recovered | clean) if [ "$I_IRIS" = up ]; then I_RECOVERY=$_verdict; fi ;;
  esac
  _ev="$(printf '%s\n' "$_rs" | sed -n '2,$p')"
  [ -z "$_ev" ] || evidence "$_ev"
}

# ---- step 4: integrity --------------------------------------------------------------------------------------

# The ObjectScript run in %SYS: CheckList^Integrity over every mounted database (reference §3.1; stop after errors:
# no; maxproc 0: one process per core), then Display^Integrity of its results, then the %Status as one line.
# The temporary output global lives in IRISTEMP, which the next start clears: not killed here (its name differs
# between IRIS and Caché).
integrity_code() {
  cat <<'EOF'
set sc=$$CheckList^Integrity(,,0,,0)
do Display^Integrity()
write !,"IBG-INTEGRITY-STATUS ok=",$system.Status.IsOK(sc),!
halt
EOF
}

# Local database directories of the CPF's [Databases] section ("NAME=dir" or "NAME=dir,server": remote ones are
# skipped), with a trailing slash.
cpf_databases() {
  LC_ALL=C awk '
    { line = $0; sub(/\r$/, "", line) }
    line ~ /^\[/ { sect = line; next }
    sect == "[Databases]" && line ~ /=/ {
      v = line; sub(/^[^=]*=/, "", v)
      n = split(v, p, ",")
      if (n >= 2 && p[2] != "") next
      d = p[1]; if (d == "") next
      if (d !~ /\/$/) d = d "/"
      print d
    }' "$1" 2>/dev/null
}

# Derives per-database results from the report (streamed, never held in the shell): "---Directory X---" opens a
# database; "No Errors were found in this directory." makes it ok; "The database is not mounted." not-mounted; "is
# Not OK", "errors were detected", "aborted", "*** Errors in directory: X ***" error. A database with no verdict is
# an error and the check incomplete. Then every CPF database that never appeared and has no IRIS.DAT (CACHE.DAT) on
# the restored disks is not-mounted (a real IRIS leaves unmounted databases out of the report).
# Output: "db <status> <dir>" lines, then "summary <total> <errors> <notmounted> <noverdict> <final> <sc>".
derive_integrity() {
  _expect="$EV_DIR/cpf-databases.txt"
  : >"$_expect" 2>/dev/null
  [ -f "$DRILL_CPF" ] && cpf_databases "$DRILL_CPF" >"$_expect"
  if [ "$FLAVOUR" = cache ]; then _dat=CACHE.DAT; else _dat=IRIS.DAT; fi
  while IFS= read -r _d; do
    [ -n "$_d" ] || continue
    if [ -e "$R$_d$_dat" ]; then printf 'present %s\n' "$_d"; else printf 'absent %s\n' "$_d"; fi
  done <"$_expect" >"$_expect.state" 2>/dev/null
  LC_ALL=C awk -v statefile="$_expect.state" '
    function open_dir(d) {
      if (!(d in status)) { order[n++] = d; status[d] = "none" }
      cur = d
    }
    function mark(d, s) {
      if (!(d in status)) { order[n++] = d; status[d] = "none" }
      if (s == "ok" && status[d] != "none") return
      if (s == "error" && status[d] == "not-mounted") return
      status[d] = s
    }
    /^---Directory .*---[ \t\r]*$/ { d = $0; sub(/^---Directory /, "", d); sub(/---[ \t\r]*$/, "", d); open_dir(d); next }
    /^---Total for directory .*---/ { next }
    /^No Errors were found in this directory\./ { if (cur != "") mark(cur, "ok"); next }
    /The database is not mounted\./ { if (cur != "") mark(cur, "not-mounted"); next }
    /^\*\*\* Errors in directory: .* \*\*\*/ { d = $0; sub(/^\*\*\* Errors in directory: /, "", d); sub(/ \*\*\*.*$/, "", d); mark(d, "error"); cur = d; next }
    /is Not OK|errors were detected|Further checking of this directory is aborted|Further checking of this global is aborted|Map Error/ {
      if (cur != "") mark(cur, "error"); next
    }
    /^No Errors were found\.[ \t\r]*$/ { final = "clean"; cur = ""; next }
    /^\*+ ?ERRORS WERE FOUND/ { final = "errors"; cur = ""; next }
    /^IBG-INTEGRITY-STATUS ok=/ { sc = $0; sub(/.*ok=/, "", sc); sub(/[^0-9].*/, "", sc); next }
    END {
      while ((getline l < statefile) > 0) {
        st = l; sub(/ .*/, "", st); d = l; sub(/^[^ ]* /, "", d)
        if (d in status) continue
        if (st == "absent") { order[n++] = d; status[d] = "not-mounted" }
      }
      for (i = 0; i < n; i++) {
        d = order[i]; s = status[d]
        if (s == "none") { noverdict++; s = "error" }
        if (s == "error") errors++
        if (s == "not-mounted") notmounted++
        print "db " s " " d
      }
      printf "summary %d %d %d %d %s %s\n", n, errors, notmounted, noverdict, (final == "" ? "-" : final), (sc == "" ? "-" : sc)
    }' "$EV_DIR/integrity.part" >"$EV_DIR/databases.part" 2>/dev/null
}

# run_integrity: the check of INST into integrity.part, derived on its own, then appended (headed by a line naming
# the instance) to the one evidence file, whose whole is printed on stdout at the end (print_integrity).
run_integrity() {
  EVIDENCE_FILE="$EV_DIR/integrity.log"
  EVIDENCE="${EV_VM_DIR%/}/integrity.log"
  _part="$EV_DIR/integrity.part"
  if ! safe_file "$EVIDENCE_FILE" || ! safe_file "$_part"; then
    NOTE="evidence file unsafe: $EVIDENCE"
    I_INTEGRITY=incomplete
    return 0
  fi
  INT_RAN=1
  progress "integrity check of every mounted database of $INST"
  _t0="$(now)"
  if [ "$FLAVOUR" = iris ]; then
    integrity_code | "$SESSION" session "$INST" -U %SYS >"$_part" 2>&1
  else
    integrity_code | "$SESSION" "$INST" -U %SYS >"$_part" 2>&1
  fi
  _session_rc=$?
  _secs=$(($(now) - _t0))
  [ "$_secs" -ge 0 ] || _secs=0
  INTEG_SECONDS=$((INTEG_SECONDS + _secs))
  # A blank line first, so the header never continues the previous report's last block; it starts with "=", which
  # no line of an integrity report does.
  _sep=0
  [ ! -s "$EVIDENCE_FILE" ] || _sep=1
  {
    [ "$_sep" -eq 0 ] || printf '\n'
    printf '=== IBG instance %s (%s) ===\n' "$INST" "$PRODUCT"
    cat "$_part"
  } >>"$EVIDENCE_FILE" 2>/dev/null
  EVIDENCE_BYTES="$(file_size "$EVIDENCE_FILE")"
  derive_integrity
  sed -n '/^db /p' "$EV_DIR/databases.part" >>"$EV_DIR/databases.txt" 2>/dev/null
  _sum="$(sed -n 's/^summary //p' "$EV_DIR/databases.part" 2>/dev/null)"
  rm -f "$_part" 2>/dev/null
  # shellcheck disable=SC2086 # the summary line's fields
  set -- $_sum
  if [ "$#" -lt 6 ]; then
    I_INTEGRITY=incomplete
    return 0
  fi
  DB_COUNT=$((DB_COUNT + $1))
  DB_ERRORS=$((DB_ERRORS + $2))
  _dbs=$1 _errs=$2 _notmounted=$3 _noverdict=$4 _final=$5 _sc=$6
  if [ "$_errs" -gt 0 ] || [ "$_final" = errors ]; then
    I_INTEGRITY=errors
  elif [ "$_notmounted" -gt 0 ] || [ "$_noverdict" -gt 0 ] || [ "$_dbs" -eq 0 ] || [ "$_session_rc" -ne 0 ] ||
    [ "$_final" != clean ] || [ "$_sc" = 0 ]; then
    I_INTEGRITY=incomplete
  else
    I_INTEGRITY=clean
  fi
  [ "$_session_rc" -eq 0 ] || evidence "$INST integrity session exit code $_session_rc"
}

# print_integrity: the whole evidence file (every instance's report) on stdout, streamed (it can be hundreds of
# MB; the app uploads all of stdout to a blob), once, before the summary.
print_integrity() {
  [ "$INT_RAN" -eq 1 ] && [ "$PRINTED" -eq 0 ] || return 0
  PRINTED=1
  EVIDENCE_BYTES="$(file_size "$EVIDENCE_FILE")"
  printf 'IBG-INTEGRITY-BEGIN bytes=%s\n' "$EVIDENCE_BYTES"
  cat "$EVIDENCE_FILE" 2>/dev/null
  printf '\nIBG-INTEGRITY-END\n'
}

# ---- step 5: stop -------------------------------------------------------------------------------------------

stop_iris() {
  [ "$START_ATTEMPTED" -eq 1 ] && [ "$STOPPED" -eq 0 ] || return 0
  STOPPED=1
  progress "stopping $INST"
  bounded "$STOP_SECONDS" "$CONTROL" stop "$INST" quietly </dev/null >>"${EV_DIR:-/tmp}/stop.out" 2>&1
  _stop_rc=$?
  if qlist_fields && [ "$QSTATUS" = down ]; then
    [ "$STOP" = failed ] || STOP=ok
  else
    STOP=failed
    evidence "iris stop $INST rc=$_stop_rc, status afterwards: ${QSTATUS:-unknown}"
  fi
}

# add_result: the instance just verified (or interrupted) into the aggregate flags, once.
add_result() {
  [ "$I_PENDING" -eq 1 ] || return 0
  I_PENDING=0
  N_STARTED=$((N_STARTED + 1))
  [ "$I_IRIS" = up ] || ANY_DOWN=1
  case "$I_RECOVERY" in
    failed) REC_FAILED=1 ;;
    recovered) REC_RECOVERED=1 ;;
    clean) ;;
    *) REC_UNKNOWN=1 ;;
  esac
  case "$I_INTEGRITY" in
    errors) INT_ERRORS=1 ;;
    incomplete) INT_INCOMPLETE=1 ;;
    clean) ;;
    *) INT_NOTRUN=1 ;;
  esac
}

# finalize: IRIS, RECOVERY and INTEGRITY over every instance started. iris: up only if all came up; recovery: failed,
# else unknown, else recovered, else clean; integrity: errors, else incomplete, else not-run, else clean.
finalize() {
  [ "$N_STARTED" -gt 0 ] || return 0
  if [ "$ANY_DOWN" -eq 1 ]; then IRIS=down; else IRIS=up; fi
  if [ "$REC_FAILED" -eq 1 ]; then
    RECOVERY=failed
  elif [ "$REC_UNKNOWN" -eq 1 ]; then
    RECOVERY=unknown
  elif [ "$REC_RECOVERED" -eq 1 ]; then
    RECOVERY=recovered
  else
    RECOVERY=clean
  fi
  if [ "$INT_ERRORS" -eq 1 ]; then
    INTEGRITY=errors
  elif [ "$INT_INCOMPLETE" -eq 1 ]; then
    INTEGRITY=incomplete
  elif [ "$INT_NOTRUN" -eq 1 ]; then
    INTEGRITY=not-run
  else
    INTEGRITY=clean
  fi
}

# ---- step 6: summary ----------------------------------------------------------------------------------------

# Prints the summary block. Lists are capped by count and bytes (DB_*, EV_*), with a "more=<kind> <n>" line for
# what was left out, so the block stays under 4,096 bytes whatever the VM holds.
summary() {
  printf '\n'
  {
    printf 'IBG-DRILL-BEGIN v=1\n'
    clean "$INST_LIST" 120
    _i=$CLEAN
    clean "${FIRST_PRODUCT:-$PRODUCT}" 16
    printf 'instance=%s product=%s\n' "$_i" "$CLEAN"
    printf 'freeze=%s journal=%s\n' "$FREEZE" "$JOURNAL"
    printf 'isolation=%s checked=%s reached=%s\n' "$ISOLATION" "$CHECKED" "$REACHED"
    printf 'iris=%s seconds=%s\n' "$IRIS" "$UP_SECONDS"
    printf 'recovery=%s\n' "$RECOVERY"
    printf 'integrity=%s databases=%s errors=%s seconds=%s\n' "$INTEGRITY" "$DB_COUNT" "$DB_ERRORS" "$INTEG_SECONDS"
    if [ -n "$EV_DIR" ] && [ -f "$EV_DIR/databases.txt" ]; then
      # Problems first, so a capped list still names every failing database it can.
      LC_ALL=C awk '$1 == "db" && $2 != "ok" { print substr($0, 4) } END { while ((getline l < FILENAME) > 0)
        if (l ~ /^db ok /) print substr(l, 4) }' "$EV_DIR/databases.txt" 2>/dev/null | LC_ALL=C awk -v maxl="$DB_LINES" -v maxb="$DB_BYTES" -v cap="$DIR_CAP" '
        { gsub(/[\001-\037\177]/, "?"); l = "db=" substr($0, 1, cap) }
        shown < maxl && bytes + length(l) + 1 <= maxb { print l; shown++; bytes += length(l) + 1; next }
        { more++ }
        END { if (more > 0) print "more=db " more }'
    fi
    clean "$EVIDENCE" "$FIELD_CAP"
    printf 'evidence=%s bytes=%s\n' "$CLEAN" "$EVIDENCE_BYTES"
    printf 'stop=%s\n' "$STOP"
    [ -z "$NOTE" ] || printf '%s\n' "$NOTE" | LC_ALL=C tr '\000-\011\013-\037\177' '?' | LC_ALL=C cut -c "1-$FIELD_CAP" |
      sed 's/^/line=/'
    if [ -n "$EV_DIR" ] && [ -f "$EV_DIR/evidence.txt" ]; then
      LC_ALL=C awk -v maxl="$EV_LINES" -v maxb="$EV_BYTES" -v cap="$FIELD_CAP" '
        { gsub(/[\001-\037\177]/, "?"); l = "line=" substr($0, 1, cap) }
        shown < maxl && bytes + length(l) + 1 <= maxb { print l; shown++; bytes += length(l) + 1; next }
        { more++ }
        END { if (more > 0) print "more=line " more }' "$EV_DIR/evidence.txt" 2>/dev/null
    fi
    printf 'IBG-DRILL-END rc=%s\n' "$RC"
  }
}

# The exit code from the outcome; the most fundamental failure wins.
decide_rc() {
  if [ "$RC" -ne 0 ]; then
    :
  elif [ "$RECOVERY" = failed ]; then
    RC=$EX_RECOVERY
  elif [ "$IRIS" != up ]; then
    RC=$EX_DOWN
  elif [ "$INTEGRITY" != clean ]; then
    RC=$EX_INTEGRITY
  else
    RC=$EX_OK
  fi
}

# finish [RC]: stops the instance this run started (if any is still up), prints the evidence, then the summary last,
# exits.
finish() {
  trap '' HUP INT TERM
  FINISHED=1
  RC=${1:-0}
  stop_iris
  add_result
  print_integrity
  finalize
  decide_rc
  summary
  exit "$RC"
}

# Anything that ends the script early (a signal, an unexpected exit) still stops IRIS and prints the summary.
# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  _rc=$?
  [ "$FINISHED" -eq 0 ] || return 0
  FINISHED=1
  trap '' HUP INT TERM
  NOTE="${NOTE:-unexpected exit rc=$_rc}"
  [ "$_rc" -ne 0 ] || _rc=$EX_OTHER
  RC=$_rc
  stop_iris
  add_result
  print_integrity
  finalize
  case "$RC" in 0 | 1 | 3 | 4 | 5) ;; *) RC=$EX_OTHER ;; esac
  summary
  exit "$RC"
}

main() {
  umask 077
  MY_UID="$(id -u 2>/dev/null)" || MY_UID=""
  _evd="${EVIDENCE_DIR:-/var/tmp/ibg-drill}"
  case "$_evd" in
    /*) ;;
    *)
      NOTE="EVIDENCE_DIR must be absolute"
      finish "$EX_OTHER"
      ;;
  esac
  EV_VM_DIR=${_evd%/}
  if ! safe_dir "$R$EV_VM_DIR"; then
    NOTE="evidence directory unsafe or not creatable: $EV_VM_DIR"
    finish "$EX_OTHER"
  fi
  EV_DIR="$R$EV_VM_DIR"
  for _f in evidence.txt databases.txt start.out stop.out cpf-databases.txt cpf-databases.txt.state \
    integrity.log integrity.part databases.part; do
    if ! safe_file "$EV_DIR/$_f"; then
      EV_DIR=""
      NOTE="evidence file unsafe: $EV_VM_DIR/$_f"
      finish "$EX_OTHER"
    fi
    rm -f "$EV_DIR/$_f" 2>/dev/null
  done
  if ! find_iris; then
    NOTE="no iris or ccontrol/csession command"
    finish "$EX_OTHER"
  fi
  if [ -n "${INSTANCE:-}" ]; then
    case "$INSTANCE" in
      *[!A-Za-z0-9_-]*)
        NOTE="bad INSTANCE name"
        finish "$EX_OTHER"
        ;;
    esac
    INSTANCES=$INSTANCE
    INST_LIST=$INSTANCE
  elif ! list_instances; then
    NOTE="no instance listed by qlist, or a bad instance name from qlist"
    finish "$EX_OTHER"
  fi

  # 1. Every instance: stopped if something started it, and its freeze state, before any IRIS writes anything.
  _list=""
  for _n in $INSTANCES; do
    select_instance "$_n" || finish "$EX_OTHER"
    _list="${_list:+$_list,}$INST"
    INST_LIST=$_list
    if [ "$QSTATUS" != down ]; then
      # Something started it before us (autostart at boot): messages.log already holds this boot's start, and it
      # may run with the production CPF. Say so; it is stopped first and started again the drill's way.
      evidence "instance was ${QSTATUS:-in an unknown state} when the verifier began ($INST); stopped before the drill start"
      _stop=$STOP
      START_ATTEMPTED=1
      STOPPED=0
      stop_iris
      START_ATTEMPTED=0
      STOP=$_stop
    fi
    read_freeze_state
    add_freeze
    progress "freeze state of $INST at the snapshot: $I_FREEZE"
  done

  # 2. Network isolation, once, before any instance starts.
  check_isolation
  progress "isolation: $ISOLATION ($CHECKED checked)"
  [ -z "$NOTE" ] || finish "$EX_ISOLATION"
  case "$ISOLATION" in
    ok) ;;
    breached) finish "$EX_ISOLATION" ;;
    *) [ "${ALLOW_UNVERIFIED_ISOLATION:-0}" = 1 ] || finish "$EX_ISOLATION" ;;
  esac

  # 3.-5. Each instance in turn: started with the drill CPF and nostu, checked, stopped before the next one starts
  # (so the EXIT trap has at most the current one to stop). One that does not come up does not stop the others.
  for _n in $INSTANCES; do
    select_instance "$_n" || finish "$EX_OTHER"
    LOG_SIZE0=0
    [ ! -f "$LOG" ] || LOG_SIZE0="$(file_size "$LOG")"
    prepare_cpf || finish "$EX_OTHER"
    start_iris
    read_recovery
    progress "$INST: $I_IRIS after start, recovery: $I_RECOVERY"
    if [ "$I_IRIS" = up ] && [ "$I_RECOVERY" != failed ]; then
      run_integrity
    fi
    stop_iris
    add_result
  done

  # 6. Evidence and summary.
  finish 0
}

# select_instance NAME: makes NAME the current instance (INST, INSTALL, DATA_DIR, CPF_NAME, PRODUCT, LOG, QSTATUS).
select_instance() {
  INST=$1
  INSTALL=""
  if ! qlist_fields; then
    NOTE="instance not found by qlist: $1"
    return 1
  fi
  case "$INST" in '' | *[!A-Za-z0-9_-]*)
    NOTE="bad instance name from qlist"
    INST=$1
    return 1
    ;;
  esac
  case "$INSTALL" in /*) ;; *)
    NOTE="no install directory in qlist for $INST"
    return 1
    ;;
  esac
  [ -n "$FIRST_PRODUCT" ] || FIRST_PRODUCT=$PRODUCT
  if [ "$FLAVOUR" = cache ]; then LOG="$R$DATA_DIR/mgr/cconsole.log"; else LOG="$R$DATA_DIR/mgr/messages.log"; fi
}

# Traps first: from here on every exit goes through finish or on_exit, which stop IRIS if this run started it.
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
DRILL_CPF=""
EVIDENCE_FILE=""
QSTATUS=""
QHEALTH=""
CLEAN=""
main "$@" </dev/null
