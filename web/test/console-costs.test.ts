// Costs in Chromium against the real platform (API, database, the rule engine's alerts): two vans
// in two departments with meter readings, fill-ups, a completed work order with a part and
// labour, an insurance cost and a refuel the tank sensor saw (an alert row, as the rule engine
// writes it), all seeded through the API. Then the costs summary per asset and per department,
// its stacked chart drawn and every figure the API's (sorting too); a fill-up refused by the API
// for its amount (its words at the field) and then entered; a fuel card file with bad rows
// (every problem by row and column, nothing written) and then a good one; the refuel confirmed
// with the amount paid; another cost entered and removed; the van's costs section on its page;
// a viewer who reads but enters nothing; and the header with the costs and the admin menu at
// 1280 px.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { formatConsumption, formatPerUnit } from '../src/lib/costs/format.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;
const api = () => harness.api;
const admin = () => api().orgA.users.admin;
const manager = () => api().orgA.users.fleet_manager;
const mechanic = () => api().orgA.users.mechanic;
const dispatcher = () => api().orgA.users.dispatcher;

async function call<T>(method: string, path: string, body?: unknown, token = manager().token): Promise<T> {
  const reply = await api().request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

interface Breakdown {
  fuel: string;
  maintenance: string;
  other: string;
  total: string;
}
interface Figures {
  costs: Breakdown;
  distanceKm: number | null;
  costPerKm: string | null;
  costPerEngineHour: string | null;
  consumptionLPer100Km: number | null;
}
interface Summary {
  currency: string;
  rows: (Figures & { id: string | null; name: string; plate: string | null })[];
  total: Breakdown;
}
interface Fuel {
  id: string;
  assetId: string;
  total: string;
  litres: number;
  source: string;
}

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
let money: (amount: string) => string;
let currency: string;
let timeZone: string;
const ids = { north: '', south: '', van31: '', van32: '', refuel: '' };

/** D.M.YYYY of a day some days ago in the organisation's zone, as a Finnish fuel card writes it. */
function cardDate(days: number): string {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(Date.now() - days * DAY)
    .split('-')
    .map(Number);
  return `${d}.${m}.${y}`;
}

beforeAll(async () => {
  const me = await call<{ organisation: { currency: string; timeZone: string } }>('GET', '/api/v1/me');
  currency = me.organisation.currency;
  timeZone = me.organisation.timeZone;
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
  money = (amount) => format.format(amount as Intl.StringNumericLiteral);
  const department = async (name: string) =>
    (await call<{ id: string }>('POST', '/api/v1/departments', { name }, admin().token)).id;
  ids.north = await department('North depot');
  ids.south = await department('South depot');
  const van = async (name: string, plate: string, departmentId: string) =>
    (await call<{ id: string }>('POST', '/api/v1/vehicles', { name, plate, departmentId })).id;
  ids.van31 = await van('Van 31', 'CST-131', ids.north);
  ids.van32 = await van('Van 32', 'CST-132', ids.south);
  const reading = (assetId: string, meter: string, value: number, days: number) =>
    call(
      'POST',
      `/api/v1/assets/${assetId}/meter-readings`,
      { meter, value, readAt: ago(days) },
      mechanic().token,
    );
  await reading(ids.van31, 'odometer', 10_000, 40);
  await reading(ids.van31, 'engine_hours', 500, 40);
  await reading(ids.van31, 'odometer', 12_000, 1);
  await reading(ids.van31, 'engine_hours', 550, 1);
  // Full to full: 40 l over the 1,000 km between the two fill-ups of Van 31.
  const fill = (assetId: string, days: number, litres: number, total: string, odometerKm?: number) =>
    call('POST', '/api/v1/fuel-entries', {
      assetId,
      filledAt: ago(days),
      litres,
      total,
      ...(odometerKm === undefined ? {} : { odometerKm }),
    });
  await fill(ids.van31, 30, 50, '90.00', 10_500);
  await fill(ids.van31, 10, 40, '72.00', 11_500);
  await fill(ids.van32, 20, 30, '54.00');
  const wo = await call<{ id: string }>(
    'POST',
    '/api/v1/work-orders',
    { assetId: ids.van31, title: 'Brakes' },
    mechanic().token,
  );
  for (const line of [
    { kind: 'part', description: 'Brake pads', quantity: 2, unitCost: '25.00' },
    { kind: 'labour', description: 'Fitting', quantity: 1, unitCost: '60.00' },
  ])
    await call('POST', `/api/v1/work-orders/${wo.id}/lines`, line, mechanic().token);
  await call('POST', `/api/v1/work-orders/${wo.id}/state`, { state: 'completed' }, mechanic().token);
  await call('POST', '/api/v1/cost-entries', {
    assetId: ids.van32,
    category: 'insurance',
    incurredOn: ago(5).slice(0, 10),
    amount: '300.00',
  });
  // A refuel as the rule engine records it (api/src/domains/costs/costs.test.ts does the same).
  const rows = await api().platform.db.query<{ id: string }>(
    `insert into alerts (org_id, kind, severity, title, asset_id, episode_key, active, started_at, details)
     values ($1, 'refuel', 'info', 'Refuelled 38.5 L', $2, $3, false, now() - interval '3 hours',
             '{"addedL": 38.5, "addedPct": 48}') returning id::text as id`,
    [api().orgA.id, ids.van32, `test:${randomUUID()}`],
  );
  ids.refuel = rows[0]?.id ?? '';
}, 60_000);

/** The range a page shows (its pickers' values), for asking the API the same. */
async function shownRange(page: Page, scope = page.locator('body')): Promise<string> {
  const from = await scope.getByTestId('range-from').first().inputValue();
  const to = await scope.getByTestId('range-to').first().inputValue();
  return `from=${from}&to=${to}`;
}

/** Every row of the costs table as it reads, to compare with the API's. */
async function tableRows(page: Page) {
  return page.getByTestId('costs-row').evaluateAll((trs) =>
    trs.map((tr) => {
      const text = (id: string) => tr.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? '';
      return {
        name: text('cost-name'),
        fuel: text('cost-fuel'),
        maintenance: text('cost-maintenance'),
        other: text('cost-other'),
        total: text('cost-total'),
        perKm: text('cost-per-km'),
        consumption: text('cost-consumption'),
      };
    }),
  );
}

const expectedRows = (summary: Summary) =>
  summary.rows.map((r) => ({
    name: r.name,
    fuel: money(r.costs.fuel),
    maintenance: money(r.costs.maintenance),
    other: money(r.costs.other),
    total: money(r.costs.total),
    perKm: formatPerUnit(r.costPerKm, currency),
    consumption: formatConsumption(r.consumptionLPer100Km),
  }));

async function chartDrawn(page: Page, testid: string) {
  const canvas = page.getByTestId(testid).locator('canvas');
  await poll(() => canvas.count()).toBeGreaterThan(0);
  const box = await canvas.first().boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(200);
  expect(box?.height ?? 0).toBeGreaterThan(100);
}

describe('the costs summary', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(manager(), '/costs');
    page = tab.page;
  });

  it('per asset: the chart drawn, every figure the API’s, the totals the server’s', async () => {
    await screenshotOnFailure(page, 'console-costs-assets', async () => {
      await poll(() => page.getByTestId('cost-name').count()).toBeGreaterThan(1);
      const range = await shownRange(page);
      const summary = await call<Summary>('GET', `/api/v1/costs/summary?groupBy=asset&${range}`);
      expect(summary.rows.map((r) => r.name).slice(0, 2)).toEqual(['Van 32', 'Van 31']);
      // Van 31: two fill-ups 90 + 72, a work order of 2 x 25 + 60; Van 32: 54 of fuel and 300 insurance.
      expect(summary.rows.find((r) => r.id === ids.van31)?.costs).toEqual({
        fuel: '162.00',
        maintenance: '110.00',
        other: '0.00',
        total: '272.00',
      });
      await poll(() => tableRows(page)).toEqual(expectedRows(summary));
      expect(await page.getByTestId('total-total').textContent()).toBe(money(summary.total.total));
      for (const part of ['fuel', 'maintenance', 'other', 'total'] as const)
        expect(await page.getByTestId(`footer-${part}`).textContent()).toBe(money(summary.total[part]));
      const van31 = summary.rows.find((r) => r.id === ids.van31);
      expect(van31?.consumptionLPer100Km).toBe(4);
      expect(van31?.costPerKm).not.toBeNull();
      await chartDrawn(page, 'cost-chart');
      const costly = summary.rows.filter((r) => Number(r.costs.total) > 0).length;
      expect(await page.getByTestId('cost-chart').getAttribute('data-bars')).toBe(String(costly));
      // The legend reads the hovered bar's amounts as the API wrote them.
      const plot = page.getByTestId('cost-chart').locator('.u-over');
      const box = await plot.boundingBox();
      if (box) await page.mouse.move(box.x + box.width / (2 * costly), box.y + box.height - 5);
      await poll(() => page.getByTestId('cost-chart').locator('.u-legend').textContent()).toContain(
        `Van 32 (CST-132), ${money(summary.rows[0]?.costs.total ?? '')}`,
      );
      // Away from the bars it reads the range's totals, the server's.
      await page.mouse.move(0, 0);
      await poll(() => page.getByTestId('cost-chart').locator('.u-legend').textContent()).toContain(
        `In all, ${money(summary.total.total)}`,
      );
      await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
      await screenshot(page, 'console-costs');
    });
  });

  it('sorts by a column, exactly, in the address bar too', async () => {
    await screenshotOnFailure(page, 'console-costs-sort', async () => {
      const range = await shownRange(page);
      const summary = await call<Summary>('GET', `/api/v1/costs/summary?groupBy=asset&${range}`);
      await page.getByTestId('costs').getByRole('button', { name: 'Total' }).click();
      const ascending = [...summary.rows]
        .map((r, i) => ({ r, i }))
        .sort((a, b) => Number(a.r.costs.total) - Number(b.r.costs.total) || a.i - b.i)
        .map(({ r }) => r.name);
      await poll(() => page.getByTestId('cost-name').allTextContents()).toEqual(ascending);
      expect(new URL(page.url()).searchParams.get('sort')).toBe('total');
      await page.getByTestId('costs').getByRole('button', { name: 'Total' }).click();
      await poll(() => new URL(page.url()).searchParams.get('order')).toBe('desc');
      expect((await page.getByTestId('cost-name').allTextContents()).slice(0, 2)).toEqual([
        'Van 32',
        'Van 31',
      ]);
    });
  });

  it('per department: the departments’ own rows, the chart redrawn, a range from a preset', async () => {
    await screenshotOnFailure(page, 'console-costs-departments', async () => {
      await page.getByTestId('group-department').click();
      await poll(() => new URL(page.url()).searchParams.get('groupBy')).toBe('department');
      let range = await shownRange(page);
      let summary = await call<Summary>('GET', `/api/v1/costs/summary?groupBy=department&${range}`);
      expect(summary.rows.map((r) => r.name)).toEqual(['South depot', 'North depot', 'No department']);
      await poll(() => tableRows(page)).toEqual(expectedRows(summary));
      expect(await page.getByTestId('costs').getByRole('columnheader', { name: 'Plate' }).count()).toBe(0);
      await chartDrawn(page, 'cost-chart');
      expect(await page.getByTestId('cost-chart').getAttribute('data-bars')).toBe('2');

      await page.locator('[data-testid=range-preset][data-preset=this_month]').click();
      await poll(() => new URL(page.url()).searchParams.has('from')).toBe(true);
      expect(
        await page.locator('[data-testid=range-preset][data-preset=this_month]').getAttribute('aria-pressed'),
      ).toBe('true');
      range = await shownRange(page);
      expect(range).toMatch(/^from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-\d{2}$/);
      summary = await call<Summary>('GET', `/api/v1/costs/summary?groupBy=department&${range}`);
      await poll(() => tableRows(page)).toEqual(expectedRows(summary));
      await poll(() => page.getByTestId('total-total').textContent()).toBe(money(summary.total.total));
      // A range the wrong way round is said at once and not asked for.
      await page.getByTestId('range-from').fill('2030-01-01');
      await page.getByTestId('range-from').dispatchEvent('change');
      expect(await page.getByTestId('range-picker').getByRole('alert').textContent()).toBe(
        'the first day is after the last',
      );
      expect(await shownRange(page)).toContain('from=2030-01-01');
      expect(new URL(page.url()).searchParams.get('from')).not.toBe('2030-01-01');
    });
    await tab.context.close();
  });
});

