#!/usr/bin/env bash
# Fetches the official Compose Specification JSON schema (the one `docker compose` itself
# validates with, shipped in the compose-go module) through the Go module proxy into
# vendor/compose (once), so a test can check docker-compose.yml on machines without Docker.
set -euo pipefail
cd "$(dirname "$0")/.."
version="v2.16.2"
dest="vendor/compose"
schema="$dest/compose-spec.json"
if [ -s "$schema" ]; then
  echo "Compose schema: $schema (already fetched)"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "Go is needed to fetch the Compose schema through the Go module proxy: apt-get install golang-go" >&2
  exit 1
fi
echo "Fetching github.com/compose-spec/compose-go/v2@$version from the Go module proxy..."
dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/compose-spec/compose-go/v2@$version" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
mkdir -p "$dest"
cp "$dir/schema/compose-spec.json" "$schema.part"
chmod 644 "$schema.part" # the module cache is read-only
mv "$schema.part" "$schema"
ls -l "$schema"
