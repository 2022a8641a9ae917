// Installations with real devices, broker, ingest and QuestDB: a tracker moved from one van to
// another leaves each van its own history; a replaced tracker continues a van's history whole;
// latest state by asset with the vehicle's offsets; the rules of installing (overlap, moves,
// retired assets); and the asset on /devices and /fleet/latest, filtered by department.
import { DeviceEventKind, encodeDeviceEvent, encodeTelemetryBatch } from '@fleet/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { connectDevice, type TestDevice, waitForRows } from '../../../../test/support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface Installation {
  id: string;
  assetId: string;
  assetKind: string;
  assetName: string;
  deviceId: string;
  deviceName: string;
  installedAt: string;
  removedAt: string | null;
  note: string | null;
}
interface AssetTrack {
  assetId: string;
  deviceIds: string[];
  sourcePoints: number;
  points: { ts: number; lat: number; lon: number; speedKmh: number | null }[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const manager = () => t.orgA.users.fleet_manager.token;
const viewer = () => t.orgA.users.viewer.token;
let plates = 0;

async function vehicle(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.request<{ id: string }>('POST', '/api/v1/vehicles', {
    token: manager(),
    body: { name, plate: `INS-${++plates}`, ...extra },
  });
  if (res.status !== 201) throw new Error(`vehicle: ${res.status} ${res.text}`);
  return res.body.id;
}
async function install(assetId: string, deviceId: string, installedAt?: number, token = manager()) {
  return t.request<Installation & ErrorReply>('POST', `/api/v1/assets/${assetId}/installations`, {
    token,
    body: {
      deviceId,
      ...(installedAt === undefined ? {} : { installedAt: new Date(installedAt).toISOString() }),
    },
  });
}
async function installed(assetId: string, deviceId: string, installedAt?: number): Promise<Installation> {
  const res = await install(assetId, deviceId, installedAt);
  if (res.status !== 201) throw new Error(`install: ${res.status} ${res.text}`);
  return res.body;
}
async function get<T>(path: string, token = viewer()): Promise<T> {
  const res = await t.request<T>('GET', path, { token });
  expect(res.status, `${path}: ${res.text.slice(0, 300)}`).toBe(200);
  return res.body;
}
async function countInstallations(): Promise<number> {
  const rows = await t.platform.db.query<{ n: string | number }>(
    'select count(*) as n from installations where org_id = $1',
    [t.orgA.id],
  );
  return Number(rows[0]?.n);
}

const seqs = new Map<string, number>();
/** Ten fixes a second apart from `start`, zigzagging (so no simplification drops one). */
async function publish(
  device: TestDevice,
  start: number,
  values: { lat: number; speedKmh: number; odometerKm?: number; engineHours?: number },
  event?: { at: number },
): Promise<void> {
  const client = await connectDevice(t.platform.service.mqttPort, device);
  try {
    let seq = seqs.get(device.id) ?? 1;
    const records = Array.from({ length: 10 }, (_, i) => ({
      seq: seq++,
      tsMs: start + i * 1000,
      lat: values.lat + (i % 2) * 0.001,
      lon: 24.94 + i * 0.001,
      speedKmh: values.speedKmh,
      headingDeg: 90,
      ignition: true,
      ...(values.odometerKm === undefined ? {} : { odometerKm: values.odometerKm + i }),
      ...(values.engineHours === undefined ? {} : { engineHours: values.engineHours }),
    }));
    await client.publishAsync(`devices/${device.id}/telemetry`, Buffer.from(encodeTelemetryBatch(records)), {
      qos: 1,
    });
    if (event)
      await client.publishAsync(
        `devices/${device.id}/events`,
        Buffer.from(
          encodeDeviceEvent({
            seq: seq++,
            tsMs: event.at,
            kind: DeviceEventKind.HARSH_BRAKING,
            detail: device.id,
          }),
        ),
        { qos: 1 },
      );
    seqs.set(device.id, seq);
  } finally {
    await client.endAsync();
  }
}

describe('telemetry by asset', () => {
  it("a tracker moved from van A to van B leaves each its own history; a replacement keeps A's whole", async () => {
    const vanA = await vehicle('Van A', { odometerOffsetKm: 15000, engineHoursOffset: 2.5 });
    const vanB = await vehicle('Van B');
    const d1 = await t.orgA.provision();
    const d2 = await t.orgA.provision();
    // Whole hours, four hours back, so 1 h buckets line up with the moves.
    const t0 = Math.floor((Date.now() - 4 * HOUR) / HOUR) * HOUR;

    const onA = await installed(vanA, d1.id, t0);
    await publish(d1, t0 + 10 * MINUTE, { lat: 60.1, speedKmh: 10 }, { at: t0 + 11 * MINUTE });
    // The move is one call: D1 comes off A at the same instant it goes on B.
    const onB = await installed(vanB, d1.id, t0 + HOUR);
    const history = await get<{ items: Installation[] }>(`/api/v1/devices/${d1.id}/installations`);
    expect(history.items.map((i) => [i.assetId, i.installedAt, i.removedAt])).toEqual([
      [vanB, new Date(t0 + HOUR).toISOString(), null],
      [vanA, new Date(t0).toISOString(), new Date(t0 + HOUR).toISOString()],
    ]);
    expect(history.items[0]).toMatchObject({
      id: onB.id,
      assetName: 'Van B',
      deviceName: expect.any(String),
    });
    expect(history.items[1]?.id).toBe(onA.id);
    await publish(d1, t0 + HOUR + 10 * MINUTE, { lat: 60.2, speedKmh: 50 }, { at: t0 + HOUR + 11 * MINUTE });
    // A broken tracker replaced: D2 on A.
    await installed(vanA, d2.id, t0 + 2 * HOUR);
    await publish(d2, t0 + 2 * HOUR + 10 * MINUTE, {
      lat: 60.3,
      speedKmh: 30,
      odometerKm: 1000,
      engineHours: 40,
    });
    for (const d of [d1, d2])
      await waitForRows(
        t.platform.questdb,
        `select * from telemetry where device_id = '${d.id}'`,
        d === d1 ? 20 : 10,
      );
    await waitForRows(t.platform.questdb, `select * from device_events where device_id = '${d1.id}'`, 2);

    const range = `from=${t0}&to=${t0 + 3 * HOUR}`;
    const trackA = await get<AssetTrack>(`/api/v1/assets/${vanA}/track?${range}`);
    expect(trackA.assetId).toBe(vanA);
    expect(trackA.deviceIds).toEqual([d1.id, d2.id]);
    expect(trackA.sourcePoints).toBe(20);
    expect(trackA.points.map((p) => p.ts)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => t0 + 10 * MINUTE + i * 1000),
      ...Array.from({ length: 10 }, (_, i) => t0 + 2 * HOUR + 10 * MINUTE + i * 1000),
    ]);
    expect(trackA.points.every((p) => p.lat < 60.15 || p.lat > 60.25)).toBe(true);
    const trackB = await get<AssetTrack>(`/api/v1/assets/${vanB}/track?${range}`);
    expect(trackB.deviceIds).toEqual([d1.id]);
    expect(trackB.points.map((p) => p.ts)).toEqual(
      Array.from({ length: 10 }, (_, i) => t0 + HOUR + 10 * MINUTE + i * 1000),
    );
    expect(trackB.points.every((p) => p.lat >= 60.2 && p.lat < 60.25)).toBe(true);
    // The device's own track still has all of its points, whichever van it was on.
    expect((await get<AssetTrack>(`/api/v1/devices/${d1.id}/track?${range}`)).sourcePoints).toBe(20);

    // A range inside one window reads only that window; a range before any installation is empty.
    const late = await get<AssetTrack>(
      `/api/v1/assets/${vanA}/track?from=${t0 + 2 * HOUR}&to=${t0 + 3 * HOUR}`,
    );
    expect(late).toMatchObject({ deviceIds: [d2.id], sourcePoints: 10 });
    const before = await get<AssetTrack>(`/api/v1/assets/${vanA}/track?from=${t0 - HOUR}&to=${t0}`);
    expect(before).toMatchObject({ deviceIds: [], sourcePoints: 0, points: [] });

    const geo = await t.request<{
      type: string;
      geometry: { type: string };
      properties: Record<string, unknown>;
    }>('GET', `/api/v1/assets/${vanA}/track?${range}&format=geojson`, { token: viewer() });
    expect(geo.headers.get('content-type')).toBe('application/geo+json');
    expect(geo.body.geometry.type).toBe('LineString');
    expect(geo.body.properties).toMatchObject({ assetId: vanA, deviceIds: [d1.id, d2.id], sourcePoints: 20 });
    expect(geo.body.properties).not.toHaveProperty('deviceId');
    const csv = await t.request('GET', `/api/v1/assets/${vanA}/track?${range}&format=csv`, {
      token: viewer(),
    });
    expect(csv.text.trim().split('\r\n')).toHaveLength(21);

    const series = await get<{
      deviceIds: string[];
      ts: number[];
      fields: Record<string, { avg: (number | null)[] }>;
    }>(`/api/v1/assets/${vanA}/telemetry?${range}&fields=speedKmh&bucket=1h`);
    expect(series.ts).toEqual([t0, t0 + HOUR, t0 + 2 * HOUR]);
    expect(series.fields.speedKmh?.avg).toEqual([10, null, 30]);
    const seriesB = await get<{ fields: Record<string, { avg: (number | null)[] }> }>(
      `/api/v1/assets/${vanB}/telemetry?${range}&fields=speedKmh&bucket=1h`,
    );
    expect(seriesB.fields.speedKmh?.avg).toEqual([null, 50, null]);

    const eventsA = await get<{ items: { ts: number }[] }>(`/api/v1/assets/${vanA}/events?${range}`);
    expect(eventsA.items.map((e) => e.ts)).toEqual([t0 + 11 * MINUTE]);
    const eventsB = await get<{ items: { ts: number }[] }>(`/api/v1/assets/${vanB}/events?${range}`);
    expect(eventsB.items.map((e) => e.ts)).toEqual([t0 + HOUR + 11 * MINUTE]);

    // Latest: A from D2 (installed now) with the van's offsets; B from D1.
    const latestA = await get<{
      deviceIds: string[];
      position: { deviceId: string; lat: number; ts: number } | null;
      valuesAt: number | null;
      values: Record<string, unknown>;
    }>(`/api/v1/assets/${vanA}/latest`);
    expect(latestA.deviceIds).toEqual([d2.id]);
    expect(latestA.position).toMatchObject({ deviceId: d2.id, ts: t0 + 2 * HOUR + 10 * MINUTE + 9000 });
    expect(latestA.values).toMatchObject({ speedKmh: 30, odometerKm: 1009 + 15000, engineHours: 42.5 });
    const latestB = await get<typeof latestA>(`/api/v1/assets/${vanB}/latest`);
    expect(latestB.position?.deviceId).toBe(d1.id);
    expect(latestB.values).toMatchObject({ speedKmh: 50 });

    // D2 moved on to van C now: C has no fix since then, A keeps its history and has no latest.
    const vanC = await vehicle('Van C');
    await installed(vanC, d2.id);
    const latestC = await get<typeof latestA>(`/api/v1/assets/${vanC}/latest`);
    expect(latestC).toMatchObject({ deviceIds: [d2.id], position: null, valuesAt: null, values: {} });
    expect(await get<typeof latestA>(`/api/v1/assets/${vanA}/latest`)).toMatchObject({
      deviceIds: [],
      position: null,
      values: {},
    });
    expect((await get<AssetTrack>(`/api/v1/assets/${vanA}/track?${range}`)).sourcePoints).toBe(20);
    expect((await get<AssetTrack>(`/api/v1/assets/${vanC}/track?${range}`)).sourcePoints).toBe(0);
  });
});

