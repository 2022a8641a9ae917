// An asset list's filter, sort and page: read from the address bar and written back to it (as the
// map keeps its filter: `?departmentId=…&status=…&q=…&sort=…&order=…&page=…`, defaults left
// out), and turned into the query of GET /api/v1/vehicles or /equipment. What the address bar
// says that the API would refuse (an id that is not a uuid, an unknown status or sort) is dropped
// here rather than sent, so a hand-edited link shows the list instead of an error.
import { type ListState, listQuery, type SortOrder } from '../admin/list-query.ts';

export interface AssetFilter {
  /** "" for every department; else this one and the ones below it. */
  departmentId: string;
  /** "" for every status but retired (the API's default). */
  status: string;
  /** Part of the name or an identifier; "" for none. */
  q: string;
  list: ListState<string>;
}

export interface FilterSpec {
  statuses: readonly string[];
  sorts: readonly string[];
}

export const PAGE_LIMIT = 50;
export const DEFAULT_SORT = 'name';
/** The API's longest search text. */
export const MAX_SEARCH = 100;
/** The API's largest offset. */
const MAX_OFFSET = 10_000_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (text: string): boolean => UUID.test(text);

export function filterFromQuery(
  params: { get(name: string): string | null },
  spec: FilterSpec,
  limit = PAGE_LIMIT,
): AssetFilter {
  const departmentId = params.get('departmentId') ?? '';
  const status = params.get('status') ?? '';
  const sort = params.get('sort') ?? '';
  const order: SortOrder = params.get('order') === 'desc' ? 'desc' : 'asc';
  const page = Number(params.get('page') ?? '1');
  const offset = Number.isInteger(page) && page > 1 ? Math.min((page - 1) * limit, MAX_OFFSET) : 0;
  return {
    departmentId: isUuid(departmentId) ? departmentId.toLowerCase() : '',
    status: spec.statuses.includes(status) ? status : '',
    q: (params.get('q') ?? '').slice(0, MAX_SEARCH),
    list: { sort: spec.sorts.includes(sort) ? sort : DEFAULT_SORT, order, limit, offset },
  };
}

/** The address bar's query for a filter; the defaults (every department, name ascending, page 1) are left out. */
export function filterToQuery(filter: AssetFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (filter.departmentId !== '') p.set('departmentId', filter.departmentId);
  if (filter.status !== '') p.set('status', filter.status);
  if (filter.q.trim() !== '') p.set('q', filter.q.trim());
  if (filter.list.sort !== undefined && filter.list.sort !== DEFAULT_SORT) p.set('sort', filter.list.sort);
  if (filter.list.order === 'desc') p.set('order', 'desc');
  const page = Math.floor(filter.list.offset / Math.max(1, filter.list.limit)) + 1;
  if (page > 1) p.set('page', String(page));
  return p;
}

/** The list endpoint's query. */
export function apiQuery(filter: AssetFilter): Record<string, string | number> {
  const query = listQuery(filter.list, true);
  if (filter.departmentId !== '') query.departmentId = filter.departmentId;
  if (filter.status !== '') query.status = filter.status;
  const q = filter.q.trim();
  if (q !== '') query.q = q;
  return query;
}

/** A filter changed by the user: back to the first page (the old page may not exist any more). */
export function refine(filter: AssetFilter, change: Partial<Omit<AssetFilter, 'list'>>): AssetFilter {
  return { ...filter, ...change, list: { ...filter.list, offset: 0 } };
}

/** Whether anything narrows the list (for "No vehicles match." rather than "No vehicles yet."). */
export function narrowed(filter: AssetFilter): boolean {
  return filter.departmentId !== '' || filter.status !== '' || filter.q.trim() !== '';
}
