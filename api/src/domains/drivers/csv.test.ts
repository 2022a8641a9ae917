// Drivers in and out as CSV through the real API and database: phone numbers, licence classes,
// Finnish dates, departments and user accounts as people write them; a row matched to its
// driver by employee number whatever the case; every bad row named and nothing written; an
// erased driver's row refused whole; the export reads back; roles and other organisations.
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import type { ImportSummary } from '../../csv/routes.ts';
import type { ErrorBody } from '../../http/errors.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

type Reply = ImportSummary & ErrorBody;
interface Driver {
  id: string;
  name: string;
  employeeNumber: string | null;
  phone: string | null;
  licenceClasses: string[];
  licenceExpiry: string | null;
  departmentId: string | null;
  userId: string | null;
  driverCardId: string | null;
  status: string;
}

const admin = () => t.orgA.users.admin.token;

async function importDrivers(text: string, token = t.orgA.users.fleet_manager.token) {
  const res = await fetch(`${t.url}/api/v1/drivers/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Reply };
}

async function driversLike(q: string): Promise<Driver[]> {
  const res = await t.request<{ items: Driver[] }>(
    'GET',
    `/api/v1/drivers?q=${encodeURIComponent(q)}&limit=500`,
    {
      token: admin(),
    },
  );
  return res.body.items;
}

const tag = () => randomUUID().slice(0, 5).toUpperCase();

let department: string;
beforeAll(async () => {
  const res = await t.request<{ id: string }>('POST', '/api/v1/departments', {
    token: admin(),
    body: { name: 'CSV Drivers', parentId: null },
  });
  department = res.body.id;
});

describe('importing drivers', () => {
  it('reads phones, licence classes, Finnish dates, a department and a user account as people write them', async () => {
    const p = tag();
    const file = [
      'Name;Employee number;Phone;Licence classes;Licence expiry;Driver card id;Department;User',
      `${p} Aino;${p}-1;040 123 4567;b, c1;31.12.2027;01:a2:b3:${p};CSV Drivers;${t.orgA.users.dispatcher.email.toUpperCase()}`,
      `${p} Eero;${p}-2;+358 50 765 4321;B;2028-06-01;;;`,
    ].join('\n');
    const first = await importDrivers(file);
    // Without a country code a number cannot be told from another country's: refused, named.
    expect(first.status).toBe(422);
    expect(first.body.error.details).toEqual([
      { path: 'row 2.phone', message: expect.stringMatching(/international form/) },
    ]);
    const fixed = await importDrivers(file.replace('040 123 4567', '+358 40 123 4567'));
    expect(fixed.body).toMatchObject({ rows: 2, created: 2, updated: 0 });
    const [aino, eero] = await driversLike(p);
    expect(aino).toMatchObject({
      name: `${p} Aino`,
      phone: '+358401234567',
      licenceClasses: ['B', 'C1'],
      licenceExpiry: '2027-12-31',
      driverCardId: `01A2B3${p}`,
      departmentId: department,
      userId: t.orgA.users.dispatcher.id,
      status: 'active',
    });
    expect(eero).toMatchObject({ licenceClasses: ['B'], licenceExpiry: '2028-06-01', departmentId: null });
    // Matched by employee number whatever its case; only the file's columns change.
    const update = await importDrivers(`employee_number,status\n${p.toLowerCase()}-2,inactive\n`);
    expect(update.body).toMatchObject({ created: 0, updated: 1 });
    expect((await driversLike(p)).map((d) => [d.name, d.status])).toEqual([
      [`${p} Aino`, 'active'],
      [`${p} Eero`, 'inactive'],
    ]);
    // The export imports back as updates of the same drivers.
    const exported = await fetch(`${t.url}/api/v1/drivers?format=csv&q=${p}`, {
      headers: { authorization: `Bearer ${admin()}` },
    });
    const text = await exported.text();
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    // The file's employee number is written as it is in the file (it matched, whatever its case).
    expect(rows.map((r) => [r.employee_number, r.licence_classes, r.user])).toEqual([
      [`${p}-1`, 'B C1', t.orgA.users.dispatcher.email],
      [`${p.toLowerCase()}-2`, 'B', ''],
    ]);
    expect((await importDrivers(text)).body).toMatchObject({ created: 0, updated: 2 });
  });

  it('names every bad row: a class that does not exist, a card or user twice, a taken card, a bad date', async () => {
    const p = tag();
    await importDrivers(`name,employee_number,driver_card_id\n${p} Kept,${p}-K,CARD${p}\n`);
    const file = [
      'name,employee_number,licence_classes,driver_card_id,user,licence_expiry',
      `${p} A,${p}-1,B Z9,,,`,
      `${p} B,${p}-2,,X${p},${t.orgA.users.viewer.email},`,
      `${p} C,${p}-3,,x${p},${t.orgA.users.viewer.email},`,
      `${p} D,${p}-4,,card${p},,`,
      `${p} E,${p}-5,,,,31.02.2027`,
      `${p} F,${p}-6,,,nobody@example.test,`,
    ].join('\n');
    const res = await importDrivers(file);
    expect(res.status).toBe(422);
    expect(res.body.error.details?.map((d) => [d.path, d.message])).toEqual([
      ['row 2.licence_classes', expect.stringMatching(/^a licence class is one of AM, A1/)],
      ['row 4.driver_card_id', 'the same driver_card_id as row 3'],
      ['row 4.user', 'the same user as row 3'],
      ['row 5.driver_card_id', 'another driver of the organisation has this driver_card_id'],
      ['row 6.licence_expiry', 'a date as YYYY-MM-DD'],
      ['row 7.user', 'no user named "nobody@example.test" in your organisation'],
    ]);
    expect((await driversLike(p)).map((d) => d.name)).toEqual([`${p} Kept`]);
  });

  it('refuses a file that would change an erased driver, naming the row, and writes none of it', async () => {
    const p = tag();
    await importDrivers(`name,employee_number\n${p} Gone,${p}-G\n`);
    const [gone] = await driversLike(p);
    const erased = await t.request('POST', `/api/v1/drivers/${gone?.id}/erase`, { token: admin() });
    expect(erased.status).toBe(200);
    const res = await importDrivers(`id,name\n${gone?.id},Back again\n`);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { path: 'row 2', message: "This driver's personal data was erased; it cannot be changed." },
    ]);
  });

  it('is for those who manage drivers, in their own organisation', async () => {
    for (const role of ['dispatcher', 'viewer', 'mechanic'] as const)
      expect((await importDrivers('name\nX\n', t.orgA.users[role].token)).status, role).toBe(403);
    const theirs = await t.request<{ id: string }>('POST', '/api/v1/drivers', {
      token: t.orgB.users.admin.token,
      body: { name: 'B driver' },
    });
    const res = await importDrivers(`id,name\n${theirs.body.id},Mine now\n`);
    expect(res.body.error.details?.[0]?.path).toBe('row 2.id');
    const csv = await fetch(`${t.url}/api/v1/drivers?format=csv&q=B%20driver`, {
      headers: { authorization: `Bearer ${admin()}` },
    });
    expect(await csv.text()).not.toContain(theirs.body.id);
  });
});

describe('generated garbage', () => {
  it('never answers 5xx, and a refused file writes nothing', async () => {
    const count = async () =>
      Number(
        (await t.platform.db.query<{ n: string | number }>('select count(*) as n from drivers'))[0]?.n ?? 0,
      );
    const cell = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        '',
        '"',
        ';',
        ',',
        '\n',
        '=cmd',
        '+358 40 123 4567',
        '040 1',
        'B, C1',
        'Z9',
        '31.12.2027',
        '2027-02-31',
      ),
      fc.integer().map(String),
    );
    const header = fc.constantFrom(
      'name',
      'employee_number',
      'phone',
      'licence_classes',
      'licence_expiry',
      'driver_card_id',
      'user',
      'status',
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
        const before = await count();
        const res = await importDrivers(text);
        expect([200, 409, 422], `${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
        if (res.status !== 200) expect(await count()).toBe(before);
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });
});
