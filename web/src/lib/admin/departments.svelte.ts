// The organisation's departments as runes, for the pages that show or choose one (the tree,
// the users' filter and form; vehicles, equipment and drivers will choose one the same way).
import type { ApiClient } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import type { Department } from '../api/management.ts';
import { departmentLabel } from './departments.ts';

export class DepartmentList {
  items = $state<Department[]>([]);
  loaded = $state(false);
  error = $state<string | undefined>();
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(): Promise<void> {
    try {
      this.items = (await this.#api.call('GET /api/v1/departments')).items;
      this.error = undefined;
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loaded = true;
    }
  }

  label(id: string | null | undefined): string {
    if (id === null || id === undefined) return '';
    const d = this.items.find((x) => x.id === id);
    return d === undefined ? '' : departmentLabel(d);
  }
}
