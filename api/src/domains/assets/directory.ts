// Which asset each device is installed on now, for the hot read paths (GET /fleet/latest and
// /devices, the hub): one query of the open installations per organisation and scope, kept for
// a few seconds. This API drops an organisation's entries at once when it changes an asset or
// an installation; changes made by another API process show within TTL_MS. The entries of a
// scoped user are loaded inside their scope, so row-level security decides what is in them.
import { currentDepartmentScope, type SqlDatabase } from '@fleet/shared/db';
import { Installations, type InstalledAsset } from './repository.ts';

/** How long another process's installation change may take to show on the live map. */
export const TTL_MS = 5000;

interface Entry {
  at: number;
  value: Promise<ReadonlyMap<string, InstalledAsset>>;
}

export class InstalledAssetDirectory {
  readonly #db: SqlDatabase;
  readonly #entries = new Map<string, Entry>();

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Device id -> the asset it is on now, as the current caller (and their scope) sees it. */
  get(orgId: string, now = Date.now()): Promise<ReadonlyMap<string, InstalledAsset>> {
    const key = `${orgId}|${currentDepartmentScope() ?? ''}`;
    const entry = this.#entries.get(key);
    if (entry && now - entry.at < TTL_MS) return entry.value;
    const value = new Installations(this.#db, orgId).installedAssets();
    // A failed load is not kept: the next request tries again.
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    this.#entries.set(key, { at: now, value });
    return value;
  }

  /** Every entry of the organisation, scoped or not, goes. */
  invalidate(orgId: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(`${orgId}|`)) this.#entries.delete(key);
  }
}

// One per database: the device and asset routes, and the hub, share it without a new field in
// the API's context.
const directories = new WeakMap<SqlDatabase, InstalledAssetDirectory>();

export function installedAssetDirectory(db: SqlDatabase): InstalledAssetDirectory {
  let directory = directories.get(db);
  if (!directory) {
    directory = new InstalledAssetDirectory(db);
    directories.set(db, directory);
  }
  return directory;
}
