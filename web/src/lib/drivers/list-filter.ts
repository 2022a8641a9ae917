// The drivers list's view: filters, sort and page, kept in the address bar so a link or a
// reload shows the same list (defaults are left out of the query string), and sent to
// GET /api/v1/drivers, which filters, sorts and pages on the server.
import { type ListState, listQuery } from '../admin/list-query.ts';
import { DRIVER_STATUSES, type DriverStatus } from './form.ts';
import { renewalCutoff } from './licence.ts';

/** The table's columns; the sortable ones carry the API's sort names. */
export type DriverColumn =
  | 'name'
  | 'employeeNumber'
  | 'phone'
  | 'licenceExpiry'
  | 'department'
  | 'vehicle'
  | 'status';

export const DRIVER_SORTS = [
  'name',
  'employeeNumber',
  'licenceExpiry',
] as const satisfies readonly DriverColumn[];
type DriverSort = (typeof DRIVER_SORTS)[number];

export const PAGE_SIZE = 50;
/** The API's limit on `q`. */
const QUERY_MAX = 100;
const OFFSET_MAX = 10_000_000;

export interface DriverFilter {
  /** A department id (its sub-departments too); "" for all. */
  departmentId: string;
  /** "" for both. */
  status: DriverStatus | '';
  /** Part of the name or employee number. */
  q: string;
  /** Only licences expired or expiring within the warning window. */
  renewal: boolean;
}

export interface DriverView {
  filter: DriverFilter;
  list: ListState<DriverColumn>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isSort = (s: string | null): s is DriverSort => DRIVER_SORTS.some((x) => x === s);

export function viewFromQuery(params: { get(name: string): string | null }): DriverView {
  const status = params.get('status');
  const sort = params.get('sort');
  const offset = Number(params.get('offset'));
  return {
    filter: {
      // Anything else would be the API's 400 for a hand-edited address.
      departmentId: UUID.test(params.get('department') ?? '') ? (params.get('department') ?? '') : '',
      status: DRIVER_STATUSES.find((s) => s === status) ?? '',
      q: (params.get('q') ?? '').slice(0, QUERY_MAX),
      renewal: params.get('renewal') === '1',
    },
    list: {
      sort: isSort(sort) ? sort : 'name',
      order: params.get('order') === 'desc' ? 'desc' : 'asc',
      limit: PAGE_SIZE,
      offset: Number.isInteger(offset) && offset > 0 ? Math.min(offset, OFFSET_MAX) : 0,
    },
  };
}

/** The address bar's query for a view, defaults left out. */
export function viewToQuery(view: DriverView): URLSearchParams {
  const p = new URLSearchParams();
  const { filter, list } = view;
  if (filter.departmentId !== '') p.set('department', filter.departmentId);
  if (filter.status !== '') p.set('status', filter.status);
  if (filter.q.trim() !== '') p.set('q', filter.q.trim());
  if (filter.renewal) p.set('renewal', '1');
  if (list.sort !== undefined && list.sort !== 'name') p.set('sort', list.sort);
  if (list.order !== 'asc') p.set('order', list.order);
  if (list.offset > 0) p.set('offset', String(list.offset));
  return p;
}

/** GET /api/v1/drivers's query for a view on `today` (the organisation's day). */
export function driverQuery(view: DriverView, today: string): Record<string, string | number> {
  const { filter, list } = view;
  const query = listQuery({ ...list, sort: isSort(list.sort ?? null) ? list.sort : 'name' }, true);
  if (filter.departmentId !== '') query.departmentId = filter.departmentId;
  if (filter.status !== '') query.status = filter.status;
  if (filter.q.trim() !== '') query.q = filter.q.trim();
  if (filter.renewal) query.licenceExpiresBefore = renewalCutoff(today);
  return query;
}

/** Whether any filter narrows the list (an empty list then says "no driver matches"). */
export function isFiltered(filter: DriverFilter): boolean {
  return filter.departmentId !== '' || filter.status !== '' || filter.q.trim() !== '' || filter.renewal;
}
