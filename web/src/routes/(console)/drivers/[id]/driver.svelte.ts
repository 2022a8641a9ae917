// The state of one driver's page: the driver and their assignments, each loaded (and failing)
// on its own, and loaded again after anything on the page changes them.
import type { Driver, DriverAssignment } from '@fleet/api/contract';
import { type ListState, listQuery, listState, type PageInfo } from '#lib/admin/list-query.ts';
import type { ApiClient } from '#lib/api/client.ts';
import { ApiRequestError, describeError } from '#lib/api/errors.ts';

export type AssignmentColumn = 'vehicle' | 'startsAt' | 'endsAt' | 'source';

export class DriverDetail {
  readonly id: string;
  driver = $state<Driver | null>(null);
  /** No such driver here (or an id that cannot be one: the API's 400 on the path). */
  notFound = $state(false);
  error = $state<string | undefined>();
  assignments = $state<DriverAssignment[]>([]);
  assignmentPage = $state<PageInfo>({ total: 0, limit: 20, offset: 0 });
  assignmentList = $state<ListState<AssignmentColumn>>(listState<AssignmentColumn>(undefined, 20));
  assignmentsError = $state<string | undefined>();
  assignmentsLoaded = $state(false);
  /** When the assignments were read: what "now" is for the current one. */
  loadedAt = $state(Date.now());
  readonly #api: ApiClient;

  constructor(id: string, api: ApiClient) {
    this.id = id;
    this.#api = api;
  }

  async load(): Promise<void> {
    await Promise.all([this.loadDriver(), this.loadAssignments()]);
  }

  async loadDriver(): Promise<void> {
    try {
      this.driver = await this.#api.call('GET /api/v1/drivers/{id}', { params: { id: this.id } });
      this.error = undefined;
    } catch (err) {
      if (err instanceof ApiRequestError && (err.status === 404 || err.status === 400)) this.notFound = true;
      else this.error = describeError(err);
    }
  }

  async loadAssignments(): Promise<void> {
    try {
      const answer = await this.#api.call('GET /api/v1/drivers/{id}/assignments', {
        params: { id: this.id },
        query: listQuery(this.assignmentList, false),
      });
      this.assignments = answer.items;
      this.assignmentPage = { total: answer.total, limit: answer.limit, offset: answer.offset };
      this.loadedAt = Date.now();
      this.assignmentsError = undefined;
    } catch (err) {
      // A missing driver is said once, by loadDriver.
      if (!(err instanceof ApiRequestError && (err.status === 404 || err.status === 400)))
        this.assignmentsError = describeError(err);
    } finally {
      this.assignmentsLoaded = true;
    }
  }
}