describe('installing', () => {
  it('carries several devices at once, lists them newest first, and ends them', async () => {
    const truck = await vehicle('Truck 7');
    const tracker = await t.orgA.provision();
    const dongle = await t.orgA.provision();
    const tag = await t.orgA.provision('equipment');
    const first = await installed(truck, tracker.id, Date.now() - 3 * HOUR);
    await installed(truck, dongle.id, Date.now() - 2 * HOUR);
    const note = await t.request<Installation>('POST', `/api/v1/assets/${truck}/installations`, {
      token: manager(),
      body: { deviceId: tag.id, note: '  behind the seat ' },
    });
    expect(note.status).toBe(201);
    expect(note.body.note).toBe('behind the seat');
    expect(Date.now() - Date.parse(note.body.installedAt)).toBeLessThan(10_000);
    const list = await get<{ items: Installation[] }>(`/api/v1/assets/${truck}/installations`);
    expect(list.items.map((i) => i.deviceId)).toEqual([tag.id, dongle.id, tracker.id]);
    expect((await get<{ deviceIds: string[] }>(`/api/v1/vehicles/${truck}`)).deviceIds).toEqual([
      tracker.id,
      dongle.id,
      tag.id,
    ]);
    const ended = await t.request<Installation>('POST', `/api/v1/installations/${first.id}/end`, {
      token: manager(),
      body: {},
    });
    expect(ended.status).toBe(200);
    expect(ended.body.removedAt).not.toBeNull();
    expect((await get<{ deviceIds: string[] }>(`/api/v1/vehicles/${truck}`)).deviceIds).toEqual([
      dongle.id,
      tag.id,
    ]);
    // Equipment carries devices the same way.
    const kit = await t.request<{ id: string }>('POST', '/api/v1/equipment', {
      token: manager(),
      body: { name: 'Camera kit 3', category: 'camera kit' },
    });
    const onKit = await installed(kit.body.id, tracker.id);
    expect(onKit).toMatchObject({ assetKind: 'equipment', assetName: 'Camera kit 3' });
  });

  it('refuses overlaps, early moves, future times, retired assets and double ends, writing nothing', async () => {
    const a = await vehicle('Rules A');
    const b = await vehicle('Rules B');
    const device = await t.orgA.provision();
    const now = Date.now();
    const past = await installed(a, device.id, now - 5 * HOUR);
    const end = (id: string, body: unknown) =>
      t.request<Installation & ErrorReply>('POST', `/api/v1/installations/${id}/end`, {
        token: manager(),
        body,
      });
    // Off before it went on; then off at -4 h.
    const early = await end(past.id, { removedAt: new Date(now - 6 * HOUR).toISOString() });
    expect(early.status).toBe(400);
    expect(early.body.error.details?.[0]?.path).toBe('body.removedAt');
    expect((await end(past.id, { removedAt: new Date(now - 4 * HOUR).toISOString() })).status).toBe(200);
    const twice = await end(past.id, {});
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/ended at/);
    const count = await countInstallations();
    const cases: [Promise<{ status: number; body: ErrorReply }>, number, string | undefined, RegExp][] = [
      // Back into the window it had on A: overlap (the database's trigger, SQLSTATE 23P01).
      [install(b, device.id, now - 4.5 * HOUR), 409, 'body.installedAt', /overlaps an earlier installation/],
      [install(b, device.id, now + HOUR), 400, 'body.installedAt', /not in the future/],
      [install(b, device.id, Date.UTC(1980, 0, 1)), 400, 'body.installedAt', /before 1990/],
      [install(b, 'no-such-device'), 400, 'body.deviceId', /no such device/],
      [install(b, 'bad id!'), 400, 'body.deviceId', /not a device id/],
    ];
    for (const [reply, status, path, message] of cases) {
      const res = await reply;
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      if (path) expect(res.body.error.details?.find((d) => d.path === path)?.message).toMatch(message);
      else expect(res.body.error.message).toMatch(message);
    }
    const raw = await t.request<ErrorReply>('POST', `/api/v1/assets/${b}/installations`, {
      token: manager(),
      body: { deviceId: device.id, installedAt: '2026-13-45T99:00:00Z', extra: 1 },
    });
    expect(raw.status).toBe(400);
    expect(raw.body.error.details?.map((d) => d.path).sort()).toEqual(['body', 'body.installedAt']);
    expect(await countInstallations()).toBe(count);

    // Open on B from -3 h; again on B is 409; a move to A at or before -3 h is 409.
    await installed(b, device.id, now - 3 * HOUR);
    const again = await install(b, device.id);
    expect(again.status).toBe(409);
    expect(again.body.error.details?.[0]?.path).toBe('body.deviceId');
    const backwards = await install(a, device.id, now - 3 * HOUR);
    expect(backwards.status).toBe(409);
    expect(backwards.body.error.details?.[0]?.path).toBe('body.installedAt');
    expect(await countInstallations()).toBe(count + 1);

    // Retiring B takes the device off; nothing goes on a retired vehicle.
    const retired = await t.request<{ deviceIds: string[] }>('DELETE', `/api/v1/vehicles/${b}`, {
      token: manager(),
    });
    expect(retired.body.deviceIds).toEqual([]);
    const history = await get<{ items: Installation[] }>(`/api/v1/devices/${device.id}/installations`);
    expect(history.items[0]?.removedAt).not.toBeNull();
    const onRetired = await install(b, device.id);
    expect(onRetired.status).toBe(409);
    expect(onRetired.body.error.message).toMatch(/retired/);
    // The device is free again: onto A now.
    expect((await install(a, device.id)).status).toBe(201);
    // The history is in the audit log, written by the database.
    const audit = await t.platform.db.query<{ n: string | number }>(
      `select count(*) as n from audit_log where entity = 'installation' and org_id = $1`,
      [t.orgA.id],
    );
    expect(Number(audit[0]?.n)).toBeGreaterThan(0);
  });
});

