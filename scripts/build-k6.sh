#!/usr/bin/env bash
# Builds k6 v1.8.1 with the fleet's own MQTT extension (k6/x/fleetmqtt, bench/k6/xk6-fleet-mqtt)
# into vendor/k6/k6: a custom k6 main (cmd/k6) that imports k6's cmd and the module, as xk6
# would generate; everything comes from the Go module proxy (DESIGN.md, "Machine and tooling
# facts"). The plain scripts (bench/k6/api.js, hub.js) run with it as with stock k6.
#
# Idempotent: skipped when vendor/k6/k6 was built from the same sources (a hash of the module's
# go.mod, go.sum and .go files and the Go version, kept in vendor/k6/k6.sources). A first build
# takes a few minutes (about 2 with Go's build cache warm); it prints a line every 25 packages.
set -euo pipefail
cd "$(dirname "$0")/.."
src="$PWD/bench/k6/xk6-fleet-mqtt"
dest="$PWD/vendor/k6"
[ -x /usr/local/go/bin/go ] && export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null 2>&1; then
  echo "Go is needed to build k6: apt-get install golang-go" >&2
  exit 1
fi

sources_hash() {
  (
    cd "$src"
    go version
    find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) ! -name '*_test.go' -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -d' ' -f1
}

want="$(sources_hash)"
if [ -x "$dest/k6" ] && [ -f "$dest/k6.sources" ] && [ "$(cat "$dest/k6.sources")" = "$want" ]; then
  echo "k6 with k6/x/fleetmqtt: $dest/k6 (already built from these sources)"
  exit 0
fi

mkdir -p "$dest"
echo "Building k6 v1.8.1 with k6/x/fleetmqtt using $(go version | cut -d' ' -f3) (a few minutes the first time)..."
start=$SECONDS
# -v names each package as it is compiled (on stderr); print a line every 25 of them.
set +e
(cd "$src" && go build -v -trimpath -buildvcs=false -ldflags='-s -w' -o "$dest/k6.new" ./cmd/k6) 2>&1 |
  awk -v start="$start" '
    /^(go: |#|.*\.go:[0-9]+)/ { print; fflush(); next }   # downloads and errors as they come
    { n++ } n % 25 == 0 { printf "  %d packages compiled\n", n; fflush() }
    END { printf "  %d packages compiled\n", n }'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ] || [ ! -x "$dest/k6.new" ]; then
  echo "k6 build failed" >&2
  rm -f "$dest/k6.new"
  exit 1
fi
mv "$dest/k6.new" "$dest/k6"
echo "$want" >"$dest/k6.sources"
echo "Built in $((SECONDS - start)) s: $dest/k6"
"$dest/k6" version
