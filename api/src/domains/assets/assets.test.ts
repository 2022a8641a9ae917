// Vehicles and equipment items through the real API and database: created, read, listed with
// filters, sorts and pages, changed and retired; garbage refused with the field named and
// nothing written; generated bodies never a 5xx; the role table; and another organisation's
// ids answer 404 on every asset route exactly like ids that exist nowhere.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import { vinCheckDigit } from './identifiers.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface Vehicle {
  id: string;
  kind: 'vehicle';
  name: string;
  status: string;
  plate: string | null;
  vin: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  fuelType: string | null;
  tankCapacityL: number | null;
  odometerOffsetKm: number;
  engineHoursOffset: number;
  departmentId: string | null;
  homePlaceId: string | null;
  notes: string | null;
  deviceIds: string[];
  createdAt: string;
  updatedAt: string;
  retiredAt: string | null;
}
interface EquipmentItem {
  id: string;
  kind: 'equipment';
  name: string;
  category: string;
  serialNumber: string | null;
  replacementValue: number | null;
  currency: string;
  status: string;
  departmentId: string | null;
  homePlaceId: string | null;
  retiredAt: string | null;
}
interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

const admin = () => t.orgA.users.admin.token;
const manager = () => t.orgA.users.fleet_manager.token;

let plates = 0;
/** A plate no other test of this file uses. */
const nextPlate = () => `TST-${String(++plates).padStart(3, '0')}`;
/** A North American VIN with a valid check digit, different for each n. */
function vinFor(n: number): string {
  const draft = `1FT${String(n).padStart(5, '0')}0JK${String(n).padStart(6, '0')}`;
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}

async function post<T>(path: string, body: unknown, token = manager()) {
  return t.request<T & ErrorReply>('POST', path, { token, body });
}
async function created<T>(path: string, body: unknown, token = manager()): Promise<T> {
  const res = await post<T>(path, body, token);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
  return res.body;
}
async function get<T>(path: string, token = t.orgA.users.viewer.token) {
  const res = await t.request<T>('GET', path, { token });
  expect(res.status, `${path}: ${res.text.slice(0, 300)}`).toBe(200);
  return res.body;
}
async function department(name: string, parentId: string | null = null, token = admin()): Promise<string> {
  return (await created<{ id: string }>('/api/v1/departments', { name, parentId }, token)).id;
}
async function place(name: string, token = admin()): Promise<string> {
  return (
    await created<{ id: string }>(
      '/api/v1/places',
      {
        name,
        category: 'depot',
        geometry: { type: 'circle', center: { lat: 60.17, lon: 24.94 }, radiusM: 100 },
      },
      token,
    )
  ).id;
}
async function countAssets(orgId = t.orgA.id): Promise<number> {
  const rows = await t.platform.db.query<{ n: number | string }>(
    'select count(*) as n from assets where org_id = $1',
    [orgId],
  );
  return Number(rows[0]?.n);
}

