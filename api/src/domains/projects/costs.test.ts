// A project's costs end to end: costs entered against it, and its share of a booked van's fuel
// and maintenance by the trips driven for its jobs (written as the device side writes them) over
// all the van drove in those months. Another organisation's project is a 404.
import { randomUUID } from 'node:crypto';
import { TABLES } from '@fleet/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ MAINTENANCE_FLUSH_MS: 60_000 });
});
afterAll(() => t?.close());

const run = randomUUID().slice(0, 6);
const HOUR = 3_600_000;
const manager = () => t.orgA.users.fleet_manager.token;
const dispatcher = () => t.orgA.users.dispatcher.token;

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 600)}`).toBe(status);
  return res.body;
}

/** A closed trip as the device side writes it. */
async function trip(deviceId: string, startMs: number, km: number, hours: number): Promise<void> {
  const us = (ms: number) => `${Math.trunc(ms)}000::timestamp`;
  await t.platform.questdb.exec(
    `INSERT INTO ${TABLES.trips} (ts, tenant, device_id, end_ts, distance_m, duration_s, idle_s, open, deleted, written_at)
     VALUES (${us(startMs)}, '${t.orgA.id}', '${deviceId}', ${us(startMs + hours * HOUR)}, ${km * 1000}, ${hours * 3600}, 0, false, false, now())`,
  );
}

interface Costs {
  period: { from: string; to: string } | null;
  direct: { total: string; byCategory: { category: string; amount: string }[] };
  allocated: { fuel: string; maintenance: string; total: string };
  assets: {
    asset: { id: string };
    projectKm: number;
    periodKm: number;
    fuelAllocated: string;
    maintenanceAllocated: string;
  }[];
  total: string;
  budget: string | null;
  budgetUsed: number | null;
}

describe('project costs', () => {
  it('add the costs entered against it to its share of its vans’ fuel and maintenance', async () => {
    const project = await ok<{ id: string }>(
      'POST',
      '/api/v1/projects',
      dispatcher(),
      { name: `Costed ${run}`, budget: '1000.00' },
      201,
    );
    const empty = await ok<Costs>('GET', `/api/v1/projects/${project.id}/costs`, t.orgA.users.viewer.token);
    expect(empty).toMatchObject({ period: null, total: '0.00', assets: [], budgetUsed: 0 });

    const site = await ok<{ id: string }>(
      'POST',
      '/api/v1/places',
      dispatcher(),
      {
        name: `Costed site ${run}`,
        category: 'job_site',
        geometry: { type: 'circle', center: { lat: 60.2, lon: 24.9 }, radiusM: 150 },
      },
      201,
    );
    const van = await ok<{ id: string }>(
      'POST',
      '/api/v1/vehicles',
      manager(),
      { name: `Cost van ${run}`, plate: `PC-${run}` },
      201,
    );
    const device = await t.orgA.provision('vehicle');
    // Today (UTC): installed at midnight, a job from 09:00 to 15:00, so the fill-up and the
    // work order done now fall in the job's month.
    const now = new Date();
    const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    await ok(
      'POST',
      `/api/v1/assets/${van.id}/installations`,
      manager(),
      { deviceId: device.id, installedAt: new Date(day).toISOString() },
      201,
    );
    const job = await ok<{ id: string }>(
      'POST',
      '/api/v1/jobs',
      dispatcher(),
      {
        title: 'Costed job',
        projectId: project.id,
        placeId: site.id,
        startsAt: new Date(day + 9 * HOUR).toISOString(),
        endsAt: new Date(day + 15 * HOUR).toISOString(),
        assetIds: [van.id],
      },
      201,
    );
    expect(job.id).toBeTruthy();
    // 30 km for the job (10:00), 90 km for someone else (16:00): a quarter of the distance.
    await trip(device.id, day + 10 * HOUR, 30, 1);
    await trip(device.id, day + 16 * HOUR, 90, 3);
    await ok(
      'POST',
      '/api/v1/fuel-entries',
      manager(),
      {
        assetId: van.id,
        filledAt: new Date(Date.now() - 60_000).toISOString(),
        litres: 60,
        total: '120.00',
      },
      201,
    );
    const wo = await ok<{ id: string }>(
      'POST',
      '/api/v1/work-orders',
      t.orgA.users.mechanic.token,
      { assetId: van.id, title: 'Tyres' },
      201,
    );
    const line = await t.request('POST', `/api/v1/work-orders/${wo.id}/lines`, {
      token: t.orgA.users.mechanic.token,
      body: { kind: 'part', description: 'Tyre', quantity: 2, unitCost: '100.00' },
    });
    expect(line.status, line.text).toBe(201);
    for (const state of ['in_progress', 'completed'])
      expect(
        (
          await t.request('POST', `/api/v1/work-orders/${wo.id}/state`, {
            token: t.orgA.users.mechanic.token,
            body: { state },
          })
        ).status,
      ).toBe(200);
    await ok(
      'POST',
      '/api/v1/cost-entries',
      manager(),
      {
        projectId: project.id,
        category: 'other',
        incurredOn: new Date(day).toISOString().slice(0, 10),
        amount: '50.00',
        description: 'Parking permit',
      },
      201,
    );

    // QuestDB shows the inserted trips to reads a moment after the commit.
    const costs = () => ok<Costs>('GET', `/api/v1/projects/${project.id}/costs`, t.orgA.users.viewer.token);
    await expect
      .poll(async () => (await costs()).assets[0]?.periodKm, { timeout: 10_000, interval: 200 })
      .toBe(120);
    const c = await costs();
    expect(c.assets).toHaveLength(1);
    expect(c.assets[0]).toMatchObject({
      asset: { id: van.id },
      projectKm: 30,
      fuelAllocated: '30.00',
      maintenanceAllocated: '50.00',
    });
    expect(c.direct).toMatchObject({ total: '50.00', byCategory: [{ category: 'other', amount: '50.00' }] });
    expect(c.allocated).toEqual({ fuel: '30.00', maintenance: '50.00', total: '80.00' });
    expect(c.total).toBe('130.00');
    expect(c.budgetUsed).toBe(0.13);
    expect(c.period?.from.endsWith('-01')).toBe(true);

    const theirs = await t.request('GET', `/api/v1/projects/${project.id}/costs`, {
      token: t.orgB.users.admin.token,
    });
    expect(theirs.status).toBe(404);
    const bad = await t.request('GET', '/api/v1/projects/not-a-uuid/costs', { token: manager() });
    expect(bad.status).toBe(400);
  });
});