describe('fuel', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;
  const fuelOf = (assetId: string) =>
    call<{ items: Fuel[] }>('GET', `/api/v1/fuel-entries?assetId=${assetId}`);

  beforeAll(async () => {
    tab = await signedIn(dispatcher(), '/costs/fuel');
    page = tab.page;
  });

  it('a fill-up the API refuses for its amount shows its words at the field; then it is entered', async () => {
    await screenshotOnFailure(page, 'console-costs-fuel-form', async () => {
      await poll(() => page.getByTestId('fuel-row').count()).toBe(3);
      await page.getByTestId('fuel-add').click();
      const form = page.getByTestId('fuel-form');
      await form.getByLabel('Vehicle or machine').selectOption({ label: 'Van 31 (CST-131)' });
      await form.getByLabel('Litres', { exact: true }).fill('45,5');
      await form.getByLabel(/^Amount paid/).fill('-5');
      tab.intended.add('POST /api/v1/fuel-entries 400');
      await form.getByTestId('fuel-submit').click();
      const total = form.locator('.field', { has: page.getByLabel(/^Amount paid/) });
      await poll(() => total.getByTestId('field-error').textContent()).toContain('an amount of 0 or more');
      expect((await fuelOf(ids.van31)).items).toHaveLength(2);

      await form.getByLabel(/^Amount paid/).fill('84,13');
      await form.getByTestId('fuel-submit').click();
      await poll(() => page.getByRole('status').first().textContent()).toContain(
        `for ${money('84.13')} on Van 31`,
      );
      expect(await total.getByTestId('field-error').count()).toBe(0);
      await poll(() => page.getByTestId('fuel-row').count()).toBe(4);
      expect(await page.getByTestId('fuel-total').allTextContents()).toContain(money('84.13'));
      const entries = (await fuelOf(ids.van31)).items;
      expect(entries.map((f) => [f.total, f.litres, f.source])).toContainEqual(['84.13', 45.5, 'manual']);
    });
  });

  it('a fuel card file with bad rows lists every problem by row and column and imports nothing; a good one imports', async () => {
    await screenshotOnFailure(page, 'console-costs-fuel-import', async () => {
      const header = 'vehicle;date;time;litres;total;odometer_km;partial;station';
      const good = [
        `cst 131;${cardDate(3)};07:45;41,2;76,22;11950;no;Neste Pasila`,
        `CST-132;${cardDate(2)};;20;37,00;;yes;`,
      ];
      const bad = [...good, `CST-131;${cardDate(1)};;30;-5,00;;no;`, `CST-132;32.1.2026;;30;5,00;;maybe;`];
      tab.intended.add('POST /api/v1/fuel-entries/import 422');
      await page.getByTestId('csv-import-file').setInputFiles({
        name: 'card-bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from([header, ...bad].join('\n')),
      });
      const refused = page.getByTestId('csv-refused');
      await poll(() => refused.isVisible()).toBe(true);
      const problems = await page
        .getByTestId('csv-problem')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)),
        );
      expect(problems).toEqual(
        expect.arrayContaining([
          ['4', 'total'],
          ['5', 'date'],
          ['5', 'partial'],
        ]),
      );
      expect(await refused.textContent()).toContain('card-bad.csv');
      expect((await fuelOf(ids.van31)).items).toHaveLength(3);
      expect((await fuelOf(ids.van32)).items).toHaveLength(1);
      await refused.getByRole('button', { name: 'Close' }).click();

      await page.getByTestId('csv-import-file').setInputFiles({
        name: 'card.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from([header, ...good].join('\n')),
      });
      const checked = page.getByTestId('csv-checked');
      await poll(() => checked.textContent()).toContain('2 rows: 2 to add, 0 to update');
      // The dry run wrote nothing.
      expect((await fuelOf(ids.van31)).items).toHaveLength(3);
      await page.getByTestId('csv-import').click();
      await poll(() => page.getByTestId('csv-notice').textContent()).toContain('2 rows imported: 2 added');
      await poll(() => page.getByTestId('fuel-row').count()).toBe(6);
      const van31 = (await fuelOf(ids.van31)).items;
      expect(van31.filter((f) => f.source === 'csv').map((f) => [f.total, f.litres])).toEqual([
        ['76.22', 41.2],
      ]);
      expect(await page.locator('[data-testid=fuel-source][data-source=csv]').count()).toBe(2);
    });
  });

  it('a refuel the tank sensor saw is confirmed with the amount paid', async () => {
    await screenshotOnFailure(page, 'console-costs-refuel', async () => {
      const suggestion = page.locator(`[data-testid=refuel-suggestion][data-alert-id="${ids.refuel}"]`);
      await poll(() => suggestion.textContent()).toContain('Van 32 (CST-132)');
      expect(await suggestion.textContent()).toContain('38.5 l');
      await suggestion.getByTestId('refuel-confirm-open').click();
      const form = suggestion.getByTestId('refuel-form');
      await form.getByTestId('refuel-submit').click();
      const paid = form.locator('.field', { has: page.getByLabel(/^Amount paid/) });
      expect(await paid.getByTestId('field-error').textContent()).toBe(
        `the amount paid in ${currency}, such as 54.90`,
      );
      await form.getByLabel(/^Amount paid/).fill('71,19');
      await form.getByTestId('refuel-submit').click();
      await poll(() => suggestion.count()).toBe(0);
      await poll(() => page.getByTestId('refuel-suggestions').getByRole('status').textContent()).toBe(
        'Entered the refuel of Van 32 (CST-132).',
      );
      await poll(() => page.locator('[data-testid=fuel-source][data-source=refuel_alert]').count()).toBe(1);
      const entries = (await fuelOf(ids.van32)).items;
      expect(entries.find((f) => f.source === 'refuel_alert')).toMatchObject({
        total: '71.19',
        litres: 38.5,
      });
      const left = await call<{ items: { alertId: string }[] }>('GET', '/api/v1/fuel-entries/suggestions');
      expect(left.items.some((s) => s.alertId === ids.refuel)).toBe(false);
    });
    await tab.context.close();
  });
});

