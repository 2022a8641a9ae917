// Rules and alerts in Chromium against the real platform (API, hub, broker, the rule engine,
// QuestDB): a rule made through the form (a parameter the form refuses and one the API refuses,
// each shown at its field), alerts raised for real by telemetry published over MQTT and arriving
// live in the map's panel and the header's badge (a critical one flashing it, a late one marked),
// an alert picked on the map with its place and track, acknowledged and resolved in the panel and
// worked on its own page, the alerts page's filters in the address bar, the rule preview over the
// van's history, a webhook channel with its test delivery to a local receiver, and roles that
// may not change rules or channels. The header still fits at 1280 px with every page.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeTelemetryBatch } from '@fleet/proto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;
const api = () => harness.api;
const admin = () => api().orgA.users.admin;
const dispatcher = () => api().orgA.users.dispatcher;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const reply = await api().request<T>(method, path, {
    token: admin().token,
    ...(body === undefined ? {} : { body }),
  });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

interface AlertRow {
  id: string;
  kind: string;
  state: string;
  late: boolean;
  placeId: string | null;
}
const listAlerts = async (query = 'state=open,acknowledged,resolved') =>
  (await call<{ items: AlertRow[] }>('GET', `/api/v1/alerts?${query}`)).items;

let van: TestDevice;
let truck: TestDevice;
let vanId: string;
let placeId: string;
let seq = 1;

/** Records of the van published over MQTT (QoS 1, so each is stored when the call returns). */
async function drive(
  records: { tsMs: number; lat: number; speedKmh: number; dtcCodes?: string[] }[],
  device: TestDevice = van,
) {
  const mqtt = await connectDevice(api().platform.service.mqttPort, device);
  try {
    for (const r of records)
      await mqtt.publishAsync(
        `devices/${device.id}/telemetry`,
        Buffer.from(
          encodeTelemetryBatch([
            {
              seq: seq++,
              tsMs: r.tsMs,
              lat: r.lat,
              lon: 24.94,
              speedKmh: r.speedKmh,
              headingDeg: 0,
              ignition: true,
              ...(r.dtcCodes ? { dtcCodes: r.dtcCodes } : {}),
            },
          ]),
        ),
        { qos: 1 },
      );
  } finally {
    await mqtt.endAsync();
  }
}

