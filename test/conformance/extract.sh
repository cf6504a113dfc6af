#!/usr/bin/env bash
# Extracts the Gateway API conformance suite's expectations into JSON (see README.md).
# Locates both Go modules in the module cache (downloading them through the Go module proxy on a
# cold cache), builds the extractor into a cache directory keyed by a hash of its sources, and
# prints the path of the JSON file on stdout. Reuses the JSON when sources and versions match.
set -euo pipefail

VERSION="${SWITCHYARD_GATEWAY_API_VERSION:-v1.6.1}"
CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$HERE/extract"

command -v go >/dev/null || { echo "conformance-extract: go is required" >&2; exit 1; }

hash_sources() {
  local sum
  if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
  (cd "$SRC" && find . -maxdepth 1 -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod \) | LC_ALL=C sort | xargs cat) |
    "${sum[@]}" | cut -c1-16
}

DIR="$CACHE_ROOT/conformance-extract-$(hash_sources)"
OUT="$DIR/conformance-$VERSION.json"
if [[ -s "$OUT" ]]; then
  echo "$OUT"
  exit 0
fi

# `go mod download` outside any module resolves mod@version through the module proxy or cache.
# A scratch directory keeps a go.mod or go.work further up from interfering.
module_dir() {
  local json dir
  json=$(cd "$SCRATCH" && GOFLAGS=-mod=mod GOWORK=off go mod download -json "$1@$VERSION") || {
    echo "conformance-extract: could not download $1@$VERSION" >&2
    return 1
  }
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -d "$dir" ]] || { echo "conformance-extract: no module directory for $1@$VERSION" >&2; return 1; }
  echo "$dir"
}

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
CONFORMANCE_DIR=$(module_dir sigs.k8s.io/gateway-api/conformance)
GATEWAY_API_DIR=$(module_dir sigs.k8s.io/gateway-api)

# Temporary names plus mv keep concurrent runs (parallel test workers) from reading half a file.
mkdir -p "$DIR"
if [[ ! -x "$DIR/conformance-extract" ]]; then
  echo "conformance-extract: building into $DIR" >&2
  (cd "$SRC" && GOWORK=off go build -o "$DIR/.conformance-extract.$$" . && mv "$DIR/.conformance-extract.$$" "$DIR/conformance-extract")
fi

tmp="$DIR/.conformance-$VERSION.json.$$"
"$DIR/conformance-extract" "$CONFORMANCE_DIR" "$GATEWAY_API_DIR" >"$tmp" || { rm -f "$tmp"; exit 1; }
mv "$tmp" "$OUT"
echo "$OUT"