describe('other costs', { timeout: 60_000 }, () => {
  it('are entered for an asset or a department and removed', async () => {
    const tab = await signedIn(manager(), '/costs/other');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-costs-other', async () => {
      await poll(() => page.getByTestId('cost-category').allTextContents()).toEqual(['Insurance']);
      await page.getByTestId('cost-add').click();
      const form = page.getByTestId('cost-form');
      await form.getByLabel('A department’s own').check();
      await form.getByLabel('What for').selectOption('parking');
      await form.getByTestId('cost-submit').click();
      const dept = form.locator('.field', { has: page.getByLabel('Department', { exact: true }) });
      expect(await dept.getByTestId('field-error').textContent()).toBe('choose the department');
      await form.getByLabel('Department', { exact: true }).selectOption({ label: 'North depot' });
      await form.getByLabel(/^Amount/).fill('12,50');
      await form.getByLabel('Description (optional)').fill('Depot parking permit');
      await form.getByTestId('cost-submit').click();
      await poll(() => page.getByTestId('cost-of').allTextContents()).toContain('North depot');
      const row = page.getByTestId('other-costs-row').filter({ hasText: 'Depot parking permit' });
      expect(await row.getByTestId('cost-amount').textContent()).toBe(money('12.50'));
      await row.getByTestId('cost-remove').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
      await poll(() => page.getByTestId('other-costs-row').count()).toBe(1);
      const left = await call<{ items: { category: string }[] }>('GET', '/api/v1/cost-entries');
      expect(left.items.map((c) => c.category)).toEqual(['insurance']);
    });
    await tab.context.close();
  });
});