/** A local webhook receiver on a free loopback port. */
let receiver: Server;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  van = await api().orgA.provision('vehicle');
  vanId = (await call<{ id: string }>('POST', '/api/v1/vehicles', { name: 'Van 12', plate: 'KLM-404' })).id;
  await call('POST', `/api/v1/assets/${vanId}/installations`, {
    deviceId: van.id,
    installedAt: new Date(Date.now() - 86_400_000).toISOString(),
  });
  // A second vehicle, whose first record comes from its buffer: the engine skips records older
  // than a device's newest, so a late one must be the device's newest too.
  truck = await api().orgA.provision('vehicle');
  const truckId = (
    await call<{ id: string }>('POST', '/api/v1/vehicles', { name: 'Truck 2', plate: 'XYZ-987' })
  ).id;
  await call('POST', `/api/v1/assets/${truckId}/installations`, {
    deviceId: truck.id,
    installedAt: new Date(Date.now() - 86_400_000).toISOString(),
  });
  placeId = (
    await call<{ id: string }>('POST', '/api/v1/places', {
      name: 'North depot',
      category: 'depot',
      geometry: { type: 'circle', center: { lat: 60.17, lon: 24.94 }, radiusM: 300 },
    })
  ).id;
  await call('POST', '/api/v1/rules', {
    name: 'Arrived at a depot',
    kind: 'geofence_enter',
    severity: 'info',
    scope: { placeIds: [placeId] },
  });
  await call('POST', '/api/v1/rules', {
    name: 'Fault codes',
    kind: 'engine_fault',
    severity: 'warning',
    params: { clearDelayS: 0 },
  });
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('a rule made through the form', { timeout: 90_000 }, () => {
  it('shows the form’s and the API’s field errors at their fields, then creates the rule', async () => {
    const tab = await signedIn(dispatcher(), '/rules');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-rules-create', async () => {
      await page.getByRole('button', { name: 'New rule' }).click();
      const form = page.getByTestId('rule-form');
      await form.getByLabel('Kind').selectOption('threshold');
      await form.getByLabel('Name', { exact: true }).fill('Speeding in town');
      // The API's check: a threshold outside the field's plausible range, at the field.
      await form.getByLabel('Field').selectOption('speedKmh');
      await form.getByLabel('Above').fill('999');
      tab.intended.add('POST /api/v1/rules 400');
      await form.getByRole('button', { name: 'Create rule' }).click();
      const above = form.locator('.field', { has: page.getByLabel('Above') });
      await poll(() => above.getByTestId('field-error').textContent()).toContain("outside speedKmh's range");

      // The form's own check of a bound, at its field, before anything is sent.
      await form.getByLabel('Kind').selectOption('overspeed');
      await form.getByLabel('Speed limit (km/h)').fill('2');
      await form.getByRole('button', { name: 'Create rule' }).click();
      const limit = form.locator('.field', { has: page.getByLabel('Speed limit (km/h)') });
      expect(await limit.getByTestId('field-error').textContent()).toBe('at least 5 km/h');
      // Defaults are filled in from the catalogue.
      expect(await form.getByLabel('Tolerance (km/h)').inputValue()).toBe('0');
      expect(await form.getByLabel("Use the vehicle's own limit").isChecked()).toBe(true);
      // Only the geofence kinds take places.
      expect(await form.getByLabel('Places', { exact: true }).count()).toBe(0);

      await form.getByLabel('Speed limit (km/h)').fill('50');
      await form.getByLabel('Min duration (s)').fill('0');
      await form.getByLabel('Clear after (s)').fill('0');
      await form.getByLabel('Severity').selectOption('critical');
      await form.getByRole('button', { name: 'Create rule' }).click();
      await poll(() => page.getByRole('status').first().textContent()).toBe('Created Speeding in town.');
      const row = page.getByTestId('rules-row').filter({ hasText: 'Speeding in town' });
      expect(await row.textContent()).toContain('Critical');
      expect(await row.getByTestId('rule-scope').textContent()).toBe('Whole organisation');
      const rules = await call<{ items: { name: string; params: Record<string, unknown> }[] }>(
        'GET',
        '/api/v1/rules?kind=overspeed',
      );
      expect(rules.items.find((r) => r.name === 'Speeding in town')?.params).toMatchObject({
        limitKmh: 50,
        minDurationS: 0,
      });
      await screenshot(page, 'console-rules');
    });
    await tab.context.close();
  });
});

