// The range a costs page reports on, in calendar days of the organisation's zone (the API's
// from/to): the presets (this month, the last 3 and the last 12 months, each to today, in whole
// months so a month chart has whole bars), a range's problem before it is sent, and the costs
// page's view in the address bar (`?groupBy=department&from=2026-01-01&to=2026-06-30&sort=total`)
// so a report can be reloaded, bookmarked and sent. Unknown values in an address are dropped.
import type { CostSummary } from '@fleet/api/contract';
import { localDay } from '@fleet/shared/time-zone';
import type { SortOrder } from '../admin/list-query.ts';

export interface DayRange {
  from: string;
  to: string;
}

/**
 * Every preset: `months` whole months ending `back` months before today's (0: to today; 1: the
 * last whole month, to its last day).
 */
export const ALL_RANGE_PRESETS = [
  { key: 'this_month', label: 'This month', months: 1, back: 0 },
  { key: 'last_month', label: 'Last month', months: 1, back: 1 },
  { key: 'last_3_months', label: 'Last 3 months', months: 3, back: 0 },
  { key: 'last_12_months', label: 'Last 12 months', months: 12, back: 0 },
] as const;
export type RangePreset = (typeof ALL_RANGE_PRESETS)[number]['key'];
export type RangePresetSpec = (typeof ALL_RANGE_PRESETS)[number];

/** The presets of the costs pages, each to today. */
export const RANGE_PRESETS = ALL_RANGE_PRESETS.filter((p) => p.back === 0);

/** The presets among `keys`, in their order of ALL_RANGE_PRESETS. */
export function rangePresets(keys: readonly RangePreset[]): RangePresetSpec[] {
  return ALL_RANGE_PRESETS.filter((p) => keys.includes(p.key));
}

/** A year, as the API's own default: what a page shows until someone picks another range. */
export const DEFAULT_PRESET: RangePreset = 'last_12_months';

/** The first day of the month `back` months before `day`'s ("2026-03-17", 2 → "2026-01-01"). */
export function monthStart(day: string, back = 0): string {
  const [y = 1970, m = 1] = day.split('-').map(Number);
  const index = y * 12 + (m - 1) - back;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** The calendar day before `day` ("2026-03-01" → "2026-02-28"). */
export function dayBefore(day: string): string {
  const [y = 1970, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/**
 * A preset's days in the organisation's zone: from the first of its first month to today, or to
 * the last day of the month before today's for the last whole month.
 */
export function presetRange(preset: RangePreset, nowMs: number, timeZone: string): DayRange {
  const today = localDay(nowMs, timeZone);
  const { months, back } = ALL_RANGE_PRESETS.find((p) => p.key === preset) ?? ALL_RANGE_PRESETS[3];
  const to = back === 0 ? today : dayBefore(monthStart(today, back - 1));
  return { from: monthStart(today, months - 1 + back), to };
}

/** The preset a range is (its button shown pressed), if any, among `presets`. */
export function presetOf(
  range: DayRange,
  nowMs: number,
  timeZone: string,
  presets: readonly RangePresetSpec[] = RANGE_PRESETS,
): RangePreset | undefined {
  return presets.find((p) => {
    const r = presetRange(p.key, nowMs, timeZone);
    return r.from === range.from && r.to === range.to;
  })?.key;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is a calendar day as the API reads it (YYYY-MM-DD, a day that exists). */
export function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const [y = 0, m = 0, d = 0] = text.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Days from `from` to `to`, both included. */
export function daysIn(range: DayRange): number {
  return Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000) + 1;
}

/** Why a range cannot be asked for, in words; undefined when it can. `maxDays`: the API's widest. */
export function rangeProblem(range: DayRange, maxDays?: number): string | undefined {
  if (!isDay(range.from)) return 'choose the first day';
  if (!isDay(range.to)) return 'choose the last day';
  if (range.from > range.to) return 'the first day is after the last';
  if (maxDays !== undefined && daysIn(range) > maxDays) return `at most ${maxDays} days`;
  return undefined;
}

export type GroupBy = CostSummary['groupBy'];

/** The costs table's columns, by what they show. */
export const SUMMARY_COLUMNS = [
  'name',
  'plate',
  'fuel',
  'maintenance',
  'other',
  'total',
  'distance',
  'costPerKm',
  'costPerEngineHour',
  'consumption',
] as const;
export type SummaryColumn = (typeof SUMMARY_COLUMNS)[number];

export interface SummaryView extends DayRange {
  groupBy: GroupBy;
  /** undefined: the API's order, the most expensive first. */
  sort: SummaryColumn | undefined;
  order: SortOrder;
}

/** What is read of an address's query (SvelteKit's is read-only). */
type Query = { get(name: string): string | null };

export function defaultSummaryView(nowMs: number, timeZone: string): SummaryView {
  return { groupBy: 'asset', ...presetRange(DEFAULT_PRESET, nowMs, timeZone), sort: undefined, order: 'asc' };
}

export function summaryViewFromQuery(params: Query, nowMs: number, timeZone: string): SummaryView {
  const view = defaultSummaryView(nowMs, timeZone);
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const sort = params.get('sort');
  // A range comes whole or not at all: half of one would meet the default's other end.
  const range = isDay(from) && isDay(to) && from <= to ? { from, to } : {};
  return {
    ...view,
    ...range,
    groupBy: params.get('groupBy') === 'department' ? 'department' : 'asset',
    sort: SUMMARY_COLUMNS.find((c) => c === sort),
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/** The address's query: only what differs from the default view. */
export function summaryViewToQuery(view: SummaryView, nowMs: number, timeZone: string): URLSearchParams {
  const params = new URLSearchParams();
  const byDefault = defaultSummaryView(nowMs, timeZone);
  if (view.groupBy !== 'asset') params.set('groupBy', view.groupBy);
  if (view.from !== byDefault.from || view.to !== byDefault.to) {
    params.set('from', view.from);
    params.set('to', view.to);
  }
  if (view.sort !== undefined) {
    params.set('sort', view.sort);
    if (view.order === 'desc') params.set('order', 'desc');
  }
  return params;
}
