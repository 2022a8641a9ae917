// Trips and stops end to end: a van's tracker publishes a morning over MQTT (parked at the
// depot, a drive to a client site, a delivery stop, a drive on), the device side detects the
// trips and stops as the records arrive, and the API answers them by asset with the places,
// the driver whose card was read and the job that booked the van. A tracker replaying a
// buffered stretch late makes that window be computed again. Another organisation never sees
// them; bad ranges are 400s naming the field.
import { randomUUID } from 'node:crypto';
import { encodeTelemetryBatch } from '@fleet/proto';
import type { WorkingHours } from '@fleet/shared';
import { afterHoursSecondsBetween } from '@fleet/shared/working-time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { connectDevice, type TestDevice } from '../../../../test/support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ MAINTENANCE_FLUSH_MS: 60_000 });
});
afterAll(() => t?.close());

interface Trip {
  startedAt: string;
  endedAt: string;
  inProgress: boolean;
  start: { place: { name: string } | null };
  end: { place: { name: string } | null };
  distanceKm: number;
  durationS: number;
  idleS: number;
  afterHoursS: number | null;
  maxSpeedKmh: number;
  driver: { id: string; name: string } | null;
  job: { reference: string } | null;
}
interface Stop {
  startedAt: string;
  durationS: number;
  place: { name: string } | null;
  inProgress: boolean;
}
interface ErrorReply {
  error: { code: string; details?: { path: string }[] };
}

