// The device detail page in Chromium against the real platform (API, hub, broker, QuestDB): a
// vehicle that drove for the last 20 minutes (30 fixes with fuel, coolant, voltages, engine
// data) and had a harsh braking. The page shows who it is and its status, the latest values with
// units (updated live), the last 24 hours as uPlot charts, the events (a live one on top), and
// replays the last hour on a map: play, pause, the scrubber by keyboard, the speed. An unknown
// device says so. No console errors, no failed requests but the intended 404, nothing fetched
// from anywhere but 127.0.0.1.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ensureConsoleBuilt } from '@fleet/cli/console-build';
import { DeviceEventKind, encodeDeviceEvent, encodeTelemetryBatch, type TelemetryInput } from '@fleet/proto';
import type { MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../test/api-support.ts';
import { collectPageErrors, launchBrowser, screenshotOnFailure } from '../../test/browser.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SCREENSHOT = resolve(ROOT, 'docs/screenshots/device-detail.png');
const SCREENSHOT_FULL = resolve(ROOT, 'docs/screenshots/device-detail-full.png');
const NAME = 'Van 42';
const FIXES = 30;
const MISSING_ID = 'no-such-device';

let t: TestApi;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let vehicle: TestDevice;
/** A cold-chain tag that reported a few times, and a vehicle that never did. */
let tag: TestDevice;
let silent: TestDevice;
let mqtt: MqttClient;
/** Device time of the first and last fix of the drive. */
let firstTs = 0;
let lastTs = 0;
const failures: string[] = [];
const requested: string[] = [];
/** The only failed answers the tests cause on purpose. */
const INTENDED_FAILURES = new Set([`GET /api/v1/devices/${MISSING_ID} 404`]);

let seq = 1;

/**
 * Fix i of a drive through Helsinki's centre, one every 40 s, turning at every block (north,
 * east, north ...): every fix is a corner, so the API's simplification keeps them all.
 */
function fix(i: number, tsMs: number): TelemetryInput {
  return {
    seq: seq++,
    tsMs,
    lat: 60.1645 + Math.ceil(i / 2) * 0.0004,
    lon: 24.938 + Math.floor(i / 2) * 0.0007,
    speedKmh: 30 + (i % 5) * 5,
    headingDeg: i % 2 === 0 ? 90 : 0,
    ignition: true,
    odometerKm: 12_345.6 + i * 0.3,
    engineHours: 456.7 + i * 0.01,
    fuelLevelPct: 64 - i * 0.1,
    fuelLevelL: 48 - i * 0.08,
    batteryV: 4.1,
    externalV: 13.8,
    engineRpm: 1500 + i * 10,
    coolantTempC: 85 + (i % 3),
    engineLoadPct: 35,
    ...(i === FIXES - 1 ? { dtcCodes: ['P0301'] } : {}),
  };
}

/** Record k of the day before: driving in two spells, parked (engine off) otherwise. */
function history(k: number, tsMs: number): TelemetryInput {
  const driving = (k > 40 && k < 70) || (k > 90 && k < 120);
  const a = k / 9;
  return {
    seq: seq++,
    tsMs,
    lat: 60.17 + 0.008 * Math.sin(a),
    lon: 24.94 + 0.015 * Math.cos(a),
    speedKmh: driving ? 25 + 20 * Math.abs(Math.sin(k)) : 0,
    headingDeg: (k * 40) % 360,
    ignition: driving,
    odometerKm: 12_300 + k * 0.3,
    engineHours: 455 + k * 0.01,
    fuelLevelPct: 95 - k * 0.2,
    batteryV: 4.1,
    externalV: driving ? 13.9 : 12.5,
    engineRpm: driving ? 1400 + 30 * (k % 10) : 0,
    coolantTempC: driving ? 86 + (k % 4) : 25,
    engineLoadPct: driving ? 40 : 0,
  };
}

async function publishFixes(records: TelemetryInput[]): Promise<void> {
  await mqtt.publishAsync(`devices/${vehicle.id}/telemetry`, Buffer.from(encodeTelemetryBatch(records)), {
    qos: 1,
  });
}

async function publishEvent(
  kind: number,
  tsMs: number,
  more: { peakG?: number; speedKmh?: number; detail?: string; buttonId?: number },
) {
  await mqtt.publishAsync(
    `devices/${vehicle.id}/events`,
    Buffer.from(encodeDeviceEvent({ seq: seq++, tsMs, kind, detail: '', ...more })),
    { qos: 1 },
  );
}

/** Polls a REST read as the dispatcher until `ready` holds (QuestDB applies writes asynchronously). */
async function untilStored<B>(path: string, ready: (body: B) => boolean): Promise<void> {
  const token = t.orgA.users.dispatcher.token;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await t.request<B>('GET', path, { token });
    if (res.status === 200 && ready(res.body)) return;
    if (Date.now() > deadline) throw new Error(`${path}: not stored within 20 s: ${res.status} ${res.text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const testId = (id: string) => page.getByTestId(id);
const text = async (id: string) => ((await testId(id).textContent()) ?? '').replace(/\s+/g, ' ').trim();

beforeAll(async () => {
  await ensureConsoleBuilt(ROOT, () => {});
  t = await startTestApi();
  vehicle = await t.orgA.provision('vehicle');
  tag = await t.orgA.provision('equipment');
  silent = await t.orgA.provision('vehicle');
  for (const [device, name] of [
    [vehicle, NAME],
    [tag, 'Cold box 7'],
    [silent, 'Spare van'],
  ] as const) {
    const renamed = await t.request('PATCH', `/api/v1/devices/${device.id}`, {
      token: t.orgA.users.admin.token,
      body: { name },
    });
    expect(renamed.status).toBe(200);
  }

  // The day before: parked at night, out and about by day, one record every 10 minutes (the
  // charts' 24 hours); then the drive: 30 fixes over the last 20 minutes, the newest 40 s ago,
  // with a harsh braking midway.
  mqtt = await connectDevice(t.platform.service.mqttPort, vehicle);
  const now = Date.now();
  firstTs = now - 20 * 60_000;
  const dayStart = now - 24 * 3_600_000 + 60_000;
  await publishFixes(
    Array.from({ length: 136 }, (_, k) => history(k, dayStart + k * 10 * 60_000)).filter(
      (r) => r.tsMs < firstTs - 60 * 60_000,
    ),
  );
  const records = Array.from({ length: FIXES }, (_, i) => fix(i, firstTs + i * 40_000));
  lastTs = records.at(-1)?.tsMs ?? 0;
  await publishFixes(records);
  await publishEvent(DeviceEventKind.HARSH_BRAKING, now - 10 * 60_000, {
    peakG: 0.55,
    speedKmh: 48,
    detail: 'hard stop',
  });
  const range = `from=${now - 3_600_000}&to=${now + 60_000}`;
  await untilStored<{ points: unknown[] }>(
    `/api/v1/devices/${vehicle.id}/track?${range}`,
    (b) => b.points.length === FIXES,
  );
  await untilStored<{ items: { kind: string }[] }>(`/api/v1/devices/${vehicle.id}/events?${range}`, (b) =>
    b.items.some((e) => e.kind === 'HARSH_BRAKING'),
  );

  // The tag: standing in a yard, reporting its battery and probe every 15 minutes.
  const tagMqtt = await connectDevice(t.platform.service.mqttPort, tag);
  const tagRecords = [45, 30, 15].map(
    (minAgo, k): TelemetryInput => ({
      seq: k + 1,
      tsMs: now - minAgo * 60_000,
      lat: 60.1702,
      lon: 24.9447,
      speedKmh: 0,
      headingDeg: 0,
      satellites: 7,
      hdop: 1.3,
      batteryV: 3.612 - k * 0.001,
      temperatureC: -18.4 + k * 0.2,
      tamper: false,
    }),
  );
  await tagMqtt.publishAsync(`devices/${tag.id}/telemetry`, Buffer.from(encodeTelemetryBatch(tagRecords)), {
    qos: 1,
  });
  await tagMqtt.endAsync();
  // Standing still, its track simplifies to the two ends; all three fixes were read.
  await untilStored<{ sourcePoints: number }>(
    `/api/v1/devices/${tag.id}/track?${range}`,
    (b) => b.sourcePoints === 3,
  );

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  errors = collectPageErrors(page);
  page.on('request', (r) => requested.push(r.url()));
  page.on('websocket', (ws) => requested.push(ws.url()));
  page.on('response', (r) => {
    if (r.status() >= 400)
      failures.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
  });
  // A deep link: the login page brings the user back to it.
  await page.goto(`${t.url}/devices/${vehicle.id}`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Email').fill(t.orgA.users.dispatcher.email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${t.url}/devices/${vehicle.id}`);
}, 180_000);

