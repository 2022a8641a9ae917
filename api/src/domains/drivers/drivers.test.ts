// Drivers and assignments through the real API and database: drivers created, listed with
// filters, sorted, paged, changed, deactivated and purged; assignments booked, handed over and
// ended, overlaps and equipment refused (by the API and by the table's trigger); garbage refused
// with the field named and nothing written; roles; another organisation's ids answer 404 on
// every route exactly like ids that do not exist; and GDPR export and erasure, checked in the
// database as its owner.
import { randomUUID } from 'node:crypto';
import { DeviceRegistry, inTenant, migrate, openDatabase, type SqlDatabase } from '@fleet/shared/db';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import { freshPostgresDatabase } from '../../../../test/support.ts';
import { DriverAssignments } from './assignments.ts';
import { Drivers } from './repository.ts';
import { LICENCE_CLASSES, newDriverSchema, normalisePhone } from './schemas.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface DriverBody {
  id: string;
  name: string;
  employeeNumber: string | null;
  phone: string | null;
  email: string | null;
  licenceNumber: string | null;
  licenceClasses: string[];
  licenceExpiry: string | null;
  departmentId: string | null;
  userId: string | null;
  driverCardId: string | null;
  status: 'active' | 'inactive';
  notes: string | null;
  erased: boolean;
  erasedAt: string | null;
  currentVehicle: {
    assignmentId: string;
    vehicleId: string;
    vehicleName: string | null;
    since: string;
  } | null;
  createdAt: string;
  updatedAt: string;
}
interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
interface AssignmentBody {
  id: string;
  driverId: string;
  driverName: string;
  driverErased: boolean;
  vehicleId: string;
  vehicleName: string | null;
  vehiclePlate: string | null;
  startsAt: string;
  endsAt: string | null;
  source: 'manual' | 'driver_card';
  createdAt: string;
}
interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** Names unique to this run, so reruns against one database do not collide. */
const run = randomUUID().slice(0, 6);
const named = (name: string) => `${name} ${run}`;
let serial = 0;
/** An employee number or card id no other test uses. */
const unique = (prefix: string) => `${prefix}${run}${++serial}`.toUpperCase();

const manager = () => t.orgA.users.fleet_manager.token;
const dispatcher = () => t.orgA.users.dispatcher.token;
const admin = () => t.orgA.users.admin.token;
const db = () => t.platform.db;

async function create(body: unknown, token = manager()) {
  return t.request<DriverBody & ErrorReply>('POST', '/api/v1/drivers', { token, body });
}
async function created(body: Record<string, unknown>, token = manager()): Promise<DriverBody> {
  const res = await create(body, token);
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
  return res.body;
}
async function assetOf(
  orgId: string,
  kind: 'vehicle' | 'equipment',
  name: string,
  plate?: string,
): Promise<string> {
  const rows = await inTenant(db(), orgId, (tx) =>
    tx.query<{ id: string }>(
      'insert into assets (org_id, kind, name, plate) values ($1, $2, $3, $4) returning id::text as id',
      [orgId, kind, name, kind === 'vehicle' ? (plate ?? null) : null],
    ),
  );
  return rows[0]?.id ?? '';
}
const vehicle = (name: string, orgId = t.orgA.id) => assetOf(orgId, 'vehicle', named(name), unique('ABC-'));
async function department(name: string, parentId?: string, token = admin()): Promise<string> {
  const res = await t.request<{ id: string }>('POST', '/api/v1/departments', {
    token,
    body: parentId === undefined ? { name: named(name) } : { name: named(name), parentId },
  });
  if (res.status !== 201) throw new Error(`department: ${res.status} ${res.text}`);
  return res.body.id;
}
async function book(driverId: string, body: unknown, token = dispatcher()) {
  return t.request<AssignmentBody & ErrorReply>('POST', `/api/v1/drivers/${driverId}/assignments`, {
    token,
    body,
  });
}
async function handOver(vehicleId: string, driverId: string, token = dispatcher()) {
  return t.request<AssignmentBody & ErrorReply>('POST', `/api/v1/vehicles/${vehicleId}/driver`, {
    token,
    body: { driverId },
  });
}
/** Drivers and assignments of one organisation, counted as the table owner (no row-level security). */
async function counts(orgId = t.orgA.id): Promise<{ drivers: number; assignments: number }> {
  const [row] = await db().query<{ drivers: number | string; assignments: number | string }>(
    `select (select count(*) from drivers where org_id = $1) as drivers,
            (select count(*) from driver_assignments where org_id = $1) as assignments`,
    [orgId],
  );
  return { drivers: Number(row?.drivers), assignments: Number(row?.assignments) };
}

