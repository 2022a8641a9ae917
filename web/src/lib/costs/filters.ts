// The fuel and other-cost lists' filters and their address-bar form (`?assetId=…&from=…&to=…`),
// so a filtered list can be reloaded, bookmarked and sent. The range is the costs pages' default
// (the last 12 months) unless the address says otherwise; unknown values are dropped.
import { type DayRange, DEFAULT_PRESET, isDay, presetRange } from './range.ts';

export interface EntryFilter extends DayRange {
  /** Empty: every asset. */
  assetId: string;
}

/** What is read of an address's query (SvelteKit's is read-only). */
type Query = { get(name: string): string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function defaultEntryFilter(nowMs: number, timeZone: string): EntryFilter {
  return { assetId: '', ...presetRange(DEFAULT_PRESET, nowMs, timeZone) };
}

export function entryFilterFromQuery(params: Query, nowMs: number, timeZone: string): EntryFilter {
  const assetId = params.get('assetId') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return {
    ...defaultEntryFilter(nowMs, timeZone),
    ...(isDay(from) && isDay(to) && from <= to ? { from, to } : {}),
    assetId: UUID.test(assetId) ? assetId : '',
  };
}

export function entryFilterToQuery(filter: EntryFilter, nowMs: number, timeZone: string): URLSearchParams {
  const params = new URLSearchParams();
  const byDefault = defaultEntryFilter(nowMs, timeZone);
  if (filter.assetId !== '') params.set('assetId', filter.assetId);
  if (filter.from !== byDefault.from || filter.to !== byDefault.to) {
    params.set('from', filter.from);
    params.set('to', filter.to);
  }
  return params;
}

export const isEntryFiltered = (filter: EntryFilter, nowMs: number, timeZone: string): boolean =>
  entryFilterToQuery(filter, nowMs, timeZone).size > 0;