const run = randomUUID().slice(0, 6);
const manager = () => t.orgA.users.fleet_manager.token;
const viewer = () => t.orgA.users.viewer.token;
const MIN = 60_000;
const LAT0 = 60.3;
/** Metres north per degree of latitude, near enough for laying out a test track. */
const M_PER_DEG = 111_195;

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 600)}`).toBe(status);
  return res.body;
}

interface Fix {
  ts: number;
  lat: number;
  lon: number;
  speedKmh: number;
  ignition: boolean;
  driverCardId?: string;
}

/** Parked somewhere for a while, a fix every 20 s, engine off. */
function parked(from: number, minutes: number, at: { lat: number; lon: number }): Fix[] {
  return Array.from({ length: (minutes * MIN) / 20_000 }, (_, i) => ({
    ts: from + i * 20_000,
    lat: at.lat,
    lon: at.lon,
    speedKmh: 0,
    ignition: false,
  }));
}
/** Driving legs (km north, km east) at a speed, a fix every 5 s. */
function drive(
  from: number,
  at: { lat: number; lon: number },
  legs: [number, number][],
  kmh: number,
  card?: string,
): Fix[] {
  const out: Fix[] = [];
  let { lat, lon } = at;
  let ts = from;
  const step = (5 * kmh) / 3.6 / 1000; // km per fix
  for (const [north, east] of legs) {
    const km = Math.hypot(north, east);
    const n = Math.round(km / step);
    for (let i = 0; i < n; i++) {
      ts += 5000;
      lat += north / n / (M_PER_DEG / 1000);
      lon += east / n / ((M_PER_DEG / 1000) * Math.cos((lat * Math.PI) / 180));
      out.push({ ts, lat, lon, speedKmh: kmh, ignition: true, ...(card ? { driverCardId: card } : {}) });
    }
  }
  return out;
}
const last = (fixes: readonly Fix[]) => fixes.at(-1) as Fix;

async function publish(device: TestDevice, fixes: readonly Fix[], seqFrom: number): Promise<void> {
  const client = await connectDevice(t.platform.service.mqttPort, device);
  try {
    for (let i = 0; i < fixes.length; i += 200) {
      const batch = fixes.slice(i, i + 200).map((f, k) => ({
        seq: seqFrom + i + k,
        tsMs: f.ts,
        lat: f.lat,
        lon: f.lon,
        speedKmh: f.speedKmh,
        ignition: f.ignition,
        ...(f.driverCardId ? { driverCardId: f.driverCardId } : {}),
      }));
      await client.publishAsync(`devices/${device.id}/telemetry`, Buffer.from(encodeTelemetryBatch(batch)), {
        qos: 1,
      });
    }
  } finally {
    await client.endAsync();
  }
}

describe('trips across a restart of the device side', () => {
  it('stay one trip, from its checkpoint and what QuestDB holds after it', async () => {
    const van = await ok<{ id: string }>(
      'POST',
      '/api/v1/vehicles',
      manager(),
      { name: `Restart van ${run}`, plate: `RS-${run}` },
      201,
    );
    const device = await t.orgA.provision('vehicle');
    const installedAt = Date.now() - 3 * 60 * MIN;
    await ok(
      'POST',
      `/api/v1/assets/${van.id}/installations`,
      manager(),
      { deviceId: device.id, installedAt: new Date(installedAt).toISOString() },
      201,
    );
    const t0 = installedAt + 5 * MIN;
    const a = parked(t0, 5, { lat: LAT0 + 0.2, lon: 24.9 });
    // 8 km at 40 km/h in three parts (the middle one a U: 1 east, 2 north, 1 west), then parked.
    const p1 = drive(last(a).ts, last(a), [[2, 0]], 40);
    const p2 = drive(
      last(p1).ts,
      last(p1),
      [
        [0, 1],
        [2, 0],
        [0, -1],
      ],
      40,
    );
    const p3 = drive(last(p2).ts, last(p2), [[2, 0]], 40);
    const b = parked(last(p3).ts + 20_000, 5, last(p3));
    await publish(device, [...a, ...p1], 1);
    await t.platform.service.trips.flush();
    const [checkpoint] = await t.platform.db.query<{ state: unknown }>(
      'select state from trip_detector_states where device_id = $1',
      [device.id],
    );
    expect(checkpoint).toBeDefined();
    await publish(device, p2, a.length + p1.length + 1);
    // A crash: the device side goes with its checkpoint from before p2 (p2 is stored all the same).
    await t.platform.stopBroker();
    await t.platform.db.query('update trip_detector_states set state = $2::jsonb where device_id = $1', [
      device.id,
      JSON.stringify(checkpoint?.state),
    ]);
    await t.platform.startBroker();
    await publish(device, [...p3, ...b], a.length + p1.length + p2.length + 1);
    await t.platform.service.trips.flush();
    const range = `from=${new Date(installedAt).toISOString()}&to=${new Date(Date.now() + MIN).toISOString()}`;
    const trips = () => ok<{ items: Trip[] }>('GET', `/api/v1/assets/${van.id}/trips?${range}`, viewer());
    await expect
      .poll(async () => (await trips()).items.filter((x) => !x.inProgress).length, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(1);
    const [trip] = (await trips()).items;
    // Without p2 read back from QuestDB the trip would jump it in a straight line: 6 km.
    expect(trip?.distanceKm).toBeGreaterThan(7.95);
    expect(trip?.distanceKm).toBeLessThan(8.05);
    expect(trip?.startedAt).toBe(new Date(last(a).ts).toISOString());
  });
});

describe('trips and stops', () => {
  it('are detected as a van reports, told by asset with places, driver and job, and recomputed when records come late', async () => {
    const circle = (name: string, lat: number) =>
      ok<{ id: string }>(
        'POST',
        '/api/v1/places',
        manager(),
        {
          name: `${name} ${run}`,
          category: 'client_site',
          geometry: { type: 'circle', center: { lat, lon: 24.9 }, radiusM: 150 },
        },
        201,
      );
    const card = `C${run.toUpperCase().replace(/[^0-9A-Z]/g, '0')}1`;
    await circle('Depot', LAT0);
    const site = await circle('Client', LAT0 + 5 / 111.195);
    const van = await ok<{ id: string }>(
      'POST',
      '/api/v1/vehicles',
      manager(),
      { name: `Trip van ${run}`, plate: `TR-${run}` },
      201,
    );
    const driver = await ok<{ id: string; name: string }>(
      'POST',
      '/api/v1/drivers',
      manager(),
      { name: `Driver ${run}`, driverCardId: card },
      201,
    );
    const device = await t.orgA.provision('vehicle');
    const installedAt = Date.now() - 4 * 60 * MIN;
    await ok(
      'POST',
      `/api/v1/assets/${van.id}/installations`,
      manager(),
      { deviceId: device.id, installedAt: new Date(installedAt).toISOString() },
      201,
    );

    // Parked 10 min; 5 km north at 50 km/h (6 min); 8 min at the client; 3.5 km on at 40 km/h
    // (1 km north, then a U: 0.5 east, 1 north, 0.5 west, then 0.5 north); parked 10 min.
    const t0 = installedAt + 5 * MIN;
    const a = parked(t0, 10, { lat: LAT0, lon: 24.9 });
    const d1 = drive(t0 + 10 * MIN, { lat: LAT0, lon: 24.9 }, [[5, 0]], 50, card);
    const s1 = parked(last(d1).ts + 20_000, 8, last(d1));
    const leg1 = drive(last(s1).ts, last(s1), [[1, 0]], 40);
    const loop = drive(
      last(leg1).ts,
      last(leg1),
      [
        [0, 0.5],
        [1, 0],
        [0, -0.5],
      ],
      40,
    );
    const leg3 = drive(last(loop).ts, last(loop), [[0.5, 0]], 40);
    const s2 = parked(last(leg3).ts + 20_000, 10, last(leg3));
    const job = await ok<{ reference: string }>(
      'POST',
      '/api/v1/jobs',
      t.orgA.users.dispatcher.token,
      {
        title: 'Delivery',
        placeId: site.id,
        startsAt: new Date(t0).toISOString(),
        endsAt: new Date(t0 + 3 * 60 * MIN).toISOString(),
        assetIds: [van.id],
      },
      201,
    );

    // The tracker loses signal in the U of the second drive: it comes later, from its buffer.
    const live = [...a, ...d1, ...s1, ...leg1, ...leg3, ...s2];
    await publish(device, live, 1);
    await t.platform.service.trips.flush();
    const range = `from=${new Date(installedAt).toISOString()}&to=${new Date(Date.now() + MIN).toISOString()}`;
    const trips = () =>
      ok<{ items: Trip[]; totals: { trips: number; distanceKm: number } }>(
        'GET',
        `/api/v1/assets/${van.id}/trips?${range}`,
        viewer(),
      );
    // Written with the next commit; QuestDB shows a commit to reads a moment after it returns.
    await expect.poll(async () => (await trips()).items.length, { timeout: 10_000, interval: 100 }).toBe(2);
    const before = await trips();
    // Without the U the second drive jumps the gap in a straight line: 2.5 km, one trip all the same.
    expect(before.items).toHaveLength(2);
    expect((before.items[1] as Trip).distanceKm).toBeGreaterThan(2.45);
    expect((before.items[1] as Trip).distanceKm).toBeLessThan(2.55);
    const first = before.items[0] as Trip;
    expect(first.distanceKm).toBeGreaterThan(4.9);
    expect(first.distanceKm).toBeLessThan(5.1);
    expect(first.start.place?.name).toBe(`Depot ${run}`);
    expect(first.end.place?.name).toBe(`Client ${run}`);
    expect(first.maxSpeedKmh).toBe(50);
    expect(first.driver).toEqual({ id: driver.id, name: driver.name });
    expect(first.job?.reference).toBe(job.reference);
    const stops = await ok<{ items: Stop[]; totals: { stops: number } }>(
      'GET',
      `/api/v1/assets/${van.id}/stops?${range}`,
      viewer(),
    );
    const atClient = stops.items.find((s) => s.place?.name === `Client ${run}`);
    expect(atClient?.durationS).toBeGreaterThan(7 * 60);
    expect(atClient?.durationS).toBeLessThan(9 * 60);

    // The buffer arrives: the second trip is computed again with the missing fixes.
    await publish(device, loop, live.length + 1);
    await t.platform.service.trips.flush();
    await expect
      .poll(async () => (await trips()).items[1]?.distanceKm ?? 0, { timeout: 10_000, interval: 100 })
      .toBeGreaterThan(3.45);
    const after = await trips();
    expect(after.items).toHaveLength(2);
    expect(after.items[0]).toEqual(first);
    const second = after.items[1] as Trip;
    expect(second.distanceKm).toBeGreaterThan(3.45);
    expect(second.distanceKm).toBeLessThan(3.55);
    expect(second.startedAt).toBe((before.items[1] as Trip).startedAt);
    expect(after.totals.distanceKm).toBeCloseTo(first.distanceKm + second.distanceKm, 3);
    // Each trip's time outside the organisation's working hours, as written when it closed.
    const { organisation } = await ok<{ organisation: { timeZone: string; workingHours: WorkingHours } }>(
      'GET',
      '/api/v1/me',
      viewer(),
    );
    for (const trip of after.items) {
      const expected = afterHoursSecondsBetween(
        Date.parse(trip.startedAt),
        Date.parse(trip.endedAt),
        organisation.workingHours,
        organisation.timeZone,
      );
      expect(trip.afterHoursS).not.toBeNull();
      expect(trip.afterHoursS).toBeCloseTo(expected, 0);
    }

    const csv = await t.request('GET', `/api/v1/assets/${van.id}/trips?${range}&format=csv`, {
      token: viewer(),
    });
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[0]).toContain('started_at,ended_at,in_progress,from,to,distance_km');
    expect(csv.text).toContain(`Client ${run}`);

    // The fleet summary of the day: the van's two trips, their distance and time.
    const day = new Date(t0).toISOString().slice(0, 10);
    const summary = await ok<{
      rows: {
        asset?: { id: string };
        trips: number;
        distanceKm: number;
        drivingS: number;
        afterHoursS: number;
        utilisation: number | null;
      }[];
    }>('GET', `/api/v1/reports/summary?from=${day}&to=${day}&kind=vehicle`, viewer());
    const row = summary.rows.find((r) => r.asset?.id === van.id);
    expect(row?.trips).toBe(2);
    expect(row?.distanceKm).toBeCloseTo(after.totals.distanceKm, 3);
    expect(row?.drivingS).toBeGreaterThan(0);
    expect(row?.afterHoursS).toBeCloseTo(
      after.items.reduce((s, trip) => s + (trip.afterHoursS ?? 0), 0),
      0,
    );
    const byDay = await ok<{ rows: { day?: string; trips: number }[] }>(
      'GET',
      `/api/v1/reports/summary?from=${day}&to=${day}&by=day`,
      viewer(),
    );
    expect(byDay.rows.map((r) => r.day)).toEqual([day]);
    expect(byDay.rows[0]?.trips).toBeGreaterThanOrEqual(2);
    const summaryCsv = await t.request('GET', `/api/v1/reports/summary?from=${day}&to=${day}&format=csv`, {
      token: viewer(),
    });
    expect(summaryCsv.text).toContain(`Trip van ${run}`);
    const theirs = await ok<{ rows: { asset?: { id: string } }[] }>(
      'GET',
      `/api/v1/reports/summary?from=${day}&to=${day}`,
      t.orgB.users.admin.token,
    );
    expect(theirs.rows.map((r) => r.asset?.id)).not.toContain(van.id);
    for (const [query, path] of [
      ['from=2026-01-01&to=2026-06-01', 'query.to'],
      ['from=2026-02-01&to=2026-01-01', 'query.to'],
      ['from=2026-02-30&to=2026-03-01', 'query.from'],
      [`from=${day}&to=${day}&by=week`, 'query.by'],
      [`from=${day}&to=${day}&departmentId=${randomUUID()}`, 'query.departmentId'],
    ] as const) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/reports/summary?${query}`, { token: viewer() });
      expect(res.status, query).toBe(400);
      expect(res.body.error.details?.[0]?.path, query).toBe(path);
    }

    // Another organisation: no such asset. Bad ranges name the field.
    for (const path of ['trips', 'stops']) {
      const other = await t.request(`GET`, `/api/v1/assets/${van.id}/${path}?${range}`, {
        token: t.orgB.users.admin.token,
      });
      expect(other.status).toBe(404);
    }
    const long = await t.request<ErrorReply>(
      'GET',
      `/api/v1/assets/${van.id}/trips?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`,
      { token: viewer() },
    );
    expect(long.status).toBe(400);
    expect(long.body.error.details?.[0]?.path).toBe('query.to');
    const bad = await t.request<ErrorReply>('GET', `/api/v1/assets/${van.id}/trips?from=yesterday&to=now`, {
      token: viewer(),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.[0]?.path).toBe('query.from');
  });
});
