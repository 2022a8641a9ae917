// The report pages in Chromium against the real platform (API, PostgreSQL, QuestDB) and a real
// SMTP server: two vans and a lighting kit in two departments, their trips and stops written to
// QuestDB as the device side writes them (by device, through the same ILP transport), two
// places, and alerts as the rule engine writes them, over a week of the organisation's calendar.
// Each report opened from the header (the summary per asset and per day, utilisation per
// department and category with the kit that sat idle, visits per place and per asset, alerts
// per asset by severity): every figure and total the API's, the chart drawn, sorting and the
// filters in the address bar, the CSV and the XLSX downloaded in the browser; a schedule made
// from the page, sent now (the mail and its file arrive), switched off and removed; a viewer who
// reads and downloads but schedules nothing; and the header with Dashboard and Reports at 1280 px.
import { QuestDbTransport } from '@fleet/ingest';
import { localDay, localTimeOn } from '@fleet/shared/time-zone';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { insertAlert, MailSink } from '../../api/src/domains/notifications/test-servers.ts';
import { screenshotOnFailure } from '../../test/browser.ts';
import { ALERTS_REPORT } from '../src/lib/reports/alerts.ts';
import { SUMMARY_REPORT } from '../src/lib/reports/summary.ts';
import { UTILISATION_REPORT } from '../src/lib/reports/utilisation.ts';
import { VISITS_REPORT } from '../src/lib/reports/visits.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';
import {
  chartDrawn,
  downloaded,
  footer,
  pastWeek,
  plusDays,
  query,
  expectedRows as rowsOf,
  storedStop,
  storedTrip,
  tableRows,
} from './report-support.ts';

const sink = new MailSink();
beforeAll(async () => {
  await sink.start();
});
afterAll(() => sink.close());

const harness = useConsoleHarness({
  settings: () => ({ SMTP_URL: sink.url, SMTP_FROM: 'Fleet <fleet@example.test>' }),
});
const { signedIn, screenshot } = harness;
const api = () => harness.api;
const admin = () => api().orgA.users.admin;
const manager = () => api().orgA.users.fleet_manager;
const viewer = () => api().orgA.users.viewer;

