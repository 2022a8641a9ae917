// The live map in Chromium against the real platform (API, hub, broker, QuestDB) with a small
// fleet reporting over MQTT: markers drawn for every device with a position, the list with its
// search, status filter and counts, devices named by the vehicle and plate they are installed
// on, the department filter (with its sub-departments) narrowing list, counts and map and kept
// in the address, selecting a vehicle (card, trail, follow) and seeing its marker move when it
// reports, and losing the network: a banner while the hub is unreachable, then the snapshot on
// reconnect redraws the marker at the position it reported meanwhile.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureConsoleBuilt } from '@fleet/cli/console-build';
import { encodeTelemetryBatch } from '@fleet/proto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestApi } from '../../test/api-support.ts';
import { collectPageErrors, launchBrowser, screenshotOnFailure } from '../../test/browser.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SCREENSHOT = resolve(ROOT, 'docs/screenshots/live-map.png');

let t: TestApi;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const failures: string[] = [];
const requested: string[] = [];

interface Member {
  device: TestDevice;
  name: string;
}
const vehicles: Member[] = [];
let tag: Member;
/** The department tree of the test, and the vehicles three of the vans are installed on. */
const departments = { production: '', lighting: '', office: '' };
let lightingTruck = '';

let seq = 1;
async function report(
  device: TestDevice,
  fix: { lat: number; lon: number; speedKmh: number; headingDeg: number; ignition: boolean },
): Promise<void> {
  const mqtt = await connectDevice(t.platform.service.mqttPort, device);
  try {
    await mqtt.publishAsync(
      `devices/${device.id}/telemetry`,
      Buffer.from(encodeTelemetryBatch([{ seq: seq++, tsMs: Date.now(), ...fix }])),
      { qos: 1 },
    );
  } finally {
    await mqtt.endAsync();
  }
}

async function provisionNamed(kind: 'vehicle' | 'equipment', name: string): Promise<Member> {
  const device = await t.orgA.provision(kind);
  const renamed = await t.request('PATCH', `/api/v1/devices/${device.id}`, {
    token: t.orgA.users.admin.token,
    body: { name },
  });
  expect(renamed.status).toBe(200);
  return { device, name };
}

