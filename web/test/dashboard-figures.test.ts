// The dashboard's tiles in Node (lib/dashboard/figures.ts, lib/api/dashboard.ts): the vehicles
// active now in the live fleet, the day's jobs counted as the API counts them, the live figures
// laid over the API's answer, the words of each figure, the cost trend's bars and where each tile
// leads; the constants are the API's and the answer they read is the API's schema.
import type { Dashboard, FleetDevice } from '@fleet/api/contract';
import { describe, expect, it } from 'vitest';
import { countJobs } from '../../api/src/domains/dashboard/figures.ts';
import {
  DASHBOARD_MAX_MONTHS as API_MAX_MONTHS,
  dashboardSchema,
} from '../../api/src/domains/dashboard/schemas.ts';
import { DASHBOARD_MAX_MONTHS } from '../src/lib/api/dashboard.ts';
import {
  activeVehicles,
  alertCounts,
  costTrend,
  countDayJobs,
  formatCostPerKm,
  formatDistanceKm,
  formatEngineTime,
  formatUtilisation,
  jobRows,
  jobsTotal,
  severityRows,
  shownFigures,
  tileLinks,
  trendBars,
} from '../src/lib/dashboard/figures.ts';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const MIN = 60_000;

const answer: Dashboard = {
  at: '2026-12-03T10:00:00.000Z',
  timeZone: 'Europe/Helsinki',
  currency: 'EUR',
  vehicles: { total: 30, online: 27, activeNow: 11 },
  equipment: { total: 200, online: 150 },
  today: { day: '2026-12-03', trips: 40, distanceKm: 412.35, engineS: 83_400, utilisation: 0.2 },
  month: {
    from: '2026-12-01',
    to: '2026-12-03',
    trips: 120,
    distanceKm: 1250,
    engineS: 250_000,
    utilisation: 0.31,
  },
  alerts: { open: { critical: 1, warning: 3, info: 0 }, total: 4 },
  jobs: {
    today: { planned: 1, dispatched: 2, en_route: 1, on_site: 0, completed: 3, cancelled: 0 },
    late: 1,
    truncated: false,
  },
  services: { overdue: 1, due: 0, dueSoon: 4 },
  costPerKm: [
    { month: '2026-10', costPerKm: null, total: '0.00', distanceKm: null },
    { month: '2026-11', costPerKm: 0.1834, total: '1834.00', distanceKm: 10000 },
    { month: '2026-12', costPerKm: 0.2, total: '250.00', distanceKm: 1250 },
  ],
};

function device(id: string, over: Partial<FleetDevice> = {}): FleetDevice {
  return {
    deviceId: id,
    name: id,
    kind: 'vehicle',
    disabled: false,
    position: null,
    status: 'offline',
    connection: 'unknown',
    lastSeenAt: null,
    asset: null,
    ...over,
  };
}
const on = (assetId: string, kind: 'vehicle' | 'equipment' = 'vehicle') => ({
  id: assetId,
  kind,
  name: assetId,
  plate: null,
  departmentId: null,
});
const fix = (agoMs: number, speedKmh: number | null, ignition: boolean | null) => ({
  deviceId: 'x',
  ts: NOW - agoMs,
  lat: 60.17,
  lon: 24.94,
  speedKmh,
  headingDeg: null,
  ignition,
  status: 'moving' as const,
});

describe('activeVehicles', () => {
  it('counts each vehicle once, by a fix of the last 10 minutes in motion or with the engine on', () => {
    const devices = [
      device('a', { asset: on('van1'), position: fix(MIN, 40, true) }),
      // A second tracker on the same van.
      device('b', { asset: on('van1'), position: fix(MIN, 40, true) }),
      device('c', { asset: on('van2'), position: fix(MIN, 0, true) }),
      // GPS drift with the engine off; moving but 11 minutes ago; no fix; on no asset; equipment.
      device('d', { asset: on('van3'), position: fix(MIN, 1, false) }),
      device('e', { asset: on('van4'), position: fix(11 * MIN, 50, true) }),
      device('f', { asset: on('van5') }),
      device('g', { position: fix(MIN, 50, true) }),
      device('h', { kind: 'equipment', asset: on('gen', 'equipment'), position: fix(MIN, 0, true) }),
      device('i', { asset: on('van6'), disabled: true, position: fix(MIN, 50, true) }),
    ];
    expect(activeVehicles(devices, NOW)).toBe(2);
    expect(activeVehicles([], NOW)).toBe(0);
  });
});

describe('countDayJobs', () => {
  it('counts as the API does from the same list', () => {
    const items = [
      { state: 'planned', eta: null },
      { state: 'en_route', eta: { late: true } },
      { state: 'en_route', eta: { late: false } },
      { state: 'cancelled', eta: null },
    ] as const;
    const counted = countDayJobs({
      items: items.map((j) => ({
        ...j,
        eta: j.eta && { at: '', assetId: '', distanceKm: 1, computedAt: '', late: j.eta.late },
      })),
      truncated: true,
    });
    expect(counted).toEqual({ ...countJobs(items), truncated: true });
    expect(counted.today).toEqual({
      planned: 1,
      dispatched: 0,
      en_route: 2,
      on_site: 0,
      completed: 0,
      cancelled: 1,
    });
    expect(counted.late).toBe(1);
  });
});

