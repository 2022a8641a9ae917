#!/usr/bin/env bash
# Regenerates the binary fixtures in proto/fixtures/ (see proto/fixtures/README.md).
#
#   bash proto/scripts/encode-fixtures.sh           rewrite every .bin
#   bash proto/scripts/encode-fixtures.sh --check   exit 1 if a checked-in .bin differs
#
# Golden fixtures: every <name>.txtpb is encoded by protoc (the reference implementation, not the
# codec under test) into <name>.bin. The message type comes from the file's header line
# `# proto-message: fleet.v1.<Type>`.
#
# Bad frames: hand-built byte sequences, written below from hex so they are reviewable.
#
# Both kinds are committed; run this after changing a .txtpb or the schema, then review the diff.
set -euo pipefail

PROTO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FIXTURES="$PROTO_DIR/fixtures"
SCHEMA="fleet/v1/telemetry.proto"

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

command -v protoc >/dev/null || { echo "encode-fixtures: protoc not found (apt-get install protobuf-compiler)" >&2; exit 2; }

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# --- golden fixtures: protoc --encode ---------------------------------------------------------
for txt in "$FIXTURES"/*.txtpb; do
  name="$(basename "$txt" .txtpb)"
  message="$(sed -n 's/^# proto-message: *\([A-Za-z0-9_.]*\).*$/\1/p' "$txt" | head -n 1)"
  if [[ -z "$message" ]]; then
    echo "encode-fixtures: $txt has no '# proto-message: <type>' header" >&2
    exit 1
  fi
  (cd "$PROTO_DIR" && protoc --encode="$message" -I . "$SCHEMA") <"$txt" >"$OUT/$name.bin"
done

# --- bad frames: hand-built -------------------------------------------------------------------
hex() { # hex <file> <hex digits...>: writes the bytes
  local file="$1" digits
  shift
  digits="$(printf '%s' "$*" | tr -d ' ')"
  : >"$file"
  for ((i = 0; i < ${#digits}; i += 2)); do printf "\\x${digits:i:2}" >>"$file"; done
}

# TelemetryBatch whose record (length 5, fits the buffer) ends in the middle of `lat` (a double
# needs 8 bytes, 2 remain).
hex "$OUT/bad-truncated-record.bin" 0a 05 08 01 19 00 00
# TelemetryBatch whose first record claims 2^31 bytes; the buffer has 3 more.
hex "$OUT/bad-length-prefix-overflow.bin" 0a 80 80 80 80 08 08 01 10
# 64 bytes from mulberry32(seed 0xf1ee7), the same generator as the random-input tests.
hex "$OUT/bad-random-bytes.bin" \
  53e74a3e98699a33963e351c45592622267d038c9976a3e3c30e346221ffc66d \
  c7b153e208943bff8e35e0407a4c32fbcf3624d985f2b17a7995e0828923bcd8
# 10,000 start-group tags of field 1 (0x0b = field 1, wire type 3) and nothing else.
head -c 10000 /dev/zero | tr '\0' '\013' >"$OUT/bad-nested-groups.bin"
# Command whose `id` (field 1, string) is not valid UTF-8.
hex "$OUT/bad-invalid-utf8-command.bin" 0a 02 ff fe 10 01

# --- write or compare -------------------------------------------------------------------------
status=0
for bin in "$OUT"/*.bin; do
  name="$(basename "$bin")"
  if [[ "$mode" == check ]]; then
    if ! cmp -s "$bin" "$FIXTURES/$name"; then
      echo "encode-fixtures --check: proto/fixtures/$name is out of date" >&2
      status=1
    fi
  else
    cp "$bin" "$FIXTURES/$name"
    echo "wrote proto/fixtures/$name ($(wc -c <"$bin") bytes)"
  fi
done
if [[ "$mode" == check ]]; then
  for bin in "$FIXTURES"/*.bin; do
    [[ -e "$OUT/$(basename "$bin")" ]] || { echo "encode-fixtures --check: proto/fixtures/$(basename "$bin") is not produced by this script" >&2; status=1; }
  done
  [[ $status -eq 0 ]] && echo "encode-fixtures --check: fixtures are up to date"
fi
exit $status