describe('the live map and the fleet list', () => {
  it('show the asset each device is on, and filter the fleet by department with its sub-departments', async () => {
    const dept = async (name: string, parentId: string | null = null) =>
      (
        await t.request<{ id: string }>('POST', '/api/v1/departments', {
          token: t.orgA.users.admin.token,
          body: { name, parentId },
        })
      ).body.id;
    const production = await dept('Production (map)');
    const lighting = await dept('Lighting (map)', production);
    const office = await dept('Office (map)');
    const van = await vehicle('Map van', { plate: 'MAP-1', departmentId: lighting });
    const onVan = await t.orgA.provision();
    const loose = await t.orgA.provision();
    await installed(van, onVan.id);

    type FleetItem = { deviceId: string; name: string; asset?: Record<string, unknown> | null };
    const fleet = await get<{ devices: FleetItem[] }>('/api/v1/fleet/latest');
    expect(fleet.devices.find((d) => d.deviceId === onVan.id)?.asset).toEqual({
      id: van,
      kind: 'vehicle',
      name: 'Map van',
      plate: 'MAP-1',
      departmentId: lighting,
    });
    expect(fleet.devices.find((d) => d.deviceId === loose.id)?.asset).toBeNull();
    const devices = await get<{ items: { id: string; asset: Record<string, unknown> | null }[] }>(
      '/api/v1/devices?limit=500',
    );
    expect(devices.items.find((d) => d.id === onVan.id)?.asset).toMatchObject({ id: van, plate: 'MAP-1' });
    expect(devices.items.find((d) => d.id === loose.id)?.asset).toBeNull();

    const ids = async (query: string) =>
      (await get<{ devices: FleetItem[] }>(`/api/v1/fleet/latest?${query}`)).devices.map((d) => d.deviceId);
    expect(await ids(`departmentId=${production}`)).toEqual([onVan.id]);
    expect(await ids(`departmentId=${lighting}`)).toEqual([onVan.id]);
    expect(await ids(`departmentId=${office}`)).toEqual([]);
    expect(
      (await t.request('GET', '/api/v1/fleet/latest?departmentId=lighting', { token: viewer() })).status,
    ).toBe(400);
    // A move shows at once on this API: the van renamed, the device taken off.
    await t.request('PATCH', `/api/v1/vehicles/${van}`, { token: manager(), body: { name: 'Map van 2' } });
    const renamed = await get<{ devices: FleetItem[] }>('/api/v1/fleet/latest');
    expect(renamed.devices.find((d) => d.deviceId === onVan.id)?.asset?.name).toBe('Map van 2');
    const open = await get<{ items: Installation[] }>(`/api/v1/assets/${van}/installations`);
    await t.request('POST', `/api/v1/installations/${open.items[0]?.id}/end`, { token: manager(), body: {} });
    expect(await ids(`departmentId=${production}`)).toEqual([]);
    expect(
      (await get<{ devices: FleetItem[] }>('/api/v1/fleet/latest')).devices.find(
        (d) => d.deviceId === onVan.id,
      )?.asset,
    ).toBeNull();
  });
});