describe('alerts raised live', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;
  let speeding: AlertRow;

  beforeAll(async () => {
    tab = await signedIn(dispatcher(), '/');
    page = tab.page;
  });

  it('arrive in the panel and the badge, a critical one flashing it, and are shown on the map', async () => {
    await screenshotOnFailure(page, 'console-alerts-panel', async () => {
      await poll(() => page.getByTestId('live-state').getAttribute('data-state')).toBe('live');
      await poll(() => page.getByTestId('alerts-none').textContent()).toBe('No alert needs attention.');
      const now = Date.now();
      await drive([
        { tsMs: now - 4000, lat: 60.16, speedKmh: 40 },
        { tsMs: now - 3000, lat: 60.165, speedKmh: 90 },
        { tsMs: now - 2000, lat: 60.17, speedKmh: 92 },
        { tsMs: now - 1000, lat: 60.171, speedKmh: 88 },
      ]);
      const item = (text: string) => page.getByTestId('alert-item').filter({ hasText: text });
      await poll(() => item('Speeding').count(), { timeout: 30_000 }).toBe(1);
      const badge = page.getByTestId('alerts-badge');
      expect(Number(await badge.getAttribute('data-critical'))).toBe(1);
      expect(await badge.getAttribute('data-flashing')).toBe('true');
      expect(await page.getByTestId('alert-count-critical').textContent()).toBe('1');
      expect(await item('Speeding').textContent()).toContain('Peak speed 92 km/h · Limit 50 km/h');
      const found = (await listAlerts()).find((a) => a.kind === 'overspeed');
      expect(found).toBeDefined();
      speeding = found as AlertRow;

      // The geofence alert names its place; picking it draws the place and the track.
      await poll(() => item('North depot').count(), { timeout: 30_000 }).toBe(1);
      await item('North depot')
        .getByRole('button', { name: /North depot/ })
        .click();
      await poll(() => page.getByTestId('picked-alert-place').textContent()).toBe('At North depot.');
      const map = page.getByTestId('live-map');
      await poll(() => map.getAttribute('data-alert-place')).toBe('North depot');
      await poll(async () => Number(await map.getAttribute('data-alert-track'))).toBeGreaterThanOrEqual(2);
      await poll(() => page.getByTestId('selected-name').textContent()).toContain('Van 12');

      // A late alert: a fault code from a record the truck had buffered for ten minutes.
      await drive([{ tsMs: Date.now() - 600_000, lat: 60.18, speedKmh: 0, dtcCodes: ['P0420'] }], truck);
      await poll(() => item('P0420').count(), { timeout: 30_000 }).toBe(1);
      expect(await item('P0420').getByTestId('alert-late').textContent()).toBe('late');
      await screenshot(page, 'console-alerts-panel');
    });
  });

  it('are acknowledged and resolved in the panel, the counts following', async () => {
    await screenshotOnFailure(page, 'console-alerts-panel-act', async () => {
      const item = (text: string) => page.getByTestId('alert-item').filter({ hasText: text });
      await item('Speeding').getByRole('button', { name: 'Acknowledge', exact: true }).click();
      await poll(() => item('Speeding').getAttribute('data-state')).toBe('acknowledged');
      expect(await item('Speeding').getByRole('button', { name: 'Acknowledge', exact: true }).count()).toBe(
        0,
      );
      const total = Number(await page.getByTestId('alerts-badge').textContent());
      await item('P0420').getByRole('button', { name: 'Resolve', exact: true }).click();
      await poll(() => item('P0420').count()).toBe(0);
      await poll(async () => Number(await page.getByTestId('alerts-badge').textContent())).toBe(total - 1);
      // Someone else resolves the geofence alert: the panel follows the hub.
      const depot = (await listAlerts('state=open')).find((a) => a.kind === 'geofence_enter');
      await call('POST', `/api/v1/alerts/${depot?.id}/resolve`, {});
      await poll(() => item('North depot').count()).toBe(0);
      expect(await page.getByTestId('alert-count-critical').textContent()).toBe('1');
    });
  });

  it('is worked on its own page: resolved with a note, reopened, assigned and commented', async () => {
    await screenshotOnFailure(page, 'console-alert', async () => {
      await page.getByTestId('alert-item').filter({ hasText: 'Speeding' }).getByTestId('alert-open').click();
      await page.waitForURL(`${api().url}/alerts/${speeding.id}`);
      await poll(() => page.getByTestId('alert-state').textContent()).toBe('Acknowledged');
      const details = page.getByTestId('alert-details');
      expect(await details.locator('dt').allTextContents()).toEqual(['Peak speed', 'Limit']);
      expect(await details.locator('dd').allTextContents()).toEqual(['92 km/h', '50 km/h']);
      await poll(async () =>
        Number(await page.getByTestId('alert-map').getAttribute('data-track')),
      ).toBeGreaterThanOrEqual(2);

      await page.getByLabel('How it was dealt with (optional)').fill('Talked to the driver.');
      await page.getByRole('button', { name: 'Resolve', exact: true }).click();
      await poll(() => page.getByTestId('alert-state').textContent()).toBe('Resolved');
      await poll(() =>
        page.getByTestId('alert-activity').filter({ hasText: 'Talked to the driver.' }).count(),
      ).toBe(1);
      await page.getByRole('button', { name: 'Reopen' }).click();
      await poll(() => page.getByTestId('alert-state').textContent()).toBe('Open');
      await page.getByTestId('alert-assign').selectOption({ label: `${dispatcher().role} a (you)` });
      await poll(() => page.getByTestId('alert-assignee').textContent()).toBe(`${dispatcher().role} a (you)`);
      await page.getByLabel('Comment').fill('Back on the motorway.');
      await page.getByRole('button', { name: 'Add comment' }).click();
      await poll(() => page.getByTestId('alert-activity').last().textContent()).toContain(
        'Back on the motorway.',
      );
      const actions = await page
        .getByTestId('alert-activity')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
      const people = ['acknowledged', 'resolved', 'reopened', 'assigned', 'commented'];
      expect(actions[0]).toBe('opened');
      expect(actions.filter((a) => people.includes(a ?? ''))).toEqual(people);
      await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
      await poll(() => page.getByTestId('alert-state').textContent()).toBe('Acknowledged');
      await screenshot(page, 'console-alert');
    });
  });

  it('are listed on the alerts page with filters in the address bar', async () => {
    await screenshotOnFailure(page, 'console-alerts', async () => {
      await page.goto(`${api().url}/alerts`);
      const titles = () => page.getByTestId('alert-link').allTextContents();
      await poll(titles).toEqual([expect.stringContaining('Speeding')]);
      await page.getByTestId('filter-state').selectOption('any');
      await poll(() => titles().then((t) => t.length)).toBe(3);
      expect(new URL(page.url()).searchParams.get('state')).toBe('any');
      await page.getByTestId('filter-kind').selectOption('engine_fault');
      await poll(titles).toEqual([expect.stringContaining('P0420')]);
      expect(await page.getByTestId('alerts-row').getByTestId('alert-late').count()).toBe(1);
      await page.getByTestId('filter-kind').selectOption('');
      await page.getByTestId('filter-severity').selectOption('critical');
      await poll(titles).toEqual([expect.stringContaining('Speeding')]);
      await page.getByTestId('filter-asset').selectOption({ label: 'Van 12 (KLM-404)' });
      expect(new URL(page.url()).search).toBe(`?state=any&severity=critical&assetId=${vanId}`);
      await page.reload();
      await poll(titles).toEqual([expect.stringContaining('Speeding')]);
      expect(await page.getByTestId('filter-severity').inputValue()).toBe('critical');
      // Any severity, still only the van's: its speeding and its arrival at the depot, not the truck's fault.
      await page.getByTestId('filter-severity').selectOption('');
      await poll(() => titles().then((t) => t.sort())).toEqual([
        'Entered North depot',
        expect.stringContaining('Speeding'),
      ]);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await poll(titles).toEqual([expect.stringContaining('Speeding')]);
      expect(new URL(page.url()).search).toBe('');
      await page.getByTestId('filter-state').selectOption('any');
      await poll(() => titles().then((t) => t.length)).toBe(3);
      await screenshot(page, 'console-alerts');
    });
  });

  it('are previewed for a rule over the van’s history', async () => {
    await screenshotOnFailure(page, 'console-rules-preview', async () => {
      await page.goto(`${api().url}/rules`);
      await page.getByTestId('rule-name').filter({ hasText: 'Speeding in town' }).click();
      const preview = page.getByTestId('rule-preview');
      await preview.getByTestId('preview-asset').selectOption({ label: 'Van 12 (KLM-404)' });
      await preview.getByTestId('preview-run').click();
      await poll(() => preview.getByTestId('preview-summary').textContent()).toMatch(
        /^1 alert from \d+ records/,
      );
      expect(await preview.getByTestId('preview-alert').textContent()).toContain('Peak speed 92 km/h');
      await poll(() => preview.getByTestId('preview-map').getAttribute('data-marks')).toBe('1');
      expect(
        Number(await preview.getByTestId('preview-map').getAttribute('data-track')),
      ).toBeGreaterThanOrEqual(2);
      // A stricter limit in the form, unsaved, previews too.
      await page.getByLabel('Speed limit (km/h)').fill('95');
      await preview.getByTestId('preview-run').click();
      await poll(() => preview.getByTestId('preview-summary').textContent()).toMatch(/^No alert from/);
      await page.getByLabel('Speed limit (km/h)').fill('50');
      await preview.getByTestId('preview-run').click();
      await poll(() => preview.getByTestId('preview-summary').textContent()).toMatch(/^1 alert/);
      await preview.scrollIntoViewIfNeeded();
      await screenshot(page, 'console-rules-preview');
    });
    await tab.context.close();
  });
});

