#!/bin/sh
# shellcheck shell=dash
# Installs the IRIS Backup Guard pre/post scripts and VMSnapshotScriptPluginConfig.json into /etc/azure.
# Files come embedded (the single script buildInstallScript() makes for Run Command) or from this script's directory.
# Scripts: root:root 700; config: root:root 600 (what VMSnapshotLinux accepts, vmsnapshot.md §2.2).
# Every file is written to a temporary file in its target directory and verified (size and POSIX cksum against the
# source, or the sums embedded with it) before anything is replaced; only then are the old files kept as
# <name>.bak-<UTC time> and the new ones moved into place (rename, atomic). A failed write (disk full) leaves the
# old files as they were. It writes only into real directories owned by root that no one else can write to.
# Running it again changes nothing. `install.sh --uninstall` removes our files and puts back the newest kept file
# that is not ours (the configuration the VM had before), if any.
# Prints exactly one line: RESULT status=installed|unchanged|uninstalled|failed ... IBG_ROOT prefixes every path
# (tests only).
set -eu

readonly EX_OK=0 EX_USAGE=64 EX_FAILED=70 EX_NOT_ROOT=77
readonly DEST_DIR=/etc/azure
readonly HOST_CONF=/etc/azure/VMSnapshotPluginHost.conf
readonly CONFIG_NAME=VMSnapshotScriptPluginConfig.json
readonly LOG_DIR=/var/log/iris-backup-guard
readonly STATE_DIR=/var/lib/iris-backup-guard
readonly FILES="iris-pre.sh iris-post.sh VMSnapshotScriptPluginConfig.json"

STAGE=""
EMBEDDED=0
EXPECTED_SUMS=""
TEMPS=""
NEW_BACKUPS=""
MY_UID=""
MODE=600

result() { printf 'RESULT %s\n' "$*"; }

die() {
  _code=$1
  shift
  result "status=failed reason=$*"
  exit "$_code"
}

# Removes the staging directory and temporary files, and after a failure the backups this run made.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  [ -z "$STAGE" ] || rm -rf "$STAGE"
  for _t in $TEMPS $NEW_BACKUPS; do rm -f "$_t"; done
}

# Writes the embedded files into $1 and sets EMBEDDED=1 and EXPECTED_SUMS; this copy has none (buildInstallScript
# replaces the marked line).
write_embedded() {
  return 1 # @@IBG_EMBEDDED_PAYLOAD@@
}

# sum FILE: "<cksum> <size>" of FILE (POSIX cksum), or nothing.
sum() { cksum <"$1" 2>/dev/null | awk '{ print $1 " " $2 }'; }

# expected NAME: the sum NAME must have.
expected() { printf '%s\n' "$EXPECTED_SUMS" | awk -v n="$1" '$3 == n { print $1 " " $2; exit }'; }

# verify FILE NAME: FILE has exactly the bytes NAME should have.
verify() {
  _want="$(expected "$2")" || return 1
  _got="$(sum "$1")" || return 1
  [ -n "$_want" ] && [ "$_got" = "$_want" ]
}

# safe_dir DIR: a real directory (not a symlink) owned by root (by us in tests), not group- or world-writable.
safe_dir() {
  [ -d "$1" ] && [ ! -L "$1" ] || return 1
  _ls="$(ls -ldn "$1" 2>/dev/null)" || return 1
  # shellcheck disable=SC2086 # split the ls line into fields
  set -- $_ls
  [ "$#" -ge 3 ] && [ "$3" = "$MY_UID" ] || return 1
  case "$1" in
    d????[!w]??[!w]*) return 0 ;;
  esac
  return 1
}

# own_dir PATH MODE: creates PATH (mode MODE) if missing; it must then be a safe directory.
own_dir() {
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then
    { mkdir -p "$1" && chmod "$2" "$1"; } 2>/dev/null || die "$EX_FAILED" "mkdir-${1#"${IBG_ROOT:-}"}"
  fi
  safe_dir "$1" || die "$EX_FAILED" "unsafe-dir-${1#"${IBG_ROOT:-}"}"
}

