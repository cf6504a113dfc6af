#!/usr/bin/env bash
# DynamoDB Local (Maven Central `software.amazon.dynamodb:DynamoDBLocal`) with its sqlite4java
# native library, resolved by Maven into a directory cached outside the repository.
#
#   test/env/dynamodb.sh install        resolve the jars once and print the cache directory
#   test/env/dynamodb.sh start [PORT]   install if needed, then run DynamoDB Local in memory on
#                                       127.0.0.1 in the foreground (default port 8000)
#
# Layout of the cache directory: pom.xml (a throw-away project that depends on DynamoDBLocal),
# lib/ (every jar of the runtime class path), native/ (libsqlite4java-linux-amd64.so under the
# name sqlite4java looks for, put on java.library.path as DynamoDB Local 2.x requires; 3.x also
# bundles the library in its jar and extracts that copy to java.io.tmpdir, deleted on exit).
# Idempotent: a directory whose marker names this version is reused.
set -euo pipefail

DDB_VERSION="${SWITCHYARD_DYNAMODB_VERSION:-3.1.0}"
CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
DIR="$CACHE_ROOT/dynamodb-local-$DDB_VERSION"
MARKER="$DIR/.installed"

log() { echo "dynamodb: $*" >&2; }
die() { echo "dynamodb: error: $*" >&2; exit 1; }

native_arch() {
  case "$(uname -m)" in
    x86_64) echo linux-amd64 ;;
    aarch64) echo linux-aarch64 ;;
    *) die "no sqlite4java native library is published for $(uname -m)" ;;
  esac
}

install() {
  if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$DDB_VERSION" ]]; then
    return 0
  fi
  command -v java >/dev/null || die "java not found (DynamoDB Local $DDB_VERSION needs Java 17+)"
  command -v mvn >/dev/null || die "mvn not found (needed once to resolve DynamoDB Local from Maven Central)"
  local arch
  arch="$(native_arch)"

  log "resolving software.amazon.dynamodb:DynamoDBLocal:$DDB_VERSION into $DIR (cold cache: under a minute)"
  rm -rf "$DIR/lib" "$DIR/native" "$MARKER"
  mkdir -p "$DIR"
  cat >"$DIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>switchyard.local</groupId>
  <artifactId>dynamodb-local-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>software.amazon.dynamodb</groupId>
      <artifactId>DynamoDBLocal</artifactId>
      <version>$DDB_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  # copy-dependencies follows the DynamoDBLocal pom, which lists the sqlite4java natives as
  # dependencies of type so/dll/dylib; only the one for this platform is kept below.
  (cd "$DIR" && mvn -B -q --no-transfer-progress dependency:copy-dependencies \
    -DoutputDirectory=lib -DincludeScope=runtime) \
    || die "mvn dependency:copy-dependencies failed for DynamoDBLocal:$DDB_VERSION (see output above)"

  local so
  so="$(find "$DIR/lib" -maxdepth 1 -name "libsqlite4java-$arch-*.so" | head -n 1)"
  [[ -n "$so" ]] || die "no libsqlite4java-$arch-*.so among the resolved dependencies in $DIR/lib"
  mkdir -p "$DIR/native"
  # sqlite4java loads "sqlite4java-<os>-<arch>" from java.library.path, without the version suffix.
  cp "$so" "$DIR/native/libsqlite4java-$arch.so"
  find "$DIR/lib" -maxdepth 1 \( -name '*.so' -o -name '*.dll' -o -name '*.dylib' \) -delete
  [[ -f "$DIR/lib/DynamoDBLocal-$DDB_VERSION.jar" ]] || die "DynamoDBLocal-$DDB_VERSION.jar missing from $DIR/lib"
  echo "$DDB_VERSION" >"$MARKER"
  log "installed into $DIR"
}

case "${1:-}" in
  install)
    install
    echo "$DIR"
    ;;
  start)
    install
    port="${2:-8000}"
    log "serving on http://127.0.0.1:$port (in memory)"
    # C1 only and the serial collector: halves start-up (about 7 s to 3.5 s on 2 cores); the
    # tests are short-lived, so peak JIT throughput does not matter.
    # shellcheck disable=SC2086 # word splitting of the options is intended
    exec java ${SWITCHYARD_DYNAMODB_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC} \
      "-Djava.library.path=$DIR/native" -cp "$DIR/lib/DynamoDBLocal-$DDB_VERSION.jar:$DIR/lib/*" \
      software.amazon.dynamodb.services.local.main.ServerRunner \
      -inMemory -sharedDb -port "$port"
    ;;
  *)
    echo "usage: $0 install | start [PORT]" >&2
    exit 2
    ;;
esac
