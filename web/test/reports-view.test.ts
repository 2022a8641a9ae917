// A report page's view in the address bar (lib/reports/view.ts) and the ranges it starts from
// (lib/costs/range.ts's presets, the last whole month among them), in the organisation's calendar.
import { describe, expect, it } from 'vitest';
import { daysIn, presetRange, rangePresets, rangeProblem } from '../src/lib/costs/range.ts';
import {
  defaultView,
  regroup,
  reportQuery,
  type ViewRules,
  viewFromQuery,
  viewToQuery,
} from '../src/lib/reports/view.ts';

/** 17 March 2026, 12:00 UTC. */
const NOW = Date.UTC(2026, 2, 17, 12);
const RULES: ViewRules = { groups: ['asset', 'day'], maxDays: 31, sortKeys: ['name', 'distanceKm'] };
const DEPT = '00000000-0000-4000-8000-000000000001';

describe('the ranges', () => {
  it('start this month so far, or the last whole month, in the organisation’s calendar', () => {
    expect(defaultView(RULES, NOW, 'UTC')).toMatchObject({
      from: '2026-03-01',
      to: '2026-03-17',
      by: 'asset',
    });
    expect(presetRange('last_month', NOW, 'UTC')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(presetRange('last_month', Date.UTC(2026, 0, 5), 'UTC')).toEqual({
      from: '2025-12-01',
      to: '2025-12-31',
    });
    // 23:30 UTC on 31 March is already 1 April in Helsinki: last month is March there.
    expect(presetRange('last_month', Date.UTC(2026, 2, 31, 23, 30), 'Europe/Helsinki')).toEqual({
      from: '2026-03-01',
      to: '2026-03-31',
    });
    expect(rangePresets(['last_3_months', 'this_month']).map((p) => p.key)).toEqual([
      'this_month',
      'last_3_months',
    ]);
  });

  it('are at most the report’s widest', () => {
    expect(daysIn({ from: '2026-01-01', to: '2026-01-31' })).toBe(31);
    expect(rangeProblem({ from: '2026-01-01', to: '2026-01-31' }, 31)).toBeUndefined();
    expect(rangeProblem({ from: '2026-01-01', to: '2026-02-01' }, 31)).toBe('at most 31 days');
    expect(rangeProblem({ from: '2026-01-01', to: '2026-02-01' })).toBeUndefined();
    // Over a change of the clocks a day is still a day.
    expect(daysIn({ from: '2026-03-01', to: '2026-03-31' })).toBe(31);
  });
});

describe('the address bar', () => {
  it('holds only what differs from the default, and reads it back', () => {
    const view = {
      ...defaultView(RULES, NOW, 'UTC'),
      from: '2026-02-01',
      to: '2026-02-28',
      by: 'day',
      kind: 'equipment' as const,
      departmentId: DEPT,
      sort: 'distanceKm',
      order: 'desc' as const,
    };
    const query = viewToQuery(view, RULES, NOW, 'UTC');
    expect(query.toString()).toBe(
      `from=2026-02-01&to=2026-02-28&by=day&kind=equipment&departmentId=${DEPT}&sort=distanceKm&order=desc`,
    );
    expect(viewFromQuery(query, RULES, NOW, 'UTC')).toEqual(view);
    expect(viewToQuery(defaultView(RULES, NOW, 'UTC'), RULES, NOW, 'UTC').size).toBe(0);
  });

  it('drops what it cannot use: unknown values, half a range, a range too wide', () => {
    const read = (q: string) => viewFromQuery(new URLSearchParams(q), RULES, NOW, 'UTC');
    const byDefault = defaultView(RULES, NOW, 'UTC');
    expect(read('by=week&kind=boat&departmentId=north&sort=colour&order=up')).toEqual(byDefault);
    expect(read('from=2026-02-01')).toEqual(byDefault);
    expect(read('from=2026-01-01&to=2026-03-01')).toEqual(byDefault);
    expect(read('from=2026-02-30&to=2026-03-01')).toEqual(byDefault);
    expect(read('from=2026-03-10&to=2026-03-01')).toEqual(byDefault);
    // A report without groupings has none in its view.
    expect(
      viewFromQuery(new URLSearchParams('by=day'), { ...RULES, groups: [] }, NOW, 'UTC').by,
    ).toBeUndefined();
  });

  it('asks the API for the range, grouping and filters only', () => {
    const view = { ...defaultView(RULES, NOW, 'UTC'), sort: 'name', kind: 'vehicle' as const };
    expect(reportQuery(view)).toEqual({
      from: '2026-03-01',
      to: '2026-03-17',
      by: 'asset',
      kind: 'vehicle',
      departmentId: undefined,
    });
  });

  it('keeps a sort by a column the new grouping has, and drops one it has not', () => {
    const columns = (by: string) => (by === 'day' ? ['day', 'distanceKm'] : ['name', 'plate', 'distanceKm']);
    const view = { ...defaultView(RULES, NOW, 'UTC'), sort: 'plate', order: 'desc' as const };
    expect(regroup(view, 'day', columns)).toMatchObject({ by: 'day', sort: undefined, order: 'asc' });
    const byDistance = { ...view, sort: 'distanceKm' };
    expect(regroup(byDistance, 'day', columns)).toMatchObject({
      by: 'day',
      sort: 'distanceKm',
      order: 'desc',
    });
  });
});
