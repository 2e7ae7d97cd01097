#!/bin/sh
# shellcheck shell=dash
# IRIS Backup Guard probe v1: read-only facts about a VM's Azure Backup pre/post-script setup for IRIS/Caché.
# Prints exactly one line, `IBG_PROBE_V1 <json>` (shape: src/shared/checks/probeFacts.ts), of at most 4000 bytes,
# because managed Run Command keeps only the last 4 KiB of stdout. Writes nothing anywhere else, no temp files.
# Environment (Run Command parameters):
#   IBG_PROBE_MODE   check (default): setup facts and short log tails; logs: the log lines a backup verdict needs;
#                    frozen: only IRIS's state (qlist, IsWDSuspendedExt per instance) and the freeze-state phase
#   IBG_PROBE_SINCE  ISO UTC time; in logs mode, stamped log lines before it are left out (messages.log, in the
#                    VM's local time, against the same instant in local time)
#   TZ               the VM's zone when set; else /etc/localtime (under IBG_ROOT, the root's own)
#   IBG_ROOT         prefix of every file path read (empty on a real VM; an image or sandbox root otherwise)
# No `set -e`: failures are expected everywhere here (missing files, no IRIS) and each one is handled.
set -u

readonly BUDGET=3990
# A bash re-exec counts only within the script's first lines (before any bash syntax it protects).
readonly REEXEC_LINES=20
readonly READ_CAP=65536 LOG_READ_CAP=262144 LINE_CAP=300 PATH_CAP=200 IRIS_TIMEOUT=10 MAX_INSTANCES=4
# A trailing slash (or a root of "/") would turn the root's own links into relative ones in in_root.
R="${IBG_ROOT:-}"
R="${R%/}"
readonly R
readonly MAX_LINK_HOPS=40
readonly HOST_CONF=/etc/azure/VMSnapshotPluginHost.conf
readonly DEFAULT_CONFIG=/etc/azure/VMSnapshotScriptPluginConfig.json
readonly EXT_LOG=/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log
readonly STATE_FILE=/var/lib/iris-backup-guard/freeze-state
readonly SCRIPTS_LOG=/var/log/iris-backup-guard/freeze-thaw.log
readonly EXT_PATTERN='script|plugin|freeze|thaw|StatusCode|Enable|consistent'
readonly MSG_PATTERN='Backup\.General|Journal|Recovery|WIJ|Startup of|Shutdown|suspend|resum'
# Logs mode ranks each line: 1 = the verdict needs it (run start, validation, script results, freeze/thaw, final
# status), 2 = explains a failure, 3 = context. Lower-case EREs without backslashes (awk -v would eat them).
readonly EXT_P1='loading script modules now|validate scripts output|app consistent consistent backup enabled|triggering file system consistent backup|(prescript|postscript) for .* (timed out|failed with error code|successfully executed)|cant run prescript|t:s freeze|t:s thaw result|logs during freeze|enable succeeded|enable failed|failed to enable|precheck failed|(prescript|postscript) failed for the plugin'
readonly EXT_P2='running (pre|post)script for|finished (pre|post)script execution|does not exist in the location|desired permissions|not root|error in |statuscode'
readonly SCRIPTS_P1='event=(frozen|thawed|freeze-failed|thaw-failed)( |$)'
readonly SCRIPTS_P2='event=(finished|already-frozen|auto-thawed|not-suspended|status-failed|skip|pre-still-running|unexpected-exit|no-iris-command|no-running-instance|bad-instance-name|stat-w|refused|qlist-failed)( |$)'
readonly OTHER_P1='system suspended|system resumed|system is frozen|system is unfrozen|freeze failed|unfreeze failed|already frozen'
readonly OTHER_P2='externalfreeze|externalthaw|error|denied|failed|not found|cannot|not running|is down'
readonly MSG_P1='externalfreeze: system suspended|externalthaw: system resumed|recovery started'
readonly MSG_P2='backup[.]general[.]external(freeze|thaw)|wdsuspendlimit'
TAB="$(printf '\t')"
CR="$(printf '\r')"
readonly TAB CR

# ---- JSON text ----------------------------------------------------------------------------------------------

# Keeps valid UTF-8 only (iconv), or plain ASCII where iconv is missing.
utf8_only() {
  if command -v iconv >/dev/null 2>&1; then iconv -f UTF-8 -t UTF-8 -c 2>/dev/null; else LC_ALL=C tr -d '\200-\377'; fi
}

# Escapes stdin for a JSON string: control characters other than tab/CR/LF are dropped, lines joined with \n.
esc() {
  LC_ALL=C tr -d '\000-\010\013\014\016-\037\177' |
    LC_ALL=C sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$TAB/\\\\t/g" -e "s/$CR/\\\\r/g" |
    LC_ALL=C awk 'NR > 1 { printf "%s", "\\n" } { printf "%s", $0 }' | utf8_only
}

# Escapes stdin as JSON array elements, one per line: "a","b".
esc_lines() {
  LC_ALL=C tr -d '\000-\010\013\014\016-\037\177' |
    LC_ALL=C sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$TAB/\\\\t/g" -e "s/$CR/\\\\r/g" |
    LC_ALL=C awk '{ printf "%s\"%s\"", (NR > 1 ? "," : ""), $0 }' | utf8_only
}

js() { printf '"%s"' "$(printf '%s' "$1" | esc)"; }

# ---- files ----------------------------------------------------------------------------------------------------

