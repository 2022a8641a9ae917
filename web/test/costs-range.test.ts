// The range a costs page reports on (lib/costs/range.ts, filters.ts): the presets in the
// organisation's calendar, a range's problems, and the views in the address bar.
import { describe, expect, it } from 'vitest';
import {
  defaultEntryFilter,
  entryFilterFromQuery,
  entryFilterToQuery,
  isEntryFiltered,
} from '../src/lib/costs/filters.ts';
import {
  defaultSummaryView,
  isDay,
  monthStart,
  presetOf,
  presetRange,
  rangeProblem,
  summaryViewFromQuery,
  summaryViewToQuery,
} from '../src/lib/costs/range.ts';

// 17 March 2026, 23:30 in UTC: already the 18th in Helsinki.
const NOW = Date.UTC(2026, 2, 17, 23, 30);
const query = (text: string) => new URLSearchParams(text);

describe('the presets', () => {
  it('run from the first of a month to today, in the organisation’s zone', () => {
    expect(presetRange('this_month', NOW, 'UTC')).toEqual({ from: '2026-03-01', to: '2026-03-17' });
    expect(presetRange('this_month', NOW, 'Europe/Helsinki')).toEqual({
      from: '2026-03-01',
      to: '2026-03-18',
    });
    expect(presetRange('last_3_months', NOW, 'UTC')).toEqual({ from: '2026-01-01', to: '2026-03-17' });
    expect(presetRange('last_12_months', NOW, 'UTC')).toEqual({ from: '2025-04-01', to: '2026-03-17' });
  });

  it('count months back over the year', () => {
    expect(monthStart('2026-03-17')).toBe('2026-03-01');
    expect(monthStart('2026-03-17', 2)).toBe('2026-01-01');
    expect(monthStart('2026-03-17', 3)).toBe('2025-12-01');
    expect(monthStart('2026-01-31', 12)).toBe('2025-01-01');
    expect(monthStart('2026-12-01', 11)).toBe('2026-01-01');
  });

  it('are known again in a range', () => {
    expect(presetOf({ from: '2026-01-01', to: '2026-03-17' }, NOW, 'UTC')).toBe('last_3_months');
    expect(presetOf({ from: '2026-01-02', to: '2026-03-17' }, NOW, 'UTC')).toBeUndefined();
  });
});

describe('a range', () => {
  it('is whole days, the first not after the last', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('26-2-1')).toBe(false);
    expect(rangeProblem({ from: '2026-01-01', to: '2026-01-01' })).toBeUndefined();
    expect(rangeProblem({ from: '2026-02-01', to: '2026-01-01' })).toBe('the first day is after the last');
    expect(rangeProblem({ from: '', to: '2026-01-01' })).toBe('choose the first day');
    expect(rangeProblem({ from: '2026-01-01', to: '2026-13-01' })).toBe('choose the last day');
  });
});

describe('the costs page in the address bar', () => {
  it('keeps only what differs from the default (per asset, the last 12 months, the API’s order)', () => {
    const byDefault = defaultSummaryView(NOW, 'UTC');
    expect(summaryViewToQuery(byDefault, NOW, 'UTC').toString()).toBe('');
    const view = {
      ...byDefault,
      groupBy: 'department' as const,
      from: '2026-01-01',
      to: '2026-01-31',
      sort: 'costPerKm' as const,
      order: 'desc' as const,
    };
    const text = summaryViewToQuery(view, NOW, 'UTC').toString();
    expect(text).toBe('groupBy=department&from=2026-01-01&to=2026-01-31&sort=costPerKm&order=desc');
    expect(summaryViewFromQuery(query(text), NOW, 'UTC')).toEqual(view);
  });

  it('drops what it cannot read, and half a range', () => {
    expect(
      summaryViewFromQuery(query('groupBy=driver&sort=colour&order=up&from=2026-01-01'), NOW, 'UTC'),
    ).toEqual(defaultSummaryView(NOW, 'UTC'));
    expect(summaryViewFromQuery(query('from=2026-02-01&to=2026-01-01'), NOW, 'UTC').from).toBe('2025-04-01');
  });
});

describe('the lists’ filters in the address bar', () => {
  it('an asset and a range, the default left out', () => {
    const id = '0b7c4c1e-8c55-4c57-9d1e-3c1f0e0a9b11';
    expect(entryFilterToQuery(defaultEntryFilter(NOW, 'UTC'), NOW, 'UTC').toString()).toBe('');
    expect(isEntryFiltered(defaultEntryFilter(NOW, 'UTC'), NOW, 'UTC')).toBe(false);
    const filter = { assetId: id, from: '2026-03-01', to: '2026-03-17' };
    const text = entryFilterToQuery(filter, NOW, 'UTC').toString();
    expect(text).toBe(`assetId=${id}&from=2026-03-01&to=2026-03-17`);
    expect(entryFilterFromQuery(query(text), NOW, 'UTC')).toEqual(filter);
    expect(entryFilterFromQuery(query('assetId=van-7'), NOW, 'UTC').assetId).toBe('');
  });
});
