#!/usr/bin/env bash
# Builds the Gateway API conformance suite's own binaries from the Go module proxy into
# $CACHE/gateway-api-live-$VERSION/bin: the conformance test binary (`go test -c` of
# sigs.k8s.io/gateway-api/conformance) and its echo backend (conformance/echo-basic). A throw-away
# module requires both gateway-api modules at the same version, because the conformance module's
# own `replace sigs.k8s.io/gateway-api => ../` only holds inside the gateway-api repository.
# Idempotent: existing binaries are reused. Prints the bin directory on stdout.
set -euo pipefail

VERSION="${SWITCHYARD_GATEWAY_API_VERSION:-1.6.1}"
CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
DIR="$CACHE_ROOT/gateway-api-live-v$VERSION"
BIN="$DIR/bin"

if [[ -x "$BIN/conformance.test" && -x "$BIN/echo-basic" ]]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null || { echo "suite-build: go is required (Go 1.26+ for gateway-api v1.6.1)" >&2; exit 1; }
mkdir -p "$DIR/src" "$BIN"
cd "$DIR/src"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOWORK=off
if [[ ! -f go.mod ]]; then
  go mod init switchyard.local/conformancelive >/dev/null 2>&1
fi
go mod edit -require="sigs.k8s.io/gateway-api@v$VERSION" -require="sigs.k8s.io/gateway-api/conformance@v$VERSION"
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "sigs.k8s.io/gateway-api/conformance"
	_ "sigs.k8s.io/gateway-api/conformance/echo-basic"
)
GO
echo "suite-build: go mod tidy" >&2
go mod tidy >&2
echo "suite-build: building echo-basic" >&2
CGO_ENABLED=0 nice -n 10 go build -trimpath -o "$BIN/echo-basic.tmp" sigs.k8s.io/gateway-api/conformance/echo-basic >&2
mv "$BIN/echo-basic.tmp" "$BIN/echo-basic"
echo "suite-build: building the conformance test binary" >&2
CGO_ENABLED=0 nice -n 10 go test -c -trimpath -o "$BIN/conformance.test.tmp" sigs.k8s.io/gateway-api/conformance >&2
mv "$BIN/conformance.test.tmp" "$BIN/conformance.test"
echo "$BIN"
