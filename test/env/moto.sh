#!/usr/bin/env bash
# moto server (PyPI `moto[server]`) in a Python venv cached outside the repository.
#
#   test/env/moto.sh install        create the venv once and print the moto_server path
#   test/env/moto.sh start [PORT]   install if needed, then run moto_server on 127.0.0.1 in the
#                                   foreground (default port 5000; Ctrl-C stops it)
#
# Idempotent: a venv whose marker file names this exact version is reused as is; a half-built one
# (no marker) is thrown away and rebuilt.
set -euo pipefail

MOTO_VERSION="${SWITCHYARD_MOTO_VERSION:-5.2.3}"
CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
DIR="$CACHE_ROOT/moto-$MOTO_VERSION"
VENV="$DIR/venv"
MARKER="$DIR/.installed"
SERVER="$VENV/bin/moto_server"

log() { echo "moto: $*" >&2; }
die() { echo "moto: error: $*" >&2; exit 1; }

install() {
  if [[ -f "$MARKER" && -x "$SERVER" && "$(cat "$MARKER")" == "$MOTO_VERSION" ]]; then
    return 0
  fi
  local python="${SWITCHYARD_PYTHON:-python3}"
  command -v "$python" >/dev/null || die "$python not found (moto $MOTO_VERSION needs Python >= 3.9)"
  "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
    || die "$("$python" --version 2>&1) is too old (moto $MOTO_VERSION needs Python >= 3.9)"
  "$python" -c 'import venv, ensurepip' 2>/dev/null \
    || die "$python lacks the venv/ensurepip modules (on Debian: apt-get install python3-venv)"

  log "installing moto[server]==$MOTO_VERSION into $VENV (cold cache: about a minute)"
  rm -rf "$VENV" "$MARKER"
  mkdir -p "$DIR"
  "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    "moto[server]==$MOTO_VERSION"
  [[ -x "$SERVER" ]] || die "pip finished but $SERVER is missing"
  echo "$MOTO_VERSION" >"$MARKER"
  log "installed $SERVER"
}

case "${1:-}" in
  install)
    install
    echo "$SERVER"
    ;;
  start)
    install
    port="${2:-5000}"
    log "serving on http://127.0.0.1:$port"
    exec "$SERVER" -H 127.0.0.1 -p "$port"
    ;;
  *)
    echo "usage: $0 install | start [PORT]" >&2
    exit 2
    ;;
esac