# in_root VMPATH: sets HP to the host path of VMPATH. Under a root (`check --root`, an image, a sandbox VM) every
# symlink on the way is resolved inside R, as a chroot would: an absolute target starts again at R, `..` stops at R,
# so a link never reaches the host's own files (/etc/azure/x -> /etc/shadow is R/etc/shadow). A target that is
# already a host path into R (how the sandbox and the tests make links) counts as that VM path. A link loop or an
# unreadable link gives HP="" (no such file). Without a root, the path itself: the VM's kernel resolves it.
in_root() {
  HP="$1"
  [ -n "$R" ] || return 0
  _ir_todo="${1#/}"
  _ir_done=""
  _ir_hops=0
  while [ -n "$_ir_todo" ]; do
    _ir_c="${_ir_todo%%/*}"
    case "$_ir_todo" in */*) _ir_todo="${_ir_todo#*/}" ;; *) _ir_todo="" ;; esac
    case "$_ir_c" in
      '' | .) continue ;;
      ..)
        _ir_done="${_ir_done%/*}"
        continue
        ;;
    esac
    if [ -L "$R$_ir_done/$_ir_c" ]; then
      _ir_hops=$((_ir_hops + 1))
      _ir_t="$(readlink "$R$_ir_done/$_ir_c" 2>/dev/null)"
      if [ "$_ir_hops" -gt "$MAX_LINK_HOPS" ] || [ -z "$_ir_t" ]; then
        HP=""
        return 1
      fi
      case "$_ir_t" in "$R"/*) _ir_t="${_ir_t#"$R"}" ;; esac
      case "$_ir_t" in /*) _ir_done="" ;; esac
      _ir_todo="${_ir_t#/}${_ir_todo:+/$_ir_todo}"
    else
      _ir_done="$_ir_done/$_ir_c"
    fi
  done
  HP="$R$_ir_done"
}

# link_target VMPATH: the target of VMPATH when it is itself a symlink (read, never followed), else nothing.
# A host path into the root is reported as the VM path it names.
link_target() {
  in_root "${1%/*}"
  [ -z "$R" ] || [ -n "$HP" ] || return 0
  _lt="$HP/${1##*/}"
  [ -L "$_lt" ] || return 0
  _lt="$(readlink "$_lt" 2>/dev/null)"
  case "$_lt" in "$R"/*) _lt="${_lt#"$R"}" ;; esac
  printf '%s' "$_lt" | head -c "$PATH_CAP"
}

# file_facts VMPATH: sets FACTS (JSON members) and F_ISFILE / F_READABLE for the file at VMPATH. A symlink's target
# is reported as written (`linkTarget`); what it points to is looked up inside the root only (in_root).
file_facts() {
  F_ISFILE=false
  F_READABLE=false
  FACTS="\"path\":$(js "$(printf '%s' "$1" | head -c "$PATH_CAP")")"
  _link=false
  _target="$(link_target "$1")"
  if [ -n "$_target" ]; then
    _link=true
    FACTS="$FACTS,\"linkTarget\":$(js "$_target")"
  fi
  in_root "$1"
  _p="$HP"
  if [ -z "$_p" ] || [ ! -e "$_p" ]; then
    FACTS="$FACTS,\"exists\":false,\"isFile\":false,\"isLink\":$_link"
    return 0
  fi
  [ -f "$_p" ] && F_ISFILE=true
  [ -r "$_p" ] && F_READABLE=true
  FACTS="$FACTS,\"exists\":true,\"isFile\":$F_ISFILE,\"isLink\":$_link,\"readable\":$F_READABLE"
  _st="$(stat -L -c '%U %a %s' "$_p" 2>/dev/null)"
  _owner="${_st%% *}"
  _rest="${_st#* }"
  _mode="${_rest%% *}"
  _size="${_rest#* }"
  [ -n "$_owner" ] && FACTS="$FACTS,\"owner\":$(js "$_owner")"
  case "$_mode" in '' | *[!0-7]*) ;; *) FACTS="$FACTS,\"mode\":\"$_mode\"" ;; esac
  case "$_size" in '' | *[!0-9]*) ;; *) FACTS="$FACTS,\"size\":$_size" ;; esac
}

exists() { if in_root "$1" && [ -n "$HP" ] && [ -e "$HP" ]; then printf true; else printf false; fi; }

# can_read VMPATH: a regular file we may read (never a FIFO or device, which could block or never end); sets HP.
can_read() { in_root "$1" && [ -n "$HP" ] && [ -f "$HP" ] && [ -r "$HP" ]; }

# text_facts VMPATH CAP: file facts plus bom and up to CAP bytes of text (CAP 0: no text).
text_facts() {
  file_facts "$1"
  can_read "$1" || return 0
  _bom=false
  _hp="$HP"
  [ "$(head -c 3 "$_hp" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = efbbbf ] && _bom=true
  FACTS="$FACTS,\"bom\":$_bom"
  [ "$2" -gt 0 ] || return 0
  _size="$(head -c "$(($2 + 1))" "$_hp" 2>/dev/null | wc -c)"
  _trunc=false
  [ "$_size" -gt "$2" ] && _trunc=true
  FACTS="$FACTS,\"text\":\"$(head -c "$2" "$_hp" 2>/dev/null | esc)\",\"truncated\":$_trunc"
}

# ---- scripts ---------------------------------------------------------------------------------------------------

# json_key NAME: the string value of "NAME" in the config JSON (first match, one line), JSON slashes unescaped.
json_key() {
  in_root "$CONFIG"
  [ -n "$HP" ] || return 0
  head -c "$READ_CAP" "$HP" 2>/dev/null | tr -d '\r' |
    sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" | head -n 1 | sed 's|\\/|/|g'
}

has() { printf '%s\n' "$CODE" | grep -Eq -- "$1"; }

bashisms() {
  _b=""
  has '(^|[[:space:];&|!(])\[\[[[:space:]]' && _b="$_b,\"double-bracket\""
  has '(^|[[:space:];])function[[:space:]]+[A-Za-z_][A-Za-z0-9_]*' && _b="$_b,\"function-keyword\""
  has '\|&' && _b="$_b,\"pipe-ampersand\""
  has '(^|[[:space:];])[A-Za-z_][A-Za-z0-9_]*=\(|\$\{[A-Za-z_][A-Za-z0-9_]*\[' && _b="$_b,\"array\""
  has '(^|[[:space:]])[<>]\(' && _b="$_b,\"process-substitution\""
  has '(^|;|&&|\|\|)[[:space:]]*source[[:space:]]' && _b="$_b,\"source\""
  has '\[[[:space:]][^]]*[[:space:]]==[[:space:]]' && _b="$_b,\"double-equals\""
  has '(^|[;&|[:space:]])echo[[:space:]]+-[nE]*e' && _b="$_b,\"echo-e\""
  has 'PIPESTATUS' && _b="$_b,\"pipestatus\""
  has '(^|;|&&|\|\|)[[:space:]]*let[[:space:]]+[A-Za-z_]' && _b="$_b,\"let\""
  has '(^|;|&&|\|\|)[[:space:]]*(declare|typeset)[[:space:]]' && _b="$_b,\"declare\""
  printf '[%s]' "${_b#,}"
}

# Lines that write to stdout: echo/printf/tee with no redirection, not captured by $( ), not piped elsewhere.
stdout_writes() {
  printf '%s\n' "$CODE" | awk '
    $0 !~ /(^|[;&|( \t])(echo|printf|tee)([ \t]|$)/ { next }
    /[>`]/ || /\$\(/ { next }
    /(echo|printf)[^|]*\|/ && !/\|[ \t]*tee([ \t]|$)/ { next }
    { n++ }
    END { print n + 0 }'
}

trimmed() { sed 's/^[[:space:]]*//;s/[[:space:]]*$//'; }