describe('vehicles', () => {
  it('are created with every field, read back, changed, and retired with their history kept', async () => {
    const depot = await place('Depot Vallila');
    const lighting = await department('Lighting');
    const vin = vinFor(1);
    const van = await created<Vehicle>('/api/v1/vehicles', {
      name: '  Van 12  ',
      plate: ' abc-123 ',
      vin: vin.toLowerCase(),
      make: 'Ford',
      model: 'Transit',
      year: 2021,
      fuelType: 'diesel',
      tankCapacityL: 80,
      odometerOffsetKm: 15230.5,
      engineHoursOffset: -12,
      departmentId: lighting,
      homePlaceId: depot,
      notes: 'tail lift',
    });
    expect(van).toMatchObject({
      kind: 'vehicle',
      name: 'Van 12',
      plate: 'ABC-123',
      vin,
      make: 'Ford',
      model: 'Transit',
      year: 2021,
      fuelType: 'diesel',
      tankCapacityL: 80,
      odometerOffsetKm: 15230.5,
      engineHoursOffset: -12,
      departmentId: lighting,
      homePlaceId: depot,
      notes: 'tail lift',
      status: 'active',
      deviceIds: [],
      retiredAt: null,
    });
    expect(await get<Vehicle>(`/api/v1/vehicles/${van.id}`)).toEqual(van);
    // Only the name is needed; "" clears like null.
    const bare = await created<Vehicle>('/api/v1/vehicles', {
      name: 'Trailer hitch van',
      make: '',
      notes: '',
    });
    expect(bare).toMatchObject({
      plate: null,
      vin: null,
      make: null,
      notes: null,
      odometerOffsetKm: 0,
      status: 'active',
    });

    const patched = await t.request<Vehicle>('PATCH', `/api/v1/vehicles/${van.id}`, {
      token: manager(),
      body: { status: 'in_workshop', plate: 'xyz 999', notes: null, homePlaceId: null },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      status: 'in_workshop',
      plate: 'XYZ 999',
      notes: null,
      homePlaceId: null,
    });
    expect(patched.body.make).toBe('Ford');
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(van.updatedAt));

    const retired = await t.request<Vehicle>('DELETE', `/api/v1/vehicles/${van.id}`, { token: manager() });
    expect(retired.status).toBe(200);
    expect(retired.body.status).toBe('retired');
    expect(retired.body.retiredAt).not.toBeNull();
    // Still there: read, listed with status=retired, gone from the default list.
    expect((await get<Vehicle>(`/api/v1/vehicles/${van.id}`)).status).toBe('retired');
    expect((await get<Page<Vehicle>>('/api/v1/vehicles?status=retired')).items.map((v) => v.id)).toContain(
      van.id,
    );
    expect((await get<Page<Vehicle>>('/api/v1/vehicles?limit=500')).items.map((v) => v.id)).not.toContain(
      van.id,
    );
    // Retiring again keeps the first date; a status brings it back.
    const again = await t.request<Vehicle>('DELETE', `/api/v1/vehicles/${van.id}`, { token: manager() });
    expect(again.body.retiredAt).toBe(retired.body.retiredAt);
    const back = await t.request<Vehicle>('PATCH', `/api/v1/vehicles/${van.id}`, {
      token: manager(),
      body: { status: 'active' },
    });
    expect(back.body).toMatchObject({ status: 'active', retiredAt: null });
    // Every change is in the audit log, by this user.
    const audit = await t.platform.db.query<{ action: string; actor_id: string }>(
      `select action, actor_id::text as actor_id from audit_log where entity = 'asset' and entity_id = $1 order by id`,
      [van.id],
    );
    expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'update', 'update']);
    expect(audit.every((a) => a.actor_id === t.orgA.users.fleet_manager.id)).toBe(true);
  });

  it('carry their own speed limit and offline time for the rules, stored for the engine to read', async () => {
    const van = await created<Vehicle & { speedLimitKmh: number | null; offlineAfterS: number | null }>(
      '/api/v1/vehicles',
      { name: 'Slow van', speedLimitKmh: 80.5, offlineAfterS: 3600 },
    );
    expect(van).toMatchObject({ speedLimitKmh: 80.5, offlineAfterS: 3600 });
    const bare = await created<Vehicle>('/api/v1/vehicles', { name: 'Any van' });
    expect(bare).toMatchObject({ speedLimitKmh: null, offlineAfterS: null });
    const patched = await t.request<Vehicle>('PATCH', `/api/v1/vehicles/${van.id}`, {
      token: manager(),
      body: { speedLimitKmh: null, offlineAfterS: 60 },
    });
    expect(patched.body).toMatchObject({ speedLimitKmh: null, offlineAfterS: 60, name: 'Slow van' });
    const kit = await created<EquipmentItem>('/api/v1/equipment', {
      name: 'Tagged kit',
      category: 'kit',
      offlineAfterS: 86_400,
    });
    expect(kit).toMatchObject({ offlineAfterS: 86_400 });
    expect(kit).not.toHaveProperty('speedLimitKmh');
    const rows = await t.platform.db.query<{
      speed_limit_kmh: number | null;
      offline_after_s: number | null;
    }>('select speed_limit_kmh, offline_after_s from assets where id = any($1::uuid[]) order by name', [
      [van.id, kit.id],
    ]);
    expect(rows).toEqual([
      { speed_limit_kmh: null, offline_after_s: 60 },
      { speed_limit_kmh: null, offline_after_s: 86_400 },
    ]);
  });

  it('list by department (with sub-departments), status, home place and part of name, plate or VIN', async () => {
    const tag = `flt${randomUUID().slice(0, 4)}`;
    const production = await department(`Production ${tag}`);
    const grip = await department(`Grip ${tag}`, production);
    const office = await department(`Office ${tag}`);
    const yard = await place(`Yard ${tag}`);
    const a = await created<Vehicle>('/api/v1/vehicles', {
      name: `${tag} Alpha`,
      plate: 'QPL-101',
      departmentId: production,
      homePlaceId: yard,
    });
    const b = await created<Vehicle>('/api/v1/vehicles', {
      name: `${tag} Bravo`,
      plate: 'QPL-102',
      vin: vinFor(2),
      departmentId: grip,
      status: 'in_workshop',
    });
    const c = await created<Vehicle>('/api/v1/vehicles', { name: `${tag} Charlie`, departmentId: office });
    const ids = async (query: string) =>
      (await get<Page<Vehicle>>(`/api/v1/vehicles?q=${tag}&${query}`)).items.map((v) => v.id);
    expect(await ids(`departmentId=${production}`)).toEqual([a.id, b.id]);
    expect(await ids(`departmentId=${grip}`)).toEqual([b.id]);
    expect(await ids(`departmentId=${office}`)).toEqual([c.id]);
    expect(await ids(`departmentId=${randomUUID()}`)).toEqual([]);
    expect(await ids('status=in_workshop')).toEqual([b.id]);
    expect(await ids('status=active')).toEqual([a.id, c.id]);
    expect(await ids(`homePlaceId=${yard}`)).toEqual([a.id]);
    // q alone: the plate however it is written, the VIN in part, the name in any case.
    const q = async (text: string) =>
      (await get<Page<Vehicle>>(`/api/v1/vehicles?q=${encodeURIComponent(text)}`)).items.map((v) => v.id);
    expect(await q('qpl 102')).toEqual([b.id]);
    expect(await q('qpl102')).toEqual([b.id]);
    expect(await q(vinFor(2).slice(5, 12).toLowerCase())).toEqual([b.id]);
    expect(await q(`${tag} CHAR`)).toEqual([c.id]);
    expect(await q("x' or '1'='1")).toEqual([]);
    expect(await q('100%')).toEqual([]);
  });

  it('sort by name, plate, year, createdAt and updatedAt either way, and page with the total', async () => {
    const tag = `srt${randomUUID().slice(0, 4)}`;
    const made: Vehicle[] = [];
    for (const [name, plate, year] of [
      ['bravo', 'SRT-3', 2019],
      ['Alpha', 'SRT-1', 2023],
      ['charlie', null, null],
      ['Delta', 'SRT-2', 2015],
    ] as const)
      made.push(await created<Vehicle>('/api/v1/vehicles', { name: `${tag} ${name}`, plate, year }));
    const [bravo, alpha, charlie, delta] = made as [Vehicle, Vehicle, Vehicle, Vehicle];
    // Touch bravo last, so updatedAt differs from createdAt's order.
    await t.request('PATCH', `/api/v1/vehicles/${bravo.id}`, {
      token: manager(),
      body: { notes: 'touched' },
    });
    const order = async (query: string) =>
      (await get<Page<Vehicle>>(`/api/v1/vehicles?q=${tag}&${query}`)).items.map((v) => v.id);
    expect(await order('sort=name')).toEqual([alpha.id, bravo.id, charlie.id, delta.id]);
    expect(await order('sort=name&order=desc')).toEqual([delta.id, charlie.id, bravo.id, alpha.id]);
    // Missing values last, whichever way.
    expect(await order('sort=plate')).toEqual([alpha.id, delta.id, bravo.id, charlie.id]);
    expect(await order('sort=plate&order=desc')).toEqual([bravo.id, delta.id, alpha.id, charlie.id]);
    expect(await order('sort=year')).toEqual([delta.id, bravo.id, alpha.id, charlie.id]);
    expect(await order('sort=year&order=desc')).toEqual([alpha.id, bravo.id, delta.id, charlie.id]);
    expect(await order('sort=createdAt')).toEqual(made.map((v) => v.id));
    expect(await order('sort=createdAt&order=desc')).toEqual(made.map((v) => v.id).reverse());
    expect((await order('sort=updatedAt&order=desc'))[0]).toBe(bravo.id);
    const first = await get<Page<Vehicle>>(`/api/v1/vehicles?q=${tag}&limit=3`);
    expect(first).toMatchObject({ total: 4, limit: 3, offset: 0 });
    expect(first.items).toHaveLength(3);
    const rest = await get<Page<Vehicle>>(`/api/v1/vehicles?q=${tag}&limit=3&offset=3`);
    expect(rest.items.map((v) => v.id)).toEqual([delta.id]);
    expect((await get<Page<Vehicle>>(`/api/v1/vehicles?q=${tag}&offset=10`)).items).toEqual([]);
  });
});