afterEach(() => {
  // Chromium logs each failed answer as a console error: only the intended 404's are allowed.
  const resourceErrors = errors.filter((e) => e.startsWith('console: Failed to load resource'));
  expect(errors.filter((e) => !resourceErrors.includes(e))).toEqual([]);
  expect(failures.filter((f) => !INTENDED_FAILURES.has(f))).toEqual([]);
  expect(resourceErrors).toHaveLength(failures.length);
});

afterAll(async () => {
  await mqtt?.endAsync().catch(() => undefined);
  await context?.close().catch(() => undefined);
  await browser?.close();
  await t?.close();
  const foreign = requested.filter((u) => new URL(u).hostname !== '127.0.0.1');
  expect(foreign).toEqual([]);
});

describe('the device detail page', () => {
  it('shows who the device is, its status and when it was last seen', async () => {
    await screenshotOnFailure(page, 'console-detail-identity', async () => {
      await expect.poll(() => text('detail-name')).toBe(NAME);
      expect(await page.title()).toBe(`${NAME} · Fleet console`);
      await expect.poll(() => testId('detail-status').getAttribute('data-status')).toBe('moving');
      expect(await text('detail-status')).toBe('Moving');
      expect(await text('detail-kind')).toBe('Vehicle');
      expect(await text('detail-id')).toBe(vehicle.id);
      expect(await text('detail-enabled')).toBe('Enabled');
      expect(await text('detail-connection')).toBe('Online');
      expect(await text('detail-last-seen')).toMatch(
        /^(just now|\d+ s ago|\d+ min ago) \(\d+ \w{3} \d{4}, \d\d:\d\d:\d\d\)$/,
      );
    });
  });

  it('shows the latest values with their units, updated live', async () => {
    await screenshotOnFailure(page, 'console-detail-latest', async () => {
      await expect.poll(() => text('latest-speedKmh')).toBe('50 km/h'); // fix 29: 30 + 4 * 5
      expect(await text('latest-fuelLevelPct')).toBe('61.1 %');
      expect(await text('latest-coolantTempC')).toBe('87 °C');
      expect(await text('latest-batteryV')).toBe('4.1 V');
      expect(await text('latest-externalV')).toBe('13.8 V');
      expect(await text('latest-odometerKm')).toBe('12,354.3 km');
      expect(await text('latest-engineHours')).toBe('457 h');
      expect(await text('latest-engineRpm')).toBe('1,790 rpm');
      expect(await text('latest-dtcCodes')).toBe('P0301');
      expect(await text('latest-ignition')).toBe('On');
      // A new fix: the hub's positions frame updates the speed without a reload.
      await publishFixes([{ ...fix(FIXES, Date.now()), speedKmh: 77 }]);
      await expect.poll(() => text('latest-speedKmh'), { timeout: 10_000 }).toBe('77 km/h');
      // ... and the throttled refetch of /latest brings the rest of that record.
      await expect.poll(() => text('latest-engineRpm'), { timeout: 10_000 }).toBe('1,800 rpm');
    });
  });

  it('draws the last 24 hours as charts with units', async () => {
    await screenshotOnFailure(page, 'console-detail-charts', async () => {
      const speed = testId('chart-speedKmh');
      await speed.waitFor();
      expect(await speed.locator('canvas').count()).toBeGreaterThan(0);
      expect(Number(await speed.getAttribute('data-buckets'))).toBeGreaterThan(0);
      expect(await speed.locator('figcaption').textContent()).toContain('Speed (km/h)');
      for (const [field, unit] of [
        ['fuelLevelPct', '%'],
        ['coolantTempC', '°C'],
        ['externalV', 'V'],
        ['batteryV', 'V'],
        ['engineRpm', 'rpm'],
      ] as const) {
        const chart = testId(`chart-${field}`);
        expect(Number(await chart.getAttribute('data-buckets')), field).toBeGreaterThan(0);
        expect(await chart.locator('figcaption').textContent(), field).toContain(`(${unit})`);
        expect(await chart.locator('canvas').count(), field).toBeGreaterThan(0);
      }
      // The legend gives avg, min and max.
      expect(await speed.locator('.u-legend').textContent()).toMatch(/avg.*min.*max/s);
    });
  });

  it('lists the recent events, newest first, with live ones on top', async () => {
    await screenshotOnFailure(page, 'console-detail-events', async () => {
      const list = testId('events-list');
      await list.waitFor();
      const braking = list.locator('[data-kind=HARSH_BRAKING]');
      expect(await braking.textContent()).toContain('Harsh braking');
      expect(await braking.textContent()).toContain('hard stop · peak 0.55 g · at 48 km/h');
      await publishEvent(DeviceEventKind.BUTTON, Date.now(), { buttonId: 2, detail: 'call me' });
      await expect
        .poll(() => list.getByTestId('event').first().getAttribute('data-kind'), { timeout: 10_000 })
        .toBe('BUTTON');
      // A live frame carries the device's text (the button's number comes with the stored event).
      expect(await list.getByTestId('event').first().textContent()).toContain('call me');
    });
  });

  it('replays the last hour on the map: play, pause, scrubber, speed', async () => {
    await screenshotOnFailure(page, 'console-detail-playback', async () => {
      expect(await testId('playback-play').isDisabled()).toBe(true);
      await testId('playback-preset-1h').click();
      expect(await testId('playback-preset-1h').getAttribute('aria-pressed')).toBe('true');
      await expect
        .poll(() => testId('playback-map').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('ready');
      expect(await page.locator('[data-testid=playback-map] canvas.maplibregl-canvas').count()).toBe(1);
      expect(await text('playback-summary')).toContain(`${FIXES + 1} positions`);
      // At the start of the track.
      const ts = async () => Number(await testId('playback-time').getAttribute('data-ts'));
      const lat = async () => Number(await testId('playback-position').getAttribute('data-lat'));
      expect(await ts()).toBe(firstTs);
      const startLat = await lat();
      expect(startLat).toBeCloseTo(60.1645, 5);
      const startText = await text('playback-time');

      // Play: device time and the marker move on.
      await testId('playback-play').click();
      expect(await text('playback-play')).toBe('Pause');
      await expect.poll(() => text('playback-time')).not.toBe(startText);
      await expect.poll(lat).toBeGreaterThan(startLat);
      await testId('playback-play').click();
      expect(await text('playback-play')).toBe('Play');
      const paused = await ts();
      await page.waitForTimeout(300);
      expect(await ts()).toBe(paused);

      // The scrubber by keyboard: End, Home, and a step.
      const scrubber = testId('playback-scrubber');
      await scrubber.focus();
      await page.keyboard.press('End');
      await expect.poll(ts).toBeGreaterThan(lastTs);
      await page.keyboard.press('Home');
      await expect.poll(ts).toBe(firstTs);
      await page.keyboard.press('ArrowRight');
      await expect.poll(ts).toBeGreaterThan(firstTs);
      expect(await scrubber.getAttribute('aria-valuetext')).toBe(await text('playback-time'));

      // Halfway, then the screenshot of the page as a dispatcher sees it.
      await scrubber.fill('500');
      await expect.poll(lat).toBeGreaterThan(startLat + 0.002);
      // The page as a dispatcher sees it on a laptop, and the whole of it (the console scrolls
      // within its main area, so a full-page screenshot needs a window as tall as the page).
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.getByRole('link', { name: '← Back to the map' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: SCREENSHOT });
      for (let pass = 0; pass < 2; pass++) {
        const bottom = await page.getByText('Times are in').boundingBox();
        await page.setViewportSize({
          width: 1280,
          height: Math.ceil((bottom?.y ?? 800) + (bottom?.height ?? 0) + 24),
        });
      }
      await page.waitForTimeout(500); // the map redraws at its new size
      await page.screenshot({ path: SCREENSHOT_FULL });
      await page.setViewportSize({ width: 1280, height: 800 });

      // The speed: 300x plays the rest (under 10 minutes of device time) in about 2 s.
      await testId('playback-speed').selectOption('300');
      expect(await testId('playback-speed').inputValue()).toBe('300');
      await testId('playback-play').click();
      await expect.poll(() => text('playback-play'), { timeout: 10_000 }).toBe('Play');
      expect(Number(await scrubber.inputValue())).toBe(1000);
    });
  });

  it('checks a custom range before loading it', async () => {
    await screenshotOnFailure(page, 'console-detail-custom-range', async () => {
      await testId('playback-from').fill('2026-01-02T10:00');
      await testId('playback-to').fill('2026-01-02T09:00');
      await testId('playback-custom').click();
      expect(await text('playback-range-error')).toBe('The end must be after the start.');
      expect(await testId('playback-to').getAttribute('aria-invalid')).toBe('true');
      await testId('playback-to').fill('2026-03-02T09:00');
      await testId('playback-custom').click();
      expect(await text('playback-range-error')).toBe('A range may span at most 31 days.');
      // A valid range without positions: said so.
      await testId('playback-from').fill('2025-01-02T09:00');
      await testId('playback-to').fill('2025-01-02T10:00');
      await testId('playback-custom').click();
      await testId('playback-empty').waitFor();
      expect(await testId('playback-range-error').count()).toBe(0);
      expect(await testId('playback-play').isDisabled()).toBe(true);
    });
  });

  it("shows a tag's own values and charts: battery and temperature, no engine", async () => {
    await screenshotOnFailure(page, 'console-detail-tag', async () => {
      await page.goto(`${t.url}/devices/${tag.id}`);
      await expect.poll(() => text('detail-name')).toBe('Cold box 7');
      expect(await text('detail-kind')).toBe('Equipment');
      await expect.poll(() => text('latest-batteryV')).toBe('3.61 V');
      expect(await text('latest-temperatureC')).toBe('-18 °C');
      expect(await text('latest-tamper')).toBe('Closed');
      expect(await testId('latest-fuelLevelPct').count()).toBe(0);
      expect(await testId('latest-dtcCodes').count()).toBe(0);
      await testId('chart-temperatureC').waitFor();
      expect(await testId('chart-temperatureC').locator('figcaption').textContent()).toContain(
        'Temperature (°C)',
      );
      expect(Number(await testId('chart-batteryV').getAttribute('data-buckets'))).toBe(3);
      expect(await testId('chart-speedKmh').count()).toBe(1);
      expect(await testId('chart-fuelLevelPct').count()).toBe(0);
      // Its reports are a quarter of an hour apart: drawn as one line, not as dots or gaps.
      expect(await testId('chart-batteryV').locator('canvas').count()).toBeGreaterThan(0);
    });
  });

  it('has an empty state for every section of a device that never reported', async () => {
    await screenshotOnFailure(page, 'console-detail-silent', async () => {
      await page.goto(`${t.url}/devices/${silent.id}`);
      await expect.poll(() => text('detail-name')).toBe('Spare van');
      await expect.poll(() => testId('detail-status').getAttribute('data-status')).toBe('offline');
      expect(await text('detail-last-seen')).toBe('Never');
      expect(await text('detail-connection')).toBe('Offline');
      await testId('latest-empty').waitFor();
      await testId('charts-empty').waitFor();
      await testId('events-empty').waitFor();
      expect(await testId('playback-prompt').isVisible()).toBe(true);
      await testId('playback-preset-24h').click();
      await testId('playback-empty').waitFor();
      expect(await testId('playback-play').isDisabled()).toBe(true);
    });
  });

  it('says so for a device that does not exist, with the way back to the map', async () => {
    await screenshotOnFailure(page, 'console-detail-404', async () => {
      await page.goto(`${t.url}/devices/${MISSING_ID}`);
      await testId('detail-not-found').waitFor();
      expect(await testId('detail-not-found').getByRole('heading').textContent()).toBe('No such device');
      expect(
        await testId('detail-not-found').getByRole('link', { name: 'Back to the map' }).getAttribute('href'),
      ).toBe('/');
      expect(await page.title()).toBe('No such device · Fleet console');
      // Nothing else was asked about it.
      expect(failures).toEqual([`GET /api/v1/devices/${MISSING_ID} 404`]);
    });
  });
});
