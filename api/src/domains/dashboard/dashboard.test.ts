// The KPI dashboard end to end, over a seeded company: vans whose trackers publish over MQTT (a
// drive this morning, one yesterday, one moving now, one without a tracker, one retired), tagged
// equipment, alerts as the rule engine writes them, today's jobs in every state (one late by its
// ETA), service plans due at three levels, and fuel and odometer readings over two months. The
// dashboard's figures are the other domains' own (the fleet summary, the alerts' badge), a
// department-scoped user sees their subtree's, another organisation sees none, and bad query
// parameters are 400s naming the field.
import { randomUUID } from 'node:crypto';
import { encodeTelemetryBatch } from '@fleet/proto';
import { localDay, localDayStart, nextDay } from '@fleet/shared/time-zone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { hourIn, noonZone } from '../../../../test/noon-zone.ts';
import { connectDevice, type TestDevice } from '../../../../test/support.ts';

interface Dashboard {
  at: string;
  timeZone: string;
  currency: string;
  vehicles: { total: number; online: number; activeNow: number };
  equipment: { total: number; online: number };
  today: { day: string; trips: number; distanceKm: number; engineS: number; utilisation: number | null };
  month: {
    from: string;
    to: string;
    trips: number;
    distanceKm: number;
    engineS: number;
    utilisation: number | null;
  };
  alerts: { open: Record<'critical' | 'warning' | 'info', number>; total: number };
  jobs: { today: Record<string, number>; late: number; truncated: boolean };
  services: { overdue: number; due: number; dueSoon: number };
  costPerKm: { month: string; costPerKm: number | null; total: string; distanceKm: number | null }[];
}
interface SummaryTotals {
  trips: number;
  distanceKm: number;
  engineS: number;
  utilisation: number | null;
}
interface ErrorReply {
  error: { code: string; details?: { path: string }[] };
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const run = randomUUID().slice(0, 6);
/** About noon there now: this morning is today and yesterday yesterday, whenever this runs. */
const ZONE = noonZone();
const TODAY = localDay(Date.now(), ZONE);
const MONTH = TODAY.slice(0, 7);
const PREVIOUS = (() => {
  const [y, m] = MONTH.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
})();
/** An instant of a day of the organisation's calendar, hours after its midnight. */
const on = (day: string, hours: number) => new Date(localDayStart(day, ZONE) + hours * HOUR).toISOString();

let t: TestApi;
const admin = () => t.orgA.users.admin.token;
const manager = () => t.orgA.users.fleet_manager.token;
const dispatcher = () => t.orgA.users.dispatcher.token;
const viewer = () => t.orgA.users.viewer.token;

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 600)}`).toBe(status);
  return res.body;
}
const dashboard = (token: string, query = '') => ok<Dashboard>('GET', `/api/v1/dashboard${query}`, token);

interface Fix {
  ts: number;
  lat: number;
  lon: number;
  speedKmh: number;
  ignition: boolean;
}
const parked = (from: number, minutes: number, lat: number): Fix[] =>
  Array.from({ length: (minutes * MIN) / 20_000 }, (_, i) => ({
    ts: from + i * 20_000,
    lat,
    lon: 24.9,
    speedKmh: 0,
    ignition: false,
  }));
/** km due north at a speed, a fix every 5 s. */
function north(from: number, lat: number, km: number, kmh: number): Fix[] {
  const n = Math.round(km / ((5 * kmh) / 3.6 / 1000));
  return Array.from({ length: n }, (_, i) => ({
    ts: from + (i + 1) * 5000,
    lat: lat + ((i + 1) * km) / n / 111.195,
    lon: 24.9,
    speedKmh: kmh,
    ignition: true,
  }));
}
const last = (fixes: readonly Fix[]) => fixes.at(-1) as Fix;

async function publish(device: TestDevice, fixes: readonly Fix[]): Promise<void> {
  const client = await connectDevice(t.platform.service.mqttPort, device);
  try {
    for (let i = 0; i < fixes.length; i += 200) {
      const batch = fixes.slice(i, i + 200).map((f, k) => ({
        seq: i + k + 1,
        tsMs: f.ts,
        lat: f.lat,
        lon: f.lon,
        speedKmh: f.speedKmh,
        ignition: f.ignition,
      }));
      await client.publishAsync(`devices/${device.id}/telemetry`, Buffer.from(encodeTelemetryBatch(batch)), {
        qos: 1,
      });
    }
  } finally {
    await client.endAsync();
  }
}

/** A tracker installed on the asset from `since`. */
async function tracked(assetId: string, kind: 'vehicle' | 'equipment', since: number): Promise<TestDevice> {
  const device = await t.orgA.provision(kind);
  await ok(
    'POST',
    `/api/v1/assets/${assetId}/installations`,
    manager(),
    { deviceId: device.id, installedAt: new Date(since).toISOString() },
    201,
  );
  return device;
}

let episode = 0;
/** An alert written as the rule engine writes one (the table's owner). */
async function alert(assetId: string, severity: string, state: 'open' | 'acknowledged' | 'resolved') {
  await t.platform.db.query(
    `insert into alerts (org_id, kind, severity, title, asset_id, episode_key, state, active, started_at, raised_at,
       details, resolved_at, lat, lon)
     values ($1, 'overspeed', $2, $3, $4, $5, $6, $7, now() - interval '5 minutes', now(), '{}'::jsonb, $8, 60.17, 24.94)`,
    [
      t.orgA.id,
      severity,
      `Speeding ${run}`,
      assetId,
      `dashboard:${run}:${++episode}`,
      state,
      state !== 'resolved',
      state === 'resolved' ? new Date() : null,
    ],
  );
}

const ids: Record<string, string> = {};
let south: { token: string };

beforeAll(async () => {
  // The device side's maintenance timer as slow as it goes: no evaluation mid-test.
  t = await startTestApi({ MAINTENANCE_FLUSH_MS: 60_000 });
  await ok('PATCH', '/api/v1/organisation', admin(), { timeZone: ZONE });
  const department = async (name: string) =>
    (await ok<{ id: string }>('POST', '/api/v1/departments', admin(), { name, parentId: null }, 201)).id;
  const northId = await department(`North ${run}`);
  const southId = await department(`South ${run}`);
  const vehicle = async (name: string, departmentId: string | null) =>
    (
      await ok<{ id: string }>(
        'POST',
        '/api/v1/vehicles',
        manager(),
        { name, plate: `DB-${name}`, departmentId },
        201,
      )
    ).id;
  const item = async (name: string, departmentId: string | null) =>
    (
      await ok<{ id: string }>(
        'POST',
        '/api/v1/equipment',
        manager(),
        { name, category: `Generator ${run}`, departmentId },
        201,
      )
    ).id;
  ids.van1 = await vehicle('V1', northId);
  ids.van2 = await vehicle('V2', southId);
  ids.van3 = await vehicle('V3', southId);
  ids.van4 = await vehicle('V4', southId);
  ids.van5 = await vehicle('V5', null);
  ids.gen = await item('Generator', northId);
  ids.kit = await item('Light kit', null);
  await ok('DELETE', `/api/v1/vehicles/${ids.van5}`, manager());

  const now = Date.now();
  // Van 1 this morning: parked, 5 km north at 50 km/h, parked with the engine off.
  const d1 = await tracked(ids.van1, 'vehicle', now - 4 * HOUR);
  const a = parked(now - 3 * HOUR, 5, 60.3);
  const drive = north(last(a).ts, 60.3, 5, 50);
  const b = parked(last(drive).ts + 20_000, 10, last(drive).lat);
  await publish(d1, [...a, ...drive, ...b]);
  // Van 2 yesterday: 3 km.
  const d2 = await tracked(ids.van2, 'vehicle', now - 30 * HOUR);
  const y = parked(now - 25 * HOUR, 5, 60.5);
  const yDrive = north(last(y).ts, 60.5, 3, 40);
  await publish(d2, [...y, ...yDrive, ...parked(last(yDrive).ts + 20_000, 10, last(yDrive).lat)]);
  // Van 3 moving right now (two fixes, not yet 200 m from where it was first seen).
  const d3 = await tracked(ids.van3, 'vehicle', now - HOUR);
  await publish(d3, [
    { ts: now - 40_000, lat: 60.7, lon: 24.9, speedKmh: 30, ignition: true },
    { ts: now - 20_000, lat: 60.7005, lon: 24.9, speedKmh: 30, ignition: true },
  ]);
  // The generator's tag reports, standing.
  const e1 = await tracked(ids.gen, 'equipment', now - HOUR);
  await publish(e1, [{ ts: now - 30_000, lat: 60.2, lon: 24.9, speedKmh: 0, ignition: false }]);
  await t.platform.service.trips.flush();

  await alert(ids.van1, 'critical', 'open');
  await alert(ids.van2, 'critical', 'open');
  await alert(ids.van1, 'warning', 'acknowledged');
  await alert(ids.van2, 'info', 'resolved');

  // Today's jobs, one in every state, at a site 50 km off; one tomorrow.
  const site = await ok<{ id: string }>(
    'POST',
    '/api/v1/places',
    manager(),
    {
      name: `Far site ${run}`,
      category: 'job_site',
      geometry: { type: 'circle', center: { lat: 61.2, lon: 24.9 }, radiusM: 150 },
    },
    201,
  );
  const job = async (title: string, assetIds: string[], day = TODAY, start = 13) =>
    (
      await ok<{ id: string; startsAt: string }>(
        'POST',
        '/api/v1/jobs',
        dispatcher(),
        { title, placeId: site.id, startsAt: on(day, start), endsAt: on(day, start + 3), assetIds },
        201,
      )
    ).id;
  const move = (id: string, ...states: string[]) =>
    states.reduce<Promise<unknown>>(
      (p, state) =>
        p.then(() =>
          ok('POST', `/api/v1/jobs/${id}/state`, dispatcher(), {
            state,
            ...(state === 'cancelled' ? { reason: 'client called off' } : {}),
          }),
        ),
      Promise.resolve(),
    );
  await job('Planned', []);
  await move(await job('Dispatched', [ids.van2]), 'dispatched');
  const late = await job('En route', [ids.van3], TODAY, 11);
  await move(late, 'dispatched', 'en_route');
  await move(await job('On site', [ids.kit]), 'dispatched', 'on_site');
  await move(await job('Completed', [ids.gen]), 'dispatched', 'completed');
  await move(await job('Cancelled', []), 'cancelled');
  await job('Tomorrow', [], nextDay(TODAY));
  // The job tracker's estimate, as it writes it: arriving half an hour after the window opened.
  await t.platform.db.query(
    `insert into job_etas (job_id, org_id, asset_id, eta_at, distance_km, computed_at) values ($1, $2, $3, $4, 50, now())
     on conflict (job_id) do update set eta_at = excluded.eta_at`,
    [late, t.orgA.id, ids.van3, on(TODAY, 11.5)],
  );

  // Services: van 1 overdue (17,000 km of 15,000 with a 1,000 km window), van 4 due, the
  // generator due soon (470 engine hours of 500, 50 h window).
  await ok(
    'POST',
    '/api/v1/service-plans',
    manager(),
    {
      name: `Service A ${run}`,
      intervalKm: 15000,
      soonKm: 1000,
      appliesTo: { assetIds: [ids.van1, ids.van4] },
    },
    201,
  );
  await ok(
    'POST',
    '/api/v1/service-plans',
    manager(),
    { name: `Generator ${run}`, intervalHours: 500, soonHours: 50, appliesTo: { assetIds: [ids.gen] } },
    201,
  );
  const reading = (assetId: string, meter: string, value: number, readAt: string) =>
    ok(
      'POST',
      `/api/v1/assets/${assetId}/meter-readings`,
      t.orgA.users.mechanic.token,
      { meter, value, readAt },
      201,
    );
  // Van 1's odometer: 1,000 km last month, 6,000 this one.
  await reading(ids.van1, 'odometer', 10_000, on(`${PREVIOUS}-01`, 12));
  await reading(ids.van1, 'odometer', 11_000, on(`${PREVIOUS}-20`, 12));
  await reading(ids.van1, 'odometer', 17_000, new Date(now - 30 * MIN).toISOString());
  await reading(ids.van4, 'odometer', 15_200, new Date(now - HOUR).toISOString());
  await reading(ids.gen, 'engine_hours', 470, new Date(now - HOUR).toISOString());
  // Fuel: 150.00 last month, 300.00 this one.
  for (const [filledAt, total] of [
    [on(`${PREVIOUS}-15`, 12), '150.00'],
    [new Date(now - 2 * HOUR).toISOString(), '300.00'],
  ] as const)
    await ok(
      'POST',
      '/api/v1/fuel-entries',
      manager(),
      { assetId: ids.van1, filledAt, litres: 80, total },
      201,
    );

  const email = `south.${run}@example.test`;
  await ok(
    'POST',
    '/api/v1/users',
    admin(),
    {
      email,
      name: 'South manager',
      role: 'fleet_manager',
      password: TEST_PASSWORD,
      departmentId: southId,
      departmentScope: true,
    },
    201,
  );
  south = { token: await t.login(email) };

  // Trips are written with the next commit: wait until the summary holds this morning's.
  const todayKm = async () => {
    const res = await t.request<{ totals: SummaryTotals }>(
      'GET',
      `/api/v1/reports/summary?from=${TODAY}&to=${TODAY}`,
      {
        token: viewer(),
      },
    );
    return res.status === 200 ? res.body.totals.distanceKm : 0;
  };
  for (const deadline = Date.now() + 15_000; (await todayKm()) < 4.9; ) {
    if (Date.now() > deadline) throw new Error("this morning's trip never reached the fleet summary");
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);
afterAll(() => t?.close());

describe('the dashboard', () => {
  it('shows the fleet now, today and this month as the fleet summary has them', async () => {
    const d = await dashboard(viewer());
    expect(d.timeZone).toBe(ZONE);
    const hour = hourIn(ZONE);
    expect(hour, 'the zone puts now near noon').toBeGreaterThanOrEqual(12);
    expect(hour).toBeLessThanOrEqual(13);
    expect(d.currency).toBe('EUR');
    expect(Math.abs(Date.parse(d.at) - Date.now())).toBeLessThan(10_000);
    // Four vans (the fifth retired); three heard from; one moving now. One of two items reports.
    expect(d.vehicles).toEqual({ total: 4, online: 3, activeNow: 1 });
    expect(d.equipment).toEqual({ total: 2, online: 1 });

    const summary = async (from: string) =>
      (
        await ok<{ totals: SummaryTotals }>(
          'GET',
          `/api/v1/reports/summary?from=${from}&to=${TODAY}`,
          viewer(),
        )
      ).totals;
    const pick = ({ trips, distanceKm, engineS, utilisation }: SummaryTotals) => ({
      trips,
      distanceKm,
      engineS,
      utilisation,
    });
    const today = await summary(TODAY);
    const month = await summary(`${MONTH}-01`);
    expect(d.today).toEqual({ day: TODAY, ...pick(today) });
    expect(d.month).toEqual({ from: `${MONTH}-01`, to: TODAY, ...pick(month) });
    // This morning's 5 km drive is today's; yesterday's 3 km is this month's unless today is the 1st.
    expect(d.today.trips).toBe(1);
    expect(d.today.distanceKm).toBeGreaterThan(4.9);
    expect(d.today.distanceKm).toBeLessThan(5.1);
    expect(d.today.engineS).toBeGreaterThanOrEqual(6 * 60 - 5);
    const yesterdayInMonth = localDay(Date.now() - 24 * HOUR, ZONE).startsWith(MONTH);
    expect(d.month.trips).toBe(yesterdayInMonth ? 2 : 1);
    expect(d.month.distanceKm).toBeCloseTo(d.today.distanceKm + (yesterdayInMonth ? 3 : 0), 0);
  });

  it('counts the alerts needing attention as the badge does, today’s jobs by state and the late one, services due', async () => {
    const d = await dashboard(viewer());
    expect(d.alerts).toEqual({ open: { critical: 2, warning: 1, info: 0 }, total: 3 });
    const badge = await ok<{ total: number; bySeverity: Dashboard['alerts']['open'] }>(
      'GET',
      '/api/v1/alerts/summary',
      viewer(),
    );
    expect(d.alerts).toEqual({ open: badge.bySeverity, total: badge.total });
    expect(d.jobs).toEqual({
      today: { planned: 1, dispatched: 1, en_route: 1, on_site: 1, completed: 1, cancelled: 1 },
      late: 1,
      truncated: false,
    });
    expect(d.services).toEqual({ overdue: 1, due: 1, dueSoon: 1 });
  });

  it('gives the fleet’s cost per km month by month, oldest first', async () => {
    const d = await dashboard(viewer());
    expect(d.costPerKm.map((m) => m.month)).toHaveLength(6);
    expect(d.costPerKm.at(-1)).toEqual({ month: MONTH, costPerKm: 0.05, total: '300.00', distanceKm: 6000 });
    expect(d.costPerKm.at(-2)).toEqual({
      month: PREVIOUS,
      costPerKm: 0.15,
      total: '150.00',
      distanceKm: 1000,
    });
    for (const m of d.costPerKm.slice(0, 4)) expect(m).toMatchObject({ costPerKm: null, total: '0.00' });
    const months = d.costPerKm.map((m) => m.month);
    expect([...months].sort()).toEqual(months);
    const three = await dashboard(viewer(), '?months=3');
    expect(three.costPerKm).toEqual(d.costPerKm.slice(3));
  });

  it('holds a department-scoped user’s subtree only; jobs are the organisation’s, as on the board', async () => {
    const d = await dashboard(south.token);
    // South: vans 2, 3 and 4; no equipment.
    expect(d.vehicles).toEqual({ total: 3, online: 2, activeNow: 1 });
    expect(d.equipment).toEqual({ total: 0, online: 0 });
    expect(d.today).toMatchObject({ trips: 0, distanceKm: 0 });
    expect(d.alerts).toEqual({ open: { critical: 1, warning: 0, info: 0 }, total: 1 });
    expect(d.services).toEqual({ overdue: 0, due: 1, dueSoon: 0 });
    expect(d.costPerKm.every((m) => m.costPerKm === null && m.total === '0.00')).toBe(true);
    expect(d.jobs.today).toEqual((await dashboard(viewer())).jobs.today);
  });

  it('shows another organisation nothing of this one', async () => {
    const d = await dashboard(t.orgB.users.admin.token);
    expect(d.vehicles).toEqual({ total: 0, online: 0, activeNow: 0 });
    expect(d.equipment).toEqual({ total: 0, online: 0 });
    expect(d.today).toMatchObject({ trips: 0, distanceKm: 0, engineS: 0 });
    expect(d.month).toMatchObject({ trips: 0, distanceKm: 0, engineS: 0 });
    expect(d.alerts.total).toBe(0);
    expect(Object.values(d.jobs.today).every((n) => n === 0)).toBe(true);
    expect(d.services).toEqual({ overdue: 0, due: 0, dueSoon: 0 });
    expect(d.costPerKm.every((m) => m.costPerKm === null && m.distanceKm === null)).toBe(true);
  });

  it('refuses bad parameters naming the field, and callers without a session', async () => {
    for (const [query, path] of [
      ['months=0', 'query.months'],
      ['months=13', 'query.months'],
      ['months=1.5', 'query.months'],
      ['months=six', 'query.months'],
      ['days=7', 'query'],
    ] as const) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/dashboard?${query}`, { token: viewer() });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('validation_failed');
      expect(res.body.error.details?.[0]?.path, query).toMatch(new RegExp(`^${path.replace('.', '\\.')}`));
    }
    expect((await t.request('GET', '/api/v1/dashboard')).status).toBe(401);
  });
});