async function call<T>(method: string, path: string, body?: unknown, token = manager().token): Promise<T> {
  const reply = await api().request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

const H = 3600;
const DEPOT_LAT = 60.1;
const SITE_LAT = 60.2;
const ids: Record<string, string> = {};
let timeZone = 'UTC';
let monday = '';
let sunday = '';
let range = '';
/** Epoch ms of a wall-clock hour on the Monday, or days after it. */
const on = (hour: number, days = 0) => localTimeOn(plusDays(monday, days), hour * 60, timeZone);

const trip = (deviceId: string, startTs: number, hours: number, km: number, afterHoursS = 0) =>
  storedTrip(api().orgA.id, deviceId, {
    startTs,
    hours,
    km,
    start: { lat: DEPOT_LAT, lon: 24.9 },
    end: { lat: SITE_LAT, lon: 24.9 },
    afterHoursS,
  });
const stop = (deviceId: string, startTs: number, minutes: number, lat: number) =>
  storedStop(api().orgA.id, deviceId, { startTs, minutes, at: { lat, lon: 24.9 } });

beforeAll(async () => {
  const me = await call<{ organisation: { timeZone: string } }>('GET', '/api/v1/me');
  timeZone = me.organisation.timeZone;
  ({ monday, sunday } = pastWeek(timeZone));
  range = `from=${monday}&to=${sunday}`;

  const department = async (name: string) =>
    (await call<{ id: string }>('POST', '/api/v1/departments', { name }, admin().token)).id;
  ids.north = await department('North depot');
  ids.south = await department('South depot');
  const installed = async (path: string, body: object, kind: 'vehicle' | 'equipment') => {
    const asset = await call<{ id: string }>('POST', path, body);
    const device = await api().orgA.provision(kind);
    await call('POST', `/api/v1/assets/${asset.id}/installations`, {
      deviceId: device.id,
      installedAt: new Date(on(0, -2)).toISOString(),
    });
    return { asset: asset.id, device: device.id };
  };
  const van41 = await installed(
    '/api/v1/vehicles',
    { name: 'Van 41', plate: 'RPT-141', departmentId: ids.north },
    'vehicle',
  );
  const van42 = await installed(
    '/api/v1/vehicles',
    { name: 'Van 42', plate: 'RPT-142', departmentId: ids.south },
    'vehicle',
  );
  const kit = await installed(
    '/api/v1/equipment',
    { name: 'Lamp kit 43', category: 'Lighting kit', departmentId: ids.north },
    'equipment',
  );
  Object.assign(ids, { van41: van41.asset, van42: van42.asset, kit: kit.asset });
  const place = async (name: string, lat: number, category: string) =>
    (
      await call<{ id: string }>('POST', '/api/v1/places', {
        name,
        category,
        geometry: { type: 'circle', center: { lat, lon: 24.9 }, radiusM: 200 },
      })
    ).id;
  ids.depot = await place('North yard', DEPOT_LAT, 'depot');
  ids.site = await place('Studio lot', SITE_LAT, 'client_site');

  const transport = new QuestDbTransport(inject('questdbUrl'));
  await transport.send([
    // Van 41: 3 h and 120 km on Monday, 4 h and 80 km on Thursday; an hour in the yard, 45 min at the lot.
    trip(van41.device, on(9), 3, 120),
    trip(van41.device, on(9, 3), 4, 80),
    stop(van41.device, on(8), 60, DEPOT_LAT),
    stop(van41.device, on(13, 3), 45, SITE_LAT),
    // Van 42: an hour and 30 km on Tuesday, half an hour at the lot, then an hour's drive at night.
    trip(van42.device, on(10, 1), 1, 30),
    stop(van42.device, on(11, 1), 30, SITE_LAT),
    trip(van42.device, on(21, 1), 1, 20, H),
  ]);
  await transport.close();
  const db = api().platform.db;
  const org = api().orgA.id;
  const at = (hour: number, days: number) => new Date(on(hour, days));
  await insertAlert(db, { orgId: org, assetId: van41.asset, severity: 'critical', startedAt: at(10, 0) });
  await insertAlert(db, { orgId: org, assetId: van41.asset, severity: 'warning', startedAt: at(11, 0) });
  await insertAlert(db, {
    orgId: org,
    assetId: van41.asset,
    severity: 'warning',
    kind: 'idling',
    startedAt: at(10, 3),
  });
  await insertAlert(db, {
    orgId: org,
    assetId: van42.asset,
    severity: 'info',
    kind: 'idling',
    startedAt: at(10, 1),
  });
  // QuestDB applies the WAL a moment after the write: wait until the week's trips read back.
  const trips = async () =>
    (await call<{ totals: { trips: number } }>('GET', `/api/v1/reports/summary?${range}`)).totals.trips;
  for (let i = 0; i < 150 && (await trips()) < 4; i++) await new Promise((r) => setTimeout(r, 200));
  expect(await trips()).toBe(4);
}, 120_000);

/** The rows as the spec words the API's answer, in the organisation's zone. */
const expectedRows = <A, R>(spec: Parameters<typeof rowsOf<A, R>>[0], answer: A, by: string | undefined) =>
  rowsOf(spec, answer, by, timeZone);

describe('the summary', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(manager(), '/costs');
    page = tab.page;
  });

  it('opens from the header on this month so far; per asset every figure is the API’s', async () => {
    await screenshotOnFailure(page, 'console-reports-summary', async () => {
      await page.getByTestId('console-nav').getByRole('link', { name: 'Reports' }).click();
      await page.waitForURL(`${api().url}/reports/summary`);
      const today = localDay(Date.now(), timeZone);
      await poll(() => page.getByTestId('range-from').inputValue()).toBe(`${today.slice(0, 8)}01`);
      expect(await page.getByTestId('range-to').inputValue()).toBe(today);
      expect(
        await page.locator('[data-testid=range-preset][data-preset=this_month]').getAttribute('aria-pressed'),
      ).toBe('true');

      await page.goto(`${api().url}/reports/summary?${range}`);
      const summary = await call<Parameters<typeof SUMMARY_REPORT.rows>[0]>(
        'GET',
        `/api/v1/reports/summary?${range}`,
      );
      const van41 = summary.rows.find((r) => r.asset?.id === ids.van41);
      expect(van41).toMatchObject({ trips: 2, distanceKm: 200, drivingS: 7 * H });
      expect(summary.rows.find((r) => r.asset?.id === ids.van42)).toMatchObject({ trips: 2, afterHoursS: H });
      await poll(() => tableRows(page)).toEqual(expectedRows(SUMMARY_REPORT, summary, 'asset'));
      const row41 = (await tableRows(page)).find((r) => r.name === 'Van 41');
      expect(row41).toMatchObject({
        plate: 'RPT-141',
        department: 'North depot',
        distanceKm: '200.0 km',
        drivingS: '7.0 h',
      });
      expect(await footer(page, 'distanceKm')).toBe('250.0 km');
      expect(await page.getByTestId('figure-afterHoursS').textContent()).toBe('1.0 h');
      expect(await page.getByTestId('figure-drivingS').textContent()).toBe('9.0 h');
      // The two vans drove; the kit did not: two bars.
      await chartDrawn(page, 2);
      await poll(() => page.getByTestId('report-chart').locator('.u-legend').textContent()).toContain(
        'In all, 250.0 km',
      );
      await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
      await screenshot(page, 'console-reports-summary');
    });
  });

  it('sorts by a figure and groups per day, in the address bar', async () => {
    await screenshotOnFailure(page, 'console-reports-summary-days', async () => {
      await page.getByTestId('report-table').getByRole('button', { name: 'Distance' }).click();
      await poll(() =>
        page.getByTestId('report-table-row').getByTestId('cell-name').allTextContents(),
      ).toEqual(['Lamp kit 43', 'Van 42', 'Van 41']);
      expect(query(page).get('sort')).toBe('distanceKm');
      await page.getByTestId('report-by').selectOption('day');
      await poll(() => query(page).get('by')).toBe('day');
      // The distance is a column of both groupings: the sort stays.
      expect(query(page).get('sort')).toBe('distanceKm');
      const byDay = await call<Parameters<typeof SUMMARY_REPORT.rows>[0]>(
        'GET',
        `/api/v1/reports/summary?${range}&by=day`,
      );
      expect(byDay.rows.map((r) => r.day)).toHaveLength(7);
      await page.getByTestId('report-table').getByRole('button', { name: 'Day' }).click();
      await poll(() => tableRows(page)).toEqual(expectedRows(SUMMARY_REPORT, byDay, 'day'));
      expect(
        await page.getByTestId('report-table').getByRole('columnheader', { name: 'Plate' }).count(),
      ).toBe(0);
      await chartDrawn(page, 7);
      await page.reload();
      await poll(() => tableRows(page)).toEqual(expectedRows(SUMMARY_REPORT, byDay, 'day'));
      expect(await page.getByTestId('report-by').inputValue()).toBe('day');
    });
  });

  it('downloads the report as CSV and XLSX as the page shows it', async () => {
    await screenshotOnFailure(page, 'console-reports-summary-files', async () => {
      await page.getByTestId('report-kind').selectOption('vehicle');
      await poll(() => query(page).get('kind')).toBe('vehicle');
      await page.getByTestId('report-by').selectOption('asset');
      await poll(() => page.getByTestId('report-table-row').count()).toBe(2);
      const csv = await downloaded(page, 'csv');
      expect(csv.name).toMatch(new RegExp(`^summary.*${monday}.*${sunday}.*\\.csv$`));
      const lines = csv.bytes.toString('utf8').trim().split(/\r?\n/);
      expect(lines).toHaveLength(3);
      expect(lines.find((l) => l.startsWith('Van 41'))).toContain('200');
      expect(lines.some((l) => l.startsWith('Lamp kit 43'))).toBe(false);
      await poll(() => page.getByTestId('download-notice').textContent()).toBe(`Downloaded ${csv.name}.`);
      const xlsx = await downloaded(page, 'xlsx');
      expect(xlsx.name).toMatch(/^summary.*\.xlsx$/);
      // A spreadsheet is a zip file.
      expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    });
    await tab.context.close();
  });
});

