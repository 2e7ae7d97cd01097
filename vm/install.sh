#!/bin/sh
# shellcheck shell=dash
# Installs the IRIS Backup Guard pre/post scripts and VMSnapshotScriptPluginConfig.json into /etc/azure.
# Files come embedded (the single script buildInstallScript() makes for Run Command) or from this script's directory.
# Scripts: root:root 700; config: root:root 600 (what VMSnapshotLinux accepts, vmsnapshot.md §2.2).
# An existing file that differs is kept as <name>.bak-<UTC time>. Running it again changes nothing.
# Prints exactly one line: RESULT status=installed|unchanged|failed ... IBG_ROOT prefixes every path (tests only).
set -eu

readonly EX_OK=0 EX_FAILED=70 EX_NOT_ROOT=77
readonly DEST_DIR=/etc/azure
readonly HOST_CONF=/etc/azure/VMSnapshotPluginHost.conf
readonly CONFIG_NAME=VMSnapshotScriptPluginConfig.json
readonly LOG_DIR=/var/log/iris-backup-guard

STAGE=""

result() { printf 'RESULT %s\n' "$*"; }

die() {
  _code=$1
  shift
  result "status=failed reason=$*"
  exit "$_code"
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { [ -z "$STAGE" ] || rm -rf "$STAGE"; }

# Writes the embedded files into $1; this copy has none (buildInstallScript replaces the marked line).
write_embedded() {
  return 1 # @@IBG_EMBEDDED_PAYLOAD@@
}

stage_payload() {
  STAGE="$(mktemp -d)" || die "$EX_FAILED" mktemp
  if ! write_embedded "$STAGE"; then
    _src="$(cd "$(dirname "$0")" && pwd)" || die "$EX_FAILED" no-source-dir
    for _f in iris-pre.sh iris-post.sh "$CONFIG_NAME"; do
      cp "$_src/$_f" "$STAGE/$_f" 2>/dev/null || die "$EX_FAILED" "missing-$_f"
    done
  fi
  for _f in iris-pre.sh iris-post.sh; do
    sh -n "$STAGE/$_f" 2>/dev/null || die "$EX_FAILED" "syntax-error-in-$_f"
  done
}

# install_file NAME MODE: puts the staged file in place atomically; appends NAME to CHANGED, a backup to BACKUPS.
install_file() {
  _target="${IBG_ROOT:-}$DEST_DIR/$1"
  if [ -f "$_target" ] && [ ! -L "$_target" ] && cmp -s "$STAGE/$1" "$_target" &&
    [ "$(stat -c '%a %u %g' "$_target")" = "$2 0 0" ]; then
    return 0
  fi
  if [ -e "$_target" ] && ! cmp -s "$STAGE/$1" "$_target"; then
    cp -p "$_target" "$_target.bak-$STAMP" || die "$EX_FAILED" "backup-of-$1"
    chmod 600 "$_target.bak-$STAMP"
    BACKUPS="${BACKUPS:+$BACKUPS,}$DEST_DIR/$1.bak-$STAMP"
  fi
  if ! { cp "$STAGE/$1" "$_target.new" && chown 0:0 "$_target.new" && chmod "$2" "$_target.new" &&
    mv -f "$_target.new" "$_target"; }; then
    die "$EX_FAILED" "install-of-$1"
  fi
  CHANGED="${CHANGED:+$CHANGED,}$1"
}

main() {
  [ "$(id -u)" -eq 0 ] || die "$EX_NOT_ROOT" not-root
  umask 077
  trap cleanup EXIT
  STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
  CHANGED=""
  BACKUPS=""
  stage_payload
  if [ ! -d "${IBG_ROOT:-}$DEST_DIR" ]; then
    { mkdir -p "${IBG_ROOT:-}$DEST_DIR" && chmod 755 "${IBG_ROOT:-}$DEST_DIR"; } || die "$EX_FAILED" mkdir
  fi
  mkdir -p "${IBG_ROOT:-}$LOG_DIR" || die "$EX_FAILED" mkdir
  chmod 700 "${IBG_ROOT:-}$LOG_DIR"
  install_file iris-pre.sh 700
  install_file iris-post.sh 700
  install_file "$CONFIG_NAME" 600
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
