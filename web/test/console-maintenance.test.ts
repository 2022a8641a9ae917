// Maintenance in Chromium against the real platform (API, database, broker, the rule engine):
// the board with one van overdue and one due soon from readings entered through the API (the
// order, the counts as chips that filter, what is left in words), a work order opened from the
// board and worked on a tablet (820 x 1180: one column, 44-px touch targets) — started, a task
// ticked, a part and labour added with the server's total, a file attached, completed first
// with an odometer below the last reading (the API's words at the field) and then with a right
// one — after which the board has the van ok again; the service plan form's own check (no
// interval) and the API's (a taken name) at their fields; a work order opened from an engine
// fault's alert with its code and description, a second refused with the API's words; roles
// that read but do not work; and the header with the two new pages at 1280 px (the admin pages
// folded into one menu since the costs came).
import { encodeTelemetryBatch } from '@fleet/proto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { connectDevice } from '../../test/support.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;
const api = () => harness.api;
const manager = () => api().orgA.users.fleet_manager;
const mechanic = () => api().orgA.users.mechanic;

async function call<T>(method: string, path: string, body?: unknown, token = manager().token): Promise<T> {
  const reply = await api().request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const reading = (assetId: string, value: number, readAt: string) =>
  call(
    'POST',
    `/api/v1/assets/${assetId}/meter-readings`,
    { meter: 'odometer', value, readAt },
    mechanic().token,
  );

let overdueVan: string;
let soonVan: string;
let planId: string;
let seededWorkOrder: { id: string; reference: string };
let money: (amount: number) => string;

beforeAll(async () => {
  const me = await call<{ organisation: { currency: string } }>('GET', '/api/v1/me');
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency: me.organisation.currency });
  money = (amount) => format.format(amount);
  overdueVan = (await call<{ id: string }>('POST', '/api/v1/vehicles', { name: 'Van 21', plate: 'MNT-121' }))
    .id;
  soonVan = (await call<{ id: string }>('POST', '/api/v1/vehicles', { name: 'Van 22', plate: 'MNT-122' })).id;
  planId = (
    await call<{ id: string }>('POST', '/api/v1/service-plans', {
      name: 'Oil service',
      items: ['Engine oil', 'Oil filter', 'Check the brakes'],
      intervalKm: 15000,
      soonKm: 1000,
      appliesTo: { assetIds: [overdueVan, soonVan] },
    })
  ).id;
  // No service recorded: both count from 0 km. Van 21 is 1,500 km past its 15,000 (overdue past
  // the 1,000 km window), Van 22 has 800 km left at 120 km a day.
  await reading(overdueVan, 15000, ago(11));
  await reading(overdueVan, 16500, ago(1));
  await reading(soonVan, 13000, ago(12));
  await reading(soonVan, 14200, ago(2));
  seededWorkOrder = await call('POST', '/api/v1/work-orders', { assetId: soonVan, planId }, mechanic().token);
}, 60_000);

