// The devices of each organisation, held in memory for the hot read paths (GET /fleet/latest,
// hub subscriptions): reading 10,000 rows from embedded PGlite takes ~100 ms, far over the
// 50 ms the whole fleet view may take. Each organisation's list is loaded through the tenant
// registry (row-level security applies) and dropped on any change to one of its devices:
// by this API at once, by other processes through the registry's NOTIFY on the event bus.
import type { EventBus } from '@fleet/shared';
import { type Device, DeviceRegistry, type SqlDatabase } from '@fleet/shared/db';

interface OrgDevices {
  list: Device[];
  byId: Map<string, Device>;
}

export class DeviceDirectory {
  readonly #db: SqlDatabase;
  readonly #orgs = new Map<string, Promise<OrgDevices>>();
  readonly #unsubscribe: () => void;

  constructor(db: SqlDatabase, bus: EventBus) {
    this.#db = db;
    this.#unsubscribe = bus.subscribe('device-changed', (change) => this.invalidate(change.tenant));
  }

  #load(orgId: string): Promise<OrgDevices> {
    let entry = this.#orgs.get(orgId);
    if (!entry) {
      entry = new DeviceRegistry(this.#db, orgId).list(orgId).then((list) => ({
        list,
        byId: new Map(list.map((d) => [d.id, d])),
      }));
      // A failed load is not kept: the next request tries again.
      entry.catch(() => this.#orgs.delete(orgId));
      this.#orgs.set(orgId, entry);
    }
    return entry;
  }

  /** Every device of the organisation, by name. */
  async list(orgId: string): Promise<readonly Device[]> {
    return (await this.#load(orgId)).list;
  }

  async get(orgId: string, deviceId: string): Promise<Device | undefined> {
    return (await this.#load(orgId)).byId.get(deviceId);
  }

  invalidate(orgId: string): void {
    this.#orgs.delete(orgId);
  }

  close(): void {
    this.#unsubscribe();
    this.#orgs.clear();
  }
}