describe('utilisation, visits and alerts', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(manager(), `/reports/utilisation?${range}`);
    page = tab.page;
  });

  it('utilisation per department and per category, with the kit that sat idle', async () => {
    await screenshotOnFailure(page, 'console-reports-utilisation', async () => {
      type Utilisation = Parameters<typeof UTILISATION_REPORT.rows>[0];
      const report = await call<Utilisation>('GET', `/api/v1/reports/utilisation?${range}`);
      expect(report.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['North depot', 'South depot']));
      await poll(() => tableRows(page)).toEqual(expectedRows(UTILISATION_REPORT, report, 'department'));
      expect(report.idle.map((i) => i.asset.name)).toContain('Lamp kit 43');
      const idle = await tableRows(page, 'idle-table');
      expect(idle.map((r) => r.name)).toEqual(report.idle.map((i) => i.asset.name));
      expect(
        await page.getByTestId('idle-table').getByRole('link', { name: 'Lamp kit 43' }).getAttribute('href'),
      ).toBe(`/equipment/${ids.kit}`);
      expect(await page.getByTestId('figure-utilisation').textContent()).toBe(
        UTILISATION_REPORT.figures(report).find((f) => f.key === 'utilisation')?.value,
      );
      await chartDrawn(page, report.rows.length);
      await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
      await screenshot(page, 'console-reports-utilisation');

      await page.getByTestId('report-by').selectOption('category');
      await poll(() => query(page).get('by')).toBe('category');
      const byCategory = await call<Utilisation>('GET', `/api/v1/reports/utilisation?${range}&by=category`);
      await poll(() => tableRows(page)).toEqual(expectedRows(UTILISATION_REPORT, byCategory, 'category'));
      expect(byCategory.rows.map((r) => r.name)).toContain('Lighting kit');
    });
  });

  it('visits: time at each place, per place and per place and asset', async () => {
    await screenshotOnFailure(page, 'console-reports-visits', async () => {
      await page.getByTestId('report-tabs').getByRole('link', { name: 'Visits' }).click();
      await page.waitForURL(`${api().url}/reports/visits`);
      // A tab opens its report as it starts, on this month so far: the seeded week by address.
      await page.goto(`${api().url}/reports/visits?${range}`);
      type Visits = Parameters<typeof VISITS_REPORT.rows>[0];
      const visits = await call<Visits>('GET', `/api/v1/reports/visits?${range}`);
      expect(visits.rows.map((r) => [r.place.name, r.visits, r.totalS])).toEqual(
        expect.arrayContaining([
          ['North yard', 1, H],
          ['Studio lot', 2, 75 * 60],
        ]),
      );
      await poll(() => tableRows(page)).toEqual(expectedRows(VISITS_REPORT, visits, 'place'));
      expect(await footer(page, 'visits')).toBe('3');
      await chartDrawn(page, 2);
      await page.getByTestId('report-by').selectOption('asset');
      const byAsset = await call<Visits>('GET', `/api/v1/reports/visits?${range}&by=asset`);
      await poll(() => tableRows(page)).toEqual(expectedRows(VISITS_REPORT, byAsset, 'asset'));
      expect((await tableRows(page)).map((r) => r.asset)).toEqual(
        expect.arrayContaining(['Van 41 (RPT-141)', 'Van 42 (RPT-142)']),
      );
      // A range over the report's month is said at once and not asked for.
      await page.getByTestId('range-from').fill(plusDays(sunday, -40));
      await page.getByTestId('range-from').dispatchEvent('change');
      expect(await page.getByTestId('range-picker').getByRole('alert').textContent()).toBe('at most 31 days');
      expect(query(page).get('from')).toBe(monday);
    });
  });

  it('alerts per asset by severity, a department filter in the address bar', async () => {
    await screenshotOnFailure(page, 'console-reports-alerts', async () => {
      await page.goto(`${api().url}/reports/alerts?${range}`);
      type Alerts = Parameters<typeof ALERTS_REPORT.rows>[0];
      const alerts = await call<Alerts>('GET', `/api/v1/reports/alerts?${range}`);
      expect(alerts.rows.find((r) => r.asset.id === ids.van41)).toMatchObject({
        total: 3,
        bySeverity: { critical: 1, warning: 2, info: 0 },
        open: 3,
      });
      await poll(() => tableRows(page)).toEqual(expectedRows(ALERTS_REPORT, alerts, undefined));
      expect(await footer(page, 'total')).toBe('4');
      expect(await page.getByTestId('report-by').count()).toBe(0);
      await chartDrawn(page, 2);
      await page.getByTestId('report-department').selectOption({ label: 'North depot' });
      await poll(() => query(page).get('departmentId')).toBe(ids.north);
      await poll(() =>
        page.getByTestId('report-table-row').getByTestId('cell-name').allTextContents(),
      ).toEqual(['Van 41']);
      expect(await footer(page, 'total')).toBe('3');
    });
    await tab.context.close();
  });
});

