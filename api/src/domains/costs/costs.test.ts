// Costs against the real API and database: fuel entries by hand (money exact, bad amounts and
// other currencies refused naming the field), from a fuel card's CSV file (refused whole for
// one bad row), and from refuels the rule engine saw (offered, confirmed once); other costs;
// an asset's total cost of ownership, cost per km and per engine hour, consumption and months;
// costs per asset and department; roles; another organisation's are never seen or touched.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ MAINTENANCE_FLUSH_MS: 60_000 });
  // A fuel card's times are the organisation's local times.
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
interface Fuel {
  id: string;
  total: string;
  pricePerLitre: string;
  litres: number;
  partial: boolean;
  source: string;
  filledAt: string;
  odometerKm: number | null;
}
interface Figures {
  costs: { fuel: string; maintenance: string; other: string; total: string };
  byCategory: Record<string, string>;
  distanceKm: number | null;
  engineHours: number | null;
  costPerKm: string | null;
  costPerEngineHour: string | null;
  fuelLitres: number;
  consumptionLPer100Km: number | null;
}

const run = randomUUID().slice(0, 6);
const manager = () => t.orgA.users.fleet_manager.token;
const viewer = () => t.orgA.users.viewer.token;
const DAY = 86_400_000;
let n = 0;

async function ok<T>(method: string, path: string, token: string, body?: unknown, status = 200): Promise<T> {
  const res = await t.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 400)}`).toBe(status);
  return res.body;
}
const vehicle = (name: string, plate = `CO-${run}-${++n}`) =>
  ok<{ id: string }>('POST', '/api/v1/vehicles', manager(), { name, plate }, 201);
const fuel = (body: Record<string, unknown>, token = manager()) =>
  t.request<Fuel & ErrorReply>('POST', '/api/v1/fuel-entries', { token, body });
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe('fuel entries', () => {
  it('keep the amount exact; bad amounts, other currencies and the future are refused naming the field', async () => {
    const van = await vehicle(`Fuel van ${run}`);
    const good = await fuel({
      assetId: van.id,
      filledAt: ago(1),
      litres: 45.5,
      total: '84.13',
      odometerKm: 1000,
    });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({
      total: '84.13',
      litres: 45.5,
      partial: false,
      source: 'manual',
      pricePerLitre: '1.849',
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ total: '-10.00' }, 'body.total'],
      [{ total: 84.13 }, 'body.total'],
      [{ total: '84.135' }, 'body.total'],
      [{ total: '84.13', currency: 'USD' }, 'body.currency'],
      [{ litres: -3 }, 'body.litres'],
      [{ litres: 0 }, 'body.litres'],
      [{ filledAt: new Date(Date.now() + 2 * DAY).toISOString() }, 'body.filledAt'],
      [{ filledAt: 'yesterday' }, 'body.filledAt'],
    ];
    for (const [patch, path] of cases) {
      const res = await fuel({ assetId: van.id, filledAt: ago(1), litres: 40, total: '70.00', ...patch });
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(
        res.body.error.details?.map((d) => d.path),
        JSON.stringify(patch),
      ).toContain(path);
    }
    const list = await ok<{ items: Fuel[] }>('GET', `/api/v1/fuel-entries?assetId=${van.id}`, viewer());
    expect(list.items.map((f) => f.id)).toEqual([good.body.id]);
  });

  it('import from a fuel card file: plates as people write them, decimal commas, Finnish dates; one bad row imports nothing', async () => {
    const van = await vehicle(`Card van ${run}`, `CRD-${run.slice(0, 3)}`);
    const plate = `crd ${run.slice(0, 3)}`;
    const good = [
      'vehicle;date;time;litres;total;odometer_km;partial;station',
      `${plate};1.11.2026;07:45;50,2;92,87;20000;no;Neste Pasila`,
      `${plate};2026-11-08;;20;37,00;20400;yes;ABC Vantaa`,
      `Card van ${run};15.11.2026;18:05;41,1;76,04;20950;no;`,
    ].join('\n');
    const post = (csv: string, dryRun = false) =>
      t.request<ErrorReply & { created: number; rows: number }>(
        'POST',
        `/api/v1/fuel-entries/import${dryRun ? '?dryRun=true' : ''}`,
        { token: manager(), rawBody: csv, headers: { 'content-type': 'text/csv' } },
      );
    const dry = await post(good, true);
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toMatchObject({ rows: 3, created: 3 });
    const bad = `${good}\n${plate};16.11.2026;;30;-5,00;21000;no;\n${plate};32.11.2026;;30;5,00;21000;maybe;`;
    const refused = await post(bad);
    expect(refused.status).toBe(422);
    const paths = refused.body.error.details?.map((d) => d.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['row 5.total', 'row 6.date', 'row 6.partial']));
    let list = await ok<{ items: Fuel[] }>('GET', `/api/v1/fuel-entries?assetId=${van.id}`, viewer());
    expect(list.items).toHaveLength(0);
    expect((await post(good)).status).toBe(200);
    list = await ok<{ items: Fuel[] }>(
      'GET',
      `/api/v1/fuel-entries?assetId=${van.id}&from=2026-10-01&to=2026-12-31`,
      viewer(),
    );
    expect(list.items.map((f) => [f.total, f.partial, f.source])).toEqual([
      ['76.04', false, 'csv'],
      ['37.00', true, 'csv'],
      ['92.87', false, 'csv'],
    ]);
    // 07:45 in Helsinki on 1 November is 05:45 UTC.
    expect(list.items[2]?.filledAt).toBe('2026-11-01T05:45:00.000Z');
  });

  it('a generated fuel card file is imported whole or refused whole, never a 5xx', async () => {
    const van = await vehicle(`Fuzz fuel van ${run}`, `FZ-${run.slice(0, 3)}`);
    const entries = async () =>
      Number(
        (
          await t.platform.db.query<{ n: string | number }>(
            'select count(*) as n from fuel_entries where asset_id = $1',
            [van.id],
          )
        )[0]?.n,
      );
    const cell = fc.oneof(
      fc.constantFrom(
        `FZ-${run.slice(0, 3)}`,
        '2026-11-02',
        '2.11.2026',
        '07:30',
        '25:99',
        '40',
        '40,5',
        '-3',
        '73.10',
        'yes',
        'maybe',
        '',
      ),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('=cmd|/c calc', '"quoted;cell"', '\u0000', '1e9', '١٢٣'),
    );
    const headers = fc.shuffledSubarray(
      ['vehicle', 'date', 'time', 'litres', 'total', 'odometer_km', 'partial', 'station', 'colour'],
      {
        minLength: 1,
      },
    );
    const file = headers.chain((h) =>
      fc
        .array(fc.array(cell, { minLength: h.length, maxLength: h.length }), { maxLength: 4 })
        .map((rows) => [h.join(';'), ...rows.map((r) => r.join(';'))].join('\n')),
    );
    await fc.assert(
      fc.asyncProperty(file, async (csv) => {
        const before = await entries();
        const res = await t.request<{ created?: number }>('POST', '/api/v1/fuel-entries/import', {
          token: manager(),
          rawBody: csv,
          headers: { 'content-type': 'text/csv' },
        });
        expect(res.status, csv).toBeLessThan(500);
        const after = await entries();
        if (res.status === 200) expect(after - before).toBe(res.body.created ?? 0);
        else expect(after, csv).toBe(before);
      }),
      { seed: 1, numRuns: 120 },
    );
  });

  it('refuels the rule engine saw are offered, and confirmed once', async () => {
    const van = await vehicle(`Refuel van ${run}`);
    const rows = await t.platform.db.query<{ id: string }>(
      `insert into alerts (org_id, kind, severity, title, asset_id, episode_key, active, started_at, details)
       values ($1, 'refuel', 'info', 'Refuelled 38.5 L', $2, $3, false, now() - interval '2 hours',
               '{"addedL": 38.5, "addedPct": 48}') returning id::text as id`,
      [t.orgA.id, van.id, `test:${randomUUID()}`],
    );
    const alertId = rows[0]?.id as string;
    const offered = await ok<{ items: { alertId: string; litres: number | null }[] }>(
      'GET',
      '/api/v1/fuel-entries/suggestions',
      viewer(),
    );
    expect(offered.items.find((s) => s.alertId === alertId)).toMatchObject({ litres: 38.5 });
    const entry = await ok<Fuel>(
      'POST',
      `/api/v1/alerts/${alertId}/fuel-entry`,
      t.orgA.users.dispatcher.token,
      { total: '71.19' },
      201,
    );
    expect(entry).toMatchObject({ litres: 38.5, total: '71.19', source: 'refuel_alert' });
    expect(
      (
        await t.request('POST', `/api/v1/alerts/${alertId}/fuel-entry`, {
          token: manager(),
          body: { total: '1.00' },
        })
      ).status,
    ).toBe(409);
    const after = await ok<{ items: { alertId: string }[] }>(
      'GET',
      '/api/v1/fuel-entries/suggestions',
      viewer(),
    );
    expect(after.items.some((s) => s.alertId === alertId)).toBe(false);
  });
});

describe('cost reports', () => {
  it("an asset's total cost of ownership, cost per km and per engine hour, consumption and months", async () => {
    const van = await vehicle(`TCO van ${run}`);
    const reading = (meter: string, value: number, days: number) =>
      ok(
        'POST',
        `/api/v1/assets/${van.id}/meter-readings`,
        t.orgA.users.mechanic.token,
        { meter, value, readAt: ago(days) },
        201,
      );
    await reading('odometer', 50_000, 40);
    await reading('engine_hours', 2000, 40);
    await reading('odometer', 51_000, 20);
    await reading('odometer', 52_000, 1);
    await reading('engine_hours', 2050, 1);
    for (const [days, litres, total, odometerKm, partial] of [
      [35, 60, '110.00', 50_100, false],
      [25, 20, '37.00', 50_700, true],
      [15, 50, '92.50', 51_300, false],
    ] as const)
      expect(
        (await fuel({ assetId: van.id, filledAt: ago(days), litres, total, odometerKm, partial })).status,
      ).toBe(201);
    const wo = await ok<{ id: string }>(
      'POST',
      '/api/v1/work-orders',
      t.orgA.users.mechanic.token,
      { assetId: van.id, title: 'Tyres' },
      201,
    );
    await ok(
      'POST',
      `/api/v1/work-orders/${wo.id}/lines`,
      t.orgA.users.mechanic.token,
      { kind: 'part', description: 'Tyre', quantity: 4, unitCost: '120.00' },
      201,
    );
    await ok(
      'POST',
      `/api/v1/work-orders/${wo.id}/lines`,
      t.orgA.users.mechanic.token,
      { kind: 'labour', description: 'Fitting', quantity: 1, unitCost: '60.00' },
      201,
    );
    await ok('POST', `/api/v1/work-orders/${wo.id}/state`, t.orgA.users.mechanic.token, {
      state: 'completed',
    });
    await ok(
      'POST',
      '/api/v1/cost-entries',
      manager(),
      {
        assetId: van.id,
        category: 'insurance',
        incurredOn: ago(10).slice(0, 10),
        amount: '300.00',
      },
      201,
    );
    const from = ago(45).slice(0, 10);
    const costs = await ok<{
      range: Figures;
      lifeToDate: Figures;
      months: (Figures & { month: string })[];
      currency: string;
    }>('GET', `/api/v1/assets/${van.id}/costs?from=${from}`, viewer());
    expect(costs.currency).toBe('EUR');
    expect(costs.range.costs).toEqual({
      fuel: '239.50',
      maintenance: '540.00',
      other: '300.00',
      total: '1079.50',
    });
    expect(costs.range.byCategory).toEqual({ insurance: '300.00' });
    expect(costs.range.distanceKm).toBe(2000);
    expect(costs.range.engineHours).toBe(50);
    expect(costs.range.costPerKm).toBe('0.5398'); // 1,079.50 / 2,000 km (rounded to 4 decimals)
    expect(costs.range.costPerEngineHour).toBe('21.5900');
    // Full at 50,100 km to full at 51,300 km: the partial 20 L and the 50 L over 1,200 km.
    expect(costs.range.consumptionLPer100Km).toBe(5.83);
    expect(costs.lifeToDate.costs.total).toBe('1079.50');
    const monthTotal = costs.months.reduce((sum, m) => sum + Math.round(Number(m.costs.total) * 100), 0);
    expect(monthTotal).toBe(107_950);
    const summary = await ok<{ rows: (Figures & { id: string | null; name: string })[] }>(
      'GET',
      `/api/v1/costs/summary?from=${from}`,
      viewer(),
    );
    expect(summary.rows.find((r) => r.id === van.id)?.costs.total).toBe('1079.50');
    const byDepartment = await ok<{ rows: (Figures & { id: string | null })[]; total: { total: string } }>(
      'GET',
      `/api/v1/costs/summary?groupBy=department&from=${from}`,
      viewer(),
    );
    const none = byDepartment.rows.find((r) => r.id === null);
    expect(Number(none?.costs.total)).toBeGreaterThanOrEqual(1079.5);
  });

  it('other costs need an asset or a department, and the organisation currency', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ category: 'toll', incurredOn: '2026-11-01', amount: '5.00' }, 'body.assetId'],
      [
        { category: 'coffee', incurredOn: '2026-11-01', amount: '5.00', departmentId: randomUUID() },
        'body.category',
      ],
      [
        { category: 'toll', incurredOn: '2026-11-01', amount: '5.00', departmentId: randomUUID() },
        'body.departmentId',
      ],
      [
        { category: 'toll', incurredOn: '2026-11-31', amount: '5.00', departmentId: randomUUID() },
        'body.incurredOn',
      ],
    ];
    for (const [body, path] of cases) {
      const res = await t.request<ErrorReply>('POST', '/api/v1/cost-entries', { token: manager(), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.error.details?.map((d) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const van = await vehicle(`Cost van ${run}`);
    const sek = await t.request<ErrorReply>('POST', '/api/v1/cost-entries', {
      token: manager(),
      body: { assetId: van.id, category: 'toll', incurredOn: '2026-11-01', amount: '5.00', currency: 'SEK' },
    });
    expect(sek.status).toBe(400);
    expect(sek.body.error.details?.[0]?.path).toBe('body.currency');
    for (const role of ['dispatcher', 'mechanic', 'viewer'] as const)
      expect(
        (
          await t.request('POST', '/api/v1/cost-entries', {
            token: t.orgA.users[role].token,
            body: { assetId: van.id, category: 'toll', incurredOn: '2026-11-01', amount: '5.00' },
          })
        ).status,
        role,
      ).toBe(403);
    expect(
      (await fuel({ assetId: van.id, filledAt: ago(1), litres: 1, total: '2.00' }, viewer())).status,
    ).toBe(403);
  });
});

describe('another organisation', () => {
  it("never sees or touches this one's costs", async () => {
    const van = await vehicle(`Private cost van ${run}`);
    const entry = await fuel({ assetId: van.id, filledAt: ago(1), litres: 10, total: '20.00' });
    const cost = await ok<{ id: string }>(
      'POST',
      '/api/v1/cost-entries',
      manager(),
      {
        assetId: van.id,
        category: 'lease',
        incurredOn: ago(3).slice(0, 10),
        amount: '450.00',
      },
      201,
    );
    const refuel = await t.platform.db.query<{ id: string }>(
      `insert into alerts (org_id, kind, severity, title, asset_id, episode_key, active, started_at, details)
       values ($1, 'refuel', 'info', 'Refuelled 20 L', $2, $3, false, now(), '{"addedL": 20}') returning id::text as id`,
      [t.orgA.id, van.id, `test:${randomUUID()}`],
    );
    const other = t.orgB.users.admin.token;
    expect((await t.request('DELETE', `/api/v1/cost-entries/${cost.id}`, { token: other })).status).toBe(404);
    const theirCosts = await t.request<{ items: { id: string }[] }>('GET', '/api/v1/cost-entries', {
      token: other,
    });
    expect(theirCosts.body.items.some((c) => c.id === cost.id)).toBe(false);
    expect(
      (
        await t.request('POST', `/api/v1/alerts/${refuel[0]?.id}/fuel-entry`, {
          token: other,
          body: { total: '1.00' },
        })
      ).status,
    ).toBe(404);
    const offered = await t.request<{ items: { alertId: string }[] }>(
      'GET',
      '/api/v1/fuel-entries/suggestions',
      { token: other },
    );
    expect(offered.body.items.some((s) => s.alertId === refuel[0]?.id)).toBe(false);
    expect(
      (
        await t.request('POST', '/api/v1/cost-entries', {
          token: other,
          body: { assetId: van.id, category: 'toll', incurredOn: '2026-11-01', amount: '5.00' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await t.request<ErrorReply>('POST', '/api/v1/fuel-entries', {
          token: other,
          body: { assetId: van.id, filledAt: ago(1), litres: 10, total: '20.00' },
        })
      ).status,
    ).toBe(400);
    expect((await t.request('GET', `/api/v1/assets/${van.id}/costs`, { token: other })).status).toBe(404);
    expect(
      (await t.request('DELETE', `/api/v1/fuel-entries/${entry.body.id}`, { token: other })).status,
    ).toBe(404);
    const list = await t.request<{ items: Fuel[] }>('GET', '/api/v1/fuel-entries', { token: other });
    expect(list.body.items.some((f) => f.id === entry.body.id)).toBe(false);
    const summary = await t.request<{ rows: { id: string | null }[] }>('GET', '/api/v1/costs/summary', {
      token: other,
    });
    expect(summary.body.rows.some((r) => r.id === van.id)).toBe(false);
    const csv = await t.request<ErrorReply>('POST', '/api/v1/fuel-entries/import', {
      token: other,
      rawBody: `vehicle,date,litres,total\n${van.id},2026-11-01,10,20.00`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(csv.status).toBe(422);
    expect(csv.body.error.details?.[0]?.path).toBe('row 2.vehicle');
  });
});