stage_payload() {
  STAGE="$(mktemp -d)" || die "$EX_FAILED" mktemp
  if ! write_embedded "$STAGE"; then
    [ "$EMBEDDED" -eq 0 ] || die "$EX_FAILED" stage-write
    _src="$(cd "$(dirname "$0")" && pwd)" || die "$EX_FAILED" no-source-dir
    EXPECTED_SUMS=""
    for _f in $FILES; do
      [ -f "$_src/$_f" ] || die "$EX_FAILED" "missing-$_f"
      _s="$(sum "$_src/$_f")" || _s=""
      [ -n "$_s" ] || die "$EX_FAILED" "cksum-of-$_f"
      EXPECTED_SUMS="$EXPECTED_SUMS$_s $_f
"
      cp "$_src/$_f" "$STAGE/$_f" 2>/dev/null || die "$EX_FAILED" "stage-$_f"
    done
  fi
  for _f in $FILES; do
    verify "$STAGE/$_f" "$_f" || die "$EX_FAILED" "verify-staged-$_f"
  done
  for _f in iris-pre.sh iris-post.sh; do
    sh -n "$STAGE/$_f" 2>/dev/null || die "$EX_FAILED" "syntax-error-in-$_f"
  done
}

mode_of() {
  case "$1" in
    *.sh) MODE=700 ;;
    *) MODE=600 ;;
  esac
}

# prepare NAME: when the installed file differs (content, owner or mode), writes the new one beside it as a
# temporary file and verifies it; appends NAME to PENDING.
prepare() {
  _target="${IBG_ROOT:-}$DEST_DIR/$1"
  mode_of "$1"
  _mode=$MODE
  if [ -f "$_target" ] && [ ! -L "$_target" ] && cmp -s "$STAGE/$1" "$_target" &&
    [ "$(stat -c '%a %u %g' "$_target")" = "$_mode 0 0" ]; then
    return 0
  fi
  [ ! -d "$_target" ] || die "$EX_FAILED" "not-a-file-$DEST_DIR/$1"
  _tmp="$_target.new-$$"
  rm -f "$_tmp"
  TEMPS="$TEMPS $_tmp"
  { cp "$STAGE/$1" "$_tmp" && chown 0:0 "$_tmp" && chmod "$_mode" "$_tmp"; } 2>/dev/null ||
    die "$EX_FAILED" "write-of-$1"
  if [ ! -f "$_tmp" ] || [ -L "$_tmp" ] || ! verify "$_tmp" "$1"; then die "$EX_FAILED" "verify-of-$1"; fi
  PENDING="${PENDING:+$PENDING }$1"
}

# keep NAME: keeps a differing old file as NAME.bak-STAMP (a copy compared with the original; never over an earlier
# backup). All backups are made before the first rename; a failure removes the ones this run made.
keep() {
  _target="${IBG_ROOT:-}$DEST_DIR/$1"
  [ -e "$_target" ] && ! cmp -s "$STAGE/$1" "$_target" || return 0
  _bak="$_target.bak-$STAMP"
  [ ! -e "$_bak" ] && [ ! -L "$_bak" ] || _bak="$_bak-$$"
  NEW_BACKUPS="$NEW_BACKUPS $_bak"
  { cp -p "$_target" "$_bak" && chmod 600 "$_bak" && cmp -s "$_target" "$_bak"; } 2>/dev/null ||
    die "$EX_FAILED" "backup-of-$1"
  BACKUPS="${BACKUPS:+$BACKUPS,}$DEST_DIR/${_bak##*/}"
}

# replace NAME: renames the verified new file over the old one (atomic).
replace() {
  _target="${IBG_ROOT:-}$DEST_DIR/$1"
  mv -f "$_target.new-$$" "$_target" 2>/dev/null || die "$EX_FAILED" "rename-of-$1 changed=${CHANGED:-none}"
  CHANGED="${CHANGED:+$CHANGED,}$1"
}