describe('the maintenance board', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;
  let workOrderId: string;
  const rows = () => page.getByTestId('board-row');
  const row = (name: string) => rows().filter({ hasText: name });

  beforeAll(async () => {
    tab = await signedIn(mechanic(), '/maintenance');
    page = tab.page;
  });

  it('lists the overdue van before the one due soon, with the counts as chips that filter', async () => {
    await screenshotOnFailure(page, 'console-maintenance-board', async () => {
      await poll(() => page.getByTestId('board-asset').allTextContents()).toEqual(['Van 21', 'Van 22']);
      const level = (name: string) => row(name).getByTestId('service-level').getAttribute('data-level');
      expect(await level('Van 21')).toBe('overdue');
      expect(await level('Van 22')).toBe('due_soon');
      const count = (l: string) =>
        page.locator(`[data-testid=level-chip][data-level=${l}]`).getByTestId('level-count').textContent();
      expect([
        await count('overdue'),
        await count('due'),
        await count('due_soon'),
        await count('ok'),
      ]).toEqual(['1', '0', '1', '0']);
      expect(await row('Van 21').getByTestId('board-left').textContent()).toBe('1,500 km past due');
      expect(await row('Van 22').getByTestId('board-left').textContent()).toBe('800 km left');
      expect(await row('Van 21').getByTestId('board-due').textContent()).toBe('15,000 km');
      expect(await row('Van 22').getByTestId('board-forecast').textContent()).toMatch(
        /^\d{1,2} [A-Z][a-z]{2} \d{4}$/,
      );
      expect(await row('Van 21').getByTestId('board-forecast').textContent()).toBe('now');
      expect(await row('Van 22').textContent()).toContain('MNT-122');
      expect(await row('Van 22').getByRole('link', { name: 'Van 22' }).getAttribute('href')).toBe(
        `/vehicles/${soonVan}`,
      );
      // The work order opened through the API: a link to it by its reference (the board's own
      // field, no list of work orders fetched), no second one offered.
      await poll(async () => (await row('Van 22').getByTestId('open-work-order').textContent())?.trim()).toBe(
        seededWorkOrder.reference,
      );
      expect(await row('Van 22').getByTestId('create-work-order').count()).toBe(0);

      // A chip filters, in the address bar too; the counts stay those of every level.
      await page.locator('[data-testid=level-chip][data-level=overdue]').click();
      await poll(() => page.getByTestId('board-asset').allTextContents()).toEqual(['Van 21']);
      expect(new URL(page.url()).search).toBe('?level=overdue');
      expect(await count('due_soon')).toBe('1');
      await page.locator('[data-testid=level-chip][data-level=overdue]').click();
      await poll(() => page.getByTestId('board-asset').allTextContents()).toEqual(['Van 21', 'Van 22']);
      await page.getByTestId('filter-q').fill('mnt-122');
      await poll(() => page.getByTestId('board-asset').allTextContents()).toEqual(['Van 22']);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await poll(() => page.getByTestId('board-asset').allTextContents()).toEqual(['Van 21', 'Van 22']);
      expect(await page.getByTestId('flagged-none').isVisible()).toBe(true);
      await screenshot(page, 'console-maintenance-board');
    });
  });

  it('opens a work order for the overdue van', async () => {
    await screenshotOnFailure(page, 'console-maintenance-create', async () => {
      await row('Van 21').getByTestId('create-work-order').click();
      const link = row('Van 21').getByTestId('open-work-order');
      await poll(() => link.textContent()).toMatch(/^\s*WO-\d+\s*$/);
      expect(await page.getByRole('status').textContent()).toContain('for Oil service on Van 21');
      workOrderId = (await link.getAttribute('href'))?.split('/').pop() ?? '';
      const wo = await call<{ planId: string; tasksTotal: number }>(
        'GET',
        `/api/v1/work-orders/${workOrderId}`,
      );
      expect(wo).toMatchObject({ planId, tasksTotal: 3 });
      await link.click();
      await page.waitForURL(`${api().url}/work-orders/${workOrderId}`);
    });
  });

  it('is worked on a tablet: started, ticked, costed, a file attached', async () => {
    await screenshotOnFailure(page, 'console-work-order', async () => {
      await page.setViewportSize({ width: 820, height: 1180 });
      await poll(() => page.getByTestId('work-order-state').textContent()).toBe('Open');
      expect(await page.getByTestId('work-order-title').textContent()).toBe('Oil service');

      await page.getByTestId('state-in_progress').click();
      await poll(() => page.getByTestId('work-order-state').textContent()).toBe('In progress');
      expect(await page.getByTestId('state-actions').getByRole('button').allTextContents()).toEqual([
        'Put on hold',
        'Back to the queue',
        'Complete…',
        'Cancel work order',
      ]);

      const task = page.getByTestId('task').filter({ hasText: 'Engine oil' });
      await task.getByRole('checkbox').check();
      await poll(() => page.getByTestId('work-order-checklist').textContent()).toContain('1 of 3 done');
      expect(await task.getByRole('checkbox').isChecked()).toBe(true);

      const form = page.getByTestId('line-form');
      await form.getByLabel('Description').fill('Oil filter');
      await form.getByLabel('Part number (optional)').fill('OF-123');
      await form.getByLabel('Quantity').fill('2');
      await form.getByLabel(/^Unit price/).fill('12,50');
      await form.getByTestId('add-line').click();
      await poll(() => page.getByTestId('total').textContent()).toBe(money(25));
      expect(await page.getByTestId('line-total').allTextContents()).toEqual([money(25)]);
      await form.getByLabel('Kind').selectOption('labour');
      await form.getByLabel('Description').fill('Oil change');
      await form.getByLabel('Hours').fill('1.5');
      await form.getByLabel(/^Unit price/).fill('80');
      await form.getByTestId('add-line').click();
      // The server's totals: 2 x 12.50 + 1.5 h x 80.00.
      await poll(() => page.getByTestId('total').textContent()).toBe(money(145));
      expect(await page.getByTestId('total-parts').textContent()).toBe(money(25));
      expect(await page.getByTestId('total-labour').textContent()).toBe(money(120));

      await page.getByTestId('attachment-input').setInputFiles({
        name: 'brakes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('Front pads at 4 mm.\n'),
      });
      await poll(() => page.getByTestId('attachment').allTextContents()).toEqual([
        expect.stringContaining('brakes.txt'),
      ]);

      // One column at this width, and every control a 44-px target.
      const left = async (id: string) => (await page.getByTestId(id).boundingBox())?.x;
      expect(await left('work-order-notes')).toBe(await left('work-order-checklist'));
      const small = await page
        .getByTestId('work-order-page')
        .locator(
          'button:visible, input:visible:not([type=checkbox]):not([type=file]), select:visible, label.task',
        )
        .evaluateAll((els) =>
          els
            .map((el) => ({
              text: el.textContent?.trim() || el.tagName,
              height: el.getBoundingClientRect().height,
            }))
            .filter((b) => b.height < 44),
        );
      expect(small).toEqual([]);
      const main = page.locator('main');
      expect(await main.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
      await main.evaluate((el) => el.scrollTo(0, 0));
      await screenshot(page, 'console-work-order');
    });
  });

  it('is completed: an odometer below the last reading is refused at its field, then a right one', async () => {
    await screenshotOnFailure(page, 'console-work-order-complete', async () => {
      await page.getByTestId('state-completed').click();
      const completion = page.getByTestId('completion-form');
      // Prefilled with the van's meter now.
      expect(await completion.getByLabel('Odometer (km)').inputValue()).toBe('16500');
      await completion.getByLabel('Odometer (km)').fill('16000');
      tab.intended.add('POST /api/v1/work-orders/{id}/state 400');
      await completion.getByTestId('complete-submit').click();
      const odometer = completion.locator('.field', { has: page.getByLabel('Odometer (km)') });
      await poll(() => odometer.getByTestId('field-error').textContent()).toContain('below the last reading');
      expect(await page.getByTestId('work-order-state').textContent()).toBe('In progress');

      await completion.getByLabel('Odometer (km)').fill('16520');
      await completion.getByLabel('What was done (optional)').fill('Oil and filter changed.');
      await completion.getByTestId('complete-submit').click();
      await poll(() => page.getByTestId('work-order-state').textContent()).toBe('Completed');
      expect(await page.getByTestId('work-order-completed').textContent()).toContain('at 16,520 km');
      expect(await page.getByTestId('state-actions').count()).toBe(0);
      expect(await page.getByTestId('line-form').count()).toBe(0);
      await poll(async () =>
        (
          await page
            .getByTestId('history-entry')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-entity')))
        ).sort(),
      ).toEqual(
        expect.arrayContaining(['work_order', 'work_order_line', 'work_order_task', 'work_order_attachment']),
      );
    });
  });

  it('leaves the van ok on the board, counted from the service', async () => {
    await screenshotOnFailure(page, 'console-maintenance-after', async () => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(`${api().url}/maintenance`);
      await poll(() => page.getByTestId('board-asset').allTextContents()).toEqual(['Van 22', 'Van 21']);
      expect(await row('Van 21').getByTestId('service-level').getAttribute('data-level')).toBe('ok');
      expect(await row('Van 21').getByTestId('board-left').textContent()).toBe('15,000 km left');
      expect(await row('Van 21').getByTestId('board-due').textContent()).toBe('31,520 km');
      expect(await row('Van 21').getByTestId('create-work-order').count()).toBe(1);
      expect(
        await page
          .locator('[data-testid=level-chip][data-level=overdue]')
          .getByTestId('level-count')
          .textContent(),
      ).toBe('0');
      // The van's own page: the service, its meters and its history.
      await row('Van 21').getByRole('link', { name: 'Van 21' }).click();
      await page.waitForURL(`${api().url}/vehicles/${overdueVan}`);
      const section = page.getByTestId('asset-maintenance');
      await poll(() => section.getByTestId('asset-service').textContent()).toContain('15,000 km left');
      expect(await section.getByTestId('asset-meters').textContent()).toContain('16,520 km');
      expect(await section.getByTestId('asset-work-orders').textContent()).toContain('Completed');
    });
    await tab.context.close();
  });
});

