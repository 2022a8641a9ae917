// The department scope on the device-level routes (device-scope.ts): a scoped user reaches a
// device only while it is installed now on an asset of their subtree; a device on another
// department's asset, on no asset, or taken off theirs answers 404 with the very body of an id
// that does not exist, on every read and every change. Its history by device starts when it went
// onto their asset. Unscoped users are unchanged. Real API, broker, ingest and QuestDB.
import { randomUUID } from 'node:crypto';
import { DeviceEventKind, encodeDeviceEvent, encodeTelemetryBatch } from '@fleet/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { connectDevice, type TestDevice, waitForRows } from '../../../../test/support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const admin = () => t.orgA.users.admin.token;

async function json<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}
const create = async (path: string, body: unknown) =>
  (await json<{ id: string }>('POST', path, admin(), body)).id;
const install = (assetId: string, deviceId: string, installedAt: number) =>
  json<{ id: string }>('POST', `/api/v1/assets/${assetId}/installations`, admin(), {
    deviceId,
    installedAt: new Date(installedAt).toISOString(),
  });

/** A user of orgA with this role, limited to this department's subtree; signed in. */
async function scopedUser(role: string, departmentId: string): Promise<string> {
  const email = `reach.${randomUUID().slice(0, 8)}@example.test`;
  await json('POST', '/api/v1/users', admin(), {
    email,
    name: `Reach ${role}`,
    role,
    password: TEST_PASSWORD,
    departmentId,
    departmentScope: true,
  });
  return t.login(email);
}

/** Ten fixes a second apart from `start`, and one event at `start`. */
async function publish(device: TestDevice, seq: number, start: number): Promise<void> {
  const client = await connectDevice(t.platform.service.mqttPort, device);
  try {
    const records = Array.from({ length: 10 }, (_, i) => ({
      seq: seq + i,
      tsMs: start + i * 1000,
      lat: 60.17 + (i % 2) * 0.001,
      lon: 24.94 + i * 0.001,
      speedKmh: 30,
      headingDeg: 90,
    }));
    await client.publishAsync(`devices/${device.id}/telemetry`, Buffer.from(encodeTelemetryBatch(records)), {
      qos: 1,
    });
    await client.publishAsync(
      `devices/${device.id}/events`,
      Buffer.from(encodeDeviceEvent({ seq: seq + 10, tsMs: start, kind: DeviceEventKind.HARSH_BRAKING })),
      { qos: 1 },
    );
  } finally {
    await client.endAsync();
  }
}

const now = Date.now();
/** When mine reported on the stage van, its current installation. */
const ON_STAGE = now - HOUR + 20 * MINUTE;
const range = `from=${now - 4 * HOUR}&to=${now + MINUTE}`;
/** Every device-level read, by path under /api/v1/devices/{id}. */
const READS = [
  '',
  '/latest',
  `/track?${range}`,
  `/track?${range}&format=geojson`,
  `/telemetry?${range}&fields=speedKmh&bucket=1h`,
  `/events?${range}`,
  '/installations',
];
/** Every device-level change: method, path under /api/v1/devices/{id}, body. */
const CHANGES: [string, string, unknown][] = [
  ['PATCH', '', { name: `renamed ${randomUUID().slice(0, 8)}` }],
  ['POST', '/disable', undefined],
  ['POST', '/enable', undefined],
  ['POST', '/token', undefined],
];

interface Fleet {
  mine: TestDevice;
  theirs: TestDevice;
  loose: TestDevice;
  ended: TestDevice;
  lighting: string;
}
let fleet: Fleet;
beforeAll(async () => {
  const lighting = await create('/api/v1/departments', { name: 'Reach: Lighting', parentId: null });
  const stage = await create('/api/v1/departments', { name: 'Reach: Stage', parentId: lighting });
  const office = await create('/api/v1/departments', { name: 'Reach: Office', parentId: null });
  const stageVan = await create('/api/v1/vehicles', { name: 'Reach stage van', departmentId: stage });
  const officeVan = await create('/api/v1/vehicles', { name: 'Reach office van', departmentId: office });
  const [mine, theirs, loose, ended] = [
    await t.orgA.provision(),
    await t.orgA.provision(),
    await t.orgA.provision(),
    await t.orgA.provision(),
  ];
  // mine: on the office van until an hour ago, on the stage van (the subtree's) since.
  await install(officeVan, mine.id, now - 3 * HOUR);
  await install(stageVan, mine.id, now - HOUR);
  await install(officeVan, theirs.id, now - 3 * HOUR);
  const off = await install(stageVan, ended.id, now - 3 * HOUR);
  await json('POST', `/api/v1/installations/${off.id}/end`, admin(), {
    removedAt: new Date(now - HOUR).toISOString(),
  });
  // Twenty minutes into each of mine's installations: the office van's, then the stage van's
  // (before the changes below reissue its token).
  await publish(mine, 1, now - 3 * HOUR + 20 * MINUTE);
  await publish(mine, 100, ON_STAGE);
  await waitForRows(t.platform.questdb, `select * from telemetry where device_id = '${mine.id}'`, 20);
  await waitForRows(t.platform.questdb, `select * from device_events where device_id = '${mine.id}'`, 2);
  fleet = { mine, theirs, loose, ended, lighting };
});