describe('a van’s page', { timeout: 60_000 }, () => {
  it('has its costs: the range, life to date, per km and per engine hour, consumption, the months', async () => {
    const tab = await signedIn(mechanic(), `/vehicles/${ids.van31}`);
    const { page } = tab;
    await screenshotOnFailure(page, 'console-asset-costs', async () => {
      const section = page.getByTestId('asset-costs');
      await poll(() => section.getByTestId('asset-costs-picker').isVisible()).toBe(true);
      const range = await shownRange(page, section);
      const costs = await call<{ currency: string; range: Figures; lifeToDate: Figures; months: unknown[] }>(
        'GET',
        `/api/v1/assets/${ids.van31}/costs?${range}`,
      );
      const inRange = section.getByTestId('asset-costs-range');
      await poll(() => inRange.getByTestId('costs-total').textContent()).toBe(money(costs.range.costs.total));
      // Fuel by hand, from the card file, 2 x 25 + 60 of the work order.
      expect(costs.range.costs).toEqual({
        fuel: '322.35',
        maintenance: '110.00',
        other: '0.00',
        total: '432.35',
      });
      for (const part of ['fuel', 'maintenance', 'other'] as const)
        expect(await inRange.getByTestId(`costs-${part}`).textContent()).toBe(money(costs.range.costs[part]));
      expect(await inRange.getByTestId('costs-per-km').textContent()).toBe(
        formatPerUnit(costs.range.costPerKm, currency),
      );
      expect(await inRange.getByTestId('costs-per-hour').textContent()).toBe(
        formatPerUnit(costs.range.costPerEngineHour, currency),
      );
      expect(costs.range.costPerEngineHour).not.toBeNull();
      expect(await inRange.getByTestId('costs-consumption').textContent()).toBe(
        formatConsumption(costs.range.consumptionLPer100Km),
      );
      const life = section.getByTestId('asset-costs-life');
      expect(await life.getByTestId('costs-total').textContent()).toBe(money(costs.lifeToDate.costs.total));
      await chartDrawn(page, 'asset-cost-chart');
      expect(await page.getByTestId('asset-cost-chart').getAttribute('data-bars')).toBe(
        String(costs.months.length),
      );
      expect(costs.months).toHaveLength(12);
      // The section at the top of the page's scrolling area, under the header.
      await section.evaluate((el) => {
        const main = el.closest('main');
        main?.scrollBy(0, el.getBoundingClientRect().top - (main.getBoundingClientRect().top + 16));
      });
      await screenshot(page, 'console-asset-costs');
    });
    await tab.context.close();
  });
});