describe('a service plan made through the form', { timeout: 60_000 }, () => {
  it('shows the form’s check and the API’s at their fields, then creates the plan', async () => {
    const tab = await signedIn(manager(), '/maintenance/plans');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-maintenance-plans', async () => {
      await poll(() => page.getByTestId('plan-name').allTextContents()).toEqual(['Oil service']);
      await page.getByRole('button', { name: 'New plan' }).click();
      const form = page.getByTestId('plan-form');
      await form.getByLabel('Name').fill('Tyres');
      await form.getByRole('button', { name: 'Create plan' }).click();
      const km = form.locator('.field', { has: page.getByLabel('Kilometres', { exact: true }) });
      expect(await km.getByTestId('field-error').textContent()).toBe(
        'a plan needs at least one interval: kilometres, engine hours or months',
      );
      // The API's check: another plan has the name.
      await form.getByLabel('Name').fill('Oil service');
      await form.getByLabel('Months').fill('12');
      tab.intended.add('POST /api/v1/service-plans 409');
      await form.getByRole('button', { name: 'Create plan' }).click();
      const name = form.locator('.field', { has: page.getByLabel('Name') });
      await poll(() => name.getByTestId('field-error').textContent()).toBe(
        'A service plan named "Oil service" already exists.',
      );
      await form.getByLabel('Name').fill('Tyres');
      await form.getByLabel('Every vehicle').check();
      await form.getByRole('button', { name: 'Create plan' }).click();
      await poll(() => page.getByRole('status').textContent()).toMatch(
        /^Created Tyres: it covers \d+ assets?\.$/,
      );
      await poll(() => page.getByTestId('plan-name').allTextContents()).toEqual(['Oil service', 'Tyres']);
      const row = page.getByTestId('plans-row').filter({ hasText: 'Tyres' });
      expect(await row.textContent()).toContain('Every 12 months');
      expect(await row.textContent()).toContain('Every vehicle');
    });
    await tab.context.close();
  });
});

