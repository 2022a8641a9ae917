// The utilisation, visits and alerts reports end to end against the real QuestDB and
// PostgreSQL: trips and stops written to QuestDB as the device side writes them (ILP, by
// device), assets in departments with devices installed, places, alerts as the rule engine
// writes them. Each report by its groupings, for a department-scoped user, never with another
// organisation's data, its limits answered with a 400 naming the field, and its CSV and XLSX
// files read back. The summary's and the trips' XLSX come through the same export layer.
import { randomUUID } from 'node:crypto';
import { QuestDbTransport, type StoredRow } from '@fleet/ingest';
import type { WorkingHours } from '@fleet/shared';
import { localDay, localTimeOn } from '@fleet/shared/time-zone';
import type { Stop, Trip } from '@fleet/shared/trips';
import { weekdayOf } from '@fleet/shared/working-time';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import { insertAlert } from '../notifications/test-servers.ts';
import { XLSX_TYPE } from './export.ts';
import { workingSecondsOn } from './summary.ts';

let t: TestApi;
const run = randomUUID().slice(0, 6);
const H = 3600;
const MIN = 60_000;
const admin = () => t.orgA.users.admin.token;
const viewer = () => t.orgA.users.viewer.token;

interface ErrorReply {
  error: { code: string; details?: { path: string; message: string }[] };
}
interface Asset {
  id: string;
  name: string;
}

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 600)}`).toBe(status);
  return res.body;
}

/** A file route's bytes (t.request decodes text, which would spoil a spreadsheet). */
async function download(path: string, token: string): Promise<{ type: string; name: string; bytes: Buffer }> {
  const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return {
    type: res.headers.get('content-type') ?? '',
    name: res.headers.get('content-disposition') ?? '',
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}
/** An XLSX read back, dates to the nearest second (a spreadsheet keeps fractional days). */
async function sheet(path: string, token = viewer()) {
  const file = await download(path, token);
  expect(file.type).toBe(XLSX_TYPE);
  expect(file.name).toMatch(/^attachment; filename=".+\.xlsx"$/);
  return (await readSheet(file.bytes)).map((row) =>
    row.map((v) => (v instanceof Date ? new Date(Math.round(v.getTime() / 1000) * 1000) : v)),
  );
}

// The range: a Monday at least a week ago and the Sunday after it, in the organisation's calendar.
let timeZone = 'UTC';
let workingHours: WorkingHours;
let monday = '';
let sunday = '';
let range = '';
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** Epoch ms of a wall-clock time on the Monday, or days after it. */
const on = (hour: number, days = 0) => localTimeOn(plusDays(monday, days), hour * 60, timeZone);

const trip = (
  deviceId: string,
  tenant: string,
  startTs: number,
  hours: number,
  km: number,
  idleS = 0,
): StoredRow => ({
  table: 'trips',
  segment: {
    tenant,
    deviceId,
    segment: {
      kind: 'trip',
      startTs,
      endTs: startTs + hours * H * 1000,
      start: { lat: 60.1, lon: 24.9 },
      end: { lat: 60.2, lon: 24.9 },
      distanceM: km * 1000,
      durationS: hours * H,
      maxSpeedKmh: 80,
      avgSpeedKmh: km / hours,
      idleS,
      points: 100,
      jumps: 0,
    } satisfies Trip,
    open: false,
    deleted: false,
    writtenAt: Date.now(),
    afterHoursS: 0,
  },
});
const stop = (
  deviceId: string,
  tenant: string,
  startTs: number,
  minutes: number,
  lat: number,
  engineOnS = 0,
  deleted = false,
): StoredRow => ({
  table: 'stops',
  segment: {
    tenant,
    deviceId,
    segment: {
      kind: 'stop',
      startTs,
      endTs: startTs + minutes * MIN,
      lat,
      lon: 24.9,
      durationS: minutes * 60,
      engineOnS,
      points: 10,
    } satisfies Stop,
    open: false,
    deleted,
    writtenAt: Date.now(),
  },
});

// Places: a depot, a client's site with a loading bay inside it.
const DEPOT_LAT = 60.1;
const SITE_LAT = 60.2;
const OFF_BAY = SITE_LAT + 200 / 111_195;

const ids: Record<string, string> = {};
let scoped = '';

beforeAll(async () => {
  t = await startTestApi({ MAINTENANCE_FLUSH_MS: 60_000 });
  const me = await ok<{ organisation: { timeZone: string; workingHours: WorkingHours } }>(
    'GET',
    '/api/v1/me',
    viewer(),
  );
  timeZone = me.organisation.timeZone;
  workingHours = me.organisation.workingHours;
  let d = localDay(Date.now() - 8 * 86_400_000, timeZone);
  while (weekdayOf(d) !== 'mon') d = plusDays(d, -1);
  monday = d;
  sunday = plusDays(d, 6);
  range = `from=${monday}&to=${sunday}`;

  const department = async (name: string, parentId: string | null = null) =>
    (await ok<{ id: string }>('POST', '/api/v1/departments', admin(), { name, parentId }, 201)).id;
  ids.lighting = await department(`Lighting ${run}`);
  ids.north = await department(`Lighting North ${run}`, ids.lighting);
  ids.camera = await department(`Camera ${run}`);
  const installed = async (path: string, body: object, kind: 'vehicle' | 'equipment') => {
    const asset = await ok<Asset>('POST', path, admin(), body, 201);
    const device = await t.orgA.provision(kind);
    await ok(
      'POST',
      `/api/v1/assets/${asset.id}/installations`,
      admin(),
      { deviceId: device.id, installedAt: new Date(on(0, -2)).toISOString() },
      201,
    );
    return { asset: asset.id, device: device.id };
  };
  const van1 = await installed(
    '/api/v1/vehicles',
    { name: `Van 1 ${run}`, departmentId: ids.lighting },
    'vehicle',
  );
  const van2 = await installed(
    '/api/v1/vehicles',
    { name: `Van 2 ${run}`, departmentId: ids.camera },
    'vehicle',
  );
  const kit1 = await installed(
    '/api/v1/equipment',
    { name: `Lamp kit ${run}`, category: 'Lighting kit', departmentId: ids.north },
    'equipment',
  );
  const kit2 = await installed(
    '/api/v1/equipment',
    { name: `Generator ${run}`, category: 'Generator', departmentId: null },
    'equipment',
  );
  Object.assign(ids, {
    van1: van1.asset,
    van2: van2.asset,
    kit1: kit1.asset,
    kit2: kit2.asset,
  });
  const place = async (name: string, lat: number, radiusM: number, category: string) =>
    (
      await ok<{ id: string }>(
        'POST',
        '/api/v1/places',
        admin(),
        {
          name: `${name} ${run}`,
          category,
          geometry: { type: 'circle', center: { lat, lon: 24.9 }, radiusM },
        },
        201,
      )
    ).id;
  ids.depot = await place('Depot', DEPOT_LAT, 200, 'depot');
  ids.site = await place('Site', SITE_LAT, 500, 'client_site');
  ids.bay = await place('Bay', SITE_LAT, 50, 'other');

  // Another organisation: a van stopping at the same spot as orgA's depot, and its alerts.
  const theirVan = await ok<Asset>(
    'POST',
    '/api/v1/vehicles',
    t.orgB.users.admin.token,
    { name: `Their van ${run}` },
    201,
  );
  const theirDevice = await t.orgB.provision('vehicle');
  await ok(
    'POST',
    `/api/v1/assets/${theirVan.id}/installations`,
    t.orgB.users.admin.token,
    { deviceId: theirDevice.id, installedAt: new Date(on(0, -2)).toISOString() },
    201,
  );
  ids.theirVan = theirVan.id;
  await ok(
    'POST',
    '/api/v1/places',
    t.orgB.users.admin.token,
    {
      name: `Their depot ${run}`,
      category: 'depot',
      geometry: { type: 'circle', center: { lat: DEPOT_LAT, lon: 24.9 }, radiusM: 200 },
    },
    201,
  );

  const a = t.orgA.id;
  const transport = new QuestDbTransport(inject('questdbUrl'));
  await transport.send([
    // Van 1: 3 h driving on Monday and 4 h on Thursday, 30 min idling at the site (in use
    // 7.5 h); an hour at the depot, 30 min at the site outside the bay.
    trip(van1.device, a, on(9), 3, 120),
    trip(van1.device, a, on(9, 3), 4, 80),
    stop(van1.device, a, on(8), 60, DEPOT_LAT),
    stop(van1.device, a, on(13), 30, OFF_BAY, 1800),
    // A stop the device side later found was no stop: never counted.
    stop(van1.device, a, on(15), 45, DEPOT_LAT, 0, true),
    // Van 2: 12 min on Tuesday (idle), 20 min in the bay.
    trip(van2.device, a, on(10, 1), 0.2, 5),
    stop(van2.device, a, on(11, 1), 20, SITE_LAT),
    // The generator: 6 h on Wednesday, then 2 h at the site.
    trip(kit2.device, a, on(8, 2), 6, 30),
    stop(kit2.device, a, on(15, 2), 120, OFF_BAY),
    // Outside the range: the Monday after.
    trip(van1.device, a, on(9, 7), 5, 200),
    stop(van1.device, a, on(8, 7), 600, DEPOT_LAT),
    // Theirs.
    trip(theirDevice.id, t.orgB.id, on(9), 8, 300),
    stop(theirDevice.id, t.orgB.id, on(8), 90, DEPOT_LAT),
  ]);

  const alert = (
    assetId: string,
    at: number,
    kind: string,
    severity: 'info' | 'warning' | 'critical',
    orgId = a,
  ) => insertAlert(t.platform.db, { orgId, assetId, kind, severity, startedAt: new Date(at) });
  const crash = await alert(van1.asset, on(10), 'crash', 'critical');
  await t.platform.db.query(
    "update alerts set state = 'resolved', active = false, resolved_at = started_at + interval '10 minutes' where id = $1",
    [crash],
  );
  await alert(van1.asset, on(11), 'overspeed', 'warning');
  await alert(van1.asset, on(12, 3), 'overspeed', 'warning');
  await insertAlert(t.platform.db, {
    orgId: a,
    assetId: van1.asset,
    kind: 'harsh_driving',
    severity: 'warning',
    startedAt: new Date(on(10)),
    suppressedBy: crash,
  });
  await alert(van1.asset, on(9, -3), 'overspeed', 'warning'); // before the range
  await alert(van2.asset, on(10, 1), 'idling', 'info');
  await alert(theirVan.id, on(10), 'overspeed', 'critical', t.orgB.id);

  const email = `scoped.${run}@example.test`;
  await ok(
    'POST',
    '/api/v1/users',
    admin(),
    {
      email,
      name: `Scoped ${run}`,
      role: 'fleet_manager',
      password: TEST_PASSWORD,
      departmentId: ids.lighting,
      departmentScope: true,
    },
    201,
  );
  scoped = await t.login(email);
  // QuestDB applies the WAL a moment after the write: wait until the week's trips and stops read back.
  const summary = () =>
    ok<{ totals: { trips: number } }>('GET', `/api/v1/reports/summary?${range}`, viewer());
  const visits = () => ok<{ totals: { visits: number } }>('GET', `/api/v1/reports/visits?${range}`, viewer());
  for (let i = 0; (await summary()).totals.trips < 4 || (await visits()).totals.visits < 4; i++) {
    if (i > 150) throw new Error('the trips and stops written never read back');
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(() => t?.close());

interface Utilisation {
  timeZone: string;
  rows: {
    key: string | null;
    name: string;
    assets: number;
    inUseS: number;
    workingS: number;
    utilisation: number | null;
    idleAssets: number;
  }[];
  totals: {
    assets: number;
    inUseS: number;
    workingS: number;
    utilisation: number | null;
    idleAssets: number;
  };
  idle: { asset: { id: string }; inUseS: number; utilisation: number }[];
}

describe('utilisation', () => {
  let week = 0;
  const share = (inUseS: number, workingS: number) =>
    Math.round(Math.min(1, inUseS / workingS) * 10_000) / 10_000;

  it('per department (with sub-departments under their own), category and asset, and which kits sit idle', async () => {
    week = 0;
    for (let i = 0; i < 7; i++) week += workingSecondsOn(plusDays(monday, i), workingHours, timeZone);
    expect(week).toBeGreaterThan(0);
    const mine = (r: { name: string }) => r.name.includes(run) || r.name.startsWith('No ');
    const byDept = await ok<Utilisation>('GET', `/api/v1/reports/utilisation?${range}`, viewer());
    expect(byDept.timeZone).toBe(timeZone);
    const rows = byDept.rows.filter(mine);
    expect(rows.map((r) => [r.key, r.assets, r.inUseS, r.workingS])).toEqual([
      [ids.camera, 1, 0.2 * H, week],
      [ids.lighting, 1, 7.5 * H, week],
      [ids.north, 1, 0, week],
      [null, 1, 6 * H, week],
    ]);
    expect(rows.find((r) => r.key === ids.lighting)?.utilisation).toBe(share(7.5 * H, week));
    expect(byDept.rows.at(-1)?.name).toBe('No department');

    const byCategory = await ok<Utilisation>(
      'GET',
      `/api/v1/reports/utilisation?${range}&by=category`,
      viewer(),
    );
    expect(byCategory.rows.map((r) => [r.key, r.name, r.assets])).toEqual([
      ['Generator', 'Generator', 1],
      ['Lighting kit', 'Lighting kit', 1],
      [null, 'No category', 2],
    ]);
    const equipment = await ok<Utilisation>(
      'GET',
      `/api/v1/reports/utilisation?${range}&by=asset&kind=equipment`,
      viewer(),
    );
    expect(equipment.rows.map((r) => r.key).sort()).toEqual([ids.kit1, ids.kit2].sort());
    // Idle: the lamp kit never moved and van 2 ran 12 minutes of a working week (van 1's 7.5 h
    // of a 45 h week are over the 10%).
    const all = await ok<Utilisation>('GET', `/api/v1/reports/utilisation?${range}&by=asset`, viewer());
    expect(all.idle.map((i) => i.asset.id)).toEqual([ids.kit1, ids.van2]);
    expect(all.idle[1]?.utilisation).toBe(share(0.2 * H, week));
    expect(all.totals).toMatchObject({ assets: 4, inUseS: 49_320, workingS: 4 * week, idleAssets: 2 });
  });

  it("for a department-scoped user holds their subtree only; another organisation's nothing of ours", async () => {
    const theirs = await ok<Utilisation>('GET', `/api/v1/reports/utilisation?${range}&by=asset`, scoped);
    expect(theirs.rows.map((r) => r.key).sort()).toEqual([ids.van1, ids.kit1].sort());
    const other = await ok<Utilisation>(
      'GET',
      `/api/v1/reports/utilisation?${range}&by=asset`,
      t.orgB.users.admin.token,
    );
    expect(other.rows.map((r) => r.key)).toEqual([ids.theirVan]);
    const filtered = await ok<Utilisation>(
      'GET',
      `/api/v1/reports/utilisation?${range}&by=asset&departmentId=${ids.lighting}`,
      viewer(),
    );
    expect(filtered.rows.map((r) => r.key).sort()).toEqual([ids.van1, ids.kit1].sort());
  });

  it('as CSV and XLSX', async () => {
    const csv = await t.request('GET', `/api/v1/reports/utilisation?${range}&format=csv`, {
      token: viewer(),
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('department,assets,in_use_h,working_h,utilisation,idle_assets');
    expect(lines).toContain(
      `Lighting ${run},1,7.5,${Math.round((week / H) * 100) / 100},${share(7.5 * H, week)},0`,
    );
    const rows = await sheet(`/api/v1/reports/utilisation?${range}&by=asset&format=xlsx`);
    expect(rows[0]).toEqual([
      'Asset',
      'Assets',
      'In use (h)',
      'Working time (h)',
      'Utilisation',
      'Idle (under 10%)',
    ]);
    expect(rows.find((r) => r[0] === `Van 1 ${run}`)).toEqual([
      `Van 1 ${run}`,
      1,
      7.5,
      Math.round((week / H) * 100) / 100,
      share(7.5 * H, week),
      0,
    ]);
  });
});

interface Visits {
  rows: {
    place: { id: string; name: string; category: string };
    asset?: { id: string };
    visits: number;
    assets: number;
    totalS: number;
    averageS: number;
    longestS: number;
    firstAt: string | null;
    lastAt: string | null;
  }[];
  totals: { visits: number; totalS: number };
}

describe('visits', () => {
  it('time at each place from the stored stops, at the smallest place, deleted stops left out', async () => {
    const byPlace = await ok<Visits>('GET', `/api/v1/reports/visits?${range}`, viewer());
    expect(byPlace.rows.map((r) => [r.place.id, r.visits, r.assets, r.totalS, r.longestS])).toEqual([
      [ids.site, 2, 2, 150 * 60, 120 * 60],
      [ids.depot, 1, 1, 60 * 60, 60 * 60],
      [ids.bay, 1, 1, 20 * 60, 20 * 60],
    ]);
    expect(byPlace.rows[0]?.place).toEqual({ id: ids.site, name: `Site ${run}`, category: 'client_site' });
    expect(byPlace.rows[0]?.firstAt).toBe(new Date(on(13)).toISOString());
    expect(byPlace.rows[0]?.lastAt).toBe(new Date(on(15, 2)).toISOString());
    expect(byPlace.totals).toEqual({ visits: 4, totalS: 230 * 60 });

    const byAsset = await ok<Visits>(
      'GET',
      `/api/v1/reports/visits?${range}&by=asset&placeId=${ids.site}`,
      viewer(),
    );
    expect(byAsset.rows.map((r) => [r.asset?.id, r.visits, r.totalS])).toEqual([
      [ids.kit2, 1, 120 * 60],
      [ids.van1, 1, 30 * 60],
    ]);
    const oneVan = await ok<Visits>('GET', `/api/v1/reports/visits?${range}&assetId=${ids.van2}`, viewer());
    expect(oneVan.rows.map((r) => r.place.id)).toEqual([ids.bay]);
  });

  it('for a scoped user and for another organisation', async () => {
    const mine = await ok<Visits>('GET', `/api/v1/reports/visits?${range}&by=asset`, scoped);
    expect(new Set(mine.rows.map((r) => r.asset?.id))).toEqual(new Set([ids.van1]));
    // Their van stopped 90 min at the spot of our depot: their depot's visit, not ours.
    const theirs = await ok<Visits>('GET', `/api/v1/reports/visits?${range}`, t.orgB.users.admin.token);
    expect(theirs.rows.map((r) => [r.place.name, r.totalS])).toEqual([[`Their depot ${run}`, 90 * 60]]);
  });

  it('as CSV and XLSX, times on the organisation’s clock', async () => {
    const csv = await t.request('GET', `/api/v1/reports/visits?${range}&by=asset&format=csv`, {
      token: viewer(),
    });
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'place,place_category,asset,kind,plate,category,department,visits,assets,total_h,average_h,longest_h,first_at,last_at',
    );
    expect(lines).toContain(
      `Depot ${run},depot,Van 1 ${run},vehicle,,,Lighting ${run},1,1,1,1,1,${new Date(on(8)).toISOString()},${new Date(on(8)).toISOString()}`,
    );
    const rows = await sheet(`/api/v1/reports/visits?${range}&format=xlsx`);
    expect(rows[0]?.slice(-2)).toEqual([`First visit (${timeZone})`, `Last visit (${timeZone})`]);
    const depot = rows.find((r) => r[0] === `Depot ${run}`);
    // 08:00 on the Monday, as the organisation's clock shows it.
    expect(depot).toEqual([
      `Depot ${run}`,
      'depot',
      1,
      1,
      1,
      1,
      1,
      new Date(`${monday}T08:00:00Z`),
      new Date(`${monday}T08:00:00Z`),
    ]);
  });
});

interface Alerts {
  rows: {
    asset: { id: string; name: string };
    total: number;
    bySeverity: { critical: number; warning: number; info: number };
    byKind: Record<string, number>;
    open: number;
    meanTimeToResolveS: number | null;
  }[];
  totals: { total: number; bySeverity: { critical: number; warning: number; info: number }; open: number };
}

describe('alerts per asset', () => {
  it('counted by PostgreSQL: severities, kinds, open, mean time to resolve; most first', async () => {
    const report = await ok<Alerts>('GET', `/api/v1/reports/alerts?${range}`, viewer());
    expect(report.rows.map((r) => r.asset.id)).toEqual([ids.van1, ids.van2]);
    expect(report.rows[0]).toMatchObject({
      total: 3,
      bySeverity: { critical: 1, warning: 2, info: 0 },
      byKind: { crash: 1, overspeed: 2 },
      open: 2,
      meanTimeToResolveS: 600,
    });
    expect(report.rows[1]).toMatchObject({
      total: 1,
      byKind: { idling: 1 },
      open: 1,
      meanTimeToResolveS: null,
    });
    expect(report.totals).toEqual({ total: 4, bySeverity: { critical: 1, warning: 2, info: 1 }, open: 3 });
    const equipment = await ok<Alerts>('GET', `/api/v1/reports/alerts?${range}&kind=equipment`, viewer());
    expect(equipment.rows).toEqual([]);
  });

  it('for a scoped user, another organisation, and as files', async () => {
    const scopedReport = await ok<Alerts>('GET', `/api/v1/reports/alerts?${range}`, scoped);
    expect(scopedReport.rows.map((r) => r.asset.id)).toEqual([ids.van1]);
    const theirs = await ok<Alerts>('GET', `/api/v1/reports/alerts?${range}`, t.orgB.users.admin.token);
    expect(theirs.rows.map((r) => [r.asset.id, r.total])).toEqual([[ids.theirVan, 1]]);
    const csv = await t.request('GET', `/api/v1/reports/alerts?${range}&format=csv`, { token: viewer() });
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'asset,kind,plate,category,department,alerts,critical,warning,info,open,mean_time_to_resolve_h,overspeed,idling,crash',
    );
    expect(lines[1]).toBe(`Van 1 ${run},vehicle,,,Lighting ${run},3,1,2,0,2,0.17,2,0,1`);
    const rows = await sheet(`/api/v1/reports/alerts?${range}&format=xlsx`);
    expect(rows[0]?.slice(-3)).toEqual(['Speeding', 'Idling', 'Crash']);
    expect(rows[2]).toEqual([
      `Van 2 ${run}`,
      'vehicle',
      null,
      null,
      `Camera ${run}`,
      1,
      0,
      0,
      1,
      1,
      null,
      0,
      1,
      0,
    ]);
  });
});

describe('files of the summary and of trips', () => {
  it('the summary as XLSX holds the same figures as its JSON', async () => {
    const rows = await sheet(`/api/v1/reports/summary?${range}&kind=vehicle&format=xlsx`);
    expect(rows[0]?.slice(0, 7)).toEqual([
      'Asset',
      'Kind',
      'Plate',
      'Category',
      'Department',
      'Trips',
      'Distance (km)',
    ]);
    const van1 = rows.find((r) => r[0] === `Van 1 ${run}`);
    expect(van1?.slice(5, 10)).toEqual([2, 200, 7, 0.5, 7.5]);
  });

  it("an asset's trips and stops as XLSX", async () => {
    const from = new Date(on(0)).toISOString();
    const to = new Date(on(0, 7)).toISOString();
    const trips = await sheet(`/api/v1/assets/${ids.van1}/trips?from=${from}&to=${to}&format=xlsx`);
    expect(trips[0]?.slice(0, 3)).toEqual([`Started (${timeZone})`, `Ended (${timeZone})`, 'In progress']);
    expect(trips[1]?.slice(0, 7)).toEqual([
      new Date(`${monday}T09:00:00Z`),
      new Date(`${monday}T12:00:00Z`),
      false,
      `Depot ${run}`,
      // The trip ended in the bay, the smallest place around its end.
      `Bay ${run}`,
      120,
      3,
    ]);
    const stops = await sheet(`/api/v1/assets/${ids.van1}/stops?from=${from}&to=${to}&format=xlsx`);
    expect(stops.slice(1).map((r) => [r[3], r[6], r[7]])).toEqual([
      [`Depot ${run}`, 1, 0],
      [`Site ${run}`, 0.5, 0.5],
    ]);
  });
});

describe('bad input', () => {
  it('is a 400 naming the field', async () => {
    const other = randomUUID();
    for (const [path, field] of [
      ['utilisation?from=2026-01-01&to=2026-04-03', 'query.to'],
      ['utilisation?from=2026-02-01&to=2026-01-31', 'query.to'],
      [`utilisation?${range}&by=week`, 'query.by'],
      [`utilisation?${range}&departmentId=${other}`, 'query.departmentId'],
      [`utilisation?${range}&format=pdf`, 'query.format'],
      ['visits?from=2026-01-01&to=2026-02-01', 'query.to'],
      [`visits?${range}&by=department`, 'query.by'],
      [`visits?${range}&placeId=${other}`, 'query.placeId'],
      [`visits?${range}&assetId=${ids.theirVan}`, 'query.assetId'],
      [`visits?${range}&assetId=nope`, 'query.assetId'],
      ['alerts?from=2026-01-01&to=2026-04-03', 'query.to'],
      [`alerts?${range}&kind=truck`, 'query.kind'],
      [`alerts?${range}&departmentId=${other}`, 'query.departmentId'],
      [`alerts?from=2026-13-01&to=${sunday}`, 'query.from'],
      [`summary?${range}&format=pdf`, 'query.format'],
    ] as const) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/reports/${path}`, { token: viewer() });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('validation_failed');
      expect(res.body.error.details?.[0]?.path, path).toBe(field);
    }
    // The limits themselves are allowed: 92 days of utilisation, 31 of visits.
    await ok('GET', '/api/v1/reports/utilisation?from=2026-01-01&to=2026-04-02', viewer());
    await ok('GET', '/api/v1/reports/visits?from=2026-01-01&to=2026-01-31', viewer());
  });
});
