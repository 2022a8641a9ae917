// The KPI dashboard in Chromium against the real platform (API, hub, broker, the rule engine, the
// trip detector, QuestDB): a seeded company's figures on the tiles (vans active now of the fleet,
// this morning's drive as today's distance and engine time, alerts by severity, today's jobs by
// state with the late one, services due, cost per km by month with its chart), each tile leading
// to its page, and the tiles the hub feeds changing without a reload: an alert raised by a van's
// engine fault over MQTT, a job a dispatcher moves elsewhere, a second van driving off. The page
// at 1280 x 800 is docs/screenshots/console-dashboard.png.
import { encodeTelemetryBatch } from '@fleet/proto';
import { localDay, localDayStart } from '@fleet/shared/time-zone';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { noonZone } from '../../test/noon-zone.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';
import { formatUtilisation } from '../src/lib/dashboard/figures.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;
const api = () => harness.api;
const admin = () => api().orgA.users.admin;
const manager = () => api().orgA.users.fleet_manager;
const dispatcher = () => api().orgA.users.dispatcher;

const MIN = 60_000;
const HOUR = 60 * MIN;
/** About noon there now: this morning's drive is today's whenever this runs. */
const ZONE = noonZone();
const TODAY = localDay(Date.now(), ZONE);
const on = (hours: number) => new Date(localDayStart(TODAY, ZONE) + hours * HOUR).toISOString();