describe('a work order from an engine fault', { timeout: 90_000 }, () => {
  it('carries the code and its description; a second one is refused with the API’s words', async () => {
    const device = await api().orgA.provision('vehicle');
    const truck = (
      await call<{ id: string }>('POST', '/api/v1/vehicles', { name: 'Truck 5', plate: 'MNT-505' })
    ).id;
    await call('POST', `/api/v1/assets/${truck}/installations`, { deviceId: device.id, installedAt: ago(1) });
    await call('POST', '/api/v1/rules', {
      name: 'Fault codes',
      kind: 'engine_fault',
      severity: 'warning',
      params: { clearDelayS: 0 },
    });
    // The engine has the new rule before the fault arrives.
    await api().platform.service.rules.directory.settled();
    const mqtt = await connectDevice(api().platform.service.mqttPort, device);
    try {
      const at = Date.now() - 1000;
      await mqtt.publishAsync(
        `devices/${device.id}/telemetry`,
        Buffer.from(
          encodeTelemetryBatch([
            {
              seq: 1,
              tsMs: at,
              lat: 60.17,
              lon: 24.94,
              speedKmh: 0,
              headingDeg: 0,
              ignition: true,
              dtcCodes: ['P0301'],
            },
          ]),
        ),
        { qos: 1 },
      );
    } finally {
      await mqtt.endAsync();
    }
    let alertId = '';
    await poll(
      async () => {
        const alerts = await call<{ items: { id: string; kind: string }[] }>(
          'GET',
          '/api/v1/alerts?kind=engine_fault',
        );
        alertId = alerts.items[0]?.id ?? '';
        return alertId;
      },
      { timeout: 30_000 },
    ).not.toBe('');

    const tab = await signedIn(mechanic(), `/alerts/${alertId}`);
    const { page } = tab;
    await screenshotOnFailure(page, 'console-alert-work-order', async () => {
      await poll(() => page.getByTestId('alert-heading').textContent()).toContain('P0301');
      await page.getByTestId('alert-work-order').click();
      await page.waitForURL(/\/work-orders\/[0-9a-f-]{36}$/);
      const dtc = page.getByTestId('work-order-dtc');
      await poll(() => dtc.textContent()).toContain('P0301');
      expect(await dtc.textContent()).toContain('Cylinder 1 Misfire Detected');
      expect(await page.getByTestId('work-order-facts').textContent()).toContain('Truck 5');
      await page.goBack();
      await poll(() => page.getByTestId('alert-heading').textContent()).toContain('P0301');
      tab.intended.add('POST /api/v1/alerts/{id}/work-order 409');
      await page.getByTestId('alert-work-order').click();
      await poll(() => page.getByRole('alert').textContent()).toMatch(
        /WO-\d+ is already open for this alert/,
      );
    });
    await tab.context.close();
  });
});

