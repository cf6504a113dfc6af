#!/usr/bin/env bash
# Builds kube-controller-manager from the same k8s.io/kubernetes module version as test/env/kube-build.sh
# builds kube-apiserver, into the same versioned cache directory ($CACHE/kube-$VERSION/bin). It
# reuses kube-build.sh's throw-away module (staging replaces and all) from a copy of its own, so
# the two scripts never edit one go.mod. Idempotent: an existing binary is reused as is.
set -euo pipefail

KUBE_VERSION="${SWITCHYARD_KUBE_VERSION:-1.35.4}"
CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
DIR="$CACHE_ROOT/kube-$KUBE_VERSION"
BIN="$DIR/bin"

if [[ -x "$BIN/kube-controller-manager" ]]; then
  echo "kcm-build: reusing $BIN/kube-controller-manager"
  exit 0
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/../../env/kube-build.sh" >&2
command -v go >/dev/null || { echo "kcm-build: go is required (Go 1.25+)" >&2; exit 1; }

src="$DIR/src-controller-manager"
mkdir -p "$src"
cp "$DIR/src/go.mod" "$DIR/src/go.sum" "$src/"
cd "$src"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-controller-manager"
GO
echo "kcm-build: go mod tidy"
go mod tidy >/dev/null
echo "kcm-build: building kube-controller-manager (minutes on 2 cores when cold)"
CGO_ENABLED=0 nice -n 10 go build -trimpath -ldflags=-s -o "$BIN/kube-controller-manager.tmp" k8s.io/kubernetes/cmd/kube-controller-manager
mv "$BIN/kube-controller-manager.tmp" "$BIN/kube-controller-manager"
echo "kcm-build: done: $BIN/kube-controller-manager"
