#!/usr/bin/env bash
# Fetches the pinned QuestDB server jar from Maven Central into vendor/questdb (once; Maven's
# own cache in ~/.m2 keeps it across clones). The version is pinned in DESIGN.md.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${QUESTDB_VERSION:-9.3.4}"
dest="vendor/questdb"
jar="$dest/questdb-$version.jar"
if [ -s "$jar" ]; then
  echo "QuestDB $version: $jar (already fetched)"
  exit 0
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "Maven (mvn) is needed to fetch QuestDB: apt-get install maven, or set QUESTDB_URL to an external QuestDB." >&2
  exit 1
fi
mkdir -p "$dest"
echo "Fetching org.questdb:questdb:$version from Maven Central (about 30 MB)..."
mvn -B --no-transfer-progress dependency:copy -Dartifact="org.questdb:questdb:$version" -DoutputDirectory="$dest"
ls -l "$jar"
