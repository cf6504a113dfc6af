#!/usr/bin/env bash
# helm (v3) built from the Go module proxy into a cache outside the repository. Used only by the
# forwarder chart tests (test/integration/forwarder-chart.test.ts), which call it lazily.
#
#   test/env/helm.sh install    build once and print the helm binary's path
#
# Idempotent: the binary is moved into place only after a complete build, so an interrupted one is
# redone rather than reused. Needs Go (GOTOOLCHAIN=local; helm v3.22 needs Go >= 1.25).
set -euo pipefail

HELM_VERSION="${SWITCHYARD_HELM_VERSION:-v3.22.0}"
CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
DIR="$CACHE_ROOT/helm-$HELM_VERSION"
BIN="$DIR/bin/helm"

log() { echo "helm: $*" >&2; }
die() { echo "helm: error: $*" >&2; exit 1; }

install() {
  if [[ -x "$BIN" ]]; then
    return 0
  fi
  command -v go >/dev/null || die "go not found (helm $HELM_VERSION is built from the Go module proxy)"
  log "building helm.sh/helm/v3/cmd/helm@$HELM_VERSION into $DIR (cold Go caches: a few minutes)"
  mkdir -p "$DIR"
  local staging
  staging="$(mktemp -d "$DIR/build.XXXXXX")"
  # A throw-away working directory so no surrounding go.mod takes part in the build.
  (cd "$staging" && GOTOOLCHAIN=local GOFLAGS=-mod=mod GOBIN="$staging/bin" CGO_ENABLED=0 \
    go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
  [[ -x "$staging/bin/helm" ]] || die "go install finished but $staging/bin/helm is missing"
  mkdir -p "$DIR/bin"
  mv "$staging/bin/helm" "$BIN"
  rm -rf "$staging"
  log "built $BIN"
}

case "${1:-}" in
  install)
    install
    echo "$BIN"
    ;;
  *)
    echo "usage: $0 install" >&2
    exit 2
    ;;
esac