describe('equipment', () => {
  it('items are created, listed by category, sorted, changed and retired (or lost)', async () => {
    const tag = `eq${randomUUID().slice(0, 4)}`;
    const kit = await created<EquipmentItem>('/api/v1/equipment', {
      name: `${tag} ARRI kit 1`,
      category: '  camera   kit ',
      serialNumber: 'SN-001',
      replacementValue: 12499.9,
      notes: 'two batteries',
    });
    expect(kit).toMatchObject({
      kind: 'equipment',
      category: 'camera kit',
      serialNumber: 'SN-001',
      replacementValue: 12499.9,
      currency: 'EUR',
      status: 'active',
    });
    const generator = await created<EquipmentItem>('/api/v1/equipment', {
      name: `${tag} Generator`,
      category: 'generator',
      serialNumber: 'SN-001',
      replacementValue: 0,
    });
    expect(generator.replacementValue).toBe(0);
    const trailer = await created<EquipmentItem>('/api/v1/equipment', {
      name: `${tag} Trailer`,
      category: 'trailer',
    });
    expect(trailer).toMatchObject({ serialNumber: null, replacementValue: null });
    const ids = async (query: string) =>
      (await get<Page<EquipmentItem>>(`/api/v1/equipment?q=${tag}&${query}`)).items.map((e) => e.id);
    expect(await ids('category=CAMERA%20KIT')).toEqual([kit.id]);
    expect(await ids('sort=replacementValue&order=desc')).toEqual([kit.id, generator.id, trailer.id]);
    expect(await ids('sort=category')).toEqual([kit.id, generator.id, trailer.id]);
    expect(
      (await get<Page<EquipmentItem>>('/api/v1/equipment?q=sn-00')).items.map((e) => e.id).sort(),
    ).toEqual([kit.id, generator.id].sort());
    const lost = await t.request<EquipmentItem>('PATCH', `/api/v1/equipment/${generator.id}`, {
      token: manager(),
      body: { status: 'lost', replacementValue: 1500.25 },
    });
    expect(lost.body).toMatchObject({ status: 'lost', replacementValue: 1500.25 });
    expect(await ids('status=lost')).toEqual([generator.id]);
    // A vehicle's id is no equipment item, and the other way round.
    const van = await created<Vehicle>('/api/v1/vehicles', { name: `${tag} van` });
    expect((await t.request('GET', `/api/v1/equipment/${van.id}`, { token: admin() })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/vehicles/${kit.id}`, { token: admin() })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/vehicles/${kit.id}`, { token: admin() })).status).toBe(404);
    const retired = await t.request<EquipmentItem>('DELETE', `/api/v1/equipment/${trailer.id}`, {
      token: admin(),
    });
    expect(retired.body.status).toBe('retired');
    expect(await ids('')).toEqual([kit.id, generator.id]);
    // The replacement value is in the organisation's currency.
    await t.request('PATCH', '/api/v1/organisation', { token: admin(), body: { currency: 'SEK' } });
    expect((await get<EquipmentItem>(`/api/v1/equipment/${kit.id}`)).currency).toBe('SEK');
    await t.request('PATCH', '/api/v1/organisation', { token: admin(), body: { currency: 'EUR' } });
  });

  it('serial numbers are unique per category: the same one in the same category is 409', async () => {
    const body = { name: 'Lamp', category: 'light', serialNumber: 'L-77' };
    expect((await post('/api/v1/equipment', body)).status).toBe(201);
    const before = await countAssets();
    const dup = await post('/api/v1/equipment', { ...body, name: 'Other lamp' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details?.[0]?.path).toBe('body.serialNumber');
    expect(await countAssets()).toBe(before);
    expect((await post('/api/v1/equipment', { ...body, category: 'cable' })).status).toBe(201);
    // Another organisation may have the same.
    expect((await post('/api/v1/equipment', body, t.orgB.users.admin.token)).status).toBe(201);
  });
});

