// Maintenance against the real API, database, broker and device side: service plans and their
// checks, meters from telemetry (offsets added, a reading that goes backwards or jumps flagged
// and never used), readings people enter, the board (levels, order, forecast from 30 days of
// use), the due-soon / due / overdue alerts raised once per step by the monitor through the
// alert writer and resolved when the service is done, the work order a plan opens by itself
// (never a second), the DTC route, roles and another organisation's data.
import { randomUUID } from 'node:crypto';
import { encodeTelemetryBatch } from '@fleet/proto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { connectDevice, type TestDevice } from '../../../../test/support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ MAINTENANCE_FLUSH_MS: 60_000 });
});
afterAll(() => t?.close());

interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface Plan {
  id: string;
  name: string;
  intervalKm: number | null;
  assets: number;
}
interface Status {
  assetId: string;
  planId: string;
  level: string;
  remainingKm: number | null;
  forecastAt: string | null;
  kmPerDay: number | null;
  openWorkOrderId: string | null;
  lastServiceWorkOrderId: string | null;
  odometerKm: number | null;
}
interface Board {
  counts: Record<string, number>;
  items: Status[];
}

const run = randomUUID().slice(0, 6);
const manager = () => t.orgA.users.fleet_manager.token;
const mechanic = () => t.orgA.users.mechanic.token;
const viewer = () => t.orgA.users.viewer.token;
let n = 0;

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 400)}`).toBe(status);
  return res.body;
}
const vehicle = (name: string, extra: Record<string, unknown> = {}, token = manager()) =>
  ok<{ id: string }>('POST', '/api/v1/vehicles', token, { name, plate: `MT-${run}-${++n}`, ...extra }, 201);
const equipment = (name: string, category: string) =>
  ok<{ id: string }>('POST', '/api/v1/equipment', manager(), { name, category }, 201);
const plan = (body: Record<string, unknown>) =>
  ok<Plan>('POST', '/api/v1/service-plans', manager(), body, 201);
const reading = (assetId: string, meter: string, value: number, readAt?: string) =>
  t.request<ErrorReply & { id: string; flag: string | null }>(
    'POST',
    `/api/v1/assets/${assetId}/meter-readings`,
    {
      token: mechanic(),
      body: { meter, value, ...(readAt ? { readAt } : {}) },
    },
  );
const board = (query = '') => ok<Board>('GET', `/api/v1/maintenance/board${query}`, viewer());
const statusOf = async (assetId: string, planId: string) =>
  (await board()).items.find((s) => s.assetId === assetId && s.planId === planId);
/** The device side writes meters and evaluates due services now (its timer is a minute in these tests). */
const flush = async () => {
  await t.platform.service.rules.directory.settled();
  await t.platform.service.maintenance.flush();
  await t.platform.service.maintenance.refreshAll();
};
const serviceAlerts = async (assetId: string) => {
  const rows = await t.platform.db.query<{
    episode_key: string;
    state: string;
    active: boolean;
    title: string;
  }>(
    "select episode_key, state, active, title from alerts where kind = 'service_due' and asset_id = $1 order by raised_at",
    [assetId],
  );
  return rows;
};

describe('service plans', () => {
  it('need an interval, windows under it, numbers in range; the error names the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: `None ${run}` }, 'body.intervalKm'],
      [{ name: `Neg ${run}`, intervalKm: -5 }, 'body.intervalKm'],
      [{ name: `Zero ${run}`, intervalHours: 0 }, 'body.intervalHours'],
      [{ name: `Soon ${run}`, intervalKm: 1000, soonKm: 1000 }, 'body.soonKm'],
      [{ name: `Soon2 ${run}`, intervalMonths: 12, soonHours: 5 }, 'body.soonHours'],
      [{ name: `Frac ${run}`, intervalMonths: 1.5 }, 'body.intervalMonths'],
      [{ name: '', intervalKm: 100 }, 'body.name'],
      [{ name: `Odd ${run}`, intervalKm: 100, colour: 'red' }, 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await t.request<ErrorReply>('POST', '/api/v1/service-plans', { token: manager(), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.error.details?.map((d) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const rows = await t.platform.db.query('select 1 from service_plans where name like $1', [`% ${run}`]);
    expect(rows).toHaveLength(0);
  });

  it('are listed with how many assets they cover; changed, refused when a change would leave no interval, archived', async () => {
    const van = await vehicle(`Plan van ${run}`);
    const gen = await equipment(`Plan gen ${run}`, `Generator ${run}`);
    const p = await plan({
      name: `Oil ${run}`,
      items: ['Engine oil', 'Oil filter'],
      intervalKm: 15000,
      appliesTo: { assetIds: [van.id], categories: [`generator ${run}`] },
    });
    expect(p.assets).toBe(2); // the van by id, the generator by category (case ignored)
    expect(
      (
        await t.request('POST', '/api/v1/service-plans', {
          token: manager(),
          body: { name: `oil ${run}`, intervalKm: 1 },
        })
      ).status,
    ).toBe(409);
    const cleared = await t.request<ErrorReply>('PATCH', `/api/v1/service-plans/${p.id}`, {
      token: manager(),
      body: { intervalKm: null },
    });
    expect(cleared.status).toBe(400);
    expect(cleared.body.error.details?.[0]?.path).toBe('body.intervalKm');
    const changed = await ok<Plan & { intervalMonths: number }>(
      'PATCH',
      `/api/v1/service-plans/${p.id}`,
      manager(),
      {
        intervalKm: null,
        intervalMonths: 12,
      },
    );
    expect(changed).toMatchObject({ intervalKm: null, intervalMonths: 12 });
    const list = await ok<{ items: Plan[] }>('GET', '/api/v1/service-plans', viewer());
    expect(list.items.map((x) => x.id)).toContain(p.id);
    await ok('POST', `/api/v1/service-plans/${p.id}/archive`, manager());
    expect((await t.request('GET', `/api/v1/service-plans/${p.id}`, { token: viewer() })).status).toBe(404);
    void gen;
  });

  it('are shaped by admins and fleet managers only; everyone reads', async () => {
    for (const role of ['mechanic', 'dispatcher', 'viewer'] as const) {
      const res = await t.request('POST', '/api/v1/service-plans', {
        token: t.orgA.users[role].token,
        body: { name: `By ${role} ${run}`, intervalKm: 1000 },
      });
      expect(res.status, role).toBe(403);
    }
    expect((await t.request('GET', '/api/v1/service-plans', { token: viewer() })).status).toBe(200);
  });
});

describe('meters', () => {
  const seqs = new Map<string, number>();
  async function publish(
    device: TestDevice,
    records: { ts: number; odometerKm?: number; engineHours?: number }[],
  ) {
    const client = await connectDevice(t.platform.service.mqttPort, device);
    try {
      let seq = seqs.get(device.id) ?? 1;
      const batch = records.map((r) => ({
        seq: seq++,
        tsMs: r.ts,
        lat: 60.17,
        lon: 24.94,
        speedKmh: 40,
        ...(r.odometerKm === undefined ? {} : { odometerKm: r.odometerKm }),
        ...(r.engineHours === undefined ? {} : { engineHours: r.engineHours }),
      }));
      await client.publishAsync(`devices/${device.id}/telemetry`, Buffer.from(encodeTelemetryBatch(batch)), {
        qos: 1,
      });
      seqs.set(device.id, seq);
    } finally {
      await client.endAsync();
    }
  }

  it("come from the device plus the asset's offsets; readings that go back or jump are flagged and not used", async () => {
    const van = await vehicle(`Meter van ${run}`, { odometerOffsetKm: 40000, engineHoursOffset: 100 });
    const device = await t.orgA.provision('vehicle');
    await ok('POST', `/api/v1/assets/${van.id}/installations`, manager(), { deviceId: device.id }, 201);
    await t.platform.service.rules.directory.settled();
    const t0 = Date.now() - 600_000;
    await publish(device, [
      { ts: t0, odometerKm: 1000, engineHours: 50 },
      { ts: t0 + 60_000, odometerKm: 1001, engineHours: 50.02 },
      // Backwards by 300 km, then a jump of 5,000 km in a minute: both refused.
      { ts: t0 + 120_000, odometerKm: 701 },
      { ts: t0 + 180_000, odometerKm: 6001 },
      { ts: t0 + 240_000, odometerKm: 1003, engineHours: 50.05 },
    ]);
    await flush();
    const meters = await ok<{
      odometerKm: { value: number; source: string };
      engineHours: { value: number };
      readings: { flag: string | null; value: number; source: string }[];
    }>('GET', `/api/v1/assets/${van.id}/meters`, viewer());
    expect(meters.odometerKm).toMatchObject({ value: 41003, source: 'telemetry' });
    expect(meters.engineHours.value).toBeCloseTo(150.05, 5);
    expect(meters.readings.filter((r) => r.flag !== null).map((r) => [r.flag, r.value])).toEqual([
      ['jump', 46001],
      ['backwards', 40701],
    ]);
    // One sample a day per meter is kept for the 30-day use (two days' if the records span midnight UTC).
    const samples = meters.readings.filter((r) => r.flag === null && r.source === 'telemetry').length;
    expect(samples).toBeGreaterThanOrEqual(2);
    expect(samples).toBeLessThanOrEqual(4);
    const flagged = await ok<{ items: { assetId: string; flag: string }[] }>(
      'GET',
      '/api/v1/maintenance/flagged-readings',
      viewer(),
    );
    expect(flagged.items.filter((f) => f.assetId === van.id)).toHaveLength(2);
    // A meter the device reports is not typed in by hand.
    const typed = await reading(van.id, 'odometer', 42000);
    expect(typed.status).toBe(409);
    expect(typed.body.error.message).toContain('odometerOffsetKm');
  });

  it('people read them for assets without a device: backwards, jumps and the future refused, naming the field', async () => {
    const gen = await equipment(`Read gen ${run}`, 'Generator');
    const day = 86_400_000;
    const base = Date.now() - 10 * day;
    expect((await reading(gen.id, 'engine_hours', 1200, new Date(base).toISOString())).status).toBe(201);
    const back = await reading(gen.id, 'engine_hours', 1100);
    expect(back.status).toBe(400);
    expect(back.body.error.details?.[0]).toMatchObject({ path: 'body.value' });
    expect(back.body.error.message).toContain('below the last reading');
    const jump = await reading(gen.id, 'engine_hours', 1200 + 10 * 24 + 50);
    expect(jump.status).toBe(400);
    expect(jump.body.error.message).toContain('more than the asset can do');
    const future = await reading(
      gen.id,
      'engine_hours',
      1300,
      new Date(Date.now() + 3_600_000).toISOString(),
    );
    expect(future.status).toBe(400);
    expect(future.body.error.details?.[0]?.path).toBe('body.readAt');
    expect((await reading(gen.id, 'engine_hours', 1260)).status).toBe(201);
    const meters = await ok<{ engineHours: { value: number; source: string } }>(
      'GET',
      `/api/v1/assets/${gen.id}/meters`,
      viewer(),
    );
    expect(meters.engineHours).toMatchObject({ value: 1260, source: 'manual' });
    expect(
      (
        await t.request('POST', `/api/v1/assets/${gen.id}/meter-readings`, {
          token: viewer(),
          body: { meter: 'engine_hours', value: 1270 },
        })
      ).status,
    ).toBe(403);
  });

  it('generated garbage in a reading is a 400 and writes nothing', async () => {
    const gen = await equipment(`Garbage gen ${run}`, 'Generator');
    const before = await t.platform.db.query('select 1 from meter_readings where asset_id = $1', [gen.id]);
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            meter: fc.oneof(fc.constantFrom('odometer', 'engine_hours', 'fuel', ''), fc.string()),
            value: fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.integer({ min: -1e9, max: -1 })),
            readAt: fc.oneof(fc.string(), fc.constant('2026-13-45T99:00:00Z')),
            extra: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        async (body) => {
          const res = await t.request('POST', `/api/v1/assets/${gen.id}/meter-readings`, {
            token: mechanic(),
            body,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status === 201) {
            // A valid one slipped through the generator: then it was a real reading.
            expect(body).toMatchObject({ meter: expect.stringMatching(/^(odometer|engine_hours)$/) });
          }
        },
      ),
      { seed: 1, numRuns: 150 },
    );
    const after = await t.platform.db.query<{ value: number }>(
      "select value from meter_readings where asset_id = $1 and source = 'manual'",
      [gen.id],
    );
    expect(after.length).toBeGreaterThanOrEqual(before.length);
    for (const r of after) expect(Number(r.value)).toBeGreaterThanOrEqual(0);
  });
});

describe('the board and service-due alerts', () => {
  it('levels follow the meter, alerts are raised once per step and resolve when the service is done', async () => {
    const van = await vehicle(`Due van ${run}`);
    const p = await plan({
      name: `Service A ${run}`,
      intervalKm: 15000,
      soonKm: 1000,
      appliesTo: { assetIds: [van.id] },
    });
    await ok(
      'POST',
      '/api/v1/rules',
      manager(),
      { name: `Service due ${run}`, kind: 'service_due', severity: 'warning', params: { planIds: [p.id] } },
      201,
    );
    // The last service at 15,000 km, recorded as a completed work order.
    const day = 86_400_000;
    expect(
      (await reading(van.id, 'odometer', 14990, new Date(Date.now() - 40 * day).toISOString())).status,
    ).toBe(201);
    const last = await ok<{ id: string }>(
      'POST',
      '/api/v1/work-orders',
      mechanic(),
      { assetId: van.id, planId: p.id },
      201,
    );
    await ok('POST', `/api/v1/work-orders/${last.id}/state`, mechanic(), {
      state: 'completed',
      odometerKm: 15000,
      completedAt: new Date(Date.now() - 39 * day).toISOString(),
    });
    expect(
      (await reading(van.id, 'odometer', 28000, new Date(Date.now() - 10 * day).toISOString())).status,
    ).toBe(201);
    await flush();
    expect(await statusOf(van.id, p.id)).toMatchObject({
      level: 'ok',
      remainingKm: 2000,
      lastServiceWorkOrderId: last.id,
    });
    expect(await serviceAlerts(van.id)).toEqual([]);

    expect((await reading(van.id, 'odometer', 29200, new Date(Date.now() - day).toISOString())).status).toBe(
      201,
    );
    await flush();
    await flush(); // a second evaluation raises nothing new
    const soon = await statusOf(van.id, p.id);
    expect(soon).toMatchObject({ level: 'due_soon', remainingKm: 800 });
    // 1,200 km in the 9 days between the readings: 133 km a day, so the 800 km left last 6 days.
    expect(soon?.kmPerDay).toBeCloseTo(133.3, 0);
    const forecastDays = (Date.parse(soon?.forecastAt ?? '') - Date.now()) / day;
    expect(forecastDays).toBeGreaterThan(5.5);
    expect(forecastDays).toBeLessThan(6.5);
    let alerts = await serviceAlerts(van.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ active: true, state: 'open' });
    expect(alerts[0]?.title).toContain(`Service A ${run} due soon: Due van ${run}`);
    expect(alerts[0]?.title).toContain('800 km left');

    expect((await reading(van.id, 'odometer', 31500)).status).toBe(201);
    await flush();
    expect(await statusOf(van.id, p.id)).toMatchObject({ level: 'overdue' });
    alerts = await serviceAlerts(van.id);
    expect(alerts.map((a) => [a.episode_key.split(':').at(-1), a.active, a.state])).toEqual([
      ['due_soon', false, 'resolved'],
      ['overdue', true, 'open'],
    ]);
    const overdueBoard = await board('?level=overdue');
    expect(overdueBoard.items.map((s) => s.assetId)).toContain(van.id);
    expect(overdueBoard.items.every((s) => s.level === 'overdue')).toBe(true);

    // The service is done: the plan counts again from 31,500 km and the alert resolves.
    const wo = await ok<{ id: string; state: string }>(
      'POST',
      '/api/v1/work-orders',
      mechanic(),
      { assetId: van.id, planId: p.id },
      201,
    );
    await ok('POST', `/api/v1/work-orders/${wo.id}/state`, mechanic(), { state: 'completed' });
    await flush();
    expect(await statusOf(van.id, p.id)).toMatchObject({
      level: 'ok',
      remainingKm: 15000,
      lastServiceWorkOrderId: wo.id,
    });
    alerts = await serviceAlerts(van.id);
    expect(alerts.every((a) => !a.active && a.state === 'resolved')).toBe(true);
  });

  it('a plan that asks for work orders opens one once due soon, never a second while it is unfinished', async () => {
    const gen = await equipment(`Auto gen ${run}`, `Compressor ${run}`);
    const p = await plan({
      name: `Compressor service ${run}`,
      items: ['Drain the tank', 'Check the belt'],
      intervalHours: 500,
      soonHours: 50,
      appliesTo: { categories: [`Compressor ${run}`] },
      autoWorkOrder: 'due_soon',
    });
    expect((await reading(gen.id, 'engine_hours', 470)).status).toBe(201);
    await flush();
    await flush();
    const list = await ok<{ items: { id: string; source: string; tasksTotal: number; planId: string }[] }>(
      'GET',
      `/api/v1/work-orders?assetId=${gen.id}`,
      viewer(),
    );
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ source: 'service_due', tasksTotal: 2, planId: p.id });
    expect((await statusOf(gen.id, p.id))?.openWorkOrderId).toBe(list.items[0]?.id);
    // By hand, a second for the same plan and asset is refused too.
    const second = await t.request('POST', '/api/v1/work-orders', {
      token: mechanic(),
      body: { assetId: gen.id, planId: p.id },
    });
    expect(second.status).toBe(409);
  });

  it('sorts most urgent first and filters by level, kind and plan; counts follow the filters', async () => {
    const b = await board();
    const rank = { overdue: 3, due: 2, due_soon: 1, ok: 0 } as Record<string, number>;
    for (let i = 1; i < b.items.length; i++)
      expect(rank[b.items[i - 1]?.level ?? 'ok']).toBeGreaterThanOrEqual(
        rank[b.items[i]?.level ?? 'ok'] ?? 0,
      );
    const equipmentOnly = await board('?kind=equipment');
    expect(equipmentOnly.items.length).toBeGreaterThan(0);
    const sum = Object.values(equipmentOnly.counts).reduce((a, c) => a + c, 0);
    expect(sum).toBe(equipmentOnly.items.length);
    const bad = await t.request<ErrorReply>('GET', '/api/v1/maintenance/board?level=late', {
      token: viewer(),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.[0]?.path).toBe('query.level');
  });
});

describe('another organisation', () => {
  it("never sees or touches this one's plans, meters or statuses", async () => {
    const van = await vehicle(`Private van ${run}`);
    const p = await plan({
      name: `Private plan ${run}`,
      intervalMonths: 6,
      appliesTo: { assetIds: [van.id] },
    });
    const other = t.orgB.users.admin.token;
    for (const [method, path, body] of [
      ['GET', `/api/v1/service-plans/${p.id}`, undefined],
      ['PATCH', `/api/v1/service-plans/${p.id}`, { name: 'Taken' }],
      ['POST', `/api/v1/service-plans/${p.id}/archive`, undefined],
      ['GET', `/api/v1/assets/${van.id}/meters`, undefined],
      ['GET', `/api/v1/assets/${van.id}/maintenance`, undefined],
      ['POST', `/api/v1/assets/${van.id}/meter-readings`, { meter: 'odometer', value: 5 }],
    ] as const) {
      const res = await t.request(method, path, { token: other, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const theirs = await t.request<ErrorReply>('POST', '/api/v1/service-plans', {
      token: other,
      body: { name: `Theirs ${run}`, intervalKm: 100, appliesTo: { assetIds: [van.id] } },
    });
    expect(theirs.status).toBe(400);
    expect(theirs.body.error.details?.[0]?.path).toBe('body.appliesTo.assetIds.0');
    const otherBoard = await t.request<Board>('GET', '/api/v1/maintenance/board', { token: other });
    expect(otherBoard.body.items.some((s) => s.assetId === van.id)).toBe(false);
    const plans = await t.request<{ items: Plan[] }>('GET', '/api/v1/service-plans', { token: other });
    expect(plans.body.items.some((x) => x.id === p.id)).toBe(false);
  });
});

describe('the DTC catalogue', () => {
  it('describes generic codes and says what the others are', async () => {
    const get = (code: string) =>
      ok<{
        code: string;
        valid: boolean;
        standard: string | null;
        description: string | null;
        label: string;
      }>('GET', `/api/v1/dtc/${encodeURIComponent(code)}`, viewer());
    expect(await get('p0301')).toMatchObject({
      code: 'P0301',
      valid: true,
      standard: 'generic',
      label: 'P0301 Cylinder 1 Misfire Detected',
    });
    expect(await get('P1234')).toMatchObject({ standard: 'manufacturer', description: null });
    expect((await get('X99')).valid).toBe(false);
  });
});
