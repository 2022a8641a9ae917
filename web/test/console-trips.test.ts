// One asset's trips and stops in Chromium against the real platform (API, PostgreSQL, QuestDB):
// a van with an installed device, its trips and stops of a week written to QuestDB as the device
// side writes them (through the same ILP transport), two places, a driver by card and a job that
// books the van. Opened from the van's page, the range typed in; every figure and total the
// API's, the chart drawn; the stops; the CSV and the XLSX downloaded; the summary's trips leading
// here over its range; the page before an asset is chosen; another organisation's van refused in
// words. Screenshot docs/screenshots/console-trips.png at 1280 x 800.
import type { StopList, TripList } from '@fleet/api/contract';
import { QuestDbTransport } from '@fleet/ingest';
import { localTimeOn } from '@fleet/shared/time-zone';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import {
  NO_SUCH_ASSET,
  type SegmentAnswer,
  segmentInstants,
  TRIPS_REPORT,
} from '../src/lib/reports/trips.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';
import {
  chartDrawn,
  downloaded,
  expectedRows,
  footer,
  pastWeek,
  plusDays,
  query,
  storedStop,
  storedTrip,
  tableRows,
} from './report-support.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;
const api = () => harness.api;
const manager = () => api().orgA.users.fleet_manager;

async function call<T>(method: string, path: string, body?: unknown, token = manager().token): Promise<T> {
  const reply = await api().request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

const YARD = { lat: 60.1, lon: 24.9 };
const LOT = { lat: 60.2, lon: 24.9 };
const FIELD = { lat: 60.5, lon: 25.3 };
const ids: Record<string, string> = {};
let timeZone = 'UTC';
let monday = '';
let sunday = '';
let range = '';
let jobReference = '';
/** Epoch ms of a wall-clock hour on the Monday, or days after it. */
const on = (hour: number, days = 0) => localTimeOn(plusDays(monday, days), hour * 60, timeZone);

/** The API's answer for the seeded week, as the page holds it. */
async function answer(show: 'trips' | 'stops', assetId = ids.van ?? ''): Promise<SegmentAnswer> {
  const w = segmentInstants({ from: monday, to: sunday }, timeZone);
  const path = `/api/v1/assets/${assetId}/${show}?from=${w.from}&to=${w.to}`;
  return show === 'trips'
    ? { show, timeZone, list: await call<TripList>('GET', path) }
    : { show, timeZone, list: await call<StopList>('GET', path) };
}

beforeAll(async () => {
  const me = await call<{ organisation: { timeZone: string } }>('GET', '/api/v1/me');
  timeZone = me.organisation.timeZone;
  ({ monday, sunday } = pastWeek(timeZone));
  range = `from=${monday}&to=${sunday}`;

  const van = await call<{ id: string }>('POST', '/api/v1/vehicles', { name: 'Van 51', plate: 'TRP-151' });
  const device = await api().orgA.provision('vehicle');
  await call('POST', `/api/v1/assets/${van.id}/installations`, {
    deviceId: device.id,
    installedAt: new Date(on(0, -2)).toISOString(),
  });
  ids.van = van.id;
  ids.kit = (
    await call<{ id: string }>('POST', '/api/v1/equipment', { name: 'Lamp kit 52', category: 'Lighting kit' })
  ).id;
  const place = async (name: string, at: { lat: number; lon: number }) =>
    (
      await call<{ id: string }>('POST', '/api/v1/places', {
        name,
        category: 'client_site',
        geometry: { type: 'circle', center: at, radiusM: 200 },
      })
    ).id;
  ids.yard = await place('Trip yard', YARD);
  ids.lot = await place('Film lot', LOT);
  const driver = await call<{ id: string; driverCardId: string }>('POST', '/api/v1/drivers', {
    name: 'Aino Ajaja',
    driverCardId: 'CARD51',
  });
  const job = await call<{ id: string; reference: string }>('POST', '/api/v1/jobs', {
    title: 'Lot shoot',
    placeId: ids.lot,
    startsAt: new Date(on(8)).toISOString(),
    endsAt: new Date(on(12)).toISOString(),
    assetIds: [van.id],
  });
  ids.job = job.id;
  jobReference = job.reference;

  // Another organisation's van, with the same kind of id.
  ids.theirs = (
    await call<{ id: string }>(
      'POST',
      '/api/v1/vehicles',
      { name: 'Their van' },
      api().orgB.users.admin.token,
    )
  ).id;

  const tenant = api().orgA.id;
  const transport = new QuestDbTransport(inject('questdbUrl'));
  await transport.send([
    // Monday: 3 h and 120 km from the yard to the lot for the job, Aino's card in; Tuesday an
    // hour's drive at night (after hours); Thursday 4 h and 80 km out to a field.
    storedTrip(tenant, device.id, {
      startTs: on(9),
      hours: 3,
      km: 120,
      start: YARD,
      end: LOT,
      driverCardId: driver.driverCardId,
    }),
    storedTrip(tenant, device.id, {
      startTs: on(21, 1),
      hours: 1,
      km: 20,
      start: LOT,
      end: YARD,
      afterHoursS: 3600,
    }),
    storedTrip(tenant, device.id, { startTs: on(9, 3), hours: 4, km: 80, start: YARD, end: FIELD }),
    storedStop(tenant, device.id, { startTs: on(8), minutes: 60, at: YARD }),
    storedStop(tenant, device.id, { startTs: on(12), minutes: 45, at: LOT, engineOnS: 300 }),
    storedStop(tenant, device.id, { startTs: on(11, 1), minutes: 30, at: LOT }),
    storedStop(tenant, device.id, { startTs: on(13, 3), minutes: 20, at: FIELD }),
  ]);
  await transport.close();
  // QuestDB applies the WAL a moment after the write: wait until the week reads back.
  const count = async () =>
    (await answer('trips')).list.items.length + (await answer('stops')).list.items.length;
  for (let i = 0; i < 150 && (await count()) < 7; i++) await new Promise((r) => setTimeout(r, 200));
  expect(await count()).toBe(7);
}, 120_000);

describe('an asset’s trips and stops', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(manager(), `/vehicles/${ids.van}`);
    page = tab.page;
  });

  it('open from the van’s page; every trip, total and bar the API’s', async () => {
    await screenshotOnFailure(page, 'console-trips', async () => {
      await page.getByTestId('asset-trips').click();
      await page.waitForURL(`${api().url}/reports/trips?assetId=${ids.van}`);
      expect(
        await page
          .getByTestId('report-tabs')
          .getByRole('link', { name: 'Trips' })
          .getAttribute('aria-current'),
      ).toBe('page');
      await poll(() => page.getByTestId('report-asset').inputValue()).toBe(ids.van);
      expect(
        await page
          .getByTestId('report-asset')
          .locator('optgroup')
          .evaluateAll((g) => g.map((x) => x.getAttribute('label'))),
      ).toEqual(['Vehicles', 'Equipment']);
      // The week, typed in: the first day, then the last.
      for (const [testid, day] of [
        ['range-from', monday],
        ['range-to', sunday],
      ] as const) {
        await page.getByTestId(testid).fill(day);
        await page.getByTestId(testid).dispatchEvent('change');
      }
      await poll(() => query(page).get('to')).toBe(sunday);
      expect(query(page).get('from')).toBe(monday);

      const trips = await answer('trips');
      if (trips.show !== 'trips') throw new Error('trips');
      expect(
        trips.list.items.map((t) => [t.distanceKm, t.start.place?.name, t.end.place?.name ?? null]),
      ).toEqual([
        [120, 'Trip yard', 'Film lot'],
        [20, 'Film lot', 'Trip yard'],
        [80, 'Trip yard', null],
      ]);
      expect(trips.list.items[0]).toMatchObject({
        driver: { name: 'Aino Ajaja' },
        job: { id: ids.job, reference: jobReference },
      });
      expect(trips.list.items[1]?.afterHoursS).toBe(3600);
      await poll(() => tableRows(page)).toEqual(expectedRows(TRIPS_REPORT, trips, 'trips', timeZone));
      const [first, second, third] = await tableRows(page);
      expect(first).toMatchObject({
        from: 'Trip yard',
        to: 'Film lot',
        distanceKm: '120.0 km',
        durationS: '3 h 00 min',
        driver: 'Aino Ajaja',
        job: jobReference,
      });
      expect(second).toMatchObject({ afterHoursS: '1 h 00 min', driver: '', job: '' });
      expect(third?.to).toBe('60.5000, 25.3000');
      const job = page.getByTestId('report-table-row').first().getByRole('link', { name: jobReference });
      expect(await job.getAttribute('href')).toBe(`/jobs/${ids.job}`);
      expect(await footer(page, 'distanceKm')).toBe('220.0 km');
      expect(await footer(page, 'durationS')).toBe('8 h 00 min');
      expect(await page.getByTestId('figure-trips').textContent()).toBe('3');
      expect(trips.list.totals).toMatchObject({ trips: 3, distanceKm: 220, durationS: 8 * 3600 });
      // A bar for each day of the week, the days it stood still too.
      await chartDrawn(page, 7);
      await poll(() => page.getByTestId('report-chart').locator('.u-legend').textContent()).toContain(
        'In all, 220.0 km',
      );
      expect(await page.getByTestId('report-chart-panel').getByRole('heading').textContent()).toMatch(
        /^Distance per day, /,
      );
      expect(await page.getByTestId('schedule-panel').count()).toBe(0);
      await page.getByTestId('range-to').blur();
      await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
      await screenshot(page, 'console-trips');
    });
  });

  it('show the stops, and download them and the trips as the page shows them', async () => {
    await screenshotOnFailure(page, 'console-trips-stops', async () => {
      await page.getByTestId('report-by').selectOption('stops');
      await poll(() => query(page).get('show')).toBe('stops');
      const stops = await answer('stops');
      if (stops.show !== 'stops') throw new Error('stops');
      expect(stops.list.items.map((s) => s.place?.name ?? null)).toEqual([
        'Trip yard',
        'Film lot',
        'Film lot',
        null,
      ]);
      await poll(() => tableRows(page)).toEqual(expectedRows(TRIPS_REPORT, stops, 'stops', timeZone));
      expect(await footer(page, 'durationS')).toBe('2 h 35 min');
      expect(await footer(page, 'engineOnS')).toBe('5 min');
      expect(await page.getByTestId('figure-stops').textContent()).toBe('4');
      // The lot (75 min), the yard (60), and the field outside every place.
      await chartDrawn(page, 3);
      expect(
        await page.getByTestId('report-table').getByRole('columnheader', { name: 'Distance' }).count(),
      ).toBe(0);

      const csv = await downloaded(page, 'csv');
      expect(csv.name).toBe(`stops-${ids.van}.csv`);
      const lines = csv.bytes.toString('utf8').trim().split(/\r?\n/);
      expect(lines).toHaveLength(5);
      expect(lines.filter((l) => l.includes('Film lot'))).toHaveLength(2);
      await poll(() => page.getByTestId('download-notice').textContent()).toBe(`Downloaded ${csv.name}.`);

      await page.getByTestId('report-by').selectOption('trips');
      await poll(() => query(page).get('show')).toBeNull();
      await poll(() => page.getByTestId('report-table-row').count()).toBe(3);
      const xlsx = await downloaded(page, 'xlsx');
      expect(xlsx.name).toBe(`trips-${ids.van}.xlsx`);
      // A spreadsheet is a zip file.
      expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    });
  });

  it('are where the summary’s trips lead, over the summary’s range', async () => {
    await screenshotOnFailure(page, 'console-trips-summary', async () => {
      await page.goto(`${api().url}/reports/summary?${range}`);
      const row = page.getByTestId('report-table-row').filter({ hasText: 'Van 51' });
      await poll(() => row.getByTestId('cell-trips').textContent()).toBe('3');
      await row.getByRole('link', { name: '3' }).click();
      await page.waitForURL(`${api().url}/reports/trips?assetId=${ids.van}&${range}`);
      await poll(() => page.getByTestId('report-table-row').count()).toBe(3);
      expect(await footer(page, 'distanceKm')).toBe('220.0 km');
    });
  });

  it('ask for an asset first, and say so of another organisation’s', async () => {
    await screenshotOnFailure(page, 'console-trips-choose', async () => {
      await page.goto(`${api().url}/reports/trips?${range}`);
      await poll(() => page.getByTestId('report-choose-asset').textContent()).toBe(TRIPS_REPORT.assetPrompt);
      expect(await page.getByTestId('report-table').count()).toBe(0);
      expect(await page.getByTestId('download-csv').isDisabled()).toBe(true);
      await poll(() => page.getByTestId('report-asset').locator('option').allTextContents()).toContain(
        'Van 51 (TRP-151)',
      );
      await page.getByTestId('report-asset').selectOption({ label: 'Van 51 (TRP-151)' });
      await poll(() => query(page).get('assetId')).toBe(ids.van);
      await poll(() => page.getByTestId('report-table-row').count()).toBe(3);

      tab.intended.add('GET /api/v1/assets/{id}/trips 404');
      await page.goto(`${api().url}/reports/trips?assetId=${ids.theirs}&${range}`);
      await poll(() => page.getByRole('alert').textContent()).toBe(NO_SUCH_ASSET);
      expect(await page.getByTestId('report-table').count()).toBe(1);
      expect(await page.getByTestId('report-table-row').count()).toBe(0);
      // Their van is not among ours: the picker holds its id, unnamed.
      expect(await page.getByTestId('report-asset').inputValue()).toBe(ids.theirs);
      expect(await page.getByTestId('report-asset').locator('option:checked').textContent()).toBe(
        `asset ${ids.theirs?.slice(0, 8)}`,
      );
    });
    await tab.context.close();
  });
});
