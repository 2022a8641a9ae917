// Projects and jobs against the real API and database: planning a job at a site with vehicles,
// items and crew; the conflicts a booking meets (double bookings, the workshop, an overdue
// service, licences) shown before saving and refusing a dispatch unless overridden; the moves
// people make, each on the hub's `jobs` topic and in the job's events; bad windows, retired
// vehicles and other organisations' places refused naming the field; roles; another
// organisation's jobs and projects never seen or touched; generated garbage never a 5xx.
import { randomUUID } from 'node:crypto';
import { encodeTelemetryBatch } from '@fleet/proto';
import { JOB_STATES } from '@fleet/shared/jobs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { connectDevice } from '../../../../test/support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ MAINTENANCE_FLUSH_MS: 60_000 });
  const res = await t.request('PATCH', '/api/v1/organisation', {
    token: t.orgA.users.admin.token,
    body: { timeZone: 'Europe/Helsinki' },
  });
  if (res.status !== 200) throw new Error(`time zone: ${res.status} ${res.text}`);
});
afterAll(() => t?.close());

interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface Conflict {
  kind: string;
  assetId: string | null;
  driverId: string | null;
  otherJob: { id: string; reference: string } | null;
  message: string;
}
interface Job {
  id: string;
  number: number;
  reference: string;
  title: string;
  state: string;
  project: { id: string; name: string } | null;
  place: { id: string; name: string };
  startsAt: string;
  endsAt: string;
  assets: { id: string; kind: string; name: string }[];
  crew: { driverId: string; role: string; vehicleId: string | null }[];
  conflicts: Conflict[];
  dispatchedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
}

