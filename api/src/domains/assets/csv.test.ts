// Vehicles and equipment items in and out as CSV through the real API and database: a file
// from a Finnish spreadsheet (semicolons, decimal commas, a byte order mark, departments by
// path) imports; an export imports back and updates instead of duplicating; a file with bad rows
// is refused whole with every row and column named and nothing written, not even to the audit
// log; a refused write mid-file (a scoped user's row outside their department) rolls back the
// rows before it; dry runs write nothing; garbage files, generated, never answer 5xx or write.
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../../../test/api-support.ts';
import type { ImportSummary } from '../../csv/routes.ts';
import type { ErrorBody } from '../../http/errors.ts';
import { vinCheckDigit } from './identifiers.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface Vehicle {
  id: string;
  name: string;
  plate: string | null;
  vin: string | null;
  year: number | null;
  fuelType: string | null;
  tankCapacityL: number | null;
  odometerOffsetKm: number;
  departmentId: string | null;
  homePlaceId: string | null;
  status: string;
}

const admin = () => t.orgA.users.admin.token;
const manager = () => t.orgA.users.fleet_manager.token;

/** A North American VIN with a valid check digit, different for each n. */
function vinFor(n: number): string {
  const draft = `1FT${String(n).padStart(5, '0')}0JK${String(n).padStart(6, '0')}`;
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}
/** The same VIN with its check digit wrong. */
const badVin = (n: number) => {
  const vin = vinFor(n);
  return `${vin.slice(0, 8)}${vin[8] === '1' ? '2' : '1'}${vin.slice(9)}`;
};

/** A prefix no other test of the file uses, for plates and names. */
const tag = () => randomUUID().slice(0, 4).toUpperCase();

async function importFile(
  collection: string,
  text: string | Buffer,
  options: { token?: string; dryRun?: boolean; type?: string } = {},
) {
  const res = await fetch(`${t.url}/api/v1/${collection}/import${options.dryRun ? '?dryRun=true' : ''}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.token ?? manager()}`,
      'content-type': options.type ?? 'text/csv; charset=utf-8',
    },
    body: text,
  });
  const body = (await res.json()) as ImportSummary & ErrorBody;
  return { status: res.status, body };
}

async function json<T>(method: string, path: string, body?: unknown, token = admin()): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

async function vehiclesNamed(prefix: string): Promise<Vehicle[]> {
  const page = await json<{ items: Vehicle[] }>(
    'GET',
    `/api/v1/vehicles?q=${encodeURIComponent(prefix)}&limit=500`,
  );
  return page.items.filter((v) => v.name.startsWith(prefix));
}

async function auditCount(): Promise<number> {
  const rows = await t.platform.db.query<{ n: string | number }>('select count(*) as n from audit_log');
  return Number(rows[0]?.n ?? 0);
}