# ours FILE: whether FILE is one of ours (a script with our marker line, or a config that names our scripts).
ours() {
  grep -q '^# iris-backup-guard: ' "$1" 2>/dev/null ||
    grep -q '"preScriptLocation"[[:space:]]*:[[:space:]]*"/etc/azure/iris-pre\.sh"' "$1" 2>/dev/null
}

# uninstall: removes our three files; where a kept copy that is not ours exists, the newest one is put back.
uninstall() {
  _removed=""
  _restored=""
  _kept=""
  for _f in $FILES; do
    _target="${IBG_ROOT:-}$DEST_DIR/$_f"
    if [ -e "$_target" ] || [ -L "$_target" ]; then
      if [ -L "$_target" ] || ! ours "$_target"; then
        _kept="${_kept:+$_kept,}$_f"
        continue
      fi
    fi
    _back=""
    for _b in "$_target".bak-*; do
      [ -f "$_b" ] || continue
      [ ! -L "$_b" ] || continue
      ours "$_b" || _back=$_b
    done
    if [ -n "$_back" ]; then
      mv -f "$_back" "$_target" 2>/dev/null || die "$EX_FAILED" "restore-of-$_f"
      _restored="${_restored:+$_restored,}$DEST_DIR/$_f<-${_back##*/}"
    elif [ -e "$_target" ]; then
      rm -f "$_target" 2>/dev/null || die "$EX_FAILED" "remove-of-$_f"
      _removed="${_removed:+$_removed,}$_f"
    fi
  done
  result "status=uninstalled removed=${_removed:-none} restored=${_restored:-none} kept=${_kept:-none}"
  exit "$EX_OK"
}

main() {
  MY_UID="$(id -u)" || die "$EX_FAILED" id
  [ "$MY_UID" -eq 0 ] || die "$EX_NOT_ROOT" not-root
  umask 077
  trap cleanup EXIT
  case "${1:-}" in
    '') ;;
    --uninstall)
      safe_dir "${IBG_ROOT:-}$DEST_DIR" || die "$EX_FAILED" "unsafe-dir-$DEST_DIR"
      uninstall
      ;;
    *) die "$EX_USAGE" "usage-install.sh-[--uninstall]" ;;
  esac
  STAMP="$(date -u +%Y%m%dT%H%M%SZ)" || die "$EX_FAILED" date
  CHANGED=""
  BACKUPS=""
  PENDING=""
  stage_payload
  own_dir "${IBG_ROOT:-}$DEST_DIR" 755
  own_dir "${IBG_ROOT:-}$LOG_DIR" 700
  own_dir "${IBG_ROOT:-}$STATE_DIR" 700
  chmod 700 "${IBG_ROOT:-}$LOG_DIR" "${IBG_ROOT:-}$STATE_DIR"
  # Everything is written and verified before the first old file is touched.
  for _f in $FILES; do prepare "$_f"; done
  for _f in $PENDING; do keep "$_f"; done
  # From here on the backups are the only copies of the replaced files: keep them whatever happens.
  NEW_BACKUPS=""
  for _f in $PENDING; do replace "$_f"; done
  # A host conf may point the extension at another JSON; we leave it alone but say so.
  _hostconf="ok"
  if [ -f "${IBG_ROOT:-}$HOST_CONF" ]; then
    _path="$(sed -n 's/^[[:space:]]*pluginConfigPath0[[:space:]]*[:=][[:space:]]*//p' "${IBG_ROOT:-}$HOST_CONF" |
      tr -d '\r' | head -n 1)"
    [ -z "$_path" ] || [ "$_path" = "$DEST_DIR/$CONFIG_NAME" ] || _hostconf="redirects-to:$_path"
  fi
  if [ -n "$CHANGED" ]; then _status=installed; else _status=unchanged; fi
  result "status=$_status changed=${CHANGED:-none} backups=${BACKUPS:-none} hostconf=$_hostconf"
  exit "$EX_OK"
}

main "$@"