describe('a webhook channel', { timeout: 60_000 }, () => {
  it('is created, shows its secret once, and its test delivery shows in the log', async () => {
    const tab = await signedIn(api().orgA.users.fleet_manager, '/notifications');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-notifications', async () => {
      await page.getByRole('button', { name: 'New webhook' }).click();
      const form = page.getByTestId('channel-form');
      await form.getByLabel('Name').fill('Ops hook');
      await form.getByLabel('URL').fill('ftp://nope');
      tab.intended.add('POST /api/v1/notification-channels 400');
      await form.getByRole('button', { name: 'Create channel' }).click();
      const url = form.locator('.field', { has: page.getByLabel('URL') });
      await poll(() => url.getByTestId('field-error').textContent()).toBe(
        'the URL must start with https:// or http://',
      );
      const port = (receiver.address() as AddressInfo).port;
      await form.getByLabel('URL').fill(`http://127.0.0.1:${port}/fleet-hook`);
      await form.getByLabel('Lowest severity').selectOption('critical');
      await form.getByLabel('Resolved').check();
      await form.getByRole('button', { name: 'Create channel' }).click();
      await poll(() => page.getByTestId('channel-secret-value').textContent()).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const row = page.getByTestId('channels-row').filter({ hasText: 'Ops hook' });
      expect(await row.textContent()).toContain('Critical only');
      await row.getByRole('button', { name: 'Send test' }).click();
      await poll(() => row.getByTestId('channel-test-result').textContent()).toMatch(/^Test: 204 in \d+ ms$/);
      const delivery = page.getByTestId('delivery').first();
      await poll(() => delivery.getByTestId('delivery-outcome').textContent()).toMatch(/^204 in \d+ ms$/);
      expect(await delivery.textContent()).toContain('Test');
      expect(received).toHaveLength(1);
      expect(received[0]?.headers['x-fleet-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(JSON.parse(received[0]?.body ?? '{}').type).toBe('test');
      await page.getByRole('button', { name: 'I have kept it' }).click();
      await screenshot(page, 'console-notifications');
    });
    await tab.context.close();
  });
});