describe('drivers', () => {
  it('are created with tidy fields, read back, changed, and their fields cleared with null', async () => {
    const sales = await department('Sales');
    const driver = await created({
      name: `  ${named('Aino Virtanen')} `,
      employeeNumber: unique('E-'),
      phone: '+358 (40) 123-4567',
      email: ' Aino.Virtanen@Example.FI ',
      licenceNumber: 'FI 1234567',
      licenceClasses: ['C', 'B', 'BE', 'B'],
      licenceExpiry: '2031-05-31',
      departmentId: sales,
      userId: t.orgA.users.mechanic.id,
      driverCardId: ' 01:a2:b3-c4.d5 ',
      notes: 'Prefers the long-wheelbase van',
    });
    expect(driver).toMatchObject({
      name: named('Aino Virtanen'),
      phone: '+358401234567',
      email: 'aino.virtanen@example.fi',
      licenceClasses: ['B', 'BE', 'C'],
      licenceExpiry: '2031-05-31',
      departmentId: sales,
      userId: t.orgA.users.mechanic.id,
      driverCardId: '01A2B3C4D5',
      status: 'active',
      erased: false,
      erasedAt: null,
      currentVehicle: null,
    });
    const one = await t.request<DriverBody>('GET', `/api/v1/drivers/${driver.id}`, {
      token: t.orgA.users.viewer.token,
    });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(driver);

    const patch = (body: unknown) =>
      t.request<DriverBody & ErrorReply>('PATCH', `/api/v1/drivers/${driver.id}`, { token: manager(), body });
    const changed = await patch({ phone: '00 44 20 7946 0958', licenceClasses: ['D', 'AM'], notes: '' });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      name: named('Aino Virtanen'),
      phone: '+442079460958',
      licenceClasses: ['AM', 'D'],
      notes: null,
      email: 'aino.virtanen@example.fi',
    });
    expect(changed.body.createdAt).toBe(driver.createdAt);
    expect(Date.parse(changed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(driver.updatedAt));
    const cleared = await patch({
      employeeNumber: null,
      phone: null,
      email: null,
      licenceNumber: null,
      licenceExpiry: null,
      departmentId: null,
      userId: null,
      driverCardId: null,
    });
    expect(cleared.body).toMatchObject({
      employeeNumber: null,
      phone: null,
      email: null,
      licenceNumber: null,
      licenceExpiry: null,
      departmentId: null,
      userId: null,
      driverCardId: null,
    });
    expect((await patch({})).status).toBe(400);
    expect((await patch({ name: '' })).body.error.details?.[0]?.path).toBe('body.name');
    // Only the name is required; the rest default to empty.
    const minimal = await created({ name: named('Minimal') });
    expect(minimal).toMatchObject({
      employeeNumber: null,
      phone: null,
      licenceClasses: [],
      status: 'active',
    });
  });

  it('are listed by department (with sub-departments), status, text and licence expiry; sorted and paged', async () => {
    const production = await department('Production');
    const lighting = await department('Lighting', production);
    const other = await department('Office');
    const tag = named('lst');
    const make = (name: string, extra: Record<string, unknown>) =>
      created({ name: `${tag} ${name}`, ...extra });
    const a = await make('Alpha', {
      employeeNumber: `${run}-003`,
      licenceExpiry: '2027-01-10',
      departmentId: production,
    });
    const b = await make('bravo', {
      employeeNumber: `${run}-001`,
      licenceExpiry: '2026-12-01',
      departmentId: lighting,
    });
    const c = await make('Charlie', {
      employeeNumber: `${run}-002`,
      departmentId: other,
      status: 'inactive',
    });
    const d = await make('Delta', { licenceExpiry: '2030-06-30' });

    const list = async (query: string, token = t.orgA.users.mechanic.token) => {
      const res = await t.request<Page<DriverBody>>(
        'GET',
        `/api/v1/drivers?q=${encodeURIComponent(tag)}&${query}`,
        {
          token,
        },
      );
      expect(res.status, `${query}: ${res.text}`).toBe(200);
      return res.body;
    };
    const ids = async (query: string) => (await list(query)).items.map((x) => x.id);
    // By name in any case by default; paged with the total.
    const first = await list('limit=3');
    expect(first.total).toBe(4);
    expect(first.items.map((x) => x.id)).toEqual([a.id, b.id, c.id]);
    expect(await ids('limit=3&offset=3')).toEqual([d.id]);
    expect(await ids('sort=name&order=desc')).toEqual([d.id, c.id, b.id, a.id]);
    expect(await ids('sort=employeeNumber')).toEqual([b.id, c.id, a.id, d.id]);
    expect(await ids('sort=employeeNumber&order=desc')).toEqual([a.id, c.id, b.id, d.id]);
    expect(await ids('sort=licenceExpiry')).toEqual([b.id, a.id, d.id, c.id]);
    expect(await ids('sort=createdAt&order=desc')).toEqual([d.id, c.id, b.id, a.id]);
    // A department finds its sub-departments' drivers too.
    expect(await ids(`departmentId=${production}`)).toEqual([a.id, b.id]);
    expect(await ids(`departmentId=${lighting}`)).toEqual([b.id]);
    expect(await ids('status=inactive')).toEqual([c.id]);
    expect(await ids('status=active')).toEqual([a.id, b.id, d.id]);
    expect(await ids('licenceExpiresBefore=2027-01-10')).toEqual([b.id]);
    expect(await ids('licenceExpiresBefore=2027-01-11')).toEqual([a.id, b.id]);
    // Text finds part of the name or of the employee number, any case; wildcards are literal.
    const byNumber = await t.request<Page<DriverBody>>('GET', `/api/v1/drivers?q=${run}-00`, {
      token: manager(),
    });
    expect(byNumber.body.items.map((x) => x.id)).toEqual([a.id, b.id, c.id]);
    const byName = await t.request<Page<DriverBody>>(
      'GET',
      `/api/v1/drivers?q=${encodeURIComponent(`${tag} BRA`)}`,
      {
        token: manager(),
      },
    );
    expect(byName.body.items.map((x) => x.id)).toEqual([b.id]);
    expect((await list(`departmentId=${randomUUID()}`)).total).toBe(0);
    for (const q of ['%', '_', "x' or '1'='1"]) {
      const res = await t.request<Page<DriverBody>>('GET', `/api/v1/drivers?q=${encodeURIComponent(q)}`, {
        token: manager(),
      });
      expect(res.body.total, q).toBe(0);
    }
  });

  it('are deactivated (ending the ongoing assignment), or purged when they never drove', async () => {
    const van = await vehicle('Deactivation van');
    const driver = await created({ name: named('Leaving driver') });
    expect((await handOver(van, driver.id)).status).toBe(201);
    const removed = await t.request<{ id: string; outcome: string }>(
      'DELETE',
      `/api/v1/drivers/${driver.id}`,
      {
        token: manager(),
      },
    );
    expect(removed.body).toEqual({ id: driver.id, outcome: 'deactivated' });
    const after = await t.request<DriverBody>('GET', `/api/v1/drivers/${driver.id}`, { token: manager() });
    expect(after.body).toMatchObject({ status: 'inactive', currentVehicle: null });
    const history = await t.request<Page<AssignmentBody>>('GET', `/api/v1/drivers/${driver.id}/assignments`, {
      token: manager(),
    });
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]?.endsAt).not.toBeNull();
    // An inactive driver takes no vehicle until made active again.
    expect((await handOver(van, driver.id)).status).toBe(409);
    // Has driven: cannot be purged; a record made by mistake can.
    const purge = (id: string) =>
      t.request<ErrorReply & { outcome: string }>('DELETE', `/api/v1/drivers/${id}?purge=true`, {
        token: manager(),
      });
    expect((await purge(driver.id)).status).toBe(409);
    const mistake = await created({ name: named('Typo') });
    expect((await purge(mistake.id)).body.outcome).toBe('purged');
    expect((await t.request('GET', `/api/v1/drivers/${mistake.id}`, { token: manager() })).status).toBe(404);
    expect((await purge(mistake.id)).status).toBe(404);
    const back = await t.request<DriverBody>('PATCH', `/api/v1/drivers/${driver.id}`, {
      token: manager(),
      body: { status: 'active' },
    });
    expect(back.body.status).toBe('active');
    expect((await handOver(van, driver.id)).status).toBe(201);
  });
});