# The script re-execs itself under bash when sh runs it: near the top, a BASH_VERSION test and an `exec … bash … $0`
# (`[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"`, or the same split over an if/fi). The extension ignores
# the shebang (vmsnapshot.md §3.1), so this is what makes bash syntax below it safe.
reexecs_bash() {
  _top="$(printf '%s\n' "$CODE" | head -n "$REEXEC_LINES")"
  printf '%s\n' "$_top" | grep -q 'BASH_VERSION' &&
    printf '%s\n' "$_top" |
    grep -Eq '(^|[;&|[:space:]])exec[[:space:]]+(/usr/bin/env[[:space:]]+)?([^[:space:]]*/)?bash[[:space:]]+(--[[:space:]]+)?"?[$][{]?0'
}

# script_facts VMPATH: sets FACTS for a pre/post script.
script_facts() {
  file_facts "$1"
  can_read "$1" || return 0
  _raw="$(head -c "$READ_CAP" "$HP" 2>/dev/null | tr -d '\000')"
  # Analysis ignores CRs and full-line comments (the marker line is read from the raw text).
  CODE="$(printf '%s\n' "$_raw" | tr -d '\r' | sed 's/^[[:space:]]*#.*//')"
  _crlf=false
  case "$_raw" in *"$CR"*) _crlf=true ;; esac
  FACTS="$FACTS,\"firstLine\":$(js "$(printf '%s\n' "$_raw" | head -n 1 | tr -d '\r' | cut -c 1-80)")"
  FACTS="$FACTS,\"crlf\":$_crlf,\"bashisms\":$(bashisms)"
  # Only when true (absent = false) to spare the output budget.
  ! reexecs_bash || FACTS="$FACTS,\"reexecsBash\":true"
  _marker="$(printf '%s\n' "$_raw" | tr -d '\r' |
    sed -n 's/^# iris-backup-guard: \([a-z][a-z]* v[0-9][0-9]*\)$/\1/p' | head -n 1)"
  [ -z "$_marker" ] || FACTS="$FACTS,\"ibgScript\":$(js "$_marker")"
  FACTS="$FACTS,\"freezeCalls\":$(printf '%s\n' "$CODE" | grep -c 'ExternalFreeze')"
  FACTS="$FACTS,\"thawCalls\":$(printf '%s\n' "$CODE" | grep -c 'ExternalThaw')"
  _call="$(printf '%s\n' "$CODE" | grep -m 1 'ExternalFreeze' | trimmed | cut -c 1-160)"
  [ -z "$_call" ] || FACTS="$FACTS,\"freezeCall\":$(js "$_call")"
  _fat="$(printf '%s\n' "$CODE" |
    sed -n 's/^[[:space:]]*\(readonly[[:space:]][[:space:]]*\)\{0,1\}FREEZE_ATTEMPT_TIMEOUT=\([0-9][0-9]*\).*/\2/p' |
    head -n 1 | cut -c 1-6)"
  [ -z "$_fat" ] || FACTS="$FACTS,\"freezeAttemptTimeout\":$_fat"
  _five=false
  has '(-eq|-ne)[[:space:]]+"?5"?([^0-9]|$)|[^=!<>]=[[:space:]]*"?5"?([^0-9]|$)|"5"|(^|[[:space:]|(])5\)' && _five=true
  _exits="$(printf '%s\n' "$CODE" | grep -E '(^|[;&|[:space:]])exit([[:space:];]|$)' | head -n 4 | trimmed |
    cut -c 1-60 | esc_lines)"
  FACTS="$FACTS,\"checksFive\":$_five,\"exitLines\":[$_exits],\"stdoutWrites\":$(stdout_writes)"
  _set_e=false
  has '(^|[;&|[:space:]])set[[:space:]]+(-[A-Za-z]*e|-o[[:space:]]+errexit)' && _set_e=true
  _trap=false
  has '(^|[;&|[:space:]])trap[[:space:]]' && _trap=true
  FACTS="$FACTS,\"setE\":$_set_e,\"trap\":$_trap"
}