interface Schedule {
  id: string;
  name: string;
  report: string;
  params: Record<string, string>;
  enabled: boolean;
  lastRunAt: string | null;
  lastError: string | null;
}

describe('schedules by email', { timeout: 120_000 }, () => {
  it('are made from the page, sent now, switched off and removed', async () => {
    const tab = await signedIn(manager(), `/reports/utilisation?${range}&by=category`);
    const { page } = tab;
    await screenshotOnFailure(page, 'console-reports-schedules', async () => {
      const panel = page.getByTestId('schedule-panel');
      await poll(() => panel.getByTestId('schedule-empty').isVisible()).toBe(true);
      await panel.getByTestId('schedule-add').click();
      const form = panel.getByTestId('schedule-form');
      expect(await form.textContent()).toContain('Per category · every asset · every department');
      await form.getByLabel('Name').fill('Kits sitting idle');
      await form.getByLabel('When').selectOption('monthly');
      await form.getByTestId('schedule-submit').click();
      const to = form.locator('.field', { has: page.getByLabel('To') });
      expect(await to.getByTestId('field-error').textContent()).toBe('at least one email address');
      await form.getByLabel('To').fill('boss@example.test, kit-room@example.test');
      await form.getByTestId('schedule-submit').click();
      const item = panel.getByTestId('schedule');
      await poll(() => item.getByTestId('schedule-name').allTextContents()).toEqual(['Kits sitting idle']);
      expect(await item.getByTestId('schedule-recipients').textContent()).toBe(
        'To boss@example.test, kit-room@example.test',
      );
      expect(await item.getByTestId('schedule-last').textContent()).toBe('Not sent yet');
      const [made] = (await call<{ items: Schedule[] }>('GET', '/api/v1/report-schedules')).items;
      expect(made).toMatchObject({ report: 'utilisation', params: { by: 'category' }, enabled: true });

      await item.getByTestId('schedule-send').click();
      await poll(() => sink.mails.length).toBe(1);
      const mail = sink.mails[0];
      expect(mail?.attachments.map((a) => a.filename ?? '')).toEqual([expect.stringMatching(/\.xlsx$/)]);
      await poll(() => item.getByTestId('schedule-last').textContent()).toMatch(/^Sent /);
      expect(await panel.getByRole('status').textContent()).toMatch(
        /^Sent “Kits sitting idle” \(.+\) as .+\.xlsx\.$/,
      );

      await item.getByTestId('schedule-toggle').click();
      await poll(() => item.getByTestId('schedule-next').textContent()).toBe('Off');
      expect(await item.getAttribute('data-enabled')).toBe('false');
      const off = (await call<{ items: Schedule[] }>('GET', '/api/v1/report-schedules')).items;
      expect(off.map((s) => s.enabled)).toEqual([false]);

      // Another report's page does not list it.
      await page.getByTestId('report-tabs').getByRole('link', { name: 'Summary' }).click();
      await poll(() => panel.getByTestId('schedule-empty').isVisible()).toBe(true);
      await page.getByTestId('report-tabs').getByRole('link', { name: 'Utilisation' }).click();
      await poll(() => item.count()).toBe(1);
      await item.getByTestId('schedule-remove').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
      await poll(() => item.count()).toBe(0);
      expect((await call<{ items: Schedule[] }>('GET', '/api/v1/report-schedules')).items).toEqual([]);
    });
    await tab.context.close();
  });

  it('a viewer reads and downloads a report but schedules none', async () => {
    const tab = await signedIn(viewer(), `/reports/alerts?${range}`);
    const { page } = tab;
    await screenshotOnFailure(page, 'console-reports-viewer', async () => {
      await poll(() => page.getByTestId('report-table-row').count()).toBe(2);
      expect(await page.getByTestId('schedule-read-only').isVisible()).toBe(true);
      expect(await page.getByTestId('schedule-add').count()).toBe(0);
      const csv = await downloaded(page, 'csv');
      expect(csv.bytes.toString('utf8')).toContain('Van 41');
    });
    await tab.context.close();
  });
});

describe('the header', { timeout: 60_000 }, () => {
  it('fits every page of an administrator at 1280 px, Dashboard first and Reports among them', async () => {
    const tab = await signedIn(admin(), `/reports/summary?${range}`);
    const { page } = tab;
    await screenshotOnFailure(page, 'console-reports-header', async () => {
      const nav = page.getByTestId('console-nav');
      await poll(() => nav.getByRole('link').first().textContent()).toBe('Dashboard');
      expect(await nav.getByRole('link', { name: 'Reports' }).getAttribute('aria-current')).toBe('page');
      const fit = await nav.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(fit.scroll).toBeLessThanOrEqual(fit.client);
      const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
      expect((signOut?.x ?? 0) + (signOut?.width ?? 0)).toBeLessThanOrEqual(1280);
    });
    await tab.context.close();
  });
});