describe('bad input', () => {
  it('is refused with 400 and the field named, and nothing is written', async () => {
    const otherPlace = await place(`Theirs ${randomUUID().slice(0, 4)}`, t.orgB.users.admin.token);
    const otherDepartment = await department(
      `Theirs ${randomUUID().slice(0, 4)}`,
      null,
      t.orgB.users.admin.token,
    );
    const good = { name: 'Fine van' };
    const badDigit = `${vinFor(3).slice(0, 8)}${vinFor(3)[8] === '5' ? '6' : '5'}${vinFor(3).slice(9)}`;
    const vehicleCases: [unknown, string, RegExp][] = [
      [{ ...good, name: 42 }, 'body.name', /text/],
      [{ ...good, name: '  ' }, 'body.name', /1\.\.100/],
      [{ ...good, name: 'x'.repeat(101) }, 'body.name', /1\.\.100/],
      [{}, 'body.name', /text/],
      [{ ...good, plate: 12 }, 'body.plate', /text/],
      [{ ...good, plate: 'A'.repeat(21) }, 'body.plate', /1\.\.20/],
      [{ ...good, plate: 'A'.repeat(5000) }, 'body.plate', /1\.\.20/],
      [{ ...good, plate: 'AB_12' }, 'body.plate', /letters and digits/],
      [{ ...good, vin: badDigit }, 'body.vin', new RegExp(`should be ${vinFor(3)[8]}, not`)],
      [{ ...good, vin: '1M8GDM9AXKP04278' }, 'body.vin', /17 characters/],
      [{ ...good, vin: '1M8GDM9AXKP04278O' }, 'body.vin', /I, O or Q/],
      [{ ...good, year: 1850 }, 'body.year', /1900 or later/],
      [{ ...good, year: 2020.5 }, 'body.year', /whole number/],
      [{ ...good, year: new Date().getUTCFullYear() + 5 }, 'body.year', /two years ahead/],
      [{ ...good, year: '2020' }, 'body.year', /number/],
      [{ ...good, fuelType: 'coal' }, 'body.fuelType', /one of petrol, diesel/],
      [{ ...good, tankCapacityL: 0 }, 'body.tankCapacityL', /more than 0/],
      [{ ...good, tankCapacityL: 1e6 }, 'body.tankCapacityL', /at most 5000/],
      [{ ...good, odometerOffsetKm: 1e9 }, 'body.odometerOffsetKm', /±10000000/],
      [{ ...good, odometerOffsetKm: null }, 'body.odometerOffsetKm', /number/],
      [{ ...good, engineHoursOffset: 'ten' }, 'body.engineHoursOffset', /number/],
      [{ ...good, status: 'lost' }, 'body.status', /one of active, in_workshop, retired/],
      [{ ...good, departmentId: 'sales' }, 'body.departmentId', /uuid/],
      [{ ...good, departmentId: randomUUID() }, 'body.departmentId', /no such department/],
      [{ ...good, departmentId: otherDepartment }, 'body.departmentId', /no such department/],
      [{ ...good, homePlaceId: randomUUID() }, 'body.homePlaceId', /no such place/],
      [{ ...good, homePlaceId: otherPlace }, 'body.homePlaceId', /no such place/],
      [{ ...good, notes: 'x'.repeat(2001) }, 'body.notes', /at most 2000/],
      [{ ...good, make: 'x'.repeat(61) }, 'body.make', /at most 60/],
      [{ ...good, orgId: t.orgB.id }, 'body', /orgId/],
      [{ ...good, kind: 'equipment' }, 'body', /kind/],
      [{ ...good, category: 'trailer' }, 'body', /category/],
      [{ ...good, speedLimitKmh: 4 }, 'body.speedLimitKmh', /5\.\.300 km\/h/],
      [{ ...good, speedLimitKmh: 301 }, 'body.speedLimitKmh', /5\.\.300 km\/h/],
      [{ ...good, speedLimitKmh: '80' }, 'body.speedLimitKmh', /number of km\/h/],
      [{ ...good, offlineAfterS: 59 }, 'body.offlineAfterS', /60\.\.2592000 seconds/],
      [{ ...good, offlineAfterS: 2_592_001 }, 'body.offlineAfterS', /60\.\.2592000 seconds/],
      [{ ...good, offlineAfterS: 90.5 }, 'body.offlineAfterS', /whole seconds/],
      [{ ...good, name: 'nul\u0000van' }, 'body.name', /NUL/],
      [{ ...good, notes: 'a\u0000' }, 'body.notes', /NUL/],
    ];
    const equipmentCases: [unknown, string, RegExp][] = [
      [{ name: 'Kit' }, 'body.category', /text/],
      [{ name: 'Kit', category: '' }, 'body.category', /1\.\.60/],
      [{ name: 'Kit', category: 'kit', replacementValue: -1 }, 'body.replacementValue', /0 or more/],
      [{ name: 'Kit', category: 'kit', replacementValue: 10.005 }, 'body.replacementValue', /two decimals/],
      [{ name: 'Kit', category: 'kit', replacementValue: 1e13 }, 'body.replacementValue', /at most/],
      [{ name: 'Kit', category: 'kit', replacementValue: '12.50' }, 'body.replacementValue', /number/],
      [{ name: 'Kit', category: 'kit', serialNumber: 'x'.repeat(101) }, 'body.serialNumber', /at most 100/],
      [{ name: 'Kit', category: 'kit', plate: 'ABC-1' }, 'body', /plate/],
      [{ name: 'Kit', category: 'kit', status: 'stolen' }, 'body.status', /lost/],
      [{ name: 'Kit', category: 'kit', offlineAfterS: 10 }, 'body.offlineAfterS', /60\.\.2592000/],
      [{ name: 'Kit', category: 'kit', speedLimitKmh: 50 }, 'body', /speedLimitKmh/],
    ];
    const before = await countAssets();
    for (const [path, cases] of [
      ['/api/v1/vehicles', vehicleCases],
      ['/api/v1/equipment', equipmentCases],
    ] as const) {
      for (const [body, field, message] of cases) {
        const res = await post(path, body);
        expect(res.status, `${path} ${JSON.stringify(body).slice(0, 120)}: ${res.text.slice(0, 200)}`).toBe(
          400,
        );
        expect(res.body.error.code).toBe('validation_failed');
        const detail = res.body.error.details?.find((d) => d.path === field);
        expect(detail?.message, `${field} in ${JSON.stringify(res.body.error.details)}`).toMatch(message);
      }
    }
    // PATCH the same way, and an empty change.
    const van = await created<Vehicle>('/api/v1/vehicles', { name: 'Patch target', plate: nextPlate() });
    const afterOne = await countAssets();
    for (const [body, field, message] of vehicleCases.filter(
      ([b]) => (b as { name?: unknown }).name !== undefined,
    )) {
      const res = await t.request<ErrorReply>('PATCH', `/api/v1/vehicles/${van.id}`, {
        token: manager(),
        body,
      });
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.body.error.details?.find((d) => d.path === field)?.message).toMatch(message);
    }
    const empty = await t.request<ErrorReply>('PATCH', `/api/v1/vehicles/${van.id}`, {
      token: manager(),
      body: {},
    });
    expect(empty.body.error.message).toMatch(/nothing to change/);
    expect(await countAssets()).toBe(afterOne);
    expect(afterOne).toBe(before + 1);
    expect(await get<Vehicle>(`/api/v1/vehicles/${van.id}`)).toMatchObject({
      name: 'Patch target',
      notes: null,
    });
    // Not JSON, not sent as JSON.
    const raw = (rawBody: string, type: string) =>
      t.request<ErrorReply>('POST', '/api/v1/vehicles', {
        token: manager(),
        rawBody,
        headers: { 'content-type': type },
      });
    expect((await raw('{"name": ', 'application/json')).body.error.code).toBe('malformed_json');
    expect((await raw('{"name":"x"}', 'text/plain')).status).toBe(415);
    expect(await countAssets()).toBe(afterOne);
  });

  it('a duplicate plate (however written) or VIN is 409 naming the field; other organisations may reuse them', async () => {
    const vin = vinFor(4);
    const first = await created<Vehicle>('/api/v1/vehicles', { name: 'Original', plate: 'DUP-100', vin });
    const before = await countAssets();
    for (const again of ['DUP-100', 'dup 100', ' Dup100 ', 'D-U-P-1-0-0']) {
      const res = await post('/api/v1/vehicles', { name: 'Copy', plate: again });
      expect(res.status, again).toBe(409);
      expect(res.body.error.code).toBe('conflict');
      expect(res.body.error.details?.[0]?.path).toBe('body.plate');
    }
    const sameVin = await post('/api/v1/vehicles', {
      name: 'Copy',
      plate: nextPlate(),
      vin: vin.toLowerCase(),
    });
    expect(sameVin.status).toBe(409);
    expect(sameVin.body.error.details?.[0]?.path).toBe('body.vin');
    // Renaming another vehicle to the plate is refused the same way.
    const other = await created<Vehicle>('/api/v1/vehicles', { name: 'Other', plate: nextPlate() });
    const taken = await t.request<ErrorReply>('PATCH', `/api/v1/vehicles/${other.id}`, {
      token: manager(),
      body: { plate: 'dup-100' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details?.[0]?.path).toBe('body.plate');
    expect(await countAssets()).toBe(before + 1);
    expect((await get<Vehicle>(`/api/v1/vehicles/${other.id}`)).plate).not.toBe('DUP-100');
    expect(
      (await post('/api/v1/vehicles', { name: 'Theirs', plate: 'DUP-100', vin }, t.orgB.users.admin.token))
        .status,
    ).toBe(201);
    expect((await get<Vehicle>(`/api/v1/vehicles/${first.id}`)).plate).toBe('DUP-100');
  });

  it('bad queries and ids are 400', async () => {
    for (const query of [
      'sort=color',
      'order=up',
      'status=lost',
      'limit=0',
      'limit=501',
      'offset=-1',
      'departmentId=sales',
      'homePlaceId=1',
      `q=${'x'.repeat(101)}`,
      'colour=red',
    ]) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/vehicles?${query}`, { token: admin() });
      expect(res.status, query).toBe(400);
      expect(res.body.error.details?.[0]?.path, query).toMatch(/^query/);
    }
    expect((await t.request('GET', '/api/v1/equipment?sort=plate', { token: admin() })).status).toBe(400);
    expect((await t.request('GET', '/api/v1/equipment?status=lost', { token: admin() })).status).toBe(200);
    for (const path of ['/api/v1/vehicles/42', '/api/v1/equipment/x', '/api/v1/assets/nope/installations'])
      expect((await t.request('GET', path, { token: admin() })).status, path).toBe(400);
  });

  it('generated bodies never give a 5xx: 201, 200, 400 or 409 only', async () => {
    const { seed, runs } = fuzzParameters('asset API bodies', 120);
    const van = await created<Vehicle>('/api/v1/vehicles', { name: 'Fuzz target', plate: nextPlate() });
    const odd = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.string({ maxLength: 30 }),
      fc.constant(null),
      fc.boolean(),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const text = (max: number) =>
      fc.oneof(fc.string({ maxLength: max }), fc.string({ unit: 'binary', maxLength: 25 }), odd);
    const vehicle = fc.record(
      {
        name: text(110),
        plate: fc.oneof(fc.stringMatching(/^[A-Za-z0-9 -]{0,22}$/), odd),
        vin: fc.oneof(fc.stringMatching(/^[A-Z0-9]{15,18}$/), fc.constant(vinFor(5)), odd),
        make: text(70),
        year: fc.oneof(fc.integer({ min: 1800, max: 2200 }), odd),
        fuelType: fc.oneof(fc.constantFrom('diesel', 'electric', 'steam'), odd),
        tankCapacityL: fc.oneof(fc.double({ min: -10, max: 6000 }), odd),
        odometerOffsetKm: fc.oneof(fc.double(), odd),
        departmentId: fc.oneof(fc.uuid(), odd),
        homePlaceId: fc.oneof(fc.uuid(), odd),
        status: fc.oneof(fc.constantFrom('active', 'in_workshop', 'retired', 'lost'), odd),
        notes: text(2100),
        extra: odd,
      },
      { requiredKeys: [] },
    );
    const equipment = fc.record(
      {
        name: text(110),
        category: text(70),
        serialNumber: text(110),
        replacementValue: fc.oneof(
          fc.double({ min: -5, max: 1e13 }),
          fc.integer({ min: 0, max: 1e6 }).map((c) => c / 100),
          odd,
        ),
        status: fc.oneof(fc.constantFrom('active', 'lost'), odd),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          vehicle.map((b) => ['POST', '/api/v1/vehicles', b] as const),
          vehicle.map((b) => ['PATCH', `/api/v1/vehicles/${van.id}`, b] as const),
          equipment.map((b) => ['POST', '/api/v1/equipment', b] as const),
          fc.jsonValue().map((b) => ['POST', '/api/v1/equipment', b] as const),
        ),
        async ([method, path, body]) => {
          const res = await t.request<ErrorReply>(method, path, { token: manager(), body });
          expect(
            [200, 201, 400, 409],
            `${method} ${JSON.stringify(body).slice(0, 200)}: ${res.text.slice(0, 300)}`,
          ).toContain(res.status);
          if (res.status >= 400) expect(res.body.error.code).toMatch(/^(validation_failed|conflict)$/);
        },
      ),
      { seed, numRuns: runs },
    );
  });
});

describe('roles and organisations', () => {
  it('everyone reads; only admins and fleet managers add, change, retire and install (403 otherwise)', async () => {
    const van = await created<Vehicle>('/api/v1/vehicles', { name: 'Role van', plate: nextPlate() });
    const device = await t.orgA.provision();
    for (const role of ['viewer', 'mechanic', 'dispatcher'] as const) {
      const token = t.orgA.users[role].token;
      expect((await t.request('GET', '/api/v1/vehicles', { token })).status, role).toBe(200);
      expect((await t.request('GET', `/api/v1/vehicles/${van.id}`, { token })).status, role).toBe(200);
      expect((await t.request('GET', '/api/v1/equipment', { token })).status, role).toBe(200);
      expect((await t.request('GET', `/api/v1/assets/${van.id}/installations`, { token })).status, role).toBe(
        200,
      );
      expect((await post('/api/v1/vehicles', { name: `by ${role}` }, token)).status, role).toBe(403);
      expect(
        (await post('/api/v1/equipment', { name: `by ${role}`, category: 'kit' }, token)).status,
        role,
      ).toBe(403);
      expect(
        (await t.request('PATCH', `/api/v1/vehicles/${van.id}`, { token, body: { name: role } })).status,
        role,
      ).toBe(403);
      expect((await t.request('DELETE', `/api/v1/vehicles/${van.id}`, { token })).status, role).toBe(403);
      expect(
        (await post(`/api/v1/assets/${van.id}/installations`, { deviceId: device.id }, token)).status,
        role,
      ).toBe(403);
    }
    expect((await get<Vehicle>(`/api/v1/vehicles/${van.id}`)).name).toBe('Role van');
    for (const role of ['admin', 'fleet_manager'] as const) {
      const token = t.orgA.users[role].token;
      const made = await post<Vehicle>('/api/v1/vehicles', { name: `by ${role}` }, token);
      expect(made.status, role).toBe(201);
      expect(
        (await t.request('PATCH', `/api/v1/vehicles/${made.body.id}`, { token, body: { notes: role } }))
          .status,
      ).toBe(200);
      expect((await t.request('DELETE', `/api/v1/vehicles/${made.body.id}`, { token })).status).toBe(200);
    }
    expect((await t.request('GET', '/api/v1/vehicles')).status).toBe(401);
  });

  it("another organisation's ids are 404 on every asset route, exactly like ids that exist nowhere", async () => {
    const theirToken = t.orgB.users.admin.token;
    const theirVan = await created<Vehicle>(
      '/api/v1/vehicles',
      { name: 'Their van', plate: 'THEIR-1' },
      theirToken,
    );
    const theirKit = await created<EquipmentItem>(
      '/api/v1/equipment',
      { name: 'Their kit', category: 'kit' },
      theirToken,
    );
    const theirDevice = await t.orgB.provision();
    const installed = await created<{ id: string }>(
      `/api/v1/assets/${theirVan.id}/installations`,
      { deviceId: theirDevice.id },
      theirToken,
    );
    const token = admin();
    const myDevice = await t.orgA.provision();
    const range = `from=${Date.now() - 3_600_000}&to=${Date.now()}`;
    const routes = (asset: string, kit: string, installation: string) =>
      [
        ['GET', `/api/v1/vehicles/${asset}`, undefined],
        ['PATCH', `/api/v1/vehicles/${asset}`, { name: 'mine now' }],
        ['PATCH', `/api/v1/vehicles/${asset}`, { status: 'retired' }],
        ['DELETE', `/api/v1/vehicles/${asset}`, undefined],
        ['GET', `/api/v1/equipment/${kit}`, undefined],
        ['PATCH', `/api/v1/equipment/${kit}`, { replacementValue: 1 }],
        ['DELETE', `/api/v1/equipment/${kit}`, undefined],
        ['GET', `/api/v1/assets/${asset}/installations`, undefined],
        ['POST', `/api/v1/assets/${asset}/installations`, { deviceId: myDevice.id }],
        ['POST', `/api/v1/assets/${kit}/installations`, { deviceId: myDevice.id }],
        ['POST', `/api/v1/installations/${installation}/end`, {}],
        ['GET', `/api/v1/assets/${asset}/track?${range}`, undefined],
        ['GET', `/api/v1/assets/${asset}/track?${range}&format=geojson`, undefined],
        ['GET', `/api/v1/assets/${asset}/telemetry?${range}&fields=speedKmh`, undefined],
        ['GET', `/api/v1/assets/${asset}/events?${range}`, undefined],
        ['GET', `/api/v1/assets/${asset}/latest`, undefined],
      ] as const;
    const theirs = routes(theirVan.id, theirKit.id, installed.id);
    const nowhere = routes(randomUUID(), randomUUID(), randomUUID());
    for (let i = 0; i < theirs.length; i++) {
      const [method, path, body] = theirs[i] as (typeof theirs)[number];
      const [, nowherePath] = nowhere[i] as (typeof nowhere)[number];
      const options = { token, ...(body === undefined ? {} : { body }) };
      const a = await t.request<ErrorReply>(method, path, options);
      const b = await t.request<ErrorReply>(method, nowherePath, options);
      expect(a.status, `${method} ${path}: ${a.text}`).toBe(404);
      expect(a.body, `${method} ${path}`).toEqual(b.body);
    }
    // Their device in my body is "no such device", as a made-up one; its history is not mine.
    const mine = await created<Vehicle>('/api/v1/vehicles', { name: 'My van', plate: nextPlate() });
    const withTheirs = await post(`/api/v1/assets/${mine.id}/installations`, { deviceId: theirDevice.id });
    const withNone = await post(`/api/v1/assets/${mine.id}/installations`, { deviceId: 'no-such-device' });
    expect(withTheirs.status).toBe(400);
    expect(withTheirs.body).toEqual(withNone.body);
    expect(withTheirs.body.error.details?.[0]).toEqual({
      path: 'body.deviceId',
      message: 'no such device in your organisation',
    });
    const theirHistory = await t.request<ErrorReply>(
      'GET',
      `/api/v1/devices/${theirDevice.id}/installations`,
      { token },
    );
    expect(theirHistory.status).toBe(404);
    expect(theirHistory.body).toEqual(
      (await t.request('GET', '/api/v1/devices/no-such-device/installations', { token })).body,
    );
    // Not in my lists; untouched for them.
    expect((await get<Page<Vehicle>>('/api/v1/vehicles?q=THEIR-1')).total).toBe(0);
    expect((await get<Page<EquipmentItem>>('/api/v1/equipment?q=Their')).total).toBe(0);
    expect(await get<Vehicle>(`/api/v1/vehicles/${theirVan.id}`, t.orgB.users.viewer.token)).toMatchObject({
      name: 'Their van',
      status: 'active',
      deviceIds: [theirDevice.id],
    });
  });

  it('are in the OpenAPI document', async () => {
    const doc = await t.request<{
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/api/v1/openapi.json');
    const ids = Object.values(doc.body.paths).flatMap((m) => Object.values(m).map((o) => o.operationId));
    for (const id of [
      'listVehicles',
      'getVehicle',
      'createVehicle',
      'updateVehicle',
      'retireVehicle',
      'listEquipment',
      'getEquipmentItem',
      'createEquipmentItem',
      'updateEquipmentItem',
      'retireEquipmentItem',
      'installDevice',
      'endInstallation',
      'listAssetInstallations',
      'listDeviceInstallations',
      'getAssetTrack',
      'getAssetTelemetry',
      'getAssetEvents',
      'getAssetLatest',
      'putVehiclePhoto',
      'getVehiclePhoto',
      'deleteVehiclePhoto',
    ])
      expect(ids, id).toContain(id);
    for (const name of [
      'Vehicle',
      'VehiclePage',
      'NewVehicle',
      'EquipmentItem',
      'Installation',
      'AssetTrack',
      'AssetRef',
    ])
      expect(doc.body.components.schemas, name).toHaveProperty(name);
  });
});
