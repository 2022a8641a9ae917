// The live map following a hub viewport (`?live=viewport`, what a large fleet gets by itself) in
// Chromium against the real platform: zoomed on Helsinki the map draws the vans in view from the
// hub's positions and shows the vans in Tampere as the hub's cluster count; zoomed out to the
// fleet the count is gone and every van is drawn. The console asks for compact frames.
import { resolve } from 'node:path';
import { ensureConsoleBuilt } from '@fleet/cli/console-build';
import { encodeTelemetryBatch } from '@fleet/proto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../test/api-support.ts';
import { collectPageErrors, launchBrowser, screenshotOnFailure } from '../../test/browser.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';

const ROOT = resolve(import.meta.dirname, '../..');

let t: TestApi;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
/** What the page sent the hub, as text. */
const sent: string[] = [];
const helsinki: TestDevice[] = [];
const tampere: TestDevice[] = [];

let seq = 1;
async function report(device: TestDevice, lat: number, lon: number): Promise<void> {
  const mqtt = await connectDevice(t.platform.service.mqttPort, device);
  try {
    await mqtt.publishAsync(
      `devices/${device.id}/telemetry`,
      Buffer.from(
        encodeTelemetryBatch([
          { seq: seq++, tsMs: Date.now(), lat, lon, speedKmh: 30, headingDeg: 45, ignition: true },
        ]),
      ),
      { qos: 1 },
    );
  } finally {
    await mqtt.endAsync();
  }
}

beforeAll(async () => {
  await ensureConsoleBuilt(ROOT, () => {});
  t = await startTestApi();
  for (let i = 0; i < 6; i++) {
    const d = await t.orgA.provision('vehicle');
    helsinki.push(d);
    await report(d, 60.1665 + (i % 3) * 0.002, 24.938 + Math.floor(i / 3) * 0.004);
  }
  for (let i = 0; i < 4; i++) {
    const d = await t.orgA.provision('vehicle');
    tampere.push(d);
    await report(d, 61.4978 + i * 0.001, 23.761 + i * 0.001);
  }
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  errors = collectPageErrors(page);
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
  await page.goto(`${t.url}/login`);
  await page.getByLabel('Email').fill(t.orgA.users.dispatcher.email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${t.url}/`);
  await page.goto(`${t.url}/?live=viewport`);
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await t?.close();
});

const map = () => page.getByTestId('live-map');
const viewports = () =>
  sent
    .filter((s) => s.includes('"op":"viewport"'))
    .map((s) => JSON.parse(s) as { bbox: number[] | null; zoom: number });

describe('the live map with a hub viewport', () => {
  it('shows the whole fleet in view, with nothing outside', async () => {
    await screenshotOnFailure(page, 'console-map-viewport-fleet', async () => {
      await expect
        .poll(() => map().getAttribute('data-ready'), { timeout: 20_000 })
        .toBe('true')
        .catch((err: unknown) => {
          throw new Error(`${String(err)}; page errors: ${errors.join('; ')}`);
        });
      await expect.poll(() => map().getAttribute('data-drawn'), { timeout: 10_000 }).toBe('10');
      await expect.poll(() => map().getAttribute('data-outside'), { timeout: 10_000 }).toBe('0');
      expect(sent.some((s) => s.includes('"format":"columns"'))).toBe(true);
    });
  });

  it('zoomed on Helsinki: the vans in view are drawn, the ones in Tampere are a cluster count', async () => {
    await screenshotOnFailure(page, 'console-map-viewport-zoomed', async () => {
      // Selecting a van flies the map to it at street zoom: a moveend, so a new viewport.
      await page.locator(`#device-row-${helsinki[0]?.id}`).click();
      await expect.poll(() => map().getAttribute('data-outside'), { timeout: 15_000 }).toBe('4');
      const last = viewports().at(-1);
      expect(last?.zoom).toBeGreaterThanOrEqual(13);
      const [w, s, e, n] = last?.bbox ?? [];
      expect(w).toBeLessThan(24.938);
      expect(e).toBeGreaterThan(24.942);
      expect(n).toBeLessThan(61); // Tampere is outside
      expect(s).toBeLessThan(60.1665);
      await expect.poll(() => map().getAttribute('data-drawn'), { timeout: 10_000 }).toBe('6');
      expect(await page.getByTestId('outside-count').textContent()).toContain('4 outside the view');
      // A van in view moves on the map; the list keeps all ten.
      await report(helsinki[1] as TestDevice, 60.1672, 24.9391);
      expect(await page.getByTestId('list-summary').textContent()).toContain('10 of 10 devices');
      await page.screenshot({ path: resolve(ROOT, 'docs/screenshots/live-map-viewport.png') });
    });
  });

  it('zoomed out to the fleet again: no count outside, every van drawn', async () => {
    await screenshotOnFailure(page, 'console-map-viewport-out', async () => {
      await page.getByTestId('fit-fleet').click();
      await expect.poll(() => map().getAttribute('data-outside'), { timeout: 15_000 }).toBe('0');
      await expect.poll(() => map().getAttribute('data-drawn'), { timeout: 10_000 }).toBe('10');
      expect(await page.getByTestId('outside-count').count()).toBe(0);
      expect(errors).toEqual([]);
    });
  });
});