describe('assignments', () => {
  it('are booked for a time, refused when they overlap, and listed newest first', async () => {
    const van = await vehicle('Booked van');
    const truck = await vehicle('Booked truck');
    const anna = await created({ name: named('Anna') });
    const bob = await created({ name: named('Bob') });
    const morning = await book(anna.id, {
      vehicleId: van,
      startsAt: '2026-03-23T06:00:00Z',
      endsAt: '2026-03-23T12:00:00+00:00',
    });
    expect(morning.status, morning.text).toBe(201);
    expect(morning.body).toMatchObject({
      driverId: anna.id,
      driverName: named('Anna'),
      vehicleId: van,
      vehicleName: named('Booked van'),
      startsAt: '2026-03-23T06:00:00.000Z',
      endsAt: '2026-03-23T12:00:00.000Z',
      source: 'manual',
    });
    expect(morning.body.vehiclePlate).toMatch(/^ABC-/);
    // Same van, overlapping time; same driver, another van at an overlapping time: 409.
    for (const [driverId, vehicleId, startsAt, endsAt] of [
      [bob.id, van, '2026-03-23T11:00:00Z', '2026-03-23T13:00:00Z'],
      [bob.id, van, '2026-03-23T05:00:00Z', null],
      [anna.id, truck, '2026-03-23T11:59:00Z', '2026-03-23T14:00:00Z'],
    ] as const) {
      const res = await book(driverId, { vehicleId, startsAt, endsAt });
      expect(res.status, `${startsAt} ${res.text}`).toBe(409);
      expect(res.body.error.code).toBe('conflict');
    }
    // Touching is not overlapping: the afternoon starts when the morning ends.
    const afternoon = await book(bob.id, {
      vehicleId: van,
      startsAt: '2026-03-23T14:00:00+02:00',
      endsAt: '2026-03-23T18:00:00Z',
    });
    expect(afternoon.status, afternoon.text).toBe(201);
    const onTruck = await book(anna.id, { vehicleId: truck, startsAt: '2026-03-23T12:00:00Z' });
    expect(onTruck.status).toBe(201);
    expect(onTruck.body.endsAt).toBeNull();
    const vanHistory = await t.request<Page<AssignmentBody>>('GET', `/api/v1/vehicles/${van}/assignments`, {
      token: t.orgA.users.viewer.token,
    });
    expect(vanHistory.body.total).toBe(2);
    expect(vanHistory.body.items.map((x) => x.id)).toEqual([afternoon.body.id, morning.body.id]);
    const annaHistory = await t.request<Page<AssignmentBody>>(
      'GET',
      `/api/v1/drivers/${anna.id}/assignments?limit=1`,
      { token: t.orgA.users.viewer.token },
    );
    expect(annaHistory.body).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect(annaHistory.body.items.map((x) => x.id)).toEqual([onTruck.body.id]);
    // Ongoing since noon: she has the truck now.
    const now = await t.request<{ driver: DriverBody; assignment: AssignmentBody }>(
      'GET',
      `/api/v1/vehicles/${truck}/driver`,
      { token: t.orgA.users.viewer.token },
    );
    expect(now.body.driver.id).toBe(anna.id);
    expect(now.body.driver.currentVehicle).toMatchObject({
      vehicleId: truck,
      vehicleName: named('Booked truck'),
    });
    expect(now.body.assignment.id).toBe(onTruck.body.id);
  });

  it('hand a vehicle over now: both current assignments end at the instant the new one starts', async () => {
    const van = await vehicle('Handover van');
    const truck = await vehicle('Handover truck');
    const anna = await created({ name: named('Anna H') });
    const bob = await created({ name: named('Bob H') });
    const first = await handOver(van, anna.id);
    expect(first.status).toBe(201);
    expect(first.body.endsAt).toBeNull();
    // The same driver again: nothing new.
    const again = await handOver(van, anna.id);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const bobTruck = await handOver(truck, bob.id);
    // Bob takes the van: Anna's van assignment and Bob's truck assignment end as his van one starts.
    const swap = await handOver(van, bob.id);
    expect(swap.status).toBe(201);
    const get = async (id: string) =>
      (
        await t.request<Page<AssignmentBody>>('GET', `/api/v1/drivers/${id}/assignments`, {
          token: manager(),
        })
      ).body.items;
    const annaRows = await get(anna.id);
    const bobRows = await get(bob.id);
    expect(annaRows.find((x) => x.id === first.body.id)?.endsAt).toBe(swap.body.startsAt);
    expect(bobRows.find((x) => x.id === bobTruck.body.id)?.endsAt).toBe(swap.body.startsAt);
    const vanNow = await t.request<{ driver: DriverBody | null; assignment: AssignmentBody | null }>(
      'GET',
      `/api/v1/vehicles/${van}/driver`,
      { token: manager() },
    );
    expect(vanNow.body.driver?.id).toBe(bob.id);
    const truckNow = await t.request<{ vehicleId: string; driver: null; assignment: null }>(
      'GET',
      `/api/v1/vehicles/${truck}/driver`,
      { token: manager() },
    );
    expect(truckNow.body).toEqual({ vehicleId: truck, driver: null, assignment: null });
    // A planned assignment ahead of the van: an open-ended one from now would overlap it.
    const carol = await created({ name: named('Carol H') });
    const spare = await vehicle('Spare van');
    expect((await book(carol.id, { vehicleId: spare, startsAt: '2100-01-01T00:00:00Z' })).status).toBe(201);
    expect((await handOver(spare, bob.id)).status).toBe(409);
    // Not a vehicle or no such vehicle: 404; no such driver: 400 naming it.
    const generator = await assetOf(t.orgA.id, 'equipment', named('Generator'));
    expect((await handOver(generator, bob.id)).status).toBe(404);
    expect((await handOver(randomUUID(), bob.id)).status).toBe(404);
    const ghost = await handOver(van, randomUUID());
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.details?.[0]?.path).toBe('body.driverId');
  });

  it('end now or at a time; ending twice is 409, before the start 400', async () => {
    const van = await vehicle('Ending van');
    const driver = await created({ name: named('Ending driver') });
    const booked = await book(driver.id, { vehicleId: van, startsAt: '2026-01-01T08:00:00Z' });
    const end = (id: string, query = '') =>
      t.request<AssignmentBody & ErrorReply>('POST', `/api/v1/assignments/${id}/end${query}`, {
        token: dispatcher(),
      });
    const early = await end(booked.body.id, '?endsAt=2026-01-01T07:00:00Z');
    expect(early.status).toBe(400);
    expect(early.body.error.details?.[0]?.path).toBe('query.endsAt');
    const ended = await end(booked.body.id, `?endsAt=${encodeURIComponent('2026-01-01T16:30:00+02:00')}`);
    expect(ended.status, ended.text).toBe(200);
    expect(ended.body.endsAt).toBe('2026-01-01T14:30:00.000Z');
    expect((await end(booked.body.id)).status).toBe(409);
    expect((await end(randomUUID())).status).toBe(404);
    const now = await handOver(van, driver.id);
    const endedNow = await end(now.body.id);
    expect(endedNow.status).toBe(200);
    expect(Date.parse(endedNow.body.endsAt ?? '')).toBeGreaterThan(Date.parse(now.body.startsAt));
    expect((await end(now.body.id, '?endsAt=yesterday')).status).toBe(400);
  });

  it('take vehicles only, active drivers only; the table refuses overlaps and equipment on its own', async () => {
    const driver = await created({ name: named('Only vans') });
    const generator = await assetOf(t.orgA.id, 'equipment', named('Light kit'));
    const before = await counts();
    const onEquipment = await book(driver.id, { vehicleId: generator });
    expect(onEquipment.status).toBe(400);
    expect(onEquipment.body.error.details?.[0]).toEqual({
      path: 'body.vehicleId',
      message: 'an equipment item: only vehicles take drivers',
    });
    const retired = await vehicle('Retired van');
    await inTenant(db(), t.orgA.id, (tx) =>
      tx.query("update assets set status = 'retired', retired_at = now() where id = $1", [retired]),
    );
    expect((await book(driver.id, { vehicleId: retired })).body.error.details?.[0]?.message).toBe(
      'the vehicle is retired',
    );
    expect((await handOver(retired, driver.id)).status).toBe(409);
    expect(await counts()).toEqual(before);
    // Past the API: the trigger refuses the same, with SQLSTATE 23514 and 23P01.
    const van = await vehicle('Trigger van');
    const other = await created({ name: named('Other') });
    const direct = (driverId: string, assetId: string, from: string, to: string | null) =>
      inTenant(db(), t.orgA.id, (tx) =>
        tx.query(
          'insert into driver_assignments (org_id, driver_id, asset_id, starts_at, ends_at) values ($1, $2, $3, $4, $5)',
          [t.orgA.id, driverId, assetId, from, to],
        ),
      );
    await expect(direct(driver.id, generator, '2026-01-01T00:00Z', null)).rejects.toMatchObject({
      code: '23514',
    });
    await direct(driver.id, van, '2026-01-01T00:00Z', '2026-01-02T00:00Z');
    await expect(direct(other.id, van, '2026-01-01T12:00Z', null)).rejects.toMatchObject({ code: '23P01' });
    const truck = await vehicle('Trigger truck');
    await expect(direct(driver.id, truck, '2026-01-01T23:00Z', '2026-01-03T00:00Z')).rejects.toMatchObject({
      code: '23P01',
    });
    await direct(other.id, van, '2026-01-02T00:00Z', null);
    await expect(direct(driver.id, van, '2026-01-02T00:00Z', '2026-01-01T00:00Z')).rejects.toThrow(/check/);
  });
});

