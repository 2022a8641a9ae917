// What the asset pages look up beside the assets themselves, as runes: the department tree (for
// the filter, the form and the names in the list), the places (a home place), and the devices
// (their names in the list, and the choices of the installation panel).
import { DepartmentList } from '../admin/departments.svelte.ts';
import type { ApiClient } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import type { Page, Place } from '../api/management.ts';
import { ASSET_LIMITS } from './catalogue.ts';
import { collectPages, departmentChoices, nameOf, placeChoices } from './choices.ts';
import type { Choice, ChoiceSource } from './fields.ts';
import type { ListedDevice } from './installations.ts';
import type { ShowContext } from './kind.ts';

export class AssetLookups {
  readonly departments: DepartmentList;
  places = $state<Place[]>([]);
  devices = $state<ListedDevice[]>([]);
  error = $state<string | undefined>();
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
    this.departments = new DepartmentList(api);
  }

  async load(): Promise<void> {
    await Promise.all([this.departments.load(), this.#loadPlaces(), this.loadDevices()]);
  }

  loadDevices(): Promise<void> {
    return this.#collect(
      (query) => this.#api.call('GET /api/v1/devices', { query }),
      (items) => (this.devices = items),
    );
  }

  #loadPlaces(): Promise<void> {
    return this.#collect(
      (query) => this.#api.call('GET /api/v1/places', { query }),
      (items) => (this.places = items),
    );
  }

  /** Every page of a list, kept by `keep`; a failure is shown as the page's error. */
  async #collect<T>(
    fetchPage: (query: { limit: number; offset: number }) => Promise<Page<T>>,
    keep: (items: T[]) => void,
  ): Promise<void> {
    try {
      keep(await collectPages(fetchPage, ASSET_LIMITS.maxPage));
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** The choices of the form's selects that come from the API. */
  get choices(): Record<ChoiceSource, Choice[]> {
    return { departments: departmentChoices(this.departments.items), places: placeChoices(this.places) };
  }

  deviceName(id: string): string {
    return nameOf(this.devices, id) || `device ${id.slice(0, 8)}`;
  }

  context(timeZone: string): ShowContext {
    return {
      timeZone,
      department: (id) => this.departments.label(id),
      place: (id) => nameOf(this.places, id),
    };
  }
}
