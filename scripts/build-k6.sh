#!/usr/bin/env bash
# Builds k6 1.8.1 (DESIGN.md, "Machine and tooling facts") from the Go module proxy into
# vendor/k6/k6, once (about 2 minutes; Go's module and build caches keep it across clones).
set -euo pipefail
cd "$(dirname "$0")/.."
version="v1.8.1"
dest="$PWD/vendor/k6"
if [ -x "$dest/k6" ] && "$dest/k6" version 2>/dev/null | grep -q "${version#v}"; then
  echo "k6 $version: $dest/k6 (already built)"
  exit 0
fi
[ -x /usr/local/go/bin/go ] && export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null 2>&1; then
  echo "Go is needed to build k6: apt-get install golang-go" >&2
  exit 1
fi
mkdir -p "$dest"
echo "Building go.k6.io/k6@$version with $(go version | cut -d' ' -f3) (about 2 minutes, once)..."
GOBIN="$dest" go install -v "go.k6.io/k6@$version" 2>&1 | awk 'NR % 25 == 0 { printf "  %d packages built\n", NR; fflush() }'
"$dest/k6" version