describe('shownFigures', () => {
  it('lays the live figures over the answer, and keeps the answer where there are none', () => {
    expect(shownFigures(answer, {})).toEqual(answer);
    const alerts = alertCounts({ total: 5, bySeverity: { critical: 2, warning: 3, info: 0 } });
    const jobs = { ...answer.jobs, today: { ...answer.jobs.today, en_route: 2, dispatched: 1 } };
    const shown = shownFigures(answer, { activeNow: 12, alerts, jobs });
    expect(shown.vehicles).toEqual({ total: 30, online: 27, activeNow: 12 });
    expect(shown.alerts).toEqual({ open: { critical: 2, warning: 3, info: 0 }, total: 5 });
    expect(shown.jobs.today.en_route).toBe(2);
    expect(shown.services).toBe(answer.services);
    // Zero is a figure, not "none".
    expect(shownFigures(answer, { activeNow: 0 }).vehicles.activeNow).toBe(0);
  });
});

describe('the words', () => {
  it.each([
    [0, '0 km'],
    [5.04, '5 km'],
    [412.35, '412 km'],
    [99.95, '100 km'],
    [12.34, '12.3 km'],
    [12_345.6, '12,346 km'],
  ])('distance %d', (km, text) => {
    expect(formatDistanceKm(km)).toBe(text);
  });
  it.each([
    [0, '0 min'],
    [29, '0 min'],
    [45 * 60, '45 min'],
    [3 * 3600 + 5 * 60, '3 h 05 min'],
    [83_400, '23 h 10 min'],
    [250_000, '69 h 27 min'],
    [4_334_400, '1,204 h'],
  ])('engine time %d s', (s, text) => {
    expect(formatEngineTime(s)).toBe(text);
  });
  it.each([
    [null, '—'],
    [0, '0%'],
    [0.004, '0.4%'],
    [0.0949, '9.5%'],
    [0.314, '31%'],
    [1, '100%'],
  ])('utilisation %s', (u, text) => {
    expect(formatUtilisation(u)).toBe(text);
  });
  it.each([
    [null, 'EUR', '—'],
    [0.1834, 'EUR', '€0.183/km'],
    [0.05, 'EUR', '€0.05/km'],
    [1.5, 'EUR', '€1.50/km'],
    [12, 'SEK', 'SEK\u00a012.00/km'],
  ] as const)('cost per km %s %s', (v, currency, text) => {
    expect(formatCostPerKm(v, currency)).toBe(text);
  });

  it('lists the alerts most severe first, and the jobs in the board’s order with cancelled only when there are any', () => {
    expect(severityRows(answer.alerts)).toEqual([
      { key: 'critical', label: 'Critical', count: 1 },
      { key: 'warning', label: 'Warning', count: 3 },
      { key: 'info', label: 'Info', count: 0 },
    ]);
    expect(jobRows(answer.jobs).map((r) => [r.key, r.count])).toEqual([
      ['planned', 1],
      ['dispatched', 2],
      ['en_route', 1],
      ['on_site', 0],
      ['completed', 3],
    ]);
    expect(jobRows(answer.jobs)[2]?.label).toBe('En route');
    const cancelled = { ...answer.jobs, today: { ...answer.jobs.today, cancelled: 2 } };
    expect(jobRows(cancelled).at(-1)).toEqual({ key: 'cancelled', label: 'Cancelled', count: 2 });
    expect(jobsTotal(answer.jobs)).toBe(7);
    expect(jobsTotal(cancelled)).toBe(9);
  });
});

describe('the cost trend', () => {
  it('names the months, keeps a month without distance as no bar, and draws this month apart', () => {
    const trend = costTrend(answer.costPerKm);
    expect(trend).toEqual({
      labels: ['Oct 2026', 'Nov 2026', 'Dec 2026'],
      values: [null, 0.1834, 0.2],
      latest: 0.2,
      previous: 0.1834,
    });
    expect(trendBars(trend)).toEqual([
      [0, 1, 2],
      [null, 0.1834, null],
      [null, null, 0.2],
    ]);
    expect(costTrend([])).toEqual({ labels: [], values: [], latest: null, previous: null });
  });
});

describe('the tiles’ links', () => {
  it('lead to each figure’s page, with the tile’s range where the report takes one', () => {
    expect(tileLinks(answer)).toEqual({
      active: '/',
      today: '/reports/summary?from=2026-12-03&to=2026-12-03',
      month: '/reports/summary?from=2026-12-01&to=2026-12-03',
      utilisation: '/reports/utilisation?from=2026-12-01&to=2026-12-03',
      alerts: '/alerts',
      jobs: '/jobs?day=2026-12-03',
      services: '/maintenance',
      costs: '/costs',
    });
  });
});

describe('the API’s side', () => {
  it('has the same longest trend, and the answer these tests read is one its schema accepts', () => {
    expect(DASHBOARD_MAX_MONTHS).toBe(API_MAX_MONTHS);
    expect(dashboardSchema.safeParse(answer).success).toBe(true);
    expect(dashboardSchema.safeParse({ ...answer, jobs: { ...answer.jobs, today: {} } }).success).toBe(false);
  });
});