describe('roles', { timeout: 60_000 }, () => {
  it('a viewer reads the board, the plans and a work order but works none of them', async () => {
    const tab = await signedIn(api().orgA.users.viewer, '/maintenance');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-maintenance-viewer', async () => {
      await poll(() => page.getByTestId('board-asset').count()).toBeGreaterThan(1);
      expect(await page.getByTestId('create-work-order').count()).toBe(0);
      await page.goto(`${api().url}/maintenance/plans`);
      await poll(() => page.getByTestId('plans-read-only').isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'New plan' }).count()).toBe(0);
      await page.goto(`${api().url}/work-orders/${seededWorkOrder.id}`);
      await poll(() => page.getByTestId('work-order-state').textContent()).toBe('Open');
      expect(await page.getByTestId('state-actions').count()).toBe(0);
      expect(await page.getByTestId('line-form').count()).toBe(0);
      expect(await page.getByTestId('task').first().getByRole('checkbox').isDisabled()).toBe(true);
      await page.goto(`${api().url}/work-orders`);
      await poll(() => page.getByTestId('work-order-link').count()).toBeGreaterThan(0);
      expect(await page.getByTestId('new-work-order').count()).toBe(0);
    });
    await tab.context.close();
  });

  it('a dispatcher may only report a defect', async () => {
    const tab = await signedIn(api().orgA.users.dispatcher, '/work-orders');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-work-orders-dispatcher', async () => {
      await page.getByTestId('new-work-order').click();
      const form = page.getByTestId('new-work-order-form');
      await form.getByLabel('Asset').selectOption({ label: 'Van 22 (MNT-122)' });
      await form.getByLabel('What is to be done').fill('Wipers smear');
      await form.getByRole('button', { name: 'Report the defect' }).click();
      const what = form.locator('.field', { has: page.getByLabel(/What is wrong/) });
      expect(await what.getByTestId('field-error').textContent()).toBe('a defect report says what is wrong');
      await form.getByLabel(/What is wrong/).fill('The driver says the wipers smear at speed.');
      await form.getByRole('button', { name: 'Report the defect' }).click();
      await page.waitForURL(/\/work-orders\/[0-9a-f-]{36}$/);
      await poll(() => page.getByTestId('work-order-facts').textContent()).toContain('Defect report');
    });
    await tab.context.close();
  });
});

describe('the header', { timeout: 60_000 }, () => {
  it('fits every page of an administrator, Maintenance and Work orders included, at 1280 px', async () => {
    const tab = await signedIn(api().orgA.users.admin, '/work-orders');
    const { page } = tab;
    const nav = page.getByTestId('console-nav');
    // Twelve pages side by side, the setup and the four admin pages in their menus (lib/admin/nav.ts).
    await poll(() => nav.getByRole('link').count()).toBe(12);
    expect(await nav.getByTestId('nav-menu-button').allTextContents()).toEqual(['Setup▾', 'Admin▾']);
    expect(await nav.getByRole('link', { name: 'Work orders' }).getAttribute('aria-current')).toBe('page');
    await poll(() => page.getByTestId('alerts-badge').isVisible()).toBe(true);
    const fit = await nav.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
    expect((signOut?.x ?? 0) + (signOut?.width ?? 0)).toBeLessThanOrEqual(1280);
    await tab.context.close();
  });
});