describe('bad input', () => {
  it('is refused with 400 and the field named, and nothing is written', async () => {
    const good = { name: named('Fine') };
    const before = await counts();
    const cases: [unknown, string, RegExp][] = [
      [{ ...good, name: 42 }, 'body.name', /text/],
      [{ ...good, name: '   ' }, 'body.name', /1\.\.100/],
      [{ ...good, name: 'x'.repeat(101) }, 'body.name', /1\.\.100/],
      [{ name: undefined }, 'body.name', /text/],
      [{ ...good, employeeNumber: 'x'.repeat(41) }, 'body.employeeNumber', /at most 40/],
      [{ ...good, employeeNumber: 7 }, 'body.employeeNumber', /text/],
      [{ ...good, phone: '040 123 4567' }, 'body.phone', /international form/],
      [{ ...good, phone: '+358 1' }, 'body.phone', /not a valid phone number/],
      [{ ...good, phone: '+1 202 555 0143 ext. 12' }, 'body.phone', /extension/],
      [{ ...good, phone: 'call me' }, 'body.phone', /international form/],
      [{ ...good, phone: `+358${'4'.repeat(40)}` }, 'body.phone', /at most 40/],
      [{ ...good, phone: 358401234567 }, 'body.phone', /text/],
      [{ ...good, email: 'not-an-email' }, 'body.email', /not an email/],
      [{ ...good, email: `${'a'.repeat(250)}@x.fi` }, 'body.email', /at most 254/],
      [{ ...good, licenceNumber: 'x'.repeat(41) }, 'body.licenceNumber', /at most 40/],
      [{ ...good, licenceClasses: ['B', 'Z'] }, 'body.licenceClasses.1', /one of AM, A1/],
      [{ ...good, licenceClasses: 'B' }, 'body.licenceClasses', /list/],
      [{ ...good, licenceClasses: Array(15).fill('B') }, 'body.licenceClasses', /at most 14/],
      [{ ...good, licenceExpiry: '2026-02-30' }, 'body.licenceExpiry', /YYYY-MM-DD/],
      [{ ...good, licenceExpiry: '31.12.2026' }, 'body.licenceExpiry', /YYYY-MM-DD/],
      [{ ...good, licenceExpiry: '0001-01-01' }, 'body.licenceExpiry', /1900 and 2200/],
      [{ ...good, departmentId: 'sales' }, 'body.departmentId', /id of one/],
      [{ ...good, userId: 12 }, 'body.userId', /id of one/],
      [{ ...good, driverCardId: 'card #1' }, 'body.driverCardId', /letters and digits/],
      [{ ...good, driverCardId: 'A'.repeat(65) }, 'body.driverCardId', /letters and digits/],
      [{ ...good, status: 'retired' }, 'body.status', /active or inactive/],
      [{ ...good, notes: 'x'.repeat(2001) }, 'body.notes', /at most 2000/],
      [{ ...good, orgId: t.orgB.id }, 'body', /orgId/],
      [{ ...good, id: randomUUID() }, 'body', /"id"/],
      [{ ...good, erasedAt: null }, 'body', /erasedAt/],
      [{ ...good, name: 'nul\u0000name' }, 'body.name', /NUL/],
      [{ ...good, notes: 'a\u0000' }, 'body.notes', /NUL/],
      [{ ...good, 'x\u0000': 1 }, 'body.x\\0', /NUL/],
      [[good], 'body', /object/],
      [null, 'body', /object/],
    ];
    for (const [body, path, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body).slice(0, 160)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const detail = res.body.error.details?.find((x) => x.path === path);
      expect(detail?.message, `${path} in ${JSON.stringify(res.body.error.details)}`).toMatch(message);
    }
    // Another organisation's department or user account, like one that does not exist.
    const theirDepartment = await department('Their dept', undefined, t.orgB.users.admin.token);
    for (const [field, id] of [
      ['departmentId', theirDepartment],
      ['departmentId', randomUUID()],
      ['userId', t.orgB.users.viewer.id],
      ['userId', randomUUID()],
    ] as const) {
      const res = await create({ ...good, [field]: id });
      expect(res.status, `${field} ${id}`).toBe(400);
      expect(res.body.error.details?.[0]?.path).toBe(`body.${field}`);
    }
    const raw = await t.request<ErrorReply>('POST', '/api/v1/drivers', {
      token: manager(),
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.body.error.code).toBe('malformed_json');
    expect(await counts()).toEqual(before);
  });

  it('a duplicate employee number, card id or user link is 409 with the field named, per organisation', async () => {
    const number = unique('E-');
    const card = unique('CARD');
    const first = await created({
      name: named('First'),
      employeeNumber: number,
      driverCardId: card,
      userId: t.orgA.users.dispatcher.id,
    });
    const before = await counts();
    for (const [body, path] of [
      [{ employeeNumber: number.toLowerCase() }, 'body.employeeNumber'],
      [
        {
          driverCardId: card
            .match(/.{1,2}/g)
            ?.join(':')
            .toLowerCase(),
        },
        'body.driverCardId',
      ],
      [{ userId: t.orgA.users.dispatcher.id }, 'body.userId'],
    ] as const) {
      const res = await create({ name: named('Second'), ...body });
      expect(res.status, path).toBe(409);
      expect(res.body.error.details?.[0]?.path).toBe(path);
      const second = await created({ name: named('Second') });
      const patched = await t.request<ErrorReply>('PATCH', `/api/v1/drivers/${second.id}`, {
        token: manager(),
        body,
      });
      expect(patched.status, path).toBe(409);
      expect(patched.body.error.details?.[0]?.path).toBe(path);
    }
    expect((await counts()).drivers).toBe(before.drivers + 3);
    // Its own values are no conflict; another organisation may use them.
    expect(
      (
        await t.request('PATCH', `/api/v1/drivers/${first.id}`, {
          token: manager(),
          body: { employeeNumber: number, driverCardId: card },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await create(
          { name: named('Theirs'), employeeNumber: number, driverCardId: card },
          t.orgB.users.admin.token,
        )
      ).status,
    ).toBe(201);
  });

  it('bad queries, ids and assignment bodies are 400 with the field named, and write nothing', async () => {
    for (const query of [
      'sort=age',
      'order=up',
      'status=retired',
      'limit=0',
      'limit=501',
      'offset=-1',
      'departmentId=sales',
      'licenceExpiresBefore=tomorrow',
      `q=${'x'.repeat(101)}`,
      'owner=me',
    ]) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/drivers?${query}`, { token: manager() });
      expect(res.status, query).toBe(400);
      expect(res.body.error.details?.[0]?.path, query).toMatch(/^query/);
    }
    for (const id of ['not-a-uuid', '1', `${randomUUID()}x`])
      expect((await t.request('GET', `/api/v1/drivers/${id}`, { token: manager() })).status, id).toBe(400);
    const driver = await created({ name: named('Booker') });
    const van = await vehicle('Booker van');
    const before = await counts();
    for (const [body, path] of [
      [{}, 'body.vehicleId'],
      [{ vehicleId: 'van-1' }, 'body.vehicleId'],
      [{ vehicleId: van, startsAt: 'now' }, 'body.startsAt'],
      [{ vehicleId: van, startsAt: '2026-03-23T08:00:00' }, 'body.startsAt'],
      [{ vehicleId: van, startsAt: 1_700_000_000_000 }, 'body.startsAt'],
      [{ vehicleId: van, startsAt: '1900-01-01T00:00:00Z' }, 'body.startsAt'],
      [{ vehicleId: van, startsAt: '2026-03-23T08:00:00Z', endsAt: '2026-03-23T08:00:00Z' }, 'body.endsAt'],
      [{ vehicleId: van, endsAt: '2001-01-01T00:00:00Z' }, 'body.endsAt'],
      [{ vehicleId: van, driverId: driver.id }, 'body'],
      [{ vehicleId: randomUUID() }, 'body.vehicleId'],
    ] as const) {
      const res = await book(driver.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details?.[0]?.path, JSON.stringify(body)).toBe(path);
    }
    for (const body of [{}, { driverId: 'bob' }, { driverId: driver.id, vehicleId: van }]) {
      const res = await t.request<ErrorReply>('POST', `/api/v1/vehicles/${van}/driver`, {
        token: dispatcher(),
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await counts()).toEqual(before);
  });

  it('generated bodies, near-drivers and arbitrary JSON alike, never get a 5xx', async () => {
    const { seed, runs } = fuzzParameters('drivers API bodies', 150);
    const odd = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.string(),
      fc.constant(null),
      fc.boolean(),
      fc.jsonValue(),
    );
    const text = (max: number) =>
      fc.oneof(fc.string({ maxLength: max }), fc.string({ unit: 'grapheme', maxLength: max }), odd);
    /** Mostly a value the API takes, sometimes garbage: whole bodies then get past validation. */
    const field = <T>(valid: fc.Arbitrary<T>, garbage: fc.Arbitrary<unknown>) =>
      fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: garbage, weight: 1 });
    const driver = fc.record(
      {
        name: field(
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }).filter((n) => n.trim() !== ''),
          text(120),
        ),
        employeeNumber: field(fc.oneof(fc.constant(null), fc.stringMatching(/^[A-Z0-9-]{1,40}$/)), text(50)),
        phone: field(
          fc.constantFrom(
            null,
            '',
            '+358 40 123 4567',
            '+1 202 555 0143',
            '00358401234567',
            '+44 20 7946 0958',
          ),
          fc.oneof(fc.stringMatching(/^\+?[0-9 ()-]{0,25}$/), fc.constantFrom('+0', '+'), odd),
        ),
        email: field(fc.oneof(fc.constant(null), fc.emailAddress()), text(300)),
        licenceNumber: field(fc.oneof(fc.constant(null), fc.string({ maxLength: 40 })), text(50)),
        licenceClasses: field(
          fc.subarray([...LICENCE_CLASSES]),
          fc.oneof(fc.array(fc.constantFrom(...LICENCE_CLASSES, 'Z', 'b')), odd),
        ),
        licenceExpiry: field(
          fc
            .date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true })
            .map((d) => d.toISOString().slice(0, 10)),
          fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
            fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
            odd,
          ),
        ),
        departmentId: field(fc.constant(null), fc.oneof(fc.uuid(), odd)),
        userId: field(fc.constant(null), fc.oneof(fc.uuid(), fc.constant(t.orgB.users.admin.id), odd)),
        driverCardId: field(
          fc.oneof(fc.constant(null), fc.stringMatching(/^[0-9a-fA-F:-]{1,24}$/)),
          fc.oneof(fc.stringMatching(/^[0-9a-fA-F: -]{0,80}$/), text(100)),
        ),
        status: field(fc.constantFrom('active', 'inactive'), odd),
        notes: field(fc.oneof(fc.constant(null), fc.string({ maxLength: 2000 })), text(2100)),
      },
      { requiredKeys: ['name'] },
    );
    const target = await created({ name: named('Fuzz target') });
    const van = await vehicle('Fuzz van');
    const assignment = fc.record(
      {
        vehicleId: fc.oneof(fc.constant(van), fc.uuid(), odd),
        startsAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          text(40),
        ),
        endsAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          text(40),
        ),
      },
      { requiredKeys: [] },
    );
    const before = await counts();
    const accepted = { drivers: 0, changes: 0, bookings: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(driver, fc.jsonValue()),
        fc.oneof(driver, fc.jsonValue()),
        fc.oneof(assignment, fc.jsonValue()),
        async (body, changes, booking) => {
          const res = await create(body);
          expect([201, 400, 409], res.text.slice(0, 300)).toContain(res.status);
          if (res.status !== 201) expect(res.body.error.code).toMatch(/^(validation_failed|conflict)$/);
          else accepted.drivers++;
          const patched = await t.request<ErrorReply>('PATCH', `/api/v1/drivers/${target.id}`, {
            token: manager(),
            body: changes,
          });
          expect([200, 400, 409], patched.text.slice(0, 300)).toContain(patched.status);
          if (patched.status === 200) accepted.changes++;
          const booked = await book(target.id, booking);
          expect([201, 400, 409], booked.text.slice(0, 300)).toContain(booked.status);
          if (booked.status === 201) accepted.bookings++;
        },
      ),
      { seed, numRuns: runs },
    );
    // Refusals wrote nothing: exactly the accepted bodies are there; and the generators reach
    // past validation often enough to mean something.
    expect(await counts()).toEqual({
      drivers: before.drivers + accepted.drivers,
      assignments: before.assignments + accepted.bookings,
    });
    expect(accepted.drivers).toBeGreaterThan(runs / 20);
    expect(accepted.changes).toBeGreaterThan(0);
  });
});

describe('roles and organisations', () => {
  it('everyone reads; fleet managers and admins keep drivers; dispatchers assign but do not create', async () => {
    const driver = await created({ name: named('Role check') });
    const van = await vehicle('Role van');
    for (const role of ['viewer', 'mechanic', 'dispatcher'] as const) {
      const token = t.orgA.users[role].token;
      expect((await create({ name: named(`by ${role}`) }, token)).status, role).toBe(403);
      expect(
        (await t.request('PATCH', `/api/v1/drivers/${driver.id}`, { token, body: { notes: role } })).status,
        role,
      ).toBe(403);
      expect((await t.request('DELETE', `/api/v1/drivers/${driver.id}`, { token })).status, role).toBe(403);
      for (const path of [
        `/api/v1/drivers/${driver.id}`,
        '/api/v1/drivers',
        `/api/v1/drivers/${driver.id}/assignments`,
        `/api/v1/vehicles/${van}/driver`,
        `/api/v1/vehicles/${van}/assignments`,
      ])
        expect((await t.request('GET', path, { token })).status, `${role} ${path}`).toBe(200);
    }
    for (const role of ['viewer', 'mechanic'] as const) {
      const token = t.orgA.users[role].token;
      expect((await handOver(van, driver.id, token)).status, role).toBe(403);
      expect((await book(driver.id, { vehicleId: van }, token)).status, role).toBe(403);
    }
    const handed = await handOver(van, driver.id, dispatcher());
    expect(handed.status).toBe(201);
    expect(
      (
        await t.request('POST', `/api/v1/assignments/${handed.body.id}/end`, {
          token: t.orgA.users.viewer.token,
        })
      ).status,
    ).toBe(403);
    expect(
      (await t.request('POST', `/api/v1/assignments/${handed.body.id}/end`, { token: dispatcher() })).status,
    ).toBe(200);
    for (const role of ['admin', 'fleet_manager'] as const) {
      const token = t.orgA.users[role].token;
      const res = await create({ name: named(`by ${role}`) }, token);
      expect(res.status, role).toBe(201);
      expect(
        (await t.request('PATCH', `/api/v1/drivers/${res.body.id}`, { token, body: { notes: role } })).status,
      ).toBe(200);
      expect((await t.request('DELETE', `/api/v1/drivers/${res.body.id}`, { token })).status).toBe(200);
    }
    // A person's data: administrators only.
    for (const role of ['fleet_manager', 'dispatcher', 'mechanic', 'viewer'] as const) {
      const token = t.orgA.users[role].token;
      expect(
        (await t.request('GET', `/api/v1/drivers/${driver.id}/personal-data`, { token })).status,
        role,
      ).toBe(403);
      expect((await t.request('POST', `/api/v1/drivers/${driver.id}/erase`, { token })).status, role).toBe(
        403,
      );
    }
    expect((await t.request('GET', '/api/v1/drivers')).status).toBe(401);
  });

  it("another organisation's drivers, vehicles and assignments are 404 on every route, exactly like ids that do not exist", async () => {
    const b = t.orgB.users.admin.token;
    const theirDriver = (await created({ name: named('Their driver'), employeeNumber: unique('B-') }, b)).id;
    const theirVan = await vehicle('Their van', t.orgB.id);
    const theirAssignment = (await handOver(theirVan, theirDriver, b)).body.id;
    const myDriver = await created({ name: named('My driver') });
    const myVan = await vehicle('My van');
    const token = admin();
    const before = await counts(t.orgB.id);
    const theirs = {
      driver: theirDriver,
      vehicle: theirVan,
      assignment: theirAssignment,
      user: t.orgB.users.dispatcher.id,
    };
    const none = {
      driver: randomUUID(),
      vehicle: randomUUID(),
      assignment: randomUUID(),
      user: randomUUID(),
    };
    const replies: string[][] = [];
    for (const ids of [theirs, none]) {
      const seen: string[] = [];
      for (const [method, path, body] of [
        ['GET', `/api/v1/drivers/${ids.driver}`, undefined],
        ['PATCH', `/api/v1/drivers/${ids.driver}`, { name: 'mine now' }],
        ['DELETE', `/api/v1/drivers/${ids.driver}`, undefined],
        ['DELETE', `/api/v1/drivers/${ids.driver}?purge=true`, undefined],
        ['POST', `/api/v1/drivers/${ids.driver}/assignments`, { vehicleId: myVan }],
        ['POST', `/api/v1/drivers/${ids.driver}/assignments`, { vehicleId: ids.vehicle }],
        ['GET', `/api/v1/drivers/${ids.driver}/assignments`, undefined],
        ['GET', `/api/v1/drivers/${ids.driver}/personal-data`, undefined],
        ['POST', `/api/v1/drivers/${ids.driver}/erase`, undefined],
        ['POST', `/api/v1/vehicles/${ids.vehicle}/driver`, { driverId: myDriver.id }],
        ['POST', `/api/v1/vehicles/${ids.vehicle}/driver`, { driverId: ids.driver }],
        ['GET', `/api/v1/vehicles/${ids.vehicle}/driver`, undefined],
        ['GET', `/api/v1/vehicles/${ids.vehicle}/assignments`, undefined],
        ['POST', `/api/v1/assignments/${ids.assignment}/end`, undefined],
      ] as const) {
        const res = await t.request<ErrorReply>(method, path, {
          token,
          ...(body === undefined ? {} : { body }),
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        seen.push(`${method} ${res.status} ${res.text}`);
      }
      // Their ids inside my routes' bodies: 400 naming the field, as for ids that do not exist.
      const booking = await book(myDriver.id, { vehicleId: ids.vehicle }, token);
      const handing = await handOver(myVan, ids.driver, token);
      const linking = await create({ name: named('Linked'), userId: ids.user }, token);
      for (const [res, path] of [
        [booking, 'body.vehicleId'],
        [handing, 'body.driverId'],
        [linking, 'body.userId'],
      ] as const) {
        expect(res.status, path).toBe(400);
        expect(res.body.error.details?.[0]?.path).toBe(path);
        seen.push(res.text);
      }
      replies.push(seen);
    }
    expect(replies[0]).toEqual(replies[1]);
    // Untouched, as their own organisation sees it.
    expect(await counts(t.orgB.id)).toEqual(before);
    const still = await t.request<DriverBody>('GET', `/api/v1/drivers/${theirDriver}`, { token: b });
    expect(still.body).toMatchObject({ name: named('Their driver'), status: 'active', erased: false });
    expect(still.body.currentVehicle?.vehicleId).toBe(theirVan);
    const listed = await t.request<Page<DriverBody>>(
      'GET',
      `/api/v1/drivers?q=${encodeURIComponent(named('Their driver'))}`,
      {
        token,
      },
    );
    expect(listed.body.total).toBe(0);
  });

  it('are in the OpenAPI document', async () => {
    const doc = await t.request<{
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/api/v1/openapi.json');
    const ops = Object.values(doc.body.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const id of [
      'listDrivers',
      'getDriver',
      'createDriver',
      'updateDriver',
      'deleteDriver',
      'createDriverAssignment',
      'listDriverAssignments',
      'assignVehicleDriver',
      'getVehicleDriver',
      'listVehicleAssignments',
      'endAssignment',
      'exportDriverPersonalData',
      'eraseDriver',
    ])
      expect(ops, id).toContain(id);
    for (const name of [
      'Driver',
      'DriverPage',
      'NewDriver',
      'DriverChanges',
      'DriverAssignment',
      'DriverPersonalData',
    ])
      expect(doc.body.components.schemas, name).toHaveProperty(name);
  });
});

describe('personal data (GDPR)', () => {
  it('is exported whole, then erased from the API answers, the drivers table and the audit log; the assignments stay and count', async () => {
    const secrets = {
      name: named('Pirjo Salminen-Erasable'),
      employeeNumber: unique('GDPR-'),
      phone: '+358 50 765 4321',
      email: `pirjo.${run}@example.fi`,
      licenceNumber: `LIC${run}X`,
      driverCardId: unique('C0FFEE'),
      notes: `allergic to ${run} cats`,
    };
    const driver = await created({
      ...secrets,
      licenceClasses: ['B', 'C1'],
      licenceExpiry: '2029-09-09',
      userId: t.orgA.users.viewer.id,
    });
    // An older phone number too, so the log holds both before and after values.
    const newPhone = '+358 44 987 6543';
    expect(
      (
        await t.request('PATCH', `/api/v1/drivers/${driver.id}`, {
          token: manager(),
          body: { phone: newPhone },
        })
      ).status,
    ).toBe(200);
    const van = await vehicle('GDPR van');
    const truck = await vehicle('GDPR truck');
    const past = await book(driver.id, {
      vehicleId: truck,
      startsAt: '2026-03-01T07:00:00Z',
      endsAt: '2026-03-01T15:00:00Z',
    });
    const ongoing = await handOver(van, driver.id);
    expect(ongoing.status).toBe(201);

    const exported = await t.request<{
      driver: DriverBody;
      userAccount: { id: string; email: string } | null;
      assignments: AssignmentBody[];
      auditLog: { entity: string; entityId: string; action: string; before: unknown; after: unknown }[];
    }>('GET', `/api/v1/drivers/${driver.id}/personal-data`, { token: admin() });
    expect(exported.status, exported.text.slice(0, 300)).toBe(200);
    expect(exported.body.driver).toMatchObject({
      name: secrets.name,
      phone: '+358449876543',
      userId: t.orgA.users.viewer.id,
    });
    expect(exported.body.userAccount).toMatchObject({
      id: t.orgA.users.viewer.id,
      email: t.orgA.users.viewer.email,
    });
    expect(exported.body.assignments.map((a) => [a.id, a.vehicleName])).toEqual([
      [ongoing.body.id, named('GDPR van')],
      [past.body.id, named('GDPR truck')],
    ]);
    const entries = exported.body.auditLog;
    expect(entries.filter((e) => e.entity === 'driver').map((e) => e.action)).toEqual(['create', 'update']);
    expect(
      entries
        .filter((e) => e.entity === 'driver_assignment')
        .map((e) => e.entityId)
        .sort(),
    ).toEqual([past.body.id, ongoing.body.id].sort());
    expect(JSON.stringify(entries)).toContain('+358507654321');
    expect(entries.every((e) => e.entityId === driver.id || e.entity === 'driver_assignment')).toBe(true);

    // The erasure.
    const erased = await t.request<DriverBody>('POST', `/api/v1/drivers/${driver.id}/erase`, {
      token: admin(),
    });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toMatchObject({
      name: `Erased driver ${driver.id.slice(0, 8)}`,
      employeeNumber: null,
      phone: null,
      email: null,
      licenceNumber: null,
      licenceClasses: [],
      licenceExpiry: null,
      driverCardId: null,
      notes: null,
      userId: null,
      status: 'inactive',
      erased: true,
      currentVehicle: null,
    });
    expect(erased.body.erasedAt).not.toBeNull();
    const identifying = [
      secrets.name,
      'Pirjo',
      secrets.employeeNumber,
      '+358507654321',
      '+358449876543',
      secrets.email,
      secrets.licenceNumber,
      secrets.driverCardId,
      secrets.notes,
    ];
    const leaks = (text: string) => identifying.filter((s) => text.includes(s));
    // Nowhere in the API's answers ...
    const answers = await Promise.all(
      [
        `/api/v1/drivers/${driver.id}`,
        `/api/v1/drivers?q=${encodeURIComponent('Erased driver')}&limit=500`,
        '/api/v1/drivers?limit=500&status=inactive',
        `/api/v1/drivers/${driver.id}/assignments`,
        `/api/v1/vehicles/${van}/assignments`,
        `/api/v1/vehicles/${truck}/assignments`,
        `/api/v1/drivers/${driver.id}/personal-data`,
      ].map((path) => t.request('GET', path, { token: admin() })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(leaks(answer.text)).toEqual([]);
    }
    // ... nor in the database, read as its owner past row-level security.
    const dump = async (sql: string, params: string[]) =>
      JSON.stringify(await db().query<Record<string, unknown>>(sql, params));
    expect(leaks(await dump('select * from drivers where id = $1', [driver.id]))).toEqual([]);
    expect(leaks(await dump('select * from audit_log where org_id = $1', [t.orgA.id]))).toEqual([]);
    const redacted = await db().query<{
      action: string;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    }>("select action, before, after from audit_log where entity = 'driver' and entity_id = $1 order by id", [
      driver.id,
    ]);
    expect(redacted.map((r) => r.action)).toEqual(['create', 'update', 'update']);
    expect(JSON.stringify(redacted)).not.toContain('2029-09-09');
    expect(redacted[0]?.after).toMatchObject({
      name: '[erased]',
      phone: '[erased]',
      driver_card_id: '[erased]',
      status: 'active',
    });
    // The assignments stay, under the anonymous driver, and count.
    const kept = await t.request<Page<AssignmentBody>>('GET', `/api/v1/drivers/${driver.id}/assignments`, {
      token: manager(),
    });
    expect(kept.body.total).toBe(2);
    expect(kept.body.items.every((a) => a.driverErased && a.driverName === erased.body.name)).toBe(true);
    expect(kept.body.items.find((a) => a.id === ongoing.body.id)?.endsAt).not.toBeNull();
    const [stored] = await db().query<{ n: string | number }>(
      'select count(*) as n from driver_assignments where driver_id = $1',
      [driver.id],
    );
    expect(Number(stored?.n)).toBe(2);
    // Marked erased in lists; never edited back; erasing again changes nothing; no more vehicles.
    const list = await t.request<Page<DriverBody>>('GET', `/api/v1/drivers?q=${driver.id.slice(0, 8)}`, {
      token: manager(),
    });
    expect(list.body.items.map((d) => [d.id, d.erased])).toEqual([[driver.id, true]]);
    const edit = await t.request<ErrorReply>('PATCH', `/api/v1/drivers/${driver.id}`, {
      token: manager(),
      body: { name: secrets.name },
    });
    expect(edit.status).toBe(409);
    expect(
      (
        await t.request('PATCH', `/api/v1/drivers/${driver.id}`, {
          token: manager(),
          body: { status: 'active' },
        })
      ).status,
    ).toBe(409);
    const twice = await t.request<DriverBody>('POST', `/api/v1/drivers/${driver.id}/erase`, {
      token: admin(),
    });
    expect(twice.status).toBe(200);
    expect(twice.body.erasedAt).toBe(erased.body.erasedAt);
    expect((await handOver(van, driver.id)).status).toBe(409);
    // The card and employee number are free for someone else now.
    expect(
      (
        await create({
          name: named('Successor'),
          driverCardId: secrets.driverCardId,
          employeeNumber: secrets.employeeNumber,
        })
      ).status,
    ).toBe(201);
  });

  it('fleet_audit_redact touches only the named entity of the organisation it runs in, and only inside one', async () => {
    const mine = await created({ name: named('Redact me'), phone: '+358 40 111 2222' });
    const bystander = await created({ name: named('Bystander'), phone: '+358 40 333 4444' });
    const theirs = await created(
      { name: named('Redact me'), phone: '+358 40 111 2222' },
      t.orgB.users.admin.token,
    );
    const redacted = await inTenant(db(), t.orgA.id, (tx) =>
      tx.query<{ n: string }>("select fleet_audit_redact('driver', $1, array['phone'])::text as n", [
        mine.id,
      ]),
    );
    expect(redacted[0]?.n).toBe('1');
    // Another organisation's entry for the same entity id is out of reach from here.
    const none = await inTenant(db(), t.orgA.id, (tx) =>
      tx.query<{ n: string }>("select fleet_audit_redact('driver', $1, array['phone'])::text as n", [
        theirs.id,
      ]),
    );
    expect(none[0]?.n).toBe('0');
    const phones = await db().query<{ entity_id: string; phone: string }>(
      "select entity_id, after->>'phone' as phone from audit_log where entity = 'driver' and entity_id = any($1::text[]) and action = 'create'",
      [[mine.id, bystander.id, theirs.id]],
    );
    expect(Object.fromEntries(phones.map((p) => [p.entity_id, p.phone]))).toEqual({
      [mine.id]: '[erased]',
      [bystander.id]: '+358403334444',
      [theirs.id]: '+358401112222',
    });
    // Outside an organisation it refuses; the tenant role still cannot change the log directly.
    await expect(
      db().query("select fleet_audit_redact('driver', $1, array['phone'])", [mine.id]),
    ).rejects.toThrow(/inside an organisation/);
    await expect(
      inTenant(db(), t.orgA.id, (tx) =>
        tx.query("update audit_log set after = '{}' where entity_id = $1", [bystander.id]),
      ),
    ).rejects.toThrow(/permission denied/);
  });
});

describe('on PostgreSQL (the API tests above run on PGlite)', () => {
  it('migrates; keys, triggers and row-level security hold; deleting a user unlinks their driver', async () => {
    const database = await freshPostgresDatabase();
    let pg: SqlDatabase | undefined;
    try {
      pg = await openDatabase({ url: database.url, maxConnections: 2 });
      await migrate(pg);
      const registry = new DeviceRegistry(pg);
      const a = await registry.ensureOrganisation('drivers-a');
      const b = await registry.ensureOrganisation('drivers-b');
      const userId = (
        await inTenant(pg, a.id, (tx) =>
          tx.query<{ id: string }>(
            "insert into users (org_id, email, name, role, password_hash) values ($1, 'u@a.test', 'U', 'viewer', 'x') returning id::text as id",
            [a.id],
          ),
        )
      )[0]?.id as string;
      const drivers = new Drivers(pg, a.id);
      const driver = await drivers.create(
        newDriverSchema.parse({ name: 'Ville', phone: '+358401234567', userId, driverCardId: 'ab' }),
      );
      expect(await drivers.get(driver.id)).toEqual(driver);
      const van = (
        await inTenant(pg, a.id, (tx) =>
          tx.query<{ id: string }>(
            "insert into assets (org_id, kind, name) values ($1, 'vehicle', 'Van') returning id::text as id",
            [a.id],
          ),
        )
      )[0]?.id as string;
      const assignments = new DriverAssignments(pg, a.id);
      const first = await assignments.assignNow(van, driver.id);
      expect(first.created).toBe(true);
      expect((await assignments.assignNow(van, driver.id)).created).toBe(false);
      await expect(
        assignments.create(driver.id, { vehicleId: van, startsAt: undefined, endsAt: null }),
      ).rejects.toMatchObject({ code: 'conflict' });
      // Another organisation sees nothing, and cannot write into this one.
      expect(await new Drivers(pg, b.id).get(driver.id)).toBeUndefined();
      await expect(new DriverAssignments(pg, b.id).currentOfVehicle(van)).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(
        inTenant(pg, b.id, (tx) =>
          tx.query("insert into drivers (org_id, name) values ($1, 'sneaky')", [a.id]),
        ),
      ).rejects.toThrow(/row-level security/);
      // A deleted user account leaves the driver, unlinked (the key's ON DELETE SET NULL (user_id)).
      await inTenant(pg, a.id, (tx) => tx.query('delete from users where id = $1', [userId]));
      expect((await drivers.get(driver.id))?.userId).toBeNull();
      const erased = await drivers.erase(driver.id);
      expect(erased).toMatchObject({ phone: null, driverCardId: null, status: 'inactive' });
      const log = JSON.stringify(
        await pg.query("select before, after from audit_log where entity = 'driver'"),
      );
      expect(log).not.toContain('+358401234567');
      expect(log).not.toContain('Ville');
      expect(normalisePhone('+358 40 123 4567')).toEqual({ ok: true, e164: '+358401234567' });
    } finally {
      await pg?.close();
      await database.drop();
    }
  });
});
