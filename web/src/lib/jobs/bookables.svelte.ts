// What a job can book and where, as runes, for the job form and the board's booking panel: the
// vehicles and items not retired or lost, the active drivers and crew, the sites (places) and
// the projects. Read page by page (the lists answer at most 500 at a time), once per page.
import type { Project } from '@fleet/api/contract';
import type { ApiClient } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import type { Place } from '../api/management.ts';
import { ASSET_LIMITS } from '../assets/catalogue.ts';
import { collectPages } from '../assets/choices.ts';

export interface BookableAsset {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  /** The plate of a vehicle, the category of an item. */
  detail: string | null;
  status: string;
}

export interface BookablePerson {
  id: string;
  name: string;
  licenceClasses: readonly string[];
}

const byName = (a: { name: string }, b: { name: string }) =>
  a.name.localeCompare(b.name, 'en', { sensitivity: 'base', numeric: true });

export class Bookables {
  vehicles = $state<BookableAsset[]>([]);
  equipment = $state<BookableAsset[]>([]);
  people = $state<BookablePerson[]>([]);
  places = $state<Place[]>([]);
  projects = $state<Project[]>([]);
  loaded = $state(false);
  error = $state<string | undefined>();
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(): Promise<void> {
    const api = this.#api;
    const max = ASSET_LIMITS.maxPage;
    try {
      const [vehicles, equipment, people, places, projects] = await Promise.all([
        collectPages((query) => api.call('GET /api/v1/vehicles', { query }), max),
        collectPages((query) => api.call('GET /api/v1/equipment', { query }), max),
        collectPages(
          (query) => api.call('GET /api/v1/drivers', { query: { ...query, status: 'active' } }),
          max,
        ),
        collectPages((query) => api.call('GET /api/v1/places', { query }), max),
        api.call('GET /api/v1/projects', { query: { limit: 1000 } }),
      ]);
      // The lists leave retired assets out already; a lost item is not booked either (the API refuses it).
      this.vehicles = vehicles
        .map((v) => ({ id: v.id, kind: 'vehicle' as const, name: v.name, detail: v.plate, status: v.status }))
        .sort(byName);
      this.equipment = equipment
        .filter((e) => e.status !== 'lost')
        .map((e) => ({
          id: e.id,
          kind: 'equipment' as const,
          name: e.name,
          detail: e.category,
          status: e.status,
        }))
        .sort(byName);
      this.people = people
        .filter((p) => !p.erased)
        .map((p) => ({ id: p.id, name: p.name, licenceClasses: p.licenceClasses }))
        .sort(byName);
      this.places = [...places].sort(byName);
      this.projects = projects.items;
      this.error = undefined;
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loaded = true;
    }
  }

  /** The projects alone: what the board's filter needs of those who only read. */
  async loadProjects(): Promise<void> {
    try {
      this.projects = (await this.#api.call('GET /api/v1/projects', { query: { limit: 1000 } })).items;
      this.error = undefined;
    } catch (err) {
      this.error = describeError(err);
    }
  }

  asset(id: string): BookableAsset | undefined {
    return this.vehicles.find((v) => v.id === id) ?? this.equipment.find((e) => e.id === id);
  }

  person(id: string): BookablePerson | undefined {
    return this.people.find((p) => p.id === id);
  }

  /** Active projects, and `keep` (a job's own) whatever its status. */
  projectChoices(keep = ''): Project[] {
    return this.projects.filter((p) => p.status === 'active' || p.id === keep);
  }
}