describe('roles and the header', { timeout: 60_000 }, () => {
  it('a viewer reads the costs but enters none', async () => {
    const tab = await signedIn(api().orgA.users.viewer, '/costs/fuel');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-costs-viewer', async () => {
      await poll(() => page.getByTestId('fuel-row').count()).toBeGreaterThan(0);
      expect(await page.getByTestId('fuel-add').count()).toBe(0);
      expect(await page.getByTestId('csv-import-file').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Remove' }).count()).toBe(0);
      await page.getByTestId('costs-tabs').getByRole('link', { name: 'Other costs' }).click();
      await poll(() => page.getByTestId('other-costs-row').count()).toBe(1);
      expect(await page.getByTestId('cost-add').count()).toBe(0);
    });
    await tab.context.close();
  });

  it('fits every page of an administrator at 1280 px, the admin pages in one menu', async () => {
    const tab = await signedIn(admin(), '/costs/fuel');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-costs-header', async () => {
      const nav = page.getByTestId('console-nav');
      await poll(() => nav.getByRole('link').count()).toBe(12);
      expect(await nav.getByRole('link', { name: 'Costs' }).getAttribute('aria-current')).toBe('page');
      const fit = await nav.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(fit.scroll).toBeLessThanOrEqual(fit.client);
      const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
      expect((signOut?.x ?? 0) + (signOut?.width ?? 0)).toBeLessThanOrEqual(1280);
      // The menu opens below its button, inside the window, and takes one to its page.
      const button = nav.getByTestId('nav-menu-button').filter({ hasText: 'Admin' });
      await button.click();
      const menu = nav.locator('#nav-menu-admin');
      await poll(() => menu.isVisible()).toBe(true);
      const at = await menu.boundingBox();
      const under = await button.boundingBox();
      expect(at?.y ?? 0).toBeGreaterThanOrEqual((under?.y ?? 0) + (under?.height ?? 0));
      expect((at?.x ?? 0) + (at?.width ?? 0)).toBeLessThanOrEqual(1280);
      await menu.getByRole('link', { name: 'Audit log' }).click();
      await page.waitForURL(`${api().url}/audit-log`);
      expect(await menu.isVisible()).toBe(false);
      expect(await button.getAttribute('data-current')).toBe('true');
    });
    await tab.context.close();
  });
});
