#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy into a versioned cache directory.
# k8s.io/kubernetes pins every staging module at v0.0.0 with local replaces that a consumer
# module ignores, so a throw-away module replaces each one with its published v0.X.Y twin.
# Idempotent: a cache that already holds both binaries is reused as is.
set -euo pipefail

KUBE_VERSION="${SWITCHYARD_KUBE_VERSION:-1.35.4}"
CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
DIR="$CACHE_ROOT/kube-$KUBE_VERSION"
BIN="$DIR/bin"

if [[ -x "$BIN/kube-apiserver" && -x "$BIN/etcd" ]]; then
  echo "kube-build: reusing $BIN"
  exit 0
fi

command -v go >/dev/null || { echo "kube-build: go is required (Go 1.25+)" >&2; exit 1; }
mkdir -p "$DIR/src" "$BIN"
cd "$DIR/src"
staging="v0.${KUBE_VERSION#1.}"

if [[ ! -f go.mod ]]; then
  go mod init switchyard.local/kubebuild >/dev/null 2>&1
fi
echo "kube-build: resolving k8s.io/kubernetes@v$KUBE_VERSION (staging modules at $staging)"
modfile=$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[[ -f "$modfile" ]] || { echo "kube-build: could not download k8s.io/kubernetes@v$KUBE_VERSION" >&2; exit 1; }

replaces=()
while read -r mod; do
  replaces+=("-replace=$mod=$mod@$staging")
done < <(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$modfile" | sort -u)
go mod edit "${replaces[@]}" -require="k8s.io/kubernetes@v$KUBE_VERSION"

# Match the Go toolchain line of k8s.io/kubernetes so `go` does not try to download another one.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
cat > tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
EOF
echo "kube-build: go mod tidy (downloads a few hundred MB on a cold cache)"
go mod tidy >/dev/null

echo "kube-build: building etcd"
CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
mv "$BIN/etcd.tmp" "$BIN/etcd"
echo "kube-build: building kube-apiserver (several minutes on 2 cores when cold)"
CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
echo "kube-build: done: $BIN"