async function call<T>(method: string, path: string, body?: unknown, token = manager().token): Promise<T> {
  const reply = await api().request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

interface Fix {
  ts: number;
  lat: number;
  speedKmh: number;
  ignition: boolean;
  dtcCodes?: string[];
}
const seqs = new Map<string, number>();
async function publish(device: TestDevice, fixes: readonly Fix[]): Promise<void> {
  const client = await connectDevice(api().platform.service.mqttPort, device);
  try {
    for (let i = 0; i < fixes.length; i += 200) {
      const batch = fixes.slice(i, i + 200).map((f) => {
        const seq = (seqs.get(device.id) ?? 0) + 1;
        seqs.set(device.id, seq);
        return {
          seq,
          tsMs: f.ts,
          lat: f.lat,
          lon: 24.94,
          speedKmh: f.speedKmh,
          ignition: f.ignition,
          ...(f.dtcCodes ? { dtcCodes: f.dtcCodes } : {}),
        };
      });
      await client.publishAsync(`devices/${device.id}/telemetry`, Buffer.from(encodeTelemetryBatch(batch)), {
        qos: 1,
      });
    }
  } finally {
    await client.endAsync();
  }
}

async function tracked(name: string, plate: string): Promise<{ id: string; device: TestDevice }> {
  const { id } = await call<{ id: string }>('POST', '/api/v1/vehicles', { name, plate });
  const device = await api().orgA.provision('vehicle');
  await call('POST', `/api/v1/assets/${id}/installations`, {
    deviceId: device.id,
    installedAt: new Date(Date.now() - 5 * HOUR).toISOString(),
  });
  return { id, device };
}

let van1: { id: string; device: TestDevice };
let van2: { id: string; device: TestDevice };
let van3: { id: string; device: TestDevice };
let planned: string;

beforeAll(async () => {
  await call('PATCH', '/api/v1/organisation', { timeZone: ZONE }, admin().token);
  van1 = await tracked('Van 1', 'DSH-1');
  van2 = await tracked('Van 2', 'DSH-2');
  van3 = await tracked('Van 3', 'DSH-3');
  await call('POST', '/api/v1/vehicles', { name: 'Van 4', plate: 'DSH-4' });
  // Van 1 this morning: 6 km north at 40 km/h (9 minutes), parked with the engine off.
  const start = Date.now() - 3 * HOUR;
  const drive: Fix[] = [
    ...Array.from({ length: 15 }, (_, i) => ({
      ts: start + i * 20_000,
      lat: 60.1,
      speedKmh: 0,
      ignition: false,
    })),
    ...Array.from({ length: 108 }, (_, i) => ({
      ts: start + 300_000 + (i + 1) * 5000,
      lat: 60.1 + ((i + 1) * 6) / 108 / 111.195,
      speedKmh: 40,
      ignition: true,
    })),
  ];
  const end = drive.at(-1) as Fix;
  drive.push(
    ...Array.from({ length: 30 }, (_, i) => ({
      ts: end.ts + (i + 1) * 20_000,
      lat: end.lat,
      speedKmh: 0,
      ignition: false,
    })),
  );
  await publish(van1.device, drive);
  // Van 2 on the move right now.
  await publish(van2.device, [{ ts: Date.now() - 20_000, lat: 60.3, speedKmh: 35, ignition: true }]);
  await api().platform.service.trips.flush();

  // An alert needing attention already, written as the rule engine writes one; a rule for more.
  await api().platform.db.query(
    `insert into alerts (org_id, kind, severity, title, asset_id, episode_key, state, active, started_at, raised_at, details, lat, lon)
     values ($1, 'overspeed', 'critical', 'Speeding', $2, 'dashboard:1', 'open', true, now() - interval '5 minutes', now(), '{}'::jsonb, 60.17, 24.94)`,
    [api().orgA.id, van1.id],
  );
  await call(
    'POST',
    '/api/v1/rules',
    { name: 'Fault codes', kind: 'engine_fault', severity: 'warning', params: { clearDelayS: 0 } },
    admin().token,
  );

  // Today's jobs: one planned, one dispatched, one en route and late by its ETA.
  const site = await call<{ id: string }>('POST', '/api/v1/places', {
    name: 'Harbour studio',
    category: 'job_site',
    geometry: { type: 'circle', center: { lat: 61.2, lon: 24.94 }, radiusM: 150 },
  });
  const job = (title: string, assetIds: string[], start: number) =>
    call<{ id: string }>(
      'POST',
      '/api/v1/jobs',
      { title, placeId: site.id, startsAt: on(start), endsAt: on(start + 4), assetIds },
      dispatcher().token,
    );
  const move = (id: string, state: string) =>
    call('POST', `/api/v1/jobs/${id}/state`, { state }, dispatcher().token);
  planned = (await job('Load-in', [van3.id], 14)).id;
  await move((await job('Shoot', [van1.id], 15)).id, 'dispatched');
  const late = (await job('Delivery', [van2.id], 11)).id;
  await move(late, 'dispatched');
  await move(late, 'en_route');
  await api().platform.db.query(
    `insert into job_etas (job_id, org_id, asset_id, eta_at, distance_km, computed_at) values ($1, $2, $3, $4, 80, now())
     on conflict (job_id) do update set eta_at = excluded.eta_at`,
    [late, api().orgA.id, van2.id, on(12.5)],
  );

  // Van 1 overdue for service; its odometer and fuel give this month's cost per km.
  await call('POST', '/api/v1/service-plans', {
    name: 'Service A',
    intervalKm: 15000,
    soonKm: 1000,
    appliesTo: { assetIds: [van1.id] },
  });
  const reading = (value: number, readAt: string) =>
    call(
      'POST',
      `/api/v1/assets/${van1.id}/meter-readings`,
      { meter: 'odometer', value, readAt },
      api().orgA.users.mechanic.token,
    );
  await reading(16_000, on(0.5));
  await reading(16_500, new Date(Date.now() - HOUR).toISOString());
  await call('POST', '/api/v1/fuel-entries', {
    assetId: van1.id,
    filledAt: new Date(Date.now() - 2 * HOUR).toISOString(),
    litres: 40,
    total: '90.00',
  });

  // This morning's trip is written with the next commit.
  const trips = async () =>
    (await call<{ totals: { trips: number } }>('GET', `/api/v1/reports/summary?from=${TODAY}&to=${TODAY}`))
      .totals.trips;
  for (const deadline = Date.now() + 15_000; (await trips()) < 1; ) {
    if (Date.now() > deadline) throw new Error("this morning's trip never reached the fleet summary");
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

const text = (page: Page, testid: string) => page.getByTestId(testid).textContent();
const count = async (page: Page, testid: string) =>
  Number(await page.getByTestId(testid).getAttribute('data-count'));

describe('the dashboard', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(manager(), '/dashboard');
    page = tab.page;
  });

  it('shows the seeded figures on its tiles', async () => {
    await screenshotOnFailure(page, 'console-dashboard', async () => {
      await poll(() => text(page, 'vehicles-total')).toBe('4');
      await poll(() => text(page, 'active-now')).toBe('1');
      expect(await text(page, 'today-distance')).toBe('6 km');
      expect(await text(page, 'today-trips')).toBe('1');
      expect(await text(page, 'today-engine')).toMatch(/^(9|10) min$/);
      expect(await text(page, 'month-distance')).toBe('6 km');
      const month = await call<{ totals: { utilisation: number | null } }>(
        'GET',
        `/api/v1/reports/summary?from=${TODAY.slice(0, 8)}01&to=${TODAY}`,
      );
      expect(await text(page, 'utilisation')).toBe(formatUtilisation(month.totals.utilisation));
      await poll(() => count(page, 'alerts-critical')).toBe(1);
      expect(await count(page, 'alerts-warning')).toBe(0);
      expect(await text(page, 'alerts-total')).toBe('1');
      expect(await count(page, 'jobs-planned')).toBe(1);
      expect(await count(page, 'jobs-dispatched')).toBe(1);
      expect(await count(page, 'jobs-en_route')).toBe(1);
      expect(await text(page, 'jobs-late')).toBe('1 late');
      expect(await text(page, 'jobs-total')).toBe('3');
      expect(await count(page, 'services-overdue')).toBe(1);
      expect(await count(page, 'services-due-soon')).toBe(0);
      // 90.00 over the 500 km van 1 did this month.
      expect(await text(page, 'cost-per-km')).toBe('€0.18/km');
      await poll(() => page.getByTestId('cost-trend-chart').locator('canvas').count()).toBe(1);
      expect(await page.getByTestId('cost-trend-chart').getAttribute('data-bars')).toBe('1');
      expect(await page.getByTestId('cost-trend-months').locator('li').count()).toBe(6);
      await screenshot(page, 'console-dashboard');
    });
  });

  it('follows the hub: a new alert, a job moved elsewhere, a van driving off, without a reload', async () => {
    await screenshotOnFailure(page, 'console-dashboard-live', async () => {
      await poll(() => page.getByTestId('live-state').getAttribute('data-state')).toBe('live');
      await page.evaluate(() => {
        (globalThis as unknown as { stayed: boolean }).stayed = true;
      });
      await publish(van3.device, [
        { ts: Date.now() - 1000, lat: 60.5, speedKmh: 0, ignition: true, dtcCodes: ['P0420'] },
      ]);
      // Within the minute the page would take to read the dashboard again: the hub's doing.
      await poll(() => count(page, 'alerts-warning'), { timeout: 20_000 }).toBe(1);
      expect(await text(page, 'alerts-total')).toBe('2');
      // Van 3's record has the engine on: active now too.
      await poll(() => text(page, 'active-now')).toBe('2');

      await call('POST', `/api/v1/jobs/${planned}/state`, { state: 'dispatched' }, dispatcher().token);
      await poll(() => count(page, 'jobs-dispatched')).toBe(2);
      expect(await count(page, 'jobs-planned')).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(true);
    });
  });

  it('leads from each tile to its page', async () => {
    await screenshotOnFailure(page, 'console-dashboard-links', async () => {
      const hrefs = Object.fromEntries(
        await Promise.all(
          ['active', 'today', 'month', 'utilisation', 'alerts', 'jobs', 'services', 'costs'].map(
            async (t) => [t, await page.getByTestId(`tile-${t}`).getAttribute('href')] as const,
          ),
        ),
      );
      expect(hrefs).toEqual({
        active: '/',
        today: `/reports/summary?from=${TODAY}&to=${TODAY}`,
        month: `/reports/summary?from=${TODAY.slice(0, 8)}01&to=${TODAY}`,
        utilisation: `/reports/utilisation?from=${TODAY.slice(0, 8)}01&to=${TODAY}`,
        alerts: '/alerts',
        jobs: `/jobs?day=${TODAY}`,
        services: '/maintenance',
        costs: '/costs',
      });
      for (const [tile, path, ready] of [
        ['alerts', '/alerts', 'h1'],
        ['jobs', '/jobs', '[data-testid=job-card]'],
        ['services', '/maintenance', 'h1'],
        ['costs', '/costs', '[data-testid=cost-totals]'],
      ] as const) {
        await page.getByTestId(`tile-${tile}`).click();
        await page.waitForURL((url) => url.pathname === path);
        await page.locator(ready).first().waitFor();
        await page.goBack();
        await page.waitForURL((url) => url.pathname === '/dashboard');
        await page.getByTestId('tile-costs').waitFor();
      }
      await page.getByTestId('tile-active').click();
      await page.waitForURL((url) => url.pathname === '/');
      await page.getByTestId('live-map').waitFor();
    });
  });
});