describe('roles', { timeout: 60_000 }, () => {
  it('a mechanic reads the rules and works alerts but changes no rule and sees no channels', async () => {
    const tab = await signedIn(api().orgA.users.mechanic, '/rules');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-rules-mechanic', async () => {
      await poll(() => page.getByTestId('rule-name').allTextContents()).toContain('Speeding in town');
      expect(await page.getByTestId('rules-read-only').isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'New rule' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Archive' }).count()).toBe(0);
      await page.getByTestId('rule-name').filter({ hasText: 'Speeding in town' }).click();
      const form = page.getByTestId('rule-form');
      expect(await form.getByRole('button', { name: 'Save rule' }).count()).toBe(0);
      expect(await form.getByTestId('rule-preview').count()).toBe(0);
      expect(await form.getByLabel('Speed limit (km/h)').isDisabled()).toBe(true);
      const nav = await page.getByTestId('console-nav').getByRole('link').allTextContents();
      expect(nav.map((l) => l.replace(/\d+$/, ''))).not.toContain('Notifications');
      await page.goto(`${api().url}/notifications`);
      await poll(() => page.getByTestId('not-allowed').isVisible()).toBe(true);
      await page.goto(`${api().url}/`);
      await poll(() => page.getByTestId('alert-item').count()).toBeGreaterThan(0);
      expect(
        await page
          .getByTestId('alert-item')
          .first()
          .getByRole('button', { name: 'Resolve', exact: true })
          .count(),
      ).toBe(1);
    });
    await tab.context.close();
  });

  it('a viewer sees the alerts but no button to act on them', async () => {
    const tab = await signedIn(api().orgA.users.viewer, '/');
    const { page } = tab;
    await poll(() => page.getByTestId('alert-item').count()).toBeGreaterThan(0);
    expect(
      await page.getByTestId('alerts-panel').getByRole('button', { name: 'Resolve', exact: true }).count(),
    ).toBe(0);
    expect(
      await page
        .getByTestId('alerts-panel')
        .getByRole('button', { name: 'Acknowledge', exact: true })
        .count(),
    ).toBe(0);
    await tab.context.close();
  });
});

describe('the header', { timeout: 60_000 }, () => {
  it('fits every page of an administrator, the badge included, at 1280 px', async () => {
    const tab = await signedIn(admin(), '/alerts');
    const { page } = tab;
    const nav = page.getByTestId('console-nav');
    // Twelve pages side by side, the setup and the four admin pages in their menus (lib/admin/nav.ts).
    await poll(() => nav.getByRole('link').count()).toBe(12);
    expect(await nav.getByTestId('nav-menu-button').allTextContents()).toEqual(['Setup▾', 'Admin▾']);
    await poll(() => page.getByTestId('alerts-badge').isVisible()).toBe(true);
    const fit = await nav.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
    expect((signOut?.x ?? 0) + (signOut?.width ?? 0)).toBeLessThanOrEqual(1280);
    await tab.context.close();
  });
});
