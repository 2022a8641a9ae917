// What a report page shows, in the address bar so a report can be reloaded, bookmarked and sent:
// `?from=2026-11-01&to=2026-11-30&by=day&kind=vehicle&departmentId=…&sort=distance&order=desc`,
// or for a report of one asset `?assetId=…&from=…&to=…&show=stops`. Only what differs from the
// default view is written: this month so far in the organisation's calendar, the report's first
// grouping, every kind and department, the API's order. Unknown values in an address are
// dropped, and a range wider than the report allows is the default.
import type { SortOrder } from '../admin/list-query.ts';
import { type DayRange, isDay, presetRange, rangeProblem } from '../costs/range.ts';

export type AssetKind = 'vehicle' | 'equipment';
export const ASSET_KINDS: readonly AssetKind[] = ['vehicle', 'equipment'];

export interface ReportView extends DayRange {
  /** The grouping (`by`), one of the report's; undefined for a report without one. */
  by: string | undefined;
  kind: AssetKind | undefined;
  departmentId: string | undefined;
  /** The one asset a report of an asset is about; undefined: none chosen yet (and in the fleet's reports). */
  assetId: string | undefined;
  /** A column's key; undefined: the API's order. */
  sort: string | undefined;
  order: SortOrder;
}

/** What a report allows in its view. */
export interface ViewRules {
  /** Its groupings, the default first; empty when it has none. */
  groups: readonly string[];
  /** The widest range its API answers, in days. */
  maxDays: number;
  /** The keys its table sorts by, in any grouping. */
  sortKeys: readonly string[];
  /** 'asset': a report of one asset (its trips and stops), chosen by `assetId` instead of kind and department. */
  scope?: 'fleet' | 'asset';
  /** The address's name of the grouping; `by` unless said. */
  groupParam?: string;
}

/** What is read of an address's query (SvelteKit's is read-only). */
type Query = { get(name: string): string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function defaultView(rules: ViewRules, nowMs: number, timeZone: string): ReportView {
  return {
    ...presetRange('this_month', nowMs, timeZone),
    by: rules.groups[0],
    kind: undefined,
    departmentId: undefined,
    assetId: undefined,
    sort: undefined,
    order: 'asc',
  };
}

const groupParamOf = (rules: ViewRules) => rules.groupParam ?? 'by';

export function viewFromQuery(params: Query, rules: ViewRules, nowMs: number, timeZone: string): ReportView {
  const view = defaultView(rules, nowMs, timeZone);
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  // A range comes whole or not at all: half of one would meet the default's other end.
  const range =
    isDay(from) && isDay(to) && rangeProblem({ from, to }, rules.maxDays) === undefined ? { from, to } : {};
  const by = params.get(groupParamOf(rules));
  const sort = params.get('sort');
  const id = (name: string) => {
    const value = params.get(name) ?? '';
    return UUID.test(value) ? value : undefined;
  };
  const filters =
    rules.scope === 'asset'
      ? { assetId: id('assetId') }
      : { kind: ASSET_KINDS.find((k) => k === params.get('kind')), departmentId: id('departmentId') };
  return {
    ...view,
    ...range,
    ...filters,
    by: rules.groups.find((g) => g === by) ?? view.by,
    sort: rules.sortKeys.find((k) => k === sort),
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/** The address's query: only what differs from the default view. */
export function viewToQuery(
  view: ReportView,
  rules: ViewRules,
  nowMs: number,
  timeZone: string,
): URLSearchParams {
  const params = new URLSearchParams();
  const byDefault = defaultView(rules, nowMs, timeZone);
  if (view.assetId !== undefined) params.set('assetId', view.assetId);
  if (view.from !== byDefault.from || view.to !== byDefault.to) {
    params.set('from', view.from);
    params.set('to', view.to);
  }
  if (view.by !== undefined && view.by !== byDefault.by) params.set(groupParamOf(rules), view.by);
  if (view.kind !== undefined) params.set('kind', view.kind);
  if (view.departmentId !== undefined) params.set('departmentId', view.departmentId);
  if (view.sort !== undefined) {
    params.set('sort', view.sort);
    if (view.order === 'desc') params.set('order', 'desc');
  }
  return params;
}

/** The query the report's API reads (the file downloads add `format`); filters not set left out. */
export function reportQuery(view: ReportView): Record<string, string | undefined> {
  return { from: view.from, to: view.to, by: view.by, kind: view.kind, departmentId: view.departmentId };
}

/** The view with another grouping: a sort by a column the grouping does not have is dropped. */
export function regroup(
  view: ReportView,
  by: string,
  columnsOf: (by: string) => readonly string[],
): ReportView {
  const keep = view.sort !== undefined && columnsOf(by).includes(view.sort);
  return { ...view, by, ...(keep ? {} : { sort: undefined, order: 'asc' as const }) };
}