# The first other *.log named in the pre-script (e.g. the Microsoft sample's log_path), not our own.
other_script_log() {
  [ -n "${PRE:-}" ] && can_read "$PRE" || return 0
  head -c "$READ_CAP" "$HP" | tr -d '\r' | sed 's/^[[:space:]]*#.*//' |
    sed -n 's|.*[^A-Za-z0-9._/-]\(/[A-Za-z0-9._/-]*\.log\).*|\1|p' |
    grep -v -e "^$SCRIPTS_LOG\$" -e 'messages\.log$' -e 'cconsole\.log$' | head -n 1
}

# ---- IRIS ------------------------------------------------------------------------------------------------------

bounded() {
  if command -v timeout >/dev/null 2>&1; then timeout -k 2 "$IRIS_TIMEOUT" "$@"; else "$@"; fi
}

# Sets IRIS_CMD/IRIS_NAME, QLIST, WD (JSON members) and INSTALL_DIRS (from qlist field 2). Only qlist and IsWDSuspendedExt are called; both are read-only.
iris_facts() {
  IRIS_CMD=""
  IRIS_NAME=""
  INSTALL_DIRS=""
  QLIST=""
  WD=""
  for _c in iris ccontrol; do
    IRIS_CMD="$(command -v "$_c" 2>/dev/null)" && break
    for _d in /usr/bin /usr/local/bin /usr/irissys/bin /usr/cachesys/bin; do
      [ -x "$_d/$_c" ] && IRIS_CMD="$_d/$_c" && break 2
    done
    IRIS_CMD=""
  done
  [ -n "$IRIS_CMD" ] || return 0
  _name="${IRIS_CMD##*/}"
  QLIST="$(bounded "$IRIS_CMD" qlist </dev/null 2>/dev/null | head -c 2000 | tr -d '\r')"
  _n=0
  # Read from a variable, not a pipe, so WD survives (a pipe's loop runs in a subshell).
  _rest="$QLIST"
  while [ -n "$_rest" ]; do
    _line="${_rest%%
*}"
    case "$_rest" in *"