describe('a scoped user on the device-level routes', () => {
  it('reads a device on an asset of the subtree; any other answers 404 exactly like an unknown id', async () => {
    const token = await scopedUser('dispatcher', fleet.lighting);
    const unknown = `no-such-${randomUUID().slice(0, 8)}`;
    for (const path of READS) {
      const mine = await t.request('GET', `/api/v1/devices/${fleet.mine.id}${path}`, { token });
      expect(mine.status, `${path}: ${mine.text.slice(0, 200)}`).toBe(200);
      const nothing = await t.request('GET', `/api/v1/devices/${unknown}${path}`, { token });
      expect(nothing.status).toBe(404);
      for (const device of [fleet.theirs, fleet.loose, fleet.ended]) {
        const res = await t.request('GET', `/api/v1/devices/${device.id}${path}`, { token });
        expect(res.status, `${path} of ${device.id}`).toBe(404);
        expect(res.body).toEqual(nothing.body);
        expect(res.headers.get('content-type')).toBe(nothing.headers.get('content-type'));
      }
    }
    // The device's installations: only those on the subtree's assets.
    const history = await json<{ items: { assetName: string }[] }>(
      'GET',
      `/api/v1/devices/${fleet.mine.id}/installations`,
      token,
    );
    expect(history.items.map((i) => i.assetName)).toEqual(['Reach stage van']);
  });

  it('changes only a device it reaches: the others are 404 like an unknown id, and untouched', async () => {
    const token = await scopedUser('fleet_manager', fleet.lighting);
    const unknown = `no-such-${randomUUID().slice(0, 8)}`;
    const others = [fleet.theirs, fleet.loose, fleet.ended];
    const stored = () =>
      t.platform.db.query<{ id: string; name: string; disabled_at: unknown; token_hash: string }>(
        'select id, name, disabled_at, token_hash from devices where id = any($1::text[]) order by id',
        [others.map((d) => d.id)],
      );
    const before = await stored();
    for (const [method, path, body] of CHANGES) {
      const send = (id: string) =>
        t.request(method, `/api/v1/devices/${id}${path}`, { token, ...(body === undefined ? {} : { body }) });
      const mine = await send(fleet.mine.id);
      expect(mine.status, `${method} ${path}: ${mine.text}`).toBe(200);
      const nothing = await send(unknown);
      expect(nothing.status).toBe(404);
      for (const device of others) {
        const res = await send(device.id);
        expect(res.status, `${method} ${path} of ${device.id}`).toBe(404);
        expect(res.body).toEqual(nothing.body);
      }
    }
    expect(await stored()).toEqual(before);
  });

  it('reads history by device from its current installation only; an unscoped user reads all of it', async () => {
    const token = await scopedUser('viewer', fleet.lighting);
    const read = <T>(path: string, as: string) =>
      json<T>('GET', `/api/v1/devices/${fleet.mine.id}${path}`, as);

    type Track = { sourcePoints: number; points: { ts: number }[] };
    const scopedTrack = await read<Track>(`/track?${range}`, token);
    expect(scopedTrack.sourcePoints).toBe(10);
    expect(scopedTrack.points.every((p) => p.ts >= ON_STAGE)).toBe(true);
    expect((await read<Track>(`/track?${range}`, admin())).sourcePoints).toBe(20);
    const csv = await t.request('GET', `/api/v1/devices/${fleet.mine.id}/track?${range}&format=csv`, {
      token,
    });
    expect(csv.text.trim().split('\n')).toHaveLength(1 + scopedTrack.points.length);
    // A range that ends before the installation: nothing, and no error.
    const before = `from=${now - 4 * HOUR}&to=${now - 2 * HOUR}`;
    expect((await read<Track>(`/track?${before}`, token)).points).toEqual([]);
    expect((await read<Track>(`/track?${before}`, admin())).points).toHaveLength(10);

    type Series = { ts: number[]; fields: { speedKmh: { avg: (number | null)[] } } };
    const filled = (s: Series) => s.fields.speedKmh.avg.filter((v) => v !== null).length;
    const seriesPath = `/telemetry?${range}&fields=speedKmh&bucket=1h`;
    expect(filled(await read<Series>(seriesPath, token))).toBe(1);
    expect(filled(await read<Series>(seriesPath, admin()))).toBe(2);

    // The published events (connects and disconnects come at the time of the test, after `now`).
    type Events = { items: { ts: number }[] };
    const published = async (as: string) =>
      (await read<Events>(`/events?${range}`, as)).items.map((e) => e.ts).filter((ts) => ts < now);
    expect(await published(token)).toEqual([ON_STAGE]);
    expect(await published(admin())).toEqual([ON_STAGE, now - 3 * HOUR + 20 * MINUTE]);
  });
});

describe('an unscoped user', () => {
  it('reads every device of the organisation, installed or not, as before', async () => {
    for (const token of [admin(), t.orgA.users.viewer.token]) {
      for (const device of [fleet.mine, fleet.theirs, fleet.loose, fleet.ended])
        for (const path of READS) {
          const res = await t.request('GET', `/api/v1/devices/${device.id}${path}`, { token });
          expect(res.status, `${path} of ${device.id}: ${res.text.slice(0, 200)}`).toBe(200);
        }
    }
    // Another organisation's device is still not there.
    expect(
      (await t.request('GET', `/api/v1/devices/${fleet.loose.id}`, { token: t.orgB.users.admin.token }))
        .status,
    ).toBe(404);
  });
});