async function created(path: string, body: unknown): Promise<string> {
  const res = await t.request<{ id: string }>('POST', path, { token: t.orgA.users.admin.token, body });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

const selectedAt = () => page.getByTestId('live-map').getAttribute('data-selected-at');
const at = (lon: number, lat: number) => `${lon.toFixed(6)},${lat.toFixed(6)}`;

beforeAll(async () => {
  await ensureConsoleBuilt(ROOT, () => {});
  t = await startTestApi();
  // Twelve vehicles on the streets around Helsinki's centre: moving, idle and stopped.
  for (let i = 0; i < 12; i++) {
    const m = await provisionNamed('vehicle', `Van ${String(i + 1).padStart(2, '0')}`);
    vehicles.push(m);
    const status = i % 3; // 0 moving, 1 idle, 2 stopped
    await report(m.device, {
      lat: 60.1665 + (i % 4) * 0.0028,
      lon: 24.938 + Math.floor(i / 4) * 0.0055,
      speedKmh: status === 0 ? 30 + i : 0,
      headingDeg: (i * 37) % 360,
      ignition: status !== 2,
    });
  }
  tag = await provisionNamed('equipment', 'Generator 7'); // never reports: offline, no marker
  // Production (with Lighting below it) and Office; Van 09 (stopped) is in the lighting truck,
  // Van 10 (moving) in the production van, Van 11 (idle) in the office car.
  departments.production = await created('/api/v1/departments', { name: 'Production', parentId: null });
  departments.lighting = await created('/api/v1/departments', {
    name: 'Lighting',
    parentId: departments.production,
  });
  departments.office = await created('/api/v1/departments', { name: 'Office', parentId: null });
  const onVehicle: [number, string, string, string][] = [
    [8, 'Lighting truck', 'LGT-101', departments.lighting],
    [9, 'Production van', 'PRD-202', departments.production],
    [10, 'Office car', 'OFC-303', departments.office],
  ];
  for (const [i, name, plate, departmentId] of onVehicle) {
    const id = await created('/api/v1/vehicles', { name, plate, departmentId });
    if (name === 'Lighting truck') lightingTruck = id;
    await created(`/api/v1/assets/${id}/installations`, { deviceId: (vehicles[i] as Member).device.id });
  }
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
  await page.goto(`${t.url}/login`);
  await page.getByLabel('Email').fill(t.orgA.users.dispatcher.email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${t.url}/`);
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await t?.close();
});

describe('the live map', () => {
  it('draws a marker for every device with a position and lists the whole fleet', async () => {
    await screenshotOnFailure(page, 'console-map-markers', async () => {
      await expect
        .poll(() => page.getByTestId('live-map').getAttribute('data-ready'), { timeout: 20_000 })
        .toBe('true');
      await expect
        .poll(() => page.getByTestId('live-map').getAttribute('data-drawn'), { timeout: 10_000 })
        .toBe('12');
      expect(await page.getByTestId('list-summary').textContent()).toContain('13 of 13 devices');
      expect(await page.getByTestId('count-moving').textContent()).toBe('4');
      expect(await page.getByTestId('count-idle').textContent()).toBe('4');
      expect(await page.getByTestId('count-stopped').textContent()).toBe('4');
      expect(await page.getByTestId('count-offline').textContent()).toBe('1');
      // By what each reads as: the vehicle and plate a device is on, else the device.
      const names = await page.getByTestId('device-row').locator('.name').allTextContents();
      expect(names.slice(0, 6)).toEqual([
        'Generator 7',
        'Lighting truck · LGT-101',
        'Office car · OFC-303',
        'Production van · PRD-202',
        'Van 01',
        'Van 02',
      ]);
      // The canvas is there and MapLibre drew into it.
      expect(await page.locator('[data-testid=live-map] canvas.maplibregl-canvas').count()).toBe(1);
    });
  });

  it('filters the list by search, status and kind, and sorts by last seen', async () => {
    await screenshotOnFailure(page, 'console-map-filter', async () => {
      await page.getByTestId('list-search').fill('GENERATOR');
      await expect.poll(() => page.getByTestId('list-summary').textContent()).toContain('1 of 13 devices');
      await page.getByTestId('list-search').fill('van');
      await expect.poll(() => page.getByTestId('list-summary').textContent()).toContain('12 of 13 devices');
      await page.getByTestId('list-search').fill('');
      await page.getByTestId('filter-moving').click();
      await expect.poll(() => page.getByTestId('list-summary').textContent()).toContain('4 of 13 devices');
      expect(await page.getByTestId('filter-moving').getAttribute('aria-pressed')).toBe('true');
      // The address bar follows the filter, so a link shows the same list.
      await expect.poll(() => new URL(page.url()).search).toBe('?status=moving');
      await page.getByTestId('filter-moving').click();
      await page.getByTestId('list-kind').selectOption('equipment');
      await expect.poll(() => page.getByTestId('list-summary').textContent()).toContain('1 of 1 devices');
      await page.getByTestId('list-kind').selectOption('');
      await page.getByTestId('list-sort').selectOption('lastSeen');
      const names = await page.getByTestId('device-row').locator('.name').allTextContents();
      expect(names.at(-1)).toBe('Generator 7'); // never seen: last
      expect(names[0]).toBe('Van 12'); // reported last
      await page.getByTestId('list-sort').selectOption('name');
    });
  });

  it('names devices by vehicle and plate, and narrows list, counts and map to a department', async () => {
    await screenshotOnFailure(page, 'console-map-department', async () => {
      const summary = () => page.getByTestId('list-summary').textContent();
      const drawn = () => page.getByTestId('live-map').getAttribute('data-drawn');
      const names = () => page.getByTestId('device-row').locator('.name').allTextContents();
      // The plate in the list, the device's own name second; found by plate as people type it.
      const truck = page.locator('[data-testid=device-row]', { hasText: 'LGT-101' });
      expect(await truck.locator('.name').textContent()).toBe('Lighting truck · LGT-101');
      expect(await truck.getByTestId('row-device').textContent()).toBe('Van 09');
      await page.getByTestId('list-search').fill('prd202');
      await expect.poll(summary).toContain('1 of 13 devices');
      expect(await names()).toEqual(['Production van · PRD-202']);
      await page.getByTestId('list-search').fill('');

      // Production with Lighting below it: the list, the counts and the markers follow.
      const department = page.getByTestId('list-department');
      await expect
        .poll(() => department.locator('option').allTextContents())
        .toEqual(['All departments', 'Office', 'Production', 'Production › Lighting']);
      await department.selectOption({ label: 'Production' });
      await expect.poll(summary).toContain('2 of 2 devices');
      expect(await names()).toEqual(['Lighting truck · LGT-101', 'Production van · PRD-202']);
      expect(await page.getByTestId('count-moving').textContent()).toBe('1');
      expect(await page.getByTestId('count-idle').textContent()).toBe('0');
      expect(await page.getByTestId('count-stopped').textContent()).toBe('1');
      expect(await page.getByTestId('count-offline').textContent()).toBe('0');
      await expect.poll(drawn).toBe('2');
      await expect.poll(() => new URL(page.url()).search).toBe(`?departmentId=${departments.production}`);
      await department.selectOption({ label: 'Production › Lighting' });
      await expect.poll(summary).toContain('1 of 1 devices');
      await expect.poll(drawn).toBe('1');

      // The address keeps it: a reload shows the same.
      await page.reload();
      await expect
        .poll(() => page.getByTestId('live-map').getAttribute('data-ready'), { timeout: 20_000 })
        .toBe('true');
      await expect.poll(summary, { timeout: 20_000 }).toContain('1 of 1 devices');
      await expect.poll(drawn).toBe('1');
      await expect.poll(() => department.inputValue()).toBe(departments.lighting);

      // The card names the vehicle and links to it.
      await truck.click();
      await expect
        .poll(() => page.getByTestId('selected-name').textContent())
        .toBe('Lighting truck · LGT-101');
      expect(await page.getByTestId('selected-device').textContent()).toBe('Van 09');
      const link = page.getByTestId('selected-asset');
      expect(await link.textContent()).toBe('Lighting truck · LGT-101');
      expect(await link.getAttribute('href')).toBe(`/vehicles/${lightingTruck}`);
      await page.getByRole('button', { name: 'Clear selection' }).click();

      await department.selectOption('');
      await expect.poll(summary).toContain('13 of 13 devices');
      await expect.poll(drawn).toBe('12');
      await expect.poll(() => new URL(page.url()).search).toBe('');
    });
  });

  it('selects a vehicle from the list, shows its card, and moves its marker when it reports', async () => {
    await screenshotOnFailure(page, 'console-map-select', async () => {
      const van = vehicles[0] as Member; // moving, at 60.1665, 24.938
      await page.locator('[data-testid=device-row]', { hasText: van.name }).click();
      await expect.poll(() => page.getByTestId('selected-name').textContent()).toBe(van.name);
      expect(await page.getByTestId('selected-status').textContent()).toBe('Moving');
      await expect.poll(selectedAt).toBe(at(24.938, 60.1665));
      expect(await page.locator('[data-testid=device-row][aria-selected=true] .name').textContent()).toBe(
        van.name,
      );
      await report(van.device, { lat: 60.1668, lon: 24.9395, speedKmh: 35, headingDeg: 60, ignition: true });
      // It glides there, then stays.
      await expect.poll(selectedAt, { timeout: 10_000 }).toBe(at(24.9395, 60.1668));
      expect(new URL(page.url()).searchParams.get('device')).toBe(van.device.id);
      // A reload keeps the selection (and the session).
      await page.reload();
      await expect
        .poll(() => page.getByTestId('selected-name').textContent(), { timeout: 20_000 })
        .toBe(van.name);
      await expect
        .poll(() => page.getByTestId('live-map').getAttribute('data-ready'), { timeout: 20_000 })
        .toBe('true');
      await page.getByTestId('follow').click();
      expect(await page.getByTestId('follow').getAttribute('aria-pressed')).toBe('true');
      // Arrow keys move the selection in the list (and on the map).
      await page.getByTestId('device-list').focus();
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => page.getByTestId('selected-name').textContent()).toBe('Van 02');
      await page.keyboard.press('ArrowUp');
      await expect.poll(() => page.getByTestId('selected-name').textContent()).toBe(van.name);
      await page.getByTestId('fit-fleet').click();
      await page.waitForTimeout(1_000);
      mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    });
  });

  it('shows a banner while the hub is unreachable, and resyncs every marker when it is back', async () => {
    await screenshotOnFailure(page, 'console-map-resync', async () => {
      const van = vehicles[0] as Member;
      await context.setOffline(true);
      await expect.poll(() => page.getByTestId('live-banner').isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByTestId('live-banner').textContent()).toContain('Live updates interrupted');
      // Reported while the console cannot hear it.
      await report(van.device, { lat: 60.1675, lon: 24.9412, speedKmh: 20, headingDeg: 10, ignition: true });
      await page.waitForTimeout(500);
      expect(await selectedAt()).toBe(at(24.9395, 60.1668));
      await context.setOffline(false);
      await expect
        .poll(() => page.getByTestId('live-state').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('live');
      await expect.poll(() => page.getByTestId('live-banner').count()).toBe(0);
      await expect.poll(selectedAt, { timeout: 10_000 }).toBe(at(24.9412, 60.1675));
      await expect.poll(() => page.getByTestId('live-map').getAttribute('data-drawn')).toBe('12');
    });
  });

  it('opens the device page from the card', async () => {
    await screenshotOnFailure(page, 'console-map-open', async () => {
      await page.getByTestId('open-detail').click();
      await page.waitForURL(`${t.url}/devices/${(vehicles[0] as Member).device.id}`);
      await page.goBack();
      await page.waitForURL((url) => url.pathname === '/');
      // Back on the map with the same device selected (it is in the address).
      await expect
        .poll(() => page.getByTestId('selected-name').textContent(), { timeout: 20_000 })
        .toBe((vehicles[0] as Member).name);
      void tag;
    });
  });

  it('logged no errors, failed no request and fetched nothing from outside 127.0.0.1', () => {
    const resourceErrors = errors.filter((e) => e.startsWith('console: Failed to load resource'));
    // Going offline on purpose makes Chromium log the refused reconnects; nothing else may fail.
    const offline = resourceErrors.filter((e) => e.includes('ERR_INTERNET_DISCONNECTED'));
    expect(errors.filter((e) => !resourceErrors.includes(e))).toEqual([]);
    expect(resourceErrors.filter((e) => !offline.includes(e))).toHaveLength(failures.length);
    expect(failures).toEqual([]);
    expect(requested.filter((u) => new URL(u).hostname !== '127.0.0.1')).toEqual([]);
  });
});
