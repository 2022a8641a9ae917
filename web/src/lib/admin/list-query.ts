// Sorting and paging for the management tables. The list endpoints answer a page as
// {items, total, limit, offset} and take `limit`, `offset` and, where they sort, `sort` and
// `order` (as the drivers API does); lists the API answers whole (departments, users) are
// sorted and paged here with the same state, so one table component serves both.

export type SortOrder = 'asc' | 'desc';

export interface ListState<K extends string = string> {
  sort: K | undefined;
  order: SortOrder;
  limit: number;
  offset: number;
}

export interface PageInfo {
  total: number;
  limit: number;
  offset: number;
}

export const DEFAULT_LIMIT = 50;

export function listState<K extends string>(sort?: K, limit = DEFAULT_LIMIT): ListState<K> {
  return { sort, order: 'asc', limit, offset: 0 };
}

/** Clicking a column: sort by it ascending, or flip the order when it is the sort already. Back to page 1. */
export function toggleSort<K extends string>(state: ListState<K>, key: K): ListState<K> {
  const order: SortOrder = state.sort === key && state.order === 'asc' ? 'desc' : 'asc';
  return { ...state, sort: key, order, offset: 0 };
}

/** The query a server-paged list sends; `sortable` says whether the endpoint takes sort/order. */
export function listQuery(state: ListState, sortable: boolean): Record<string, string | number> {
  const query: Record<string, string | number> = { limit: state.limit, offset: state.offset };
  if (sortable && state.sort !== undefined) {
    query.sort = state.sort;
    query.order = state.order;
  }
  return query;
}

export interface PageSummary {
  /** 1-based index of the first row shown; 0 when there are none. */
  from: number;
  to: number;
  total: number;
  page: number;
  pages: number;
  previous: number | undefined;
  next: number | undefined;
}

/** Where a page stands, for "21-40 of 57" and the previous and next buttons' offsets. */
export function pageSummary(info: PageInfo, shown: number): PageSummary {
  const limit = Math.max(1, info.limit);
  const from = shown === 0 ? 0 : info.offset + 1;
  return {
    from,
    to: info.offset + shown,
    total: info.total,
    page: Math.floor(info.offset / limit) + 1,
    pages: Math.max(1, Math.ceil(info.total / limit)),
    previous: info.offset > 0 ? Math.max(0, info.offset - limit) : undefined,
    next: info.offset + limit < info.total ? info.offset + limit : undefined,
  };
}

export type SortValue = string | number | boolean | null | undefined;

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Ascending order of two cell values: empty ones last, text by the reader's collation. */
export function compareValues(a: SortValue, b: SortValue): number {
  const emptyA = a === null || a === undefined || a === '';
  const emptyB = b === null || b === undefined || b === '';
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  return Number(a) - Number(b);
}

/** A list the API answers whole, sorted and cut to the page in `state`. */
export function pageRows<R, K extends string>(
  rows: readonly R[],
  state: ListState<K>,
  value: (row: R, key: K) => SortValue,
): { items: R[]; info: PageInfo } {
  const { sort } = state;
  const sorted =
    sort === undefined
      ? [...rows]
      : [...rows].sort((x, y) => {
          const c = compareValues(value(x, sort), value(y, sort));
          // Empty values stay last whichever the order.
          const empty = (v: SortValue) => v === null || v === undefined || v === '';
          if (empty(value(x, sort)) !== empty(value(y, sort))) return c;
          return state.order === 'asc' ? c : -c;
        });
  const offset = Math.min(
    state.offset,
    Math.max(0, Math.floor((rows.length - 1) / state.limit) * state.limit),
  );
  return {
    items: sorted.slice(offset, offset + state.limit),
    info: { total: rows.length, limit: state.limit, offset },
  };
}