const run = randomUUID().slice(0, 6);
const dispatcher = () => t.orgA.users.dispatcher.token;
const manager = () => t.orgA.users.fleet_manager.token;
const viewer = () => t.orgA.users.viewer.token;
const HOUR = 3_600_000;
let n = 0;
/** Each test books its own week, far enough ahead that no other test's bookings overlap it. */
let week = 0;
const weekStart = () => Date.UTC(2027, 0, 4, 5) + ++week * 7 * 24 * HOUR;

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 600)}`).toBe(status);
  return res.body;
}
const vehicle = (extra: Record<string, unknown> = {}) =>
  ok<{ id: string; name: string }>(
    'POST',
    '/api/v1/vehicles',
    manager(),
    { name: `Job van ${run}-${++n}`, plate: `JB-${run}-${n}`, ...extra },
    201,
  );
const item = (category = 'Generator') =>
  ok<{ id: string }>('POST', '/api/v1/equipment', manager(), { name: `Kit ${run}-${++n}`, category }, 201);
const person = (extra: Record<string, unknown> = {}) =>
  ok<{ id: string }>(
    'POST',
    '/api/v1/drivers',
    manager(),
    { name: `Crew ${run}-${++n}`, licenceClasses: ['B'], licenceExpiry: '2030-12-31', ...extra },
    201,
  );
const site = (token = dispatcher()) =>
  ok<{ id: string }>(
    'POST',
    '/api/v1/places',
    token,
    {
      name: `Site ${run}-${++n}`,
      category: 'client_site',
      geometry: { type: 'circle', center: { lat: 60.16 + n / 10_000, lon: 24.9 }, radiusM: 150 },
    },
    201,
  );
const window = (start: number, hours: number) => ({
  startsAt: new Date(start).toISOString(),
  endsAt: new Date(start + hours * HOUR).toISOString(),
});
const createJob = (body: Record<string, unknown>, token = dispatcher()) =>
  t.request<Job & ErrorReply>('POST', '/api/v1/jobs', { token, body });
const move = (id: string, body: Record<string, unknown>, token = dispatcher()) =>
  t.request<Job & ErrorReply>('POST', `/api/v1/jobs/${id}/state`, { token, body });

describe('projects', () => {
  it('are started with a budget in the currency, listed, changed, and refuse bad dates naming the field', async () => {
    const p = await ok<{ id: string; budget: string; jobs: Record<string, number>; directCosts: string }>(
      'POST',
      '/api/v1/projects',
      dispatcher(),
      {
        name: `Commercial ${run}`,
        code: `P-${run}`,
        client: 'Fazer',
        budget: '25000.00',
        startsOn: '2027-01-01',
      },
      201,
    );
    expect(p.budget).toBe('25000.00');
    expect(p.jobs.planned).toBe(0);
    expect(p.directCosts).toBe('0.00');
    const listed = await ok<{ items: { id: string }[] }>('GET', `/api/v1/projects?q=${run}`, viewer());
    expect(listed.items.map((x) => x.id)).toContain(p.id);

    const dup = await t.request<ErrorReply>('POST', '/api/v1/projects', {
      token: dispatcher(),
      body: { name: `commercial ${run}` },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details?.[0]?.path).toBe('body.name');
    const backwards = await t.request<ErrorReply>('PATCH', `/api/v1/projects/${p.id}`, {
      token: dispatcher(),
      body: { endsOn: '2026-12-01' },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details?.[0]?.path).toBe('body.endsOn');
    const cents = await t.request<ErrorReply>('POST', '/api/v1/projects', {
      token: dispatcher(),
      body: { name: `Odd ${run}`, budget: '10.005' },
    });
    expect(cents.status).toBe(400);
    expect(cents.body.error.details?.[0]?.path).toBe('body.budget');
    const otherCurrency = await t.request<ErrorReply>('POST', '/api/v1/projects', {
      token: dispatcher(),
      body: { name: `Dollars ${run}`, budget: '10.00', currency: 'USD' },
    });
    expect(otherCurrency.status).toBe(400);
    expect(otherCurrency.body.error.details?.[0]?.path).toBe('body.currency');
    expect(
      (await t.request('POST', '/api/v1/projects', { token: viewer(), body: { name: 'x' } })).status,
    ).toBe(403);
  });
});

describe('jobs', () => {
  it('are planned at a site with vehicles, items and crew, dispatched, and completed, each move on the hub and in the events', async () => {
    const [van, kit, place] = await Promise.all([vehicle(), item(), site()]);
    const [driver, grip] = [await person(), await person()];
    const project = await ok<{ id: string }>(
      'POST',
      '/api/v1/projects',
      dispatcher(),
      { name: `Shoot ${run}` },
      201,
    );
    const hub = new HubClient(t.url, dispatcher());
    hub.send({ op: 'subscribe', topics: ['jobs'] });
    await hub.next('subscribed');

    const start = weekStart();
    const res = await createJob({
      title: 'Shoot at the harbour',
      projectId: project.id,
      placeId: place.id,
      ...window(start, 11),
      assetIds: [van.id, kit.id],
      crew: [
        { driverId: driver.id, role: 'driver', vehicleId: van.id },
        { driverId: grip.id, role: 'crew' },
      ],
      notes: 'Gate code 1234',
    });
    expect(res.status, res.text).toBe(201);
    const job = res.body;
    expect(job.reference).toBe(`JOB-${job.number}`);
    expect(job.state).toBe('planned');
    expect(job.project?.id).toBe(project.id);
    expect(job.assets.map((a) => a.id).sort()).toEqual([van.id, kit.id].sort());
    expect(job.crew).toHaveLength(2);
    expect(job.conflicts).toEqual([]);
    await hub.next('job', (f) => f.change.jobId === job.id && f.change.to === 'planned');

    const listed = await ok<{ items: Job[] }>(
      'GET',
      `/api/v1/jobs?day=${new Date(start).toISOString().slice(0, 10)}`,
      viewer(),
    );
    expect(listed.items.map((j) => j.id)).toContain(job.id);
    const byAsset = await ok<{ items: Job[] }>('GET', `/api/v1/jobs?assetId=${kit.id}`, viewer());
    expect(byAsset.items.map((j) => j.id)).toEqual([job.id]);

    const dispatched = await move(job.id, { state: 'dispatched' });
    expect(dispatched.status, dispatched.text).toBe(200);
    expect(dispatched.body.dispatchedAt).not.toBeNull();
    const frame = await hub.next('job', (f) => f.change.jobId === job.id && f.change.to === 'dispatched');
    expect(frame.change).toMatchObject({ from: 'planned', source: 'user', reference: job.reference });
    const onSite = await move(job.id, { state: 'on_site' });
    expect(onSite.body.state).toBe('on_site');
    const done = await move(job.id, { state: 'completed' });
    expect(done.body.completedAt).not.toBeNull();
    const again = await move(job.id, { state: 'cancelled', reason: 'late' });
    expect(again.status).toBe(409);
    const changed = await t.request<ErrorReply>('PATCH', `/api/v1/jobs/${job.id}`, {
      token: dispatcher(),
      body: { title: 'Renamed' },
    });
    expect(changed.status).toBe(409);

    const events = await ok<{
      items: { from: string | null; to: string; source: string; userId: string | null }[];
    }>('GET', `/api/v1/jobs/${job.id}/events`, viewer());
    expect(events.items.map((e) => e.to)).toEqual(['planned', 'dispatched', 'on_site', 'completed']);
    expect(events.items.every((e) => e.source === 'user' && e.userId === t.orgA.users.dispatcher.id)).toBe(
      true,
    );
    const p = await ok<{ jobs: Record<string, number> }>('GET', `/api/v1/projects/${project.id}`, viewer());
    expect(p.jobs.completed).toBe(1);
    hub.close();
  });

  it('move en route when a booked van leaves its depot and on site when it enters the place, from its telemetry', async () => {
    const depot = await ok<{ id: string }>(
      'POST',
      '/api/v1/places',
      dispatcher(),
      {
        name: `Depot ${run}`,
        category: 'depot',
        geometry: { type: 'circle', center: { lat: 60.2, lon: 24.9 }, radiusM: 200 },
      },
      201,
    );
    const place = await ok<{ id: string }>(
      'POST',
      '/api/v1/places',
      dispatcher(),
      {
        name: `Studio ${run}`,
        category: 'job_site',
        geometry: { type: 'circle', center: { lat: 60.21, lon: 24.9 }, radiusM: 150 },
      },
      201,
    );
    const van = await vehicle({ homePlaceId: depot.id });
    const device = await t.orgA.provision('vehicle');
    await ok('POST', `/api/v1/assets/${van.id}/installations`, manager(), { deviceId: device.id }, 201);
    const now = Date.now();
    const job = await createJob({
      title: 'Studio day',
      placeId: place.id,
      startsAt: new Date(now + 30 * 60_000).toISOString(),
      endsAt: new Date(now + 10 * HOUR).toISOString(),
      assetIds: [van.id],
    });
    expect(job.status, job.text).toBe(201);
    const hub = new HubClient(t.url, viewer());
    hub.send({ op: 'subscribe', topics: ['jobs'] });
    await hub.next('subscribed');
    // Planned, the van leaving moves nothing: only dispatched jobs are followed.
    const client = await connectDevice(t.platform.service.mqttPort, device);
    let seq = 1;
    const send = (points: { lat: number; speedKmh: number; ago: number }[]) =>
      client.publishAsync(
        `devices/${device.id}/telemetry`,
        Buffer.from(
          encodeTelemetryBatch(
            points.map((p) => ({
              seq: seq++,
              tsMs: Date.now() - p.ago,
              lat: p.lat,
              lon: 24.9,
              speedKmh: p.speedKmh,
            })),
          ),
        ),
        { qos: 1 },
      );
    try {
      await send([{ lat: 60.2025, speedKmh: 30, ago: 50_000 }]);
      await t.platform.service.jobs.flush();
      expect((await ok<Job>('GET', `/api/v1/jobs/${job.body.id}`, viewer())).state).toBe('planned');

      expect((await move(job.body.id, { state: 'dispatched' })).status).toBe(200);
      await t.platform.service.jobs.flush();
      // Parked in the depot, then moving inside it: still dispatched; out of it and moving: en route.
      await send([
        { lat: 60.2, speedKmh: 0, ago: 40_000 },
        { lat: 60.2005, speedKmh: 20, ago: 35_000 },
      ]);
      await t.platform.service.jobs.flush();
      expect((await ok<Job>('GET', `/api/v1/jobs/${job.body.id}`, viewer())).state).toBe('dispatched');
      await send([{ lat: 60.203, speedKmh: 40, ago: 30_000 }]);
      await t.platform.service.jobs.flush();
      const enRoute = await hub.next(
        'job',
        (f) => f.change.jobId === job.body.id && f.change.to === 'en_route',
      );
      expect(enRoute.change).toMatchObject({ source: 'telemetry', assetId: van.id, from: 'dispatched' });
      // En route it has an estimated arrival: about 0.8 km to the studio as the crow flies, x 1.3.
      await t.platform.service.jobs.flush();
      const moving = await ok<
        Job & { eta: { at: string; distanceKm: number; assetId: string; late: boolean } | null }
      >('GET', `/api/v1/jobs/${job.body.id}`, viewer());
      expect(moving.eta?.assetId).toBe(van.id);
      expect(moving.eta?.distanceKm).toBeGreaterThan(0.9);
      expect(moving.eta?.distanceKm).toBeLessThan(1.2);
      expect(moving.eta?.late).toBe(false);
      // At the speed it has shown (20 km/h in the yard, then 40: about 21), some 3 minutes from
      // that fix 30 s ago.
      const inS = (Date.parse(moving.eta?.at ?? '') - Date.now()) / 1000;
      expect(inS).toBeGreaterThan(100);
      expect(inS).toBeLessThan(190);
      await send([
        { lat: 60.207, speedKmh: 45, ago: 20_000 },
        { lat: 60.2101, speedKmh: 8, ago: 10_000 },
      ]);
      await t.platform.service.jobs.flush();
      await hub.next('job', (f) => f.change.jobId === job.body.id && f.change.to === 'on_site');
    } finally {
      await client.endAsync();
      hub.close();
    }
    const after = await ok<Job & { enRouteAt: string; onSiteAt: string }>(
      'GET',
      `/api/v1/jobs/${job.body.id}`,
      viewer(),
    );
    expect(after.state).toBe('on_site');
    expect((after as unknown as { eta: unknown }).eta).toBeNull();
    // Stamped with the device's time of the fix that moved it, not when it was processed.
    expect(Date.parse(after.onSiteAt)).toBeLessThan(Date.now() - 5_000);
    expect(Date.parse(after.enRouteAt)).toBeLessThan(Date.parse(after.onSiteAt));
    const events = await ok<{ items: { to: string; source: string; assetName: string | null }[] }>(
      'GET',
      `/api/v1/jobs/${job.body.id}/events`,
      viewer(),
    );
    expect(events.items.map((e) => [e.to, e.source])).toEqual([
      ['planned', 'user'],
      ['dispatched', 'user'],
      ['en_route', 'telemetry'],
      ['on_site', 'telemetry'],
    ]);
    expect(events.items.at(-1)?.assetName).toBe(van.name);
  });

  it('raise a job_late alert while the booked van cannot make the start, and resolve it when the van arrives', async () => {
    const rule = await ok<{ id: string }>(
      'POST',
      '/api/v1/rules',
      t.orgA.users.admin.token,
      { name: `Late for a job ${run}`, kind: 'job_late', severity: 'warning', params: { graceMin: 5 } },
      201,
    );
    const place = await ok<{ id: string }>(
      'POST',
      '/api/v1/places',
      dispatcher(),
      {
        name: `Late site ${run}`,
        category: 'job_site',
        geometry: { type: 'circle', center: { lat: 60.25, lon: 24.9 }, radiusM: 150 },
      },
      201,
    );
    const van = await vehicle();
    const device = await t.orgA.provision('vehicle');
    await ok('POST', `/api/v1/assets/${van.id}/installations`, manager(), { deviceId: device.id }, 201);
    // The window began 20 minutes ago and the van is still 5 km away, parked.
    const job = await createJob({
      title: 'Late start',
      placeId: place.id,
      startsAt: new Date(Date.now() - 20 * 60_000).toISOString(),
      endsAt: new Date(Date.now() + 4 * HOUR).toISOString(),
      assetIds: [van.id],
    });
    expect(job.status, job.text).toBe(201);
    expect((await move(job.body.id, { state: 'dispatched' })).status).toBe(200);
    const client = await connectDevice(t.platform.service.mqttPort, device);
    let seq = 1;
    const send = (lat: number, speedKmh: number) =>
      client.publishAsync(
        `devices/${device.id}/telemetry`,
        Buffer.from(encodeTelemetryBatch([{ seq: seq++, tsMs: Date.now(), lat, lon: 24.9, speedKmh }])),
        { qos: 1 },
      );
    type Alert = {
      id: string;
      state: string;
      title: string;
      assetId: string | null;
      details: Record<string, unknown>;
    };
    const lateAlerts = async () => {
      await t.platform.service.jobs.flush();
      return (await ok<{ items: Alert[] }>('GET', `/api/v1/alerts?kind=job_late&assetId=${van.id}`, viewer()))
        .items;
    };
    try {
      await send(60.205, 0);
      // The rule and the installation reach the device side by NOTIFY: poll until they have.
      await expect.poll(async () => (await lateAlerts()).length, { timeout: 15_000, interval: 250 }).toBe(1);
      const [alert] = await lateAlerts();
      expect(alert?.state).toBe('open');
      expect(alert?.title).toContain('has not left');
      expect(alert?.details).toMatchObject({ jobId: job.body.id, state: 'dispatched' });
      // Moving on: en route, still late; evaluated again, it stays one alert.
      await send(60.22, 40);
      await send(60.23, 40);
      expect(await lateAlerts()).toHaveLength(1);
      // At the site: on site, and the alert is resolved.
      await send(60.2501, 5);
      await expect
        .poll(async () => (await lateAlerts())[0]?.state, { timeout: 10_000, interval: 250 })
        .toBe('resolved');
    } finally {
      await client.endAsync();
    }
    expect((await ok<Job>('GET', `/api/v1/jobs/${job.body.id}`, viewer())).state).toBe('on_site');
    // Another organisation sees none of it.
    const [resolved] = await lateAlerts();
    const theirs = await ok<{ items: Alert[] }>(
      'GET',
      '/api/v1/alerts?kind=job_late',
      t.orgB.users.admin.token,
    );
    expect(theirs.items.map((a) => a.id)).not.toContain(resolved?.id);
    // Archived, so the other tests' jobs of this organisation raise nothing.
    expect(
      (await t.request('DELETE', `/api/v1/rules/${rule.id}`, { token: t.orgA.users.admin.token })).status,
    ).toBe(204);
  });

  it('show double bookings of a vehicle or a person before saving, and refuse to dispatch over them unless overridden', async () => {
    const [van, place] = await Promise.all([vehicle(), site()]);
    const driver = await person();
    const start = weekStart();
    const first = await createJob({
      title: 'Morning',
      placeId: place.id,
      ...window(start, 4),
      assetIds: [van.id],
      crew: [{ driverId: driver.id, role: 'driver', vehicleId: van.id }],
    });
    expect(first.status).toBe(201);

    // The board asks while the dispatcher drags: an overlapping window meets both bookings.
    const check = await ok<{ conflicts: Conflict[] }>('POST', '/api/v1/jobs/check', viewer(), {
      ...window(start + 3 * HOUR, 4),
      assetIds: [van.id],
      crew: [{ driverId: driver.id, role: 'driver', vehicleId: van.id }],
    });
    expect(check.conflicts.map((c) => c.kind).sort()).toEqual([
      'asset_double_booked',
      'driver_double_booked',
    ]);
    expect(check.conflicts[0]?.otherJob?.reference).toBe(first.body.reference);
    // Back to back is no conflict; the job itself is no conflict when it is moved.
    const after = await ok<{ conflicts: Conflict[] }>('POST', '/api/v1/jobs/check', viewer(), {
      ...window(start + 4 * HOUR, 4),
      assetIds: [van.id],
    });
    expect(after.conflicts).toEqual([]);
    const itself = await ok<{ conflicts: Conflict[] }>('POST', '/api/v1/jobs/check', viewer(), {
      jobId: first.body.id,
      ...window(start + HOUR, 4),
      assetIds: [van.id],
    });
    expect(itself.conflicts).toEqual([]);

    const second = await createJob({
      title: 'Overlapping',
      placeId: place.id,
      ...window(start + 2 * HOUR, 4),
      assetIds: [van.id],
    });
    expect(second.status).toBe(201);
    expect(second.body.conflicts.map((c) => c.kind)).toEqual(['asset_double_booked']);
    const refused = await move(second.body.id, { state: 'dispatched' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details?.map((d) => d.path)).toEqual(['conflicts.asset_double_booked']);
    const forced = await move(second.body.id, { state: 'dispatched', override: true });
    expect(forced.status).toBe(200);
    const events = await ok<{ items: { to: string; note: string | null }[] }>(
      'GET',
      `/api/v1/jobs/${second.body.id}/events`,
      viewer(),
    );
    expect(events.items.at(-1)?.note).toMatch(/dispatched over: .*booked on JOB-/);

    // Cancelling the first frees the van: the second has no conflict left.
    const cancelled = await move(first.body.id, { state: 'cancelled', reason: 'client moved the date' });
    expect(cancelled.body.cancelReason).toBe('client moved the date');
    expect((await ok<Job>('GET', `/api/v1/jobs/${second.body.id}`, viewer())).conflicts).toEqual([]);
  });

  it('catch a vehicle in the workshop or overdue for service, and drivers without a valid licence of its class', async () => {
    const place = await site();
    const truck = await vehicle({ licenceClass: 'C' });
    const inWorkshop = await vehicle({ status: 'in_workshop' });
    const overdue = await vehicle();
    const plan = await ok<{ id: string }>(
      'POST',
      '/api/v1/service-plans',
      manager(),
      { name: `Inspection ${run}`, intervalMonths: 1, appliesTo: { assetIds: [overdue.id] } },
      201,
    );
    const wo = await ok<{ id: string }>(
      'POST',
      '/api/v1/work-orders',
      manager(),
      { assetId: overdue.id, planId: plan.id },
      201,
    );
    await ok('POST', `/api/v1/work-orders/${wo.id}/state`, manager(), {
      state: 'completed',
      completedAt: new Date(Date.now() - 90 * 24 * HOUR).toISOString(),
    });
    const carOnly = await person({ licenceClasses: ['B'] });
    const expired = await person({ licenceClasses: ['CE'], licenceExpiry: '2026-01-31' });
    const lorry = await person({ licenceClasses: ['CE'] });
    const inactive = await person({ status: 'inactive' });
    const start = weekStart();
    const check = (body: Record<string, unknown>) =>
      ok<{ conflicts: Conflict[] }>('POST', '/api/v1/jobs/check', viewer(), { ...window(start, 8), ...body });

    expect((await check({ assetIds: [inWorkshop.id] })).conflicts.map((c) => c.kind)).toEqual([
      'asset_in_workshop',
    ]);
    const due = await check({ assetIds: [overdue.id] });
    expect(due.conflicts.map((c) => c.kind)).toEqual(['service_overdue']);
    expect(due.conflicts[0]?.message).toContain(`Inspection ${run}`);
    const wrongClass = await check({
      assetIds: [truck.id],
      crew: [{ driverId: carOnly.id, role: 'driver', vehicleId: truck.id }],
    });
    expect(wrongClass.conflicts.map((c) => c.kind)).toEqual(['licence_class_missing']);
    expect(wrongClass.conflicts[0]?.message).toMatch(/class C/);
    // CE covers C; expired is expired whatever the class.
    expect(
      (
        await check({
          assetIds: [truck.id],
          crew: [{ driverId: lorry.id, role: 'driver', vehicleId: truck.id }],
        })
      ).conflicts,
    ).toEqual([]);
    expect(
      (
        await check({
          assetIds: [truck.id],
          crew: [{ driverId: expired.id, role: 'driver', vehicleId: truck.id }],
        })
      ).conflicts.map((c) => c.kind),
    ).toEqual(['licence_expired']);
    // Crew who ride along need no licence; an inactive person is a conflict whatever the role.
    expect((await check({ crew: [{ driverId: carOnly.id, role: 'crew' }] })).conflicts).toEqual([]);
    expect(
      (await check({ crew: [{ driverId: inactive.id, role: 'crew' }] })).conflicts.map((c) => c.kind),
    ).toEqual(['driver_inactive']);

    const job = await createJob({
      title: 'Truck run',
      placeId: place.id,
      ...window(start, 8),
      assetIds: [overdue.id],
    });
    expect(job.body.conflicts.map((c) => c.kind)).toEqual(['service_overdue']);
    expect((await move(job.body.id, { state: 'dispatched' })).status).toBe(409);
  });

  it('refuse bad windows, retired vehicles, unknown or foreign places and people, naming the field', async () => {
    const [van, place] = await Promise.all([vehicle(), site()]);
    const retired = await vehicle();
    await ok('PATCH', `/api/v1/vehicles/${retired.id}`, manager(), { status: 'retired' });
    const foreignPlace = await site(t.orgB.users.dispatcher.token);
    const foreignPerson = await ok<{ id: string }>(
      'POST',
      '/api/v1/drivers',
      t.orgB.users.fleet_manager.token,
      { name: `Other ${run}` },
      201,
    );
    const start = weekStart();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...window(start, 2), endsAt: new Date(start - HOUR).toISOString() }, 'body.endsAt'],
      [{ ...window(start, 24 * 40) }, 'body.endsAt'],
      [{ ...window(start, 2), startsAt: 'tomorrow' }, 'body.startsAt'],
      [{ ...window(start, 2), assetIds: [retired.id] }, 'body.assetIds.0'],
      [{ ...window(start, 2), assetIds: [van.id, van.id] }, 'body.assetIds.1'],
      [{ ...window(start, 2), placeId: foreignPlace.id }, 'body.placeId'],
      [{ ...window(start, 2), placeId: randomUUID() }, 'body.placeId'],
      [{ ...window(start, 2), crew: [{ driverId: foreignPerson.id }] }, 'body.crew.0.driverId'],
      [
        { ...window(start, 2), crew: [{ driverId: foreignPerson.id, role: 'driver' }] },
        'body.crew.0.vehicleId',
      ],
      [
        {
          ...window(start, 2),
          assetIds: [van.id],
          crew: [{ driverId: foreignPerson.id, role: 'driver', vehicleId: randomUUID() }],
        },
        'body.crew.0.vehicleId',
      ],
      [{ ...window(start, 2), projectId: randomUUID() }, 'body.projectId'],
      [{ ...window(start, 2), title: '' }, 'body.title'],
    ];
    for (const [body, path] of cases) {
      const res = await createJob({ title: 'Bad', placeId: place.id, ...body });
      expect(res.status, `${path}: ${res.text}`).toBe(400);
      expect(
        res.body.error.details?.map((d) => d.path),
        res.text,
      ).toContain(path);
    }
    const list = await t.request<ErrorReply>(
      'GET',
      '/api/v1/jobs?from=2027-01-01T00:00:00Z&to=2027-06-01T00:00:00Z',
      {
        token: viewer(),
      },
    );
    expect(list.status).toBe(400);
    expect(list.body.error.details?.[0]?.path).toBe('query.to');
    expect((await t.request('GET', '/api/v1/jobs?state=parked', { token: viewer() })).status).toBe(400);
    expect((await t.request('GET', '/api/v1/jobs?day=2027-02-30', { token: viewer() })).status).toBe(400);
  });

  it('are never seen or touched by another organisation, and only planners book them', async () => {
    const [van, place] = await Promise.all([vehicle(), site()]);
    const project = await ok<{ id: string }>(
      'POST',
      '/api/v1/projects',
      dispatcher(),
      { name: `Private ${run}` },
      201,
    );
    const job = await createJob({
      title: 'Ours',
      projectId: project.id,
      placeId: place.id,
      ...window(weekStart(), 3),
      assetIds: [van.id],
    });
    expect(job.status).toBe(201);
    const other = t.orgB.users.admin.token;
    for (const [method, path, body] of [
      ['GET', `/api/v1/jobs/${job.body.id}`, undefined],
      ['PATCH', `/api/v1/jobs/${job.body.id}`, { title: 'Theirs' }],
      ['POST', `/api/v1/jobs/${job.body.id}/state`, { state: 'cancelled' }],
      ['GET', `/api/v1/jobs/${job.body.id}/events`, undefined],
      ['GET', `/api/v1/projects/${project.id}`, undefined],
      ['PATCH', `/api/v1/projects/${project.id}`, { name: 'Theirs' }],
    ] as const) {
      const res = await t.request(method, path, { token: other, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const theirs = await ok<{ items: Job[] }>('GET', '/api/v1/jobs', other);
    expect(theirs.items.map((j) => j.id)).not.toContain(job.body.id);
    const theirProjects = await ok<{ items: { id: string }[] }>('GET', '/api/v1/projects', other);
    expect(theirProjects.items.map((p) => p.id)).not.toContain(project.id);
    // Booking our van from the other organisation: no such asset there.
    const theirPlace = await site(t.orgB.users.dispatcher.token);
    const stolen = await createJob(
      { title: 'Theirs', placeId: theirPlace.id, ...window(weekStart(), 2), assetIds: [van.id] },
      t.orgB.users.dispatcher.token,
    );
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.details?.[0]?.path).toBe('body.assetIds.0');
    const check = await t.request<ErrorReply>('POST', '/api/v1/jobs/check', {
      token: other,
      body: { ...window(weekStart(), 2), assetIds: [van.id] },
    });
    expect(check.status).toBe(400);

    for (const role of ['viewer', 'mechanic'] as const) {
      const token = t.orgA.users[role].token;
      expect(
        (await createJob({ title: 'x', placeId: place.id, ...window(weekStart(), 1) }, token)).status,
      ).toBe(403);
      expect((await move(job.body.id, { state: 'cancelled' }, token)).status).toBe(403);
    }
    expect((await ok<Job>('GET', `/api/v1/jobs/${job.body.id}`, viewer())).state).toBe('planned');
  });

  it('answer generated garbage with a 4xx (or do what it validly asks), never a 5xx, and stay whole', async () => {
    const place = await site();
    const base = await createJob({ title: 'Steady', placeId: place.id, ...window(weekStart(), 2) });
    expect(base.status).toBe(201);
    const seed = 1_403_2026;
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.uuid(),
      fc.array(fc.oneof(fc.uuid(), fc.string()), { maxLength: 3 }),
      fc.constantFrom('2027-01-01T00:00:00Z', '2026-13-01T00:00:00Z', 'planned', 'dispatched', place.id),
    );
    const body = fc.dictionary(
      fc.constantFrom(
        'title',
        'placeId',
        'startsAt',
        'endsAt',
        'assetIds',
        'crew',
        'state',
        'override',
        'projectId',
        'x',
      ),
      value,
      { maxKeys: 6 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ['POST', '/api/v1/jobs'],
          ['PATCH', `/api/v1/jobs/${base.body.id}`],
          ['POST', `/api/v1/jobs/${base.body.id}/state`],
          ['POST', '/api/v1/jobs/check'],
          ['POST', '/api/v1/projects'],
        ),
        body,
        async ([method, path], b) => {
          const res = await t.request(method, path, { token: dispatcher(), body: b });
          expect(
            res.status,
            `${method} ${path} ${JSON.stringify(b)}: ${res.text.slice(0, 300)}`,
          ).toBeLessThan(500);
        },
      ),
      { seed, numRuns: 150 },
    );
    // Whatever the garbage did to it, the job still reads whole.
    const after = await ok<Job>('GET', `/api/v1/jobs/${base.body.id}`, viewer());
    expect(JOB_STATES).toContain(after.state);
    expect(after.title.length).toBeGreaterThan(0);
    expect(Date.parse(after.endsAt)).toBeGreaterThan(Date.parse(after.startsAt));
  });
});