async function exportCsv(collection: string, query = ''): Promise<{ text: string; headers: Headers }> {
  const res = await fetch(`${t.url}/api/v1/${collection}?format=csv${query}`, {
    headers: { authorization: `Bearer ${admin()}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  return { text: await res.text(), headers: res.headers };
}

let production: string;
let lighting: string;
let depot: string;
beforeAll(async () => {
  production = (
    await json<{ id: string }>('POST', '/api/v1/departments', { name: 'CSV Production', parentId: null })
  ).id;
  lighting = (
    await json<{ id: string }>('POST', '/api/v1/departments', { name: 'Lighting', parentId: production })
  ).id;
  depot = (
    await json<{ id: string }>('POST', '/api/v1/places', {
      name: 'CSV depot',
      category: 'depot',
      geometry: { type: 'circle', center: { lat: 60.17, lon: 24.94 }, radiusM: 100 },
    })
  ).id;
});

describe('importing vehicles', () => {
  it('reads a Finnish spreadsheet’s file: semicolons, decimal commas, a BOM, a department by its path', async () => {
    const p = tag();
    const file = [
      '\uFEFFName;Plate;VIN;Make;Model;Year;Fuel type;Tank capacity L;Department;Home place;Status',
      `${p} Van 1;${p}-101;${vinFor(1)};Ford;Transit;2022;Diesel;80,5;CSV Production > Lighting;CSV depot;Active`,
      `${p} Van 2;${p} 102;;Toyota;Proace;2021;diesel;70;Lighting;;In workshop`,
      `"${p} Van 3; the long one";${p}-103;;;;;;;;;`,
    ].join('\r\n');
    const before = await auditCount();
    const res = await importFile('vehicles', file);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ dryRun: false, rows: 3, created: 3, updated: 0 });
    const vans = await vehiclesNamed(p);
    expect(vans.map((v) => v.name).sort()).toEqual([`${p} Van 1`, `${p} Van 2`, `${p} Van 3; the long one`]);
    const first = vans.find((v) => v.name === `${p} Van 1`);
    expect(first).toMatchObject({
      plate: `${p}-101`,
      vin: vinFor(1),
      year: 2022,
      fuelType: 'diesel',
      tankCapacityL: 80.5,
      departmentId: lighting,
      homePlaceId: depot,
      status: 'active',
    });
    expect(vans.find((v) => v.name === `${p} Van 2`)).toMatchObject({
      status: 'in_workshop',
      departmentId: lighting,
    });
    // Every row is in the audit log as an API change would be.
    expect((await auditCount()) - before).toBeGreaterThanOrEqual(3);
  });

  it('takes the rules’ speed limit and offline time, exports them, and a blank cell clears one', async () => {
    const p = tag();
    const file = `name;plate;speed_limit_kmh;offline_after_s\n${p} Slow;${p}-1;80,5;3600\n${p} Any;${p}-2;;\n`;
    expect((await importFile('vehicles', file)).body).toMatchObject({ created: 2 });
    const vans = (await vehiclesNamed(p)) as (Vehicle & {
      speedLimitKmh: number | null;
      offlineAfterS: number | null;
    })[];
    expect(vans.map((v) => [v.name, v.speedLimitKmh, v.offlineAfterS]).sort()).toEqual([
      [`${p} Any`, null, null],
      [`${p} Slow`, 80.5, 3600],
    ]);
    const rows = parse((await exportCsv('vehicles', `&q=${p}`)).text, { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => [r.name, r.speed_limit_kmh, r.offline_after_s]).sort()).toEqual([
      [`${p} Any`, '', ''],
      [`${p} Slow`, '80.5', '3600'],
    ]);
    expect((await importFile('vehicles', `plate,speed_limit_kmh\n${p}-1,\n`)).body).toMatchObject({
      updated: 1,
    });
    const bad = await importFile('vehicles', `plate,offline_after_s\n${p}-1,30\n`);
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toMatch(/offline_after_s/);
    const after = (await vehiclesNamed(p)).find((v) => v.name === `${p} Slow`) as unknown as {
      speedLimitKmh: number | null;
      offlineAfterS: number | null;
    };
    expect(after).toMatchObject({ speedLimitKmh: null, offlineAfterS: 3600 });
  });

  it('exports what imports back: the same file again updates, and a changed cell changes only that', async () => {
    const p = tag();
    await importFile('vehicles', `name,plate,year\n${p} A,${p}-1,2020\n${p} B,${p}-2,2019\n`);
    const exported = await exportCsv('vehicles', `&q=${p}`);
    expect(exported.headers.get('content-disposition')).toMatch(
      /attachment; filename="vehicles-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    expect(exported.headers.get('x-row-count')).toBe('2');
    const rows = parse(exported.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'id',
      'name',
      'plate',
      'vin',
      'make',
      'model',
      'year',
      'fuel_type',
      'tank_capacity_l',
      'odometer_offset_km',
      'engine_hours_offset',
      'speed_limit_kmh',
      'licence_class',
      'offline_after_s',
      'department',
      'home_place',
      'status',
      'notes',
    ]);
    const again = await importFile('vehicles', exported.text);
    expect(again.body).toEqual({ dryRun: false, rows: 2, created: 0, updated: 2 });
    // Matched by plate as people write it: "p 1" is "P-1".
    const changed = await importFile('vehicles', `plate,year\n${p.toLowerCase()} 1,2021\n`);
    expect(changed.body).toEqual({ dryRun: false, rows: 1, created: 0, updated: 1 });
    const vans = await vehiclesNamed(p);
    expect(vans.map((v) => [v.name, v.year]).sort()).toEqual([
      [`${p} A`, 2021],
      [`${p} B`, 2019],
    ]);
  });

  it('refuses a file with bad rows whole, naming every row and column, and writes nothing', async () => {
    const p = tag();
    const taken = `${p}-900`;
    await importFile('vehicles', `name,plate,vin\n${p} existing,${taken},${vinFor(900)}\n`);
    const before = await auditCount();
    const file = [
      'name,plate,vin,year,department,fuel_type',
      `${p} good,${p}-1,,2020,,diesel`,
      `${p} bad vin,${p}-2,${badVin(2)},2020,,`,
      `${p} dup plate,${p.toLowerCase()} 1,,,,`,
      `,${p}-4,,abc,,`,
      `${p} no dept,${p}-5,,,Nowhere,`,
      `${p} vin taken,${p}-6,${vinFor(900)},,,`,
      `${p} fuel,${p}-7,,,,coal`,
      `${p} cells,${p}-8,,,,,surplus`,
    ].join('\n');
    const res = await importFile('vehicles', file);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('import_rejected');
    expect(res.body.error.message).toMatch(/^No vehicles? was imported: \d+ problems in 7 rows\.$/);
    const paths = res.body.error.details?.map((d) => d.path);
    expect(paths).toEqual([
      'row 3.vin',
      'row 4.plate',
      'row 5.name',
      'row 5.year',
      'row 6.department',
      'row 7.vin',
      'row 8.fuel_type',
      'row 9',
    ]);
    const message = (path: string) => res.body.error.details?.find((d) => d.path === path)?.message;
    expect(message('row 3.vin')).toMatch(/check digit/);
    expect(message('row 4.plate')).toBe('the same plate as row 2');
    expect(message('row 6.department')).toBe('no department named "Nowhere" in your organisation');
    expect(message('row 7.vin')).toBe('another vehicle of the organisation has this vin');
    expect(message('row 9')).toMatch(/7 cells and the header 6/);
    expect(await vehiclesNamed(p)).toHaveLength(1);
    expect(await auditCount()).toBe(before);
  });

  it('names unknown and doubled columns, and a new row without a name', async () => {
    const res = await importFile('vehicles', 'plate,colour,Plate\nXYZ-1,red,XYZ-1\n');
    expect(res.status).toBe(422);
    expect(res.body.error.details?.map((d) => d.path)).toEqual(['row 1.colour', 'row 1.plate']);
    expect(res.body.error.details?.[0]?.message).toMatch(
      /^no such column; the columns of a vehicle are: id, name, plate/,
    );
    const nameless = await importFile('vehicles', `plate\n${tag()}-1\n`);
    expect(nameless.status).toBe(422);
    expect(nameless.body.error.details).toEqual([
      {
        path: 'row 2',
        message: expect.stringMatching(/^a new vehicle needs name: the file has no name column/),
      },
    ]);
  });

  it('retires vehicles from a file as DELETE does: their devices come off', async () => {
    const p = tag();
    await importFile('vehicles', `name,plate\n${p} A,${p}-1\n${p} B,${p}-2\n`);
    const [a, b] = await vehiclesNamed(p);
    const device = await t.orgA.provision();
    const installed = await t.request('POST', `/api/v1/assets/${a?.id}/installations`, {
      token: manager(),
      body: { deviceId: device.id },
    });
    expect(installed.status, installed.text).toBe(201);
    const res = await importFile('vehicles', `id,status\n${a?.id},retired\n${b?.id},in workshop\n`);
    expect(res.body).toMatchObject({ created: 0, updated: 2 });
    const history = await json<{ items: { removedAt: string | null }[] }>(
      'GET',
      `/api/v1/assets/${a?.id}/installations`,
    );
    expect(history.items.map((i) => i.removedAt)).toEqual([expect.any(String)]);
    const retired = await json<Vehicle & { retiredAt: string | null }>('GET', `/api/v1/vehicles/${a?.id}`);
    expect(retired).toMatchObject({ status: 'retired', retiredAt: expect.any(String) });
    expect((await json<Vehicle>('GET', `/api/v1/vehicles/${b?.id}`)).status).toBe('in_workshop');
  });

  it('checks without writing on a dry run', async () => {
    const p = tag();
    const res = await importFile('vehicles', `name,plate\n${p} 1,${p}-1\n${p} 2,${p}-2\n`, { dryRun: true });
    expect(res.body).toEqual({ dryRun: true, rows: 2, created: 2, updated: 0 });
    expect(await vehiclesNamed(p)).toHaveLength(0);
  });

  it('matches an id column to the organisation’s own records only', async () => {
    const theirs = await json<{ id: string }>(
      'POST',
      '/api/v1/vehicles',
      { name: 'B van' },
      t.orgB.users.admin.token,
    );
    const res = await importFile('vehicles', `id,name\n${theirs.id},Taken over\n${randomUUID()},Nobody\n`);
    expect(res.status).toBe(422);
    expect(res.body.error.details?.map((d) => [d.path, d.message])).toEqual([
      ['row 2.id', 'no vehicle with this id in your organisation (leave it blank to add one)'],
      ['row 3.id', 'no vehicle with this id in your organisation (leave it blank to add one)'],
    ]);
    const still = await json<{ name: string }>(
      'GET',
      `/api/v1/vehicles/${theirs.id}`,
      undefined,
      t.orgB.users.admin.token,
    );
    expect(still.name).toBe('B van');
    // Another organisation's department names are not ours either.
    await json(
      'POST',
      '/api/v1/departments',
      { name: 'Only in B', parentId: null },
      t.orgB.users.admin.token,
    );
    const dept = await importFile('vehicles', 'name,department\nX,Only in B\n');
    expect(dept.body.error.details?.[0]).toEqual({
      path: 'row 2.department',
      message: 'no department named "Only in B" in your organisation',
    });
  });

  it('rolls back the rows before a write the database refuses (a scoped user’s row outside their department)', async () => {
    const email = `csv.scoped.${randomUUID().slice(0, 8)}@example.test`;
    await json('POST', '/api/v1/users', {
      email,
      name: 'Scoped importer',
      role: 'fleet_manager',
      password: TEST_PASSWORD,
      departmentId: lighting,
      departmentScope: true,
    });
    const token = await t.login(email);
    const p = tag();
    const res = await importFile(
      'vehicles',
      `name,plate,department\n${p} mine,${p}-1,Lighting\n${p} default,${p}-2,\n${p} theirs,${p}-3,CSV Production\n`,
      { token },
    );
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { path: 'row 4.department', message: expect.stringMatching(/outside your department scope/) },
    ]);
    expect(await vehiclesNamed(p)).toHaveLength(0);
    // Without the bad row, both land, the blank department being the user's own.
    const ok = await importFile(
      'vehicles',
      `name,plate,department\n${p} mine,${p}-1,Lighting\n${p} default,${p}-2,\n`,
      {
        token,
      },
    );
    expect(ok.body).toMatchObject({ created: 2 });
    expect((await vehiclesNamed(p)).map((v) => v.departmentId)).toEqual([lighting, lighting]);
  });
});

describe('importing equipment', () => {
  it('adds items, and matches a row to an item by category and serial number', async () => {
    const p = tag();
    const file = `name,category,serial_number,replacement_value,status\n${p} Camera A,camera kit,${p}-S1,"12 499,90",active\n${p} Generator,generator,${p}-S2,800,Lost\n`;
    expect((await importFile('equipment', file)).body).toEqual({
      dryRun: false,
      rows: 2,
      created: 2,
      updated: 0,
    });
    const update = await importFile(
      'equipment',
      `category,serial_number,status\ncamera kit,${p}-S1,in workshop\n`,
    );
    expect(update.body).toEqual({ dryRun: false, rows: 1, created: 0, updated: 1 });
    const page = await json<{ items: { name: string; status: string; replacementValue: number | null }[] }>(
      'GET',
      `/api/v1/equipment?q=${p}&sort=name`,
    );
    expect(page.items.map((i) => [i.name, i.status, i.replacementValue])).toEqual([
      [`${p} Camera A`, 'in_workshop', 12499.9],
      [`${p} Generator`, 'lost', 800],
    ]);
    const res = await fetch(`${t.url}/api/v1/equipment?format=csv&q=${p}`, {
      headers: { authorization: `Bearer ${admin()}` },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    // The byte order mark first, for Excel; lines end in CRLF (RFC 4180).
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').split('\r\n')[0]).toBe(
      'id,name,category,serial_number,replacement_value,offline_after_s,department,home_place,status,notes',
    );
  });
});

describe('what the import route refuses before reading rows', () => {
  it('answers 415 to a body that is not text/csv, 400 to one that is not UTF-8, 403 to roles without the right', async () => {
    const json415 = await importFile('vehicles', '{"name":"x"}', { type: 'application/json' });
    expect(json415.status).toBe(415);
    expect(json415.body.error.message).toBe('Send the file as text/csv (UTF-8).');
    const latin1 = await importFile('vehicles', Buffer.from('name\nK\xe4rry\n', 'latin1'));
    expect(latin1.status).toBe(400);
    expect(latin1.body.error.code).toBe('malformed_csv');
    for (const role of ['dispatcher', 'viewer', 'mechanic'] as const) {
      const res = await importFile('vehicles', 'name\nX\n', { token: t.orgA.users[role].token });
      expect(res.status, role).toBe(403);
    }
    const bad = await importFile('vehicles', 'name\nX\n', { dryRun: undefined });
    expect(bad.status).toBe(200);
    const query = await fetch(`${t.url}/api/v1/vehicles/import?dryRun=maybe`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager()}`, 'content-type': 'text/csv' },
      body: 'name\nX\n',
    });
    expect(query.status).toBe(400);
  });

  it('refuses an empty file, a header without rows, an open quote and a file over the row limit', async () => {
    const cases: [string, string][] = [
      ['', 'the file is empty: it needs a header row'],
      ['name,plate\n', 'the file has a header and no rows'],
      ['name,plate\n"Van 1,ABC-1\n', 'a quote (") opens a cell and is never closed'],
      [`name\n${'v\n'.repeat(10_001)}`, 'a file is at most 10,000 rows; this one has 10,001: split it'],
    ];
    for (const [file, message] of cases) {
      const res = await importFile('vehicles', file);
      expect(res.status, file.slice(0, 20)).toBe(422);
      expect(res.body.error.details?.[0]?.message).toBe(message);
    }
  });

  it('never answers 5xx to generated garbage, and a refused file writes nothing', async () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        '',
        '"',
        '""',
        ';',
        ',',
        '\n',
        '\r\n',
        '=cmd',
        "'=1",
        '-1',
        '1,5',
        'ABC-123',
        vinFor(7),
      ),
      fc.integer().map(String),
    );
    const header = fc.constantFrom(
      'name',
      'plate',
      'vin',
      'year',
      'fuel_type',
      'department',
      'status',
      'odometer_offset_km',
      'bogus',
      '',
    );
    const file = fc
      .tuple(
        fc.array(header, { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(cell, { maxLength: 7 }), { maxLength: 6 }),
        fc.constantFrom(',', ';', '\t'),
      )
      .map(([headers, rows, d]) => [headers.join(d), ...rows.map((r) => r.join(d))].join('\n'));
    await fc.assert(
      fc.asyncProperty(file, async (text) => {
        const before = await auditCount();
        const res = await importFile('vehicles', text, { dryRun: false });
        expect([200, 409, 422], `${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
        if (res.status !== 200) expect(await auditCount()).toBe(before);
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });
});
