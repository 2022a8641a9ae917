// The organisation's vehicles and equipment by id, for the alert pages (an alert names its asset
// by id) and the pickers of the alerts filter, the rule scope and the rule preview.
import type { ApiClient } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { ASSET_LIMITS } from '../assets/catalogue.ts';
import { collectPages } from '../assets/choices.ts';

export interface AssetName {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  plate: string | null;
  departmentId: string | null;
}

/** "Van 7 (ABC-123)", or the name alone. */
export function assetName(a: Pick<AssetName, 'name' | 'plate'>): string {
  return a.plate ? `${a.name} (${a.plate})` : a.name;
}

export class AssetDirectory {
  items = $state<AssetName[]>([]);
  loaded = $state(false);
  error = $state<string | undefined>();
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(): Promise<void> {
    try {
      const [vehicles, equipment] = await Promise.all([
        collectPages((query) => this.#api.call('GET /api/v1/vehicles', { query }), ASSET_LIMITS.maxPage),
        collectPages((query) => this.#api.call('GET /api/v1/equipment', { query }), ASSET_LIMITS.maxPage),
      ]);
      this.items = [
        ...vehicles.map((v) => ({
          id: v.id,
          kind: 'vehicle' as const,
          name: v.name,
          plate: v.plate,
          departmentId: v.departmentId,
        })),
        ...equipment.map((e) => ({
          id: e.id,
          kind: 'equipment' as const,
          name: e.name,
          plate: null,
          departmentId: e.departmentId,
        })),
      ].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base', numeric: true }));
      this.error = undefined;
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loaded = true;
    }
  }

  name(id: string | null): string {
    if (id === null) return '';
    const a = this.items.find((x) => x.id === id);
    return a ? assetName(a) : `asset ${id.slice(0, 8)}`;
  }

  href(id: string): string | undefined {
    const a = this.items.find((x) => x.id === id);
    return a ? `/${a.kind === 'vehicle' ? 'vehicles' : 'equipment'}/${a.id}` : undefined;
  }
}
