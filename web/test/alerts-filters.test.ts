// The alerts page's filters (lib/alerts/filters.ts): the address bar round-trips with defaults
// left out and drops what the API would refuse; the query, with times typed by the
// organisation's clock, passes the API's own schema; and a live alert is matched as the list
// would have it.
import { describe, expect, it } from 'vitest';
import { alertQuerySchema } from '../../api/src/domains/alerts/schemas.ts';
import {
  alertQuery,
  blankAlertFilter,
  DEFAULT_STATES,
  filterFromQuery,
  filterToQuery,
  isFiltered,
  matchesFilter,
} from '../src/lib/alerts/filters.ts';

const ASSET = '3d1f2e4a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
const HELSINKI = 'Europe/Helsinki';
const params = (text: string) => new URLSearchParams(text);

describe('the alerts filter in the address bar', () => {
  it('shows the alerts needing attention by default, with nothing in the address bar', () => {
    expect(filterFromQuery(params(''))).toEqual(blankAlertFilter());
    expect(blankAlertFilter().states).toEqual(DEFAULT_STATES);
    expect(filterToQuery(blankAlertFilter()).toString()).toBe('');
    expect(isFiltered(blankAlertFilter())).toBe(false);
  });

  it('round-trips every filter', () => {
    const text = `state=resolved&severity=warning%2Ccritical&kind=overspeed&assetId=${ASSET}&from=2026-11-21T08%3A00&to=2026-11-22T08%3A00`;
    const filter = filterFromQuery(params(text));
    expect(filter).toEqual({
      states: ['resolved'],
      severities: ['warning', 'critical'],
      kind: 'overspeed',
      assetId: ASSET,
      from: '2026-11-21T08:00',
      to: '2026-11-22T08:00',
    });
    expect(filterToQuery(filter).toString()).toBe(text);
    expect(filterFromQuery(params('state=any')).states).toEqual([]);
    expect(filterToQuery({ ...blankAlertFilter(), states: [] }).get('state')).toBe('any');
  });

  it('drops what the API would refuse', () => {
    expect(
      filterFromQuery(params('state=nope&severity=loud&kind=teleport&assetId=42&from=yesterday')),
    ).toEqual(blankAlertFilter());
    expect(filterFromQuery(params('state=open,nope')).states).toEqual(['open']);
  });
});

describe('the alerts query', () => {
  it('passes the API’s schema, with times as instants of the organisation’s clock', () => {
    const filter = filterFromQuery(
      params(
        `state=open&severity=critical&kind=engine_fault&assetId=${ASSET}&from=2026-11-21T08:00&to=2026-11-21T09:00`,
      ),
    );
    const q = alertQuery(filter, HELSINKI);
    expect(q).toEqual({
      ok: true,
      query: {
        state: 'open',
        severity: 'critical',
        kind: 'engine_fault',
        assetId: ASSET,
        from: '2026-11-21T06:00:00.000Z',
        to: '2026-11-21T07:00:00.000Z',
      },
    });
    if (!q.ok) return;
    const parsed = alertQuerySchema.safeParse(q.query);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.state).toEqual(['open']);
    const blank = alertQuery(blankAlertFilter(), HELSINKI);
    expect(blank.ok && alertQuerySchema.safeParse(blank.query).data?.state).toEqual(['open', 'acknowledged']);
  });

  it('sends no state or severity when every one is chosen or none', () => {
    const all = { ...blankAlertFilter(), states: [], severities: ['info', 'warning', 'critical'] as const };
    expect(alertQuery({ ...all, severities: [...all.severities] }, HELSINKI)).toEqual({
      ok: true,
      query: {},
    });
    expect(alertQuery(blankAlertFilter(), HELSINKI)).toEqual({
      ok: true,
      query: { state: 'open,acknowledged' },
    });
  });

  it('refuses a range that ends before it starts, at the end field', () => {
    const filter = { ...blankAlertFilter(), from: '2026-11-21T09:00', to: '2026-11-21T08:00' };
    expect(alertQuery(filter, HELSINKI)).toEqual({
      ok: false,
      problems: { to: 'the end comes after the start' },
    });
  });
});

describe('a live alert against the filter', () => {
  const a = {
    state: 'open' as const,
    severity: 'critical' as const,
    kind: 'overspeed' as const,
    assetId: ASSET,
    startedAt: '2026-11-21T06:30:00.000Z',
  };

  it('matches as the list would', () => {
    expect(matchesFilter(a, blankAlertFilter(), HELSINKI)).toBe(true);
    expect(matchesFilter({ ...a, state: 'resolved' }, blankAlertFilter(), HELSINKI)).toBe(false);
    expect(matchesFilter(a, { ...blankAlertFilter(), severities: ['warning'] }, HELSINKI)).toBe(false);
    expect(matchesFilter(a, { ...blankAlertFilter(), kind: 'idling' }, HELSINKI)).toBe(false);
    expect(
      matchesFilter(a, { ...blankAlertFilter(), assetId: '00000000-0000-4000-8000-000000000000' }, HELSINKI),
    ).toBe(false);
    const range = { ...blankAlertFilter(), from: '2026-11-21T08:00', to: '2026-11-21T09:00' };
    expect(matchesFilter(a, range, HELSINKI)).toBe(true);
    expect(matchesFilter({ ...a, startedAt: '2026-11-21T07:00:00.000Z' }, range, HELSINKI)).toBe(false);
  });
});