"*) _rest="${_rest#*
}" ;; *) _rest="" ;; esac
    _inst="$(printf '%s' "$_line" | cut -d '^' -f 1)"
    _dir="$(printf '%s' "$_line" | cut -d '^' -f 2)"
    _state="$(printf '%s' "$_line" | cut -d '^' -f 4)"
    case "$_dir" in /*) INSTALL_DIRS="$INSTALL_DIRS ${_dir%/}" ;; esac
    case "$_inst" in '' | *[!A-Za-z0-9_-]*) continue ;; esac
    case "$_state" in running*) ;; *) continue ;; esac
    [ "$_n" -lt "$MAX_INSTANCES" ] || continue
    _n=$((_n + 1))
    if [ "$_name" = iris ]; then
      bounded "$IRIS_CMD" session "$_inst" -U%SYS '##Class(Backup.General).IsWDSuspendedExt()' </dev/null >/dev/null 2>&1
    else
      bounded "$(command -v csession || printf '%s' "${IRIS_CMD%/*}/csession")" "$_inst" -U%SYS '##Class(Backup.General).IsWDSuspendedExt()' \
        </dev/null >/dev/null 2>&1
    fi
    WD="$WD,{\"instance\":\"$_inst\",\"rc\":$?}"
  done
  IRIS_NAME=$_name
}

# iris_json QLIST_CAP: the IRIS members; a negative cap leaves qlist out (logs mode: the verdict needs only wd).
iris_json() {
  if [ -z "$IRIS_CMD" ]; then
    printf '"present":false'
    return 0
  fi
  printf '"present":true,"command":"%s"' "$IRIS_NAME"
  [ "$1" -lt 0 ] || printf ',"qlist":"%s"' "$(printf '%s' "$QLIST" | head -c "$1" | esc)"
  printf ',"wd":[%s]' "${WD#,}"
}

# ---- time zone -------------------------------------------------------------------------------------------------

# vm_zone: the VM's zone, for messages.log (IRIS writes the VM's local time, with no offset). Sets ZONE_TZ (the TZ
# for `date`; empty: this system's own default, which on a VM is the VM's), ZONE_NAME and ZONE_SRC. Under a root,
# this host's default says nothing about the root's VM: the root's /etc/localtime file (inside the root), else the
# zone its link names (this host's tzdata), else its /etc/timezone, else UTC (Azure's images' default).
vm_zone() {
  ZONE_TZ=""
  ZONE_NAME=""
  ZONE_SRC=""
  if [ -n "${TZ:-}" ]; then
    ZONE_TZ="$TZ"
    ZONE_NAME="$TZ"
    ZONE_SRC=TZ
    return 0
  fi
  _zl="$(link_target /etc/localtime)"
  case "$_zl" in */zoneinfo/*) ZONE_NAME="${_zl##*/zoneinfo/}" ;; esac
  if [ -z "$ZONE_NAME" ] && can_read /etc/timezone; then
    ZONE_NAME="$(head -c 100 "$HP" | head -n 1 | tr -cd 'A-Za-z0-9_+/.-')"
    [ -z "$ZONE_NAME" ] || ZONE_SRC=timezone
  fi
  # Used as TZ below: a name that is a path (absolute, or climbing with ..) would make date read a host file.
  case "$ZONE_NAME" in /* | *..* | *[!A-Za-z0-9_+/-]*)
    ZONE_NAME=""
    ZONE_SRC=""
    ;;
  esac
  if [ -z "$R" ]; then
    ZONE_SRC=system
  elif can_read /etc/localtime; then
    ZONE_TZ=":$HP"
    ZONE_SRC=localtime
  elif [ -n "$ZONE_NAME" ]; then
    ZONE_TZ="$ZONE_NAME"
    [ -n "$ZONE_SRC" ] || ZONE_SRC=localtime
  else
    ZONE_TZ=UTC
    ZONE_NAME=UTC
    ZONE_SRC=default
  fi
}

vm_date() { if [ -n "$ZONE_TZ" ]; then TZ="$ZONE_TZ" date "$@"; else date "$@"; fi; }

# minutes_of +HHMM: the offset in minutes east of UTC (`date +%z`); nothing when it is not one.
minutes_of() {
  case "$1" in [+-][0-2][0-9][0-5][0-9]) ;; *) return 0 ;; esac
  _h="${1#?}"
  _m="${_h#??}"
  _h="${_h%??}"
  _v=$((${_h#0} * 60 + ${_m#0}))
  case "$1" in -*) _v=$((0 - _v)) ;; esac
  printf '%s' "$_v"
}

# Sets OFFSET_NOW, OFFSET_SINCE (minutes) and LOCAL_SINCE: SINCE as the VM's local wall time, for messages.log.
# Across a DST change the wall clock repeats an hour (fall back) or skips one, so the bound uses the smaller of the
# two offsets: after a fall back a line written later can carry an earlier wall time than SINCE had. The app maps
# each local stamp to UTC (src/shared/parsers/vmLocalTime.ts); this bound only has to keep every line it needs.
# Needs GNU date -d; without it LOCAL_SINCE stays empty and messages.log is not cut by time.
zone_bounds() {
  OFFSET_NOW="$(minutes_of "$(vm_date +%z 2>/dev/null)")"
  OFFSET_SINCE=""
  LOCAL_SINCE=""
  [ -n "$SINCE" ] || return 0
  _e="$(date -u -d "${SINCE}Z" +%s 2>/dev/null)"
  case "$_e" in '' | *[!0-9]*) return 0 ;; esac
  OFFSET_SINCE="$(minutes_of "$(vm_date -d "@$_e" +%z 2>/dev/null)")"
  [ -n "$OFFSET_SINCE" ] && [ -n "$OFFSET_NOW" ] || return 0
  _min="$OFFSET_SINCE"
  [ "$OFFSET_NOW" -ge "$_min" ] || _min="$OFFSET_NOW"
  LOCAL_SINCE="$(date -u -d "@$((_e + _min * 60))" +%Y-%m-%dT%H:%M:%S 2>/dev/null)"
}

# The zone member: `"tz":{...}` with the offsets in minutes east of UTC.
tz_json() {
  printf '"tz":{'
  [ -z "$ZONE_NAME" ] || printf '"name":%s,' "$(js "$(printf '%s' "$ZONE_NAME" | head -c 64)")"
  printf '"source":"%s"' "$ZONE_SRC"
  [ -z "$OFFSET_NOW" ] || printf ',"offset":%s' "$OFFSET_NOW"
  [ -z "$OFFSET_SINCE" ] || printf ',"sinceOffset":%s' "$OFFSET_SINCE"
  printf '}'
}

# ---- logs ------------------------------------------------------------------------------------------------------

# Lines at/after IBG_PROBE_SINCE (logs mode). Unstamped lines follow the stamped line before them; a file with no
# stamped line at all is kept whole. Each stamp against the bound in its own time base: ISO with dashes (our log,
# the extension's python 3 log: UTC) against SINCE; messages.log MM/DD/YY-HH:MM:SS (the VM's local time) against
# LOCAL_SINCE; ISO with slashes (the extension's python 2 log, local time, and its freeze-block lines, whose base
# vmsnapshot.md does not give) against the earlier of the two, which keeps them whichever base they have.
since_filter() {
  LC_ALL=C awk -v since="$SINCE" -v lsince="$LOCAL_SINCE" '
    BEGIN { either = (lsince < since ? lsince : since) }
    function stamp(l, s) {
      if (l ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]/) {
        bound = since; return substr(l, 1, 10) "T" substr(l, 12, 8)
      }
      if (l ~ /^[0-9][0-9][0-9][0-9]\/[0-9][0-9]\/[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]/) {
        bound = either; s = substr(l, 1, 10); gsub(/\//, "-", s); return s "T" substr(l, 12, 8)
      }
      if (l ~ /^[0-9][0-9]\/[0-9][0-9]\/[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/) {
        bound = lsince; return "20" substr(l, 7, 2) "-" substr(l, 1, 2) "-" substr(l, 4, 2) "T" substr(l, 10, 8)
      }
      return ""
    }
    since == "" { print; next }
    { s = stamp($0) }
    s != "" { seen = 1; keep = (s >= bound); if (keep) print; next }
    !seen { held[++n] = $0; next }
    keep { print }
    END { if (!seen) for (i = 1; i <= n; i++) print held[i] }'
}

# log_lines VMPATH PATTERN: the relevant lines (newest 200, each cut to LINE_CAP bytes).
log_lines() {
  can_read "$1" || return 0
  tail -c "$LOG_READ_CAP" "$HP" 2>/dev/null | LC_ALL=C tr -d '\000\r' | since_filter |
    if [ -n "$2" ]; then LC_ALL=C grep -Ei -- "$2"; else cat; fi | tail -n 200 | cut -c "1-$LINE_CAP"
}

count_lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l | tr -d ' '; fi; }

# log_json KEY VMPATH LINES MAX: one ProbeLogTail member with the newest MAX of LINES.
log_json() {
  _trunc=false
  [ "$(count_lines "$3")" -le "$4" ] || _trunc=true
  _exists="$(exists "$2")"
  _lines=""
  [ "$4" -le 0 ] || [ -z "$3" ] || _lines="$(printf '%s\n' "$3" | tail -n "$4" | esc_lines)"
  printf '"%s":{"path":%s,"exists":%s,"lines":[%s],"truncated":%s}' "$1" \
    "$(js "$(printf '%s' "$2" | head -c "$PATH_CAP")")" "$_exists" "$_lines" "$_trunc"
}

# Escapes stdin for JSON strings, one per line (as esc_lines, without joining).
esc_each() {
  LC_ALL=C tr -d '\000-\010\013\014\016-\037\177' |
    LC_ALL=C sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$TAB/\\\\t/g" | utf8_only
}

# ranked LINES P1 P2: LINES escaped for JSON, each prefixed with its relevance (1, 2 or 3) and a space. Patterns
# are matched against the lower-cased line (P1 first); empty LINES stay empty.
ranked() {
  [ -n "$1" ] || return 0
  printf '%s\n' "$1" | esc_each |
    LC_ALL=C awk -v p1="$2" -v p2="$3" '{ l = tolower($0); p = 3; if (l ~ p1) p = 1; else if (l ~ p2) p = 2; print p " " $0 }'
}

# ranked_json KEY VMPATH RANKED N: sets J to a ProbeLogTail with N of the ranked lines, the most relevant first
# and, among equals, the newest, in log order. One awk per call (it runs per level). No subshell around the call,
# so DROPPED_LOGS survives: it gets logs.KEY when any line was left out. `truncated` means lines of relevance 1
# were left out (a missing freeze line then proves nothing).
ranked_json() {
  _r="$(printf '%s\n' "$3" | LC_ALL=C awk -v n="$4" '
    $0 == "" { next }
    { c++; line[c] = substr($0, 3); prio[c] = substr($0, 1, 1) + 0; if (prio[c] == 1) p1++ }
    END {
      left = n + 0
      for (p = 1; p <= 3; p++)
        for (i = c; i >= 1 && left > 0; i--)
          if (prio[i] == p) { keep[i] = 1; left--; kept++; if (p == 1) k1++ }
      printf "%d%d", (kept + 0 < c + 0), (k1 + 0 < p1 + 0)
      for (i = 1; i <= c; i++) if (keep[i]) printf "%s\"%s\"", (sep++ ? "," : ""), line[i]
    }')"
  case "$_r" in [01][01]*) ;; *) _r=00 ;; esac
  _flags="${_r%"${_r#??}"}"
  _trunc=false
  case "$_flags" in 1?) DROPPED_LOGS="$DROPPED_LOGS,\"logs.$1\"" ;; esac
  case "$_flags" in ?1) _trunc=true ;; esac
  _exists="$(exists "$2")"
  J="\"$1\":{\"path\":\"$(printf '%s' "$2" | head -c "$PATH_CAP" | esc)\",\"exists\":$_exists"
  J="$J,\"lines\":[${_r#??}],\"truncated\":$_trunc}"
}

messages_log() {
  for _d in $INSTALL_DIRS /usr/irissys /usr/cachesys; do
    for _f in messages.log cconsole.log; do
      in_root "$_d/mgr/$_f" && [ -n "$HP" ] && [ -f "$HP" ] && printf '%s\n' "$_d/mgr/$_f" && return 0
    done
  done
  _name=messages.log
  [ "${IRIS_NAME:-}" = ccontrol ] && _name=cconsole.log
  printf '%s\n' "${INSTALL_DIRS# }" | awk -v f="$_name" '{ print ($1 == "" ? "/usr/irissys" : $1) "/mgr/" f }'
}

# ---- assembly --------------------------------------------------------------------------------------------------

# base_json STAGE: everything but the logs; later stages carry less text.
base_json() {
  case "$1" in
    0) _cfg=1200 _small=300 _ql=600 ;;
    1) _cfg=400 _small=100 _ql=300 ;;
    2) _cfg=0 _small=0 _ql=150 ;;
    *) _cfg=0 _small=0 _ql=0 ;;
  esac
  text_facts "$HOST_CONF" "$_small"
  printf '"hostConf":{%s}' "$FACTS"
  text_facts "$CONFIG" "$_cfg"
  printf ',"config":{%s}' "$FACTS"
  for _role in pre post; do
    if [ "$_role" = pre ]; then _script="$PRE"; else _script="$POST"; fi
    [ -n "$_script" ] || continue
    if [ "$1" -le 2 ]; then script_facts "$_script"; else file_facts "$_script"; fi
    printf ',"%s":{%s}' "$_role" "$FACTS"
  done
  text_facts /etc/azure/workload.conf "$_small"
  printf ',"workloadConf":{%s}' "$FACTS"
  text_facts /etc/azure/vmbackup.conf "$_small"
  printf ',"vmbackupConf":{%s}' "$FACTS"
  printf ',"extension":{"versions":[%s]},"iris":{%s}' "$EXT_VERSIONS" "$(iris_json "$_ql")"
}

is_file() { if in_root "$1" && [ -n "$HP" ] && [ -f "$HP" ]; then printf true; else printf false; fi; }

# The minimal file facts ProbeFacts requires (logs mode and the fallback).
min_facts() { printf '{"path":%s,"exists":%s,"isFile":%s}' "$(js "$1")" "$(exists "$1")" "$(is_file "$1")"; }

# Logs mode, for a backup verdict: no file texts, script facts or qlist, and log lines ranked by relevance. Each
# level keeps fewer lines per log: the least relevant go first, then the oldest of the relevant ones. Returns if
# nothing fits.
logs_main() {
  _base="\"hostConf\":$(min_facts "$HOST_CONF"),\"config\":$(min_facts "$CONFIG")"
  _base="$_base,\"workloadConf\":$(min_facts /etc/azure/workload.conf)"
  _base="$_base,\"vmbackupConf\":$(min_facts /etc/azure/vmbackup.conf)"
  _base="$_base,\"extension\":{\"versions\":[$EXT_VERSIONS]},\"iris\":{$(iris_json -1)}"
  R_EXT="$(ranked "$L_EXT" "$EXT_P1" "$EXT_P2")"
  R_SCRIPTS="$(ranked "$L_SCRIPTS" "$SCRIPTS_P1" "$SCRIPTS_P2")"
  R_OTHER="$(ranked "$L_OTHER" "$OTHER_P1" "$OTHER_P2")"
  R_MSG="$(ranked "$L_MSG" "$MSG_P1" "$MSG_P2")"
  for _n in 200 60 40 30 22 16 12 9 7 5 4 3 2 1 0; do
    DROPPED_LOGS=""
    ranked_json extension "$EXT_LOG" "$R_EXT" "$_n"
    _logs="$J"
    ranked_json scripts "$SCRIPTS_LOG" "$R_SCRIPTS" "$_n"
    _logs="$_logs,$J"
    if [ -n "$OTHER_LOG" ]; then
      ranked_json otherScriptLog "$OTHER_LOG" "$R_OTHER" "$_n"
      _logs="$_logs,$J"
    fi
    ranked_json messages "$MESSAGES_LOG" "$R_MSG" "$_n"
    _logs="$_logs,$J"
    _json="{\"v\":1,\"mode\":\"logs\",\"at\":\"$AT\",$TZ_JSON,$_base,\"logs\":{$_logs}"
    [ -z "$DROPPED_LOGS" ] || _json="$_json,\"dropped\":[${DROPPED_LOGS#,}]"
    _json="$_json}"
    if [ $((${#_json} + 14)) -le "$BUDGET" ]; then
      printf 'IBG_PROBE_V1 %s\n' "$_json"
      exit 0
    fi
  done
}

# Check mode: file texts and short log tails; each stage carries less text, each level fewer lines.
check_main() {
  for _stage in 0 1 2 3; do
    _base="$(base_json "$_stage")"
    _dropped_base=""
    case "$_stage" in
      1 | 2) _dropped_base=',"config.text","hostConf.text","workloadConf.text","vmbackupConf.text","iris.qlist"' ;;
      3) _dropped_base=',"config.text","hostConf.text","workloadConf.text","vmbackupConf.text","iris.qlist","pre","post"' ;;
    esac
    for _lv in 10:10:5:8 6:6:3:4 3:3:1:2 1:1:0:1 0:0:0:0; do
      _ne="${_lv%%:*}" _r="${_lv#*:}"
      _ns="${_r%%:*}" _r="${_r#*:}"
      _no="${_r%%:*}" _nm="${_r#*:}"
      _logs="$(log_json extension "$EXT_LOG" "$L_EXT" "$_ne")"
      _logs="$_logs,$(log_json scripts "$SCRIPTS_LOG" "$L_SCRIPTS" "$_ns")"
      [ -z "$OTHER_LOG" ] || _logs="$_logs,$(log_json otherScriptLog "$OTHER_LOG" "$L_OTHER" "$_no")"
      _logs="$_logs,$(log_json messages "$MESSAGES_LOG" "$L_MSG" "$_nm")"
      DROPPED_LOGS=""
      [ "$(count_lines "$L_EXT")" -le "$_ne" ] || DROPPED_LOGS="$DROPPED_LOGS,\"logs.extension\""
      [ "$(count_lines "$L_SCRIPTS")" -le "$_ns" ] || DROPPED_LOGS="$DROPPED_LOGS,\"logs.scripts\""
      [ -z "$OTHER_LOG" ] || [ "$(count_lines "$L_OTHER")" -le "$_no" ] ||
        DROPPED_LOGS="$DROPPED_LOGS,\"logs.otherScriptLog\""
      [ "$(count_lines "$L_MSG")" -le "$_nm" ] || DROPPED_LOGS="$DROPPED_LOGS,\"logs.messages\""
      _dropped="$_dropped_base$DROPPED_LOGS"
      _json="{\"v\":1,\"mode\":\"check\",\"at\":\"$AT\",$TZ_JSON,$_base,\"logs\":{$_logs}"
      [ -z "$_dropped" ] || _json="$_json,\"dropped\":[${_dropped#,}]"
      _json="$_json}"
      if [ $((${#_json} + 14)) -le "$BUDGET" ]; then
        printf 'IBG_PROBE_V1 %s\n' "$_json"
        exit 0
      fi
    done
  done
}

# Frozen mode, for the frozen-IRIS check (src/shared/remediation/frozenCheck.ts): IRIS's state and the hardened
# scripts' phase only; no config, script or log is read. qlist is shortened until the line fits.
frozen_main() {
  iris_facts
  _phase=""
  if can_read "$STATE_FILE"; then
    _phase="$(head -c 4096 "$HP" | sed -n 's/^phase=\([a-z-]\{1,32\}\)$/\1/p' | head -n 1)"
  fi
  if [ -n "$_phase" ]; then _state="{\"exists\":true,\"phase\":\"$_phase\"}"; else _state="{\"exists\":$(exists "$STATE_FILE")}"; fi
  for _ql in 2000 1000 500 0; do
    _json="{\"v\":1,\"mode\":\"frozen\",\"at\":\"$AT\",\"iris\":{$(iris_json "$_ql")},\"freezeState\":$_state"
    [ "$_ql" -eq 2000 ] || _json="$_json,\"dropped\":[\"iris.qlist\"]"
    _json="$_json}"
    if [ $((${#_json} + 14)) -le "$BUDGET" ]; then
      printf 'IBG_PROBE_V1 %s\n' "$_json"
      exit 0
    fi
  done
  # Never reached (four instances' states always fit); without "iris" the reader reports the state as unknown.
  printf 'IBG_PROBE_V1 {"v":1,"mode":"frozen","at":"%s","dropped":["all"]}\n' "$AT"
  exit 0
}

main() {
  MODE="${IBG_PROBE_MODE:-check}"
  case "$MODE" in logs | frozen) ;; *) MODE=check ;; esac
  SINCE=""
  if [ "$MODE" = logs ]; then
    SINCE="$(printf '%s' "${IBG_PROBE_SINCE:-}" | tr ' ' 'T' | cut -c 1-19)"
    case "$SINCE" in
      [0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]) ;;
      [0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]*) SINCE="$(printf '%s' "$SINCE" | cut -c 1-10)T00:00:00" ;;
      *) SINCE="" ;;
    esac
  fi
  AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  [ "$MODE" != frozen ] || frozen_main
  vm_zone
  zone_bounds
  TZ_JSON="$(tz_json)"
  CONFIG="$DEFAULT_CONFIG"
  if can_read "$HOST_CONF"; then
    _c="$(head -c "$READ_CAP" "$HP" | tr -d '\r' |
      sed -n 's/^[[:space:]]*pluginConfigPath0[[:space:]]*[:=][[:space:]]*\(.*[^[:space:]]\)[[:space:]]*$/\1/p' | head -n 1)"
    case "$_c" in /*) CONFIG="$_c" ;; esac
  fi
  PRE=""
  POST=""
  if can_read "$CONFIG"; then
    PRE="$(json_key preScriptLocation)"
    POST="$(json_key postScriptLocation)"
  fi
  EXT_VERSIONS=""
  in_root /var/lib/waagent
  for _d in "${HP:-/nonexistent-ibg}"/Microsoft.Azure.RecoveryServices.VMSnapshotLinux-*; do
    [ -d "$_d" ] && EXT_VERSIONS="$EXT_VERSIONS,$(js "${_d##*/}")"
  done
  EXT_VERSIONS="${EXT_VERSIONS#,}"
  iris_facts
  OTHER_LOG="$(other_script_log)"
  MESSAGES_LOG="$(messages_log)"
  L_EXT="$(log_lines "$EXT_LOG" "$EXT_PATTERN")"
  L_SCRIPTS="$(log_lines "$SCRIPTS_LOG" '')"
  L_OTHER=""
  [ -z "$OTHER_LOG" ] || L_OTHER="$(log_lines "$OTHER_LOG" '')"
  L_MSG="$(log_lines "$MESSAGES_LOG" "$MSG_PATTERN")"
  if [ "$MODE" = logs ]; then logs_main; else check_main; fi
  # Nothing fitted (only possible with absurd paths): the bare minimum, so the caller still learns something.
  printf 'IBG_PROBE_V1 {"v":1,"mode":"%s","at":"%s","hostConf":%s,"config":%s,"workloadConf":%s,' \
    "$MODE" "$AT" "$(min_facts "$HOST_CONF")" "$(min_facts "$DEFAULT_CONFIG")" "$(min_facts /etc/azure/workload.conf)"
  printf '"vmbackupConf":%s,"extension":{"versions":[]},"iris":{"present":false},"logs":{},"dropped":["all"]}\n' \
    "$(min_facts /etc/azure/vmbackup.conf)"
  exit 0
}

main "$@"
