// The console's vehicle and equipment pages in Chromium against the real platform. A fleet
// manager adds a vehicle with every field (the form's own checks first; a plate taken and a VIN
// whose check digit is wrong refused by the API and shown at their fields), filters the list by
// department (sub-departments included), status and search with the filter in the address bar,
// sorts it, edits a vehicle, installs a device on it, moves another one here from a truck, takes
// one off, and retires a vehicle after a question. The same for equipment items: a value in the
// organisation's currency, cents checked in the form, a taken serial number refused at its field,
// lost items, a tag installed and coming off when the item is retired from its page. A viewer
// sees everything and no button to change it. Every answer of 400 and above is one a test
// provokes (tab.intended).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;

const admin = () => harness.api.orgA.users.admin;

async function call<B>(method: string, path: string, body?: unknown): Promise<B> {
  const reply = await harness.api.request<B>(method, path, { token: admin().token, body });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

const ids = {
  production: '',
  lighting: '',
  sound: '',
  office: '',
  depot: '',
  devices: {} as Record<string, string>,
  vehicles: {} as Record<string, string>,
  equipment: {} as Record<string, string>,
};

/** A production company's departments, depot, trackers and tags, vans and kits (seeded through the API). */
beforeAll(async () => {
  const department = async (name: string, parentId: string | null = null) =>
    (await call<{ id: string }>('POST', '/api/v1/departments', { name, parentId })).id;
  ids.production = await department('Production');
  ids.lighting = await department('Lighting', ids.production);
  ids.sound = await department('Sound', ids.production);
  ids.office = await department('Office');
  ids.depot = (
    await call<{ id: string }>('POST', '/api/v1/places', {
      name: 'North depot',
      category: 'depot',
      address: 'Teollisuuskatu 1, Helsinki',
      geometry: { type: 'circle', center: { lat: 60.1986, lon: 24.9347 }, radiusM: 150 },
    })
  ).id;
  for (const [name, kind] of [
    ['Tracker 101', 'vehicle'],
    ['Tracker 102', 'vehicle'],
    ['Tracker 103', 'vehicle'],
    ['Tracker 104', 'vehicle'],
    ['Tag 201', 'equipment'],
    ['Tag 202', 'equipment'],
    ['Tag 203', 'equipment'],
  ] as const)
    ids.devices[name] = (
      await call<{ device: { id: string } }>('POST', '/api/v1/devices', { name, kind })
    ).device.id;

  const vehicles: [string, Record<string, unknown>, string?][] = [
    [
      'Van 01',
      {
        plate: 'KLM-204',
        vin: 'WF0XXXTTGXKA12345',
        make: 'Ford',
        model: 'Transit',
        year: 2021,
        fuelType: 'diesel',
        departmentId: ids.lighting,
        homePlaceId: ids.depot,
      },
      'Tracker 101',
    ],
    [
      'Van 02',
      {
        plate: 'RTX-518',
        make: 'Mercedes-Benz',
        model: 'Sprinter',
        year: 2019,
        fuelType: 'diesel',
        departmentId: ids.lighting,
        status: 'in_workshop',
      },
    ],
    [
      'Van 03',
      {
        plate: 'FYG-330',
        vin: 'WV1ZZZ2EZE6012345',
        make: 'Volkswagen',
        model: 'Crafter',
        year: 2022,
        fuelType: 'diesel',
        departmentId: ids.sound,
      },
      'Tracker 102',
    ],
    [
      'Truck 01',
      {
        plate: 'JNE-712',
        make: 'Volvo',
        model: 'FL',
        year: 2018,
        fuelType: 'diesel',
        departmentId: ids.production,
      },
      'Tracker 103',
    ],
    [
      'Car 01',
      {
        plate: 'CUV-945',
        make: 'Toyota',
        model: 'Corolla Touring Sports',
        year: 2023,
        fuelType: 'hybrid',
        departmentId: ids.office,
      },
    ],
    [
      'Van 04',
      {
        plate: 'BRK-661',
        vin: 'VF1MA000562345678',
        make: 'Renault',
        model: 'Master',
        year: 2017,
        fuelType: 'diesel',
      },
    ],
  ];
  for (const [name, fields, device] of vehicles) {
    const v = await call<{ id: string }>('POST', '/api/v1/vehicles', { name, ...fields });
    ids.vehicles[name] = v.id;
    if (device) await call('POST', `/api/v1/assets/${v.id}/installations`, { deviceId: ids.devices[device] });
  }
  const items: [string, Record<string, unknown>, string?][] = [
    [
      'ARRI Alexa Mini kit 1',
      {
        category: 'camera kit',
        serialNumber: 'AMK-1042',
        replacementValue: 68_500,
        departmentId: ids.production,
      },
    ],
    [
      'Lighting kit 3',
      {
        category: 'lighting kit',
        serialNumber: 'LK-0307',
        replacementValue: 12_400,
        departmentId: ids.lighting,
        homePlaceId: ids.depot,
      },
      'Tag 201',
    ],
    [
      'Generator 7.5 kVA',
      {
        category: 'generator',
        serialNumber: 'GEN-75-118',
        replacementValue: 4890,
        departmentId: ids.production,
      },
      'Tag 202',
    ],
    [
      'Sound cart 2',
      {
        category: 'sound cart',
        serialNumber: 'SC-0220',
        replacementValue: 21_750.5,
        departmentId: ids.sound,
      },
    ],
    [
      'Trailer 2',
      {
        category: 'trailer',
        serialNumber: 'TR-4471',
        replacementValue: 6300,
        status: 'lost',
        notes: 'Not back from the Kallio shoot.',
      },
    ],
  ];
  for (const [name, fields, device] of items) {
    const e = await call<{ id: string }>('POST', '/api/v1/equipment', { name, ...fields });
    ids.equipment[name] = e.id;
    if (device) await call('POST', `/api/v1/assets/${e.id}/installations`, { deviceId: ids.devices[device] });
  }
});

const names = (page: Page) => page.getByTestId('asset-name').allTextContents();
const row = (page: Page, text: string) => page.getByTestId('assets-row').filter({ hasText: text });
const openDialog = (page: Page) => page.locator('[data-testid=confirm-dialog][open]');

describe('vehicles', { timeout: 60_000 }, () => {
  let tab: Tab;
  let page: Page;
  const form = () => page.getByTestId('asset-form');

  beforeAll(async () => {
    tab = await signedIn(harness.api.orgA.users.fleet_manager, '/vehicles');
    page = tab.page;
    await page.getByTestId('asset-name').first().waitFor();
  });

  it('lists each vehicle with its plate, make and model, department, status and devices', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-list', async () => {
      await poll(() => names(page)).toEqual(['Car 01', 'Truck 01', 'Van 01', 'Van 02', 'Van 03', 'Van 04']);
      const van = row(page, 'Van 01');
      await poll(() => van.getByTestId('asset-devices').textContent()).toBe('Tracker 101');
      await poll(() => van.textContent()).toContain('Production › Lighting');
      expect(await van.textContent()).toContain('KLM-204');
      expect(await van.textContent()).toContain('Ford Transit');
      expect(await row(page, 'Van 02').getByTestId('asset-status').textContent()).toBe('In workshop');
      expect(await row(page, 'Car 01').getByTestId('asset-devices').textContent()).toBe('—');
      expect(await van.getByRole('link', { name: 'Tracker 101' }).getAttribute('href')).toBe(
        `/devices/${ids.devices['Tracker 101']}`,
      );
    });
  });

  it('checks in the form what the API would refuse before sending it', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-local', async () => {
      await page.getByTestId('asset-add').click();
      await form().getByLabel('Model year').fill('1899');
      await form().getByLabel('Tank capacity (l)').fill('lots');
      await form().getByLabel('Odometer offset (km)').fill('20000000');
      await form().getByRole('button', { name: 'Add vehicle' }).click();
      expect(await form().locator('#asset-name-error').textContent()).toBe('a name is needed');
      expect(await form().locator('#asset-year-error').textContent()).toBe('a model year is at least 1900');
      expect(await form().locator('#asset-tankCapacityL-error').textContent()).toBe(
        'a tank capacity is a number of litres',
      );
      expect(await form().locator('#asset-odometerOffsetKm-error').textContent()).toBe(
        'an odometer offset is within ±10,000,000 km',
      );
      expect(await form().getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      await form().getByRole('button', { name: 'Cancel' }).click();
      await poll(() => form().count()).toBe(0);
    });
  });

  it('adds a vehicle with every field, and it is in the list', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-add', async () => {
      await page.getByTestId('asset-add').click();
      const f = form();
      await f.getByLabel('Name', { exact: true }).fill('Van 05');
      await f.getByLabel('Plate').fill('zkp 407');
      await f.getByLabel('VIN').fill('1m8gdm9axkp042788');
      await f.getByLabel('Make').fill('Ford');
      await f.getByLabel('Model', { exact: true }).fill('Transit Custom');
      await f.getByLabel('Model year').fill('2024');
      await f.getByLabel('Fuel').selectOption({ label: 'Plug-in hybrid' });
      await f.getByLabel('Tank capacity (l)').fill('70');
      await f.getByLabel('Odometer offset (km)').fill('12 480,5');
      await f.getByLabel('Engine-hours offset (h)').fill('312');
      await f.getByLabel('Department').selectOption({ label: 'Production › Lighting' });
      await f.getByLabel('Home place').selectOption({ label: 'North depot' });
      await f.getByLabel('Status').selectOption({ label: 'Active' });
      await f.getByLabel('Notes').fill('Roof rack for the light stands.');
      await f.getByRole('button', { name: 'Add vehicle' }).click();
      await poll(() => page.getByRole('status').textContent()).toBe('Added Van 05.');
      await poll(() => names(page)).toContain('Van 05');
      expect(await row(page, 'Van 05').textContent()).toContain('ZKP 407');
      const list = await call<{ items: Record<string, unknown>[] }>('GET', '/api/v1/vehicles?q=Van%2005');
      expect(list.items[0]).toMatchObject({
        name: 'Van 05',
        plate: 'ZKP 407',
        vin: '1M8GDM9AXKP042788',
        make: 'Ford',
        model: 'Transit Custom',
        year: 2024,
        fuelType: 'plug_in_hybrid',
        tankCapacityL: 70,
        odometerOffsetKm: 12_480.5,
        engineHoursOffset: 312,
        departmentId: ids.lighting,
        homePlaceId: ids.depot,
        status: 'active',
        notes: 'Roof rack for the light stands.',
      });
      ids.vehicles['Van 05'] = String(list.items[0]?.id);
    });
  });

  it('shows the API’s refusals at their fields: a plate taken (409) and a VIN’s check digit (400)', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-refused', async () => {
      tab.intended.add('POST /api/v1/vehicles 409');
      tab.intended.add('POST /api/v1/vehicles 400');
      await page.getByTestId('asset-add').click();
      const f = form();
      await f.getByLabel('Name', { exact: true }).fill('Van 06');
      // The plate of Van 01 as someone else writes it: the API compares without spaces and dashes.
      await f.getByLabel('Plate').fill('klm 204');
      await f.getByRole('button', { name: 'Add vehicle' }).click();
      await poll(() => f.locator('#asset-plate-error').textContent()).toBe(
        'another vehicle of the organisation has this plate',
      );
      expect(await f.getByRole('alert').textContent()).toBe(
        'A vehicle with the plate KLM 204 already exists.',
      );
      expect(await f.getByLabel('Plate').getAttribute('aria-invalid')).toBe('true');

      await f.getByLabel('Plate').fill('MOP-115');
      await f.getByLabel('VIN').fill('1M8GDM9A1KP042788');
      await f.getByRole('button', { name: 'Add vehicle' }).click();
      await poll(() => f.locator('#asset-vin-error').textContent()).toBe(
        'the check digit (9th character) of this VIN should be X, not 1: a character is mistyped',
      );
      expect(await f.locator('#asset-plate-error').count()).toBe(0);
      await f.getByRole('button', { name: 'Cancel' }).click();
      expect(await names(page)).not.toContain('Van 06');
    });
  });

  it('filters by department with its sub-departments, by status and by a search, kept in the address bar', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-filter', async () => {
      const department = page.getByTestId('asset-department-filter');
      await department.selectOption({ label: 'Production' });
      await poll(() => names(page)).toEqual(['Truck 01', 'Van 01', 'Van 02', 'Van 03', 'Van 05']);
      expect(new URL(page.url()).searchParams.get('departmentId')).toBe(ids.production);
      await department.selectOption({ label: 'Production › Lighting' });
      await poll(() => names(page)).toEqual(['Van 01', 'Van 02', 'Van 05']);
      await page.getByTestId('asset-status-filter').selectOption({ label: 'In workshop' });
      await poll(() => names(page)).toEqual(['Van 02']);
      expect(page.url()).toBe(`${harness.api.url}/vehicles?departmentId=${ids.lighting}&status=in_workshop`);

      // A reload (or a link) shows the same list.
      await page.reload();
      await poll(() => names(page)).toEqual(['Van 02']);
      await poll(() => department.inputValue()).toBe(ids.lighting);
      expect(await page.getByTestId('asset-status-filter').inputValue()).toBe('in_workshop');

      await page.getByTestId('asset-status-filter').selectOption({ value: '' });
      await department.selectOption({ value: '' });
      // Part of a plate, typed as people write it.
      await page.getByTestId('asset-search').fill('fyg330');
      await poll(() => names(page)).toEqual(['Van 03']);
      expect(new URL(page.url()).searchParams.get('q')).toBe('fyg330');
      await page.getByTestId('asset-search').fill('nothing like it');
      await poll(() => page.getByText('No vehicles match.').isVisible()).toBe(true);
      await page.getByTestId('asset-search').fill('');
      await poll(() => names(page)).toHaveLength(7);
      expect(new URL(page.url()).search).toBe('');
    });
  });

  it('sorts by plate both ways, on the server', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-sort', async () => {
      const table = page.getByTestId('assets');
      await table.getByRole('button', { name: /^Plate/ }).click();
      await poll(() => names(page)).toEqual([
        'Van 04',
        'Car 01',
        'Van 03',
        'Truck 01',
        'Van 01',
        'Van 02',
        'Van 05',
      ]);
      await table.getByRole('button', { name: /^Plate/ }).click();
      await poll(() => names(page)).toEqual([
        'Van 05',
        'Van 02',
        'Van 01',
        'Truck 01',
        'Van 03',
        'Car 01',
        'Van 04',
      ]);
      expect(new URL(page.url()).search).toBe('?sort=plate&order=desc');
      await table.getByRole('button', { name: /^Name/ }).click();
      await poll(() => names(page)).toEqual([
        'Car 01',
        'Truck 01',
        'Van 01',
        'Van 02',
        'Van 03',
        'Van 04',
        'Van 05',
      ]);
    });
  });

  it('edits a vehicle from the list, sending only what changed', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-edit', async () => {
      await row(page, 'Van 05').getByRole('button', { name: 'Edit' }).click();
      const f = form();
      await poll(() => f.getByLabel('Plate').inputValue()).toBe('ZKP 407');
      expect(await f.getByLabel('Odometer offset (km)').inputValue()).toBe('12480.5');
      await f.getByRole('button', { name: 'Save' }).click();
      await poll(() => f.getByRole('status').textContent()).toBe('Nothing changed.');
      await f.getByLabel('Plate').fill('ZKP-407');
      await f.getByLabel('Status').selectOption({ label: 'In workshop' });
      await f.getByRole('button', { name: 'Save' }).click();
      await poll(() => page.getByRole('status').textContent()).toBe('Saved Van 05.');
      await poll(() => row(page, 'Van 05').getByTestId('asset-status').textContent()).toBe('In workshop');
      expect(await row(page, 'Van 05').textContent()).toContain('ZKP-407');
      const van = await call<Record<string, unknown>>('GET', `/api/v1/vehicles/${ids.vehicles['Van 05']}`);
      expect(van).toMatchObject({
        plate: 'ZKP-407',
        status: 'in_workshop',
        year: 2024,
        notes: 'Roof rack for the light stands.',
      });
    });
  });

  it('installs a device on a vehicle, moves another here from a truck, and takes one off', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-install', async () => {
      await row(page, 'Van 05').getByTestId('asset-name').click();
      await page.waitForURL(`${harness.api.url}/vehicles/${ids.vehicles['Van 05']}`);
      await poll(() => page.getByTestId('asset-title').textContent()).toBe('Van 05');
      const facts = page.getByTestId('asset-facts');
      await poll(() => facts.textContent()).toContain('1M8GDM9AXKP042788');
      expect(await facts.textContent()).toContain('Production › Lighting');
      expect(await facts.textContent()).toContain('North depot');
      expect(await facts.textContent()).toContain('+12,480.5 km');
      const panel = page.getByTestId('installation-panel');
      await poll(() => panel.getByText('No device has been installed on it.').isVisible()).toBe(true);

      // Free trackers first, then the ones on another asset.
      const device = panel.getByLabel('Device', { exact: true });
      await poll(() => device.locator('option').allTextContents()).toEqual([
        'Choose a device',
        'Tracker 104',
        'Tag 203 (equipment device)',
        'Tracker 101 — on Van 01 (KLM-204)',
        'Tracker 102 — on Van 03 (FYG-330)',
        'Tracker 103 — on Truck 01 (JNE-712)',
        'Tag 201 (equipment device) — on Lighting kit 3',
        'Tag 202 (equipment device) — on Generator 7.5 kVA',
      ]);
      await panel.getByRole('button', { name: 'Install' }).click();
      expect(await panel.locator('#install-device-error').textContent()).toBe('choose a device');

      await device.selectOption({ label: 'Tracker 104' });
      await panel.getByLabel('Note').fill('Under the passenger seat');
      await panel.getByRole('button', { name: 'Install' }).click();
      await poll(() => panel.getByRole('status').textContent()).toBe('Installed Tracker 104.');
      await poll(() => page.getByTestId('asset-devices').textContent()).toBe('Tracker 104');

      await device.selectOption({ label: 'Tracker 103 — on Truck 01 (JNE-712)' });
      await panel.getByRole('button', { name: 'Install' }).click();
      await poll(() => page.getByTestId('asset-devices').textContent()).toBe('Tracker 104, Tracker 103');
      const history = panel.getByTestId('installations-row');
      await poll(() => history.getByTestId('installation-device').allTextContents()).toEqual([
        'Tracker 103',
        'Tracker 104',
      ]);
      expect(await history.filter({ hasText: 'Tracker 104' }).textContent()).toContain(
        'Under the passenger seat',
      );
      expect(
        await page
          .getByTestId('asset-devices')
          .getByRole('link', { name: 'Tracker 103' })
          .getAttribute('href'),
      ).toBe(`/devices/${ids.devices['Tracker 103']}`);

      await history.filter({ hasText: 'Tracker 104' }).getByRole('button', { name: 'Take off' }).click();
      await openDialog(page).getByRole('button', { name: 'Take off' }).click();
      await poll(() => page.getByTestId('asset-devices').textContent()).toBe('Tracker 103');
      await poll(() =>
        history.filter({ hasText: 'Tracker 104' }).getByTestId('installation-open').count(),
      ).toBe(0);
      expect(
        await history.filter({ hasText: 'Tracker 103' }).getByTestId('installation-open').textContent(),
      ).toBe('on now');

      // The truck's own history says the tracker left it.
      const truck = await call<{ items: { deviceName: string; removedAt: string | null }[] }>(
        'GET',
        `/api/v1/assets/${ids.vehicles['Truck 01']}/installations`,
      );
      expect(truck.items[0]).toMatchObject({ deviceName: 'Tracker 103' });
      expect(truck.items[0]?.removedAt).not.toBeNull();
      await page.getByRole('link', { name: '← Vehicles' }).click();
      await page.waitForURL(`${harness.api.url}/vehicles`);
      await poll(() => row(page, 'Truck 01').getByTestId('asset-devices').textContent()).toBe('—');
      expect(await row(page, 'Van 05').getByTestId('asset-devices').textContent()).toBe('Tracker 103');
    });
  });

  it('retires a vehicle after a question; it leaves the default list and shows under Retired', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-retire', async () => {
      await row(page, 'Van 04').getByRole('button', { name: 'Retire' }).click();
      const dialog = openDialog(page);
      expect(await dialog.textContent()).toContain('Retire Van 04?');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await poll(() => openDialog(page).count()).toBe(0);
      expect(await names(page)).toContain('Van 04');

      await row(page, 'Van 04').getByRole('button', { name: 'Retire' }).click();
      await openDialog(page).getByRole('button', { name: 'Retire' }).click();
      await poll(() => page.getByRole('status').textContent()).toBe('Retired Van 04.');
      await poll(() => names(page)).toEqual(['Car 01', 'Truck 01', 'Van 01', 'Van 02', 'Van 03', 'Van 05']);
      await screenshot(page, 'console-vehicles');

      await page.getByTestId('asset-status-filter').selectOption({ label: 'Retired' });
      await poll(() => names(page)).toEqual(['Van 04']);
      expect(await row(page, 'Van 04').getByTestId('asset-status').textContent()).toBe('Retired');
      expect(await row(page, 'Van 04').getByRole('button', { name: 'Retire' }).count()).toBe(0);
      await page.getByTestId('asset-status-filter').selectOption({ value: '' });
    });
  });

  it('says so for a vehicle that does not exist', async () => {
    await screenshotOnFailure(page, 'console-assets-vehicles-missing', async () => {
      tab.intended.add('GET /api/v1/vehicles/{id} 404');
      await page.goto(`${harness.api.url}/vehicles/${randomUUID()}`);
      await poll(() => page.getByTestId('asset-missing').isVisible()).toBe(true);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('No such vehicle');
      // An equipment item's id is no vehicle either (and a typed address that is no id is not asked).
      await page.goto(`${harness.api.url}/vehicles/${ids.equipment['Trailer 2']}`);
      await poll(() => page.getByTestId('asset-missing').isVisible()).toBe(true);
      await page.goto(`${harness.api.url}/vehicles/van-01`);
      await poll(() => page.getByTestId('asset-missing').isVisible()).toBe(true);
    });
  });
});

describe('equipment', { timeout: 60_000 }, () => {
  let tab: Tab;
  let page: Page;
  const form = () => page.getByTestId('asset-form');

  beforeAll(async () => {
    tab = await signedIn(harness.api.orgA.users.fleet_manager, '/equipment');
    page = tab.page;
    await page.getByTestId('asset-name').first().waitFor();
  });

  it('adds an item with its value in the organisation’s currency', async () => {
    await screenshotOnFailure(page, 'console-assets-equipment-add', async () => {
      await poll(() => names(page)).toEqual([
        'ARRI Alexa Mini kit 1',
        'Generator 7.5 kVA',
        'Lighting kit 3',
        'Sound cart 2',
        'Trailer 2',
      ]);
      await page.getByTestId('asset-add').click();
      const f = form();
      await f.getByLabel('Name', { exact: true }).fill('Lighting kit 4');
      await f.getByLabel('Category').fill('lighting  kit');
      await f.getByLabel('Serial number').fill('LK-0408');
      await f.getByLabel('Replacement value (EUR)').fill('13 250,00');
      await f.getByLabel('Department').selectOption({ label: 'Production › Lighting' });
      await f.getByLabel('Home place').selectOption({ label: 'North depot' });
      await f.getByRole('button', { name: 'Add equipment item' }).click();
      await poll(() => page.getByRole('status').textContent()).toBe('Added Lighting kit 4.');
      await poll(() => row(page, 'Lighting kit 4').textContent()).toContain('€13,250.00');
      expect(await row(page, 'Lighting kit 4').textContent()).toContain('lighting kit');
      expect(await row(page, 'Lighting kit 3').getByTestId('asset-devices').textContent()).toBe('Tag 201');
    });
  });

  it('checks cents in the form, and shows a taken serial number (409) at its field', async () => {
    await screenshotOnFailure(page, 'console-assets-equipment-refused', async () => {
      tab.intended.add('POST /api/v1/equipment 409');
      await page.getByTestId('asset-add').click();
      const f = form();
      await f.getByLabel('Name', { exact: true }).fill('Lighting kit 5');
      await f.getByLabel('Category').fill('lighting kit');
      await f.getByLabel('Replacement value (EUR)').fill('12 400,005');
      await f.getByRole('button', { name: 'Add equipment item' }).click();
      expect(await f.locator('#asset-replacementValue-error').textContent()).toBe(
        'a replacement value has at most 2 decimals',
      );
      await f.getByLabel('Replacement value (EUR)').fill('');
      await f.getByLabel('Serial number').fill('LK-0307');
      await f.getByRole('button', { name: 'Add equipment item' }).click();
      await poll(() => f.locator('#asset-serialNumber-error').textContent()).toBe(
        'another item of this category has this serial number',
      );
      // The same serial number in another category is another maker's: allowed.
      await f.getByLabel('Category').fill('sound cart');
      await f.getByLabel('Name', { exact: true }).fill('Sound cart 3');
      await f.getByRole('button', { name: 'Add equipment item' }).click();
      await poll(() => page.getByRole('status').textContent()).toBe('Added Sound cart 3.');
    });
  });

  it('lists lost items under their status, and finds one by its serial number', async () => {
    await screenshotOnFailure(page, 'console-assets-equipment-filter', async () => {
      await page.getByTestId('asset-status-filter').selectOption({ label: 'Lost' });
      await poll(() => names(page)).toEqual(['Trailer 2']);
      expect(await row(page, 'Trailer 2').getByTestId('asset-status').textContent()).toBe('Lost');
      expect(new URL(page.url()).searchParams.get('status')).toBe('lost');
      await page.getByTestId('asset-status-filter').selectOption({ value: '' });
      await page.getByTestId('asset-search').fill('gen-75');
      await poll(() => names(page)).toEqual(['Generator 7.5 kVA']);
      await page.getByTestId('asset-search').fill('');
      await page
        .getByTestId('assets')
        .getByRole('button', { name: /^Value/ })
        .click();
      await poll(() => names(page)).toEqual([
        'Generator 7.5 kVA',
        'Trailer 2',
        'Lighting kit 3',
        'Lighting kit 4',
        'Sound cart 2',
        'ARRI Alexa Mini kit 1',
        'Sound cart 3',
      ]);
      await screenshot(page, 'console-equipment');
      await page.getByTestId('assets').getByRole('button', { name: /^Name/ }).click();
    });
  });

  it('installs a tag on an item, and retiring it from its page takes the tag off', async () => {
    await screenshotOnFailure(page, 'console-assets-equipment-retire', async () => {
      await row(page, 'Sound cart 2').getByTestId('asset-name').click();
      await page.waitForURL(`${harness.api.url}/equipment/${ids.equipment['Sound cart 2']}`);
      const panel = page.getByTestId('installation-panel');
      const device = panel.getByLabel('Device', { exact: true });
      // Tags first for an item.
      await poll(() => device.locator('option').nth(1).textContent()).toBe('Tag 203');
      await device.selectOption({ label: 'Tag 203' });
      await panel.getByRole('button', { name: 'Install' }).click();
      await poll(() => page.getByTestId('asset-devices').textContent()).toBe('Tag 203');
      expect(await page.getByTestId('asset-facts').textContent()).toContain('€21,750.50');

      await page.getByRole('button', { name: 'Retire' }).click();
      await openDialog(page).getByRole('button', { name: 'Retire' }).click();
      await poll(() => page.getByTestId('asset-status').textContent()).toBe('Retired');
      await poll(() => page.getByTestId('asset-devices').textContent()).toBe('None');
      await poll(() => panel.getByTestId('installation-open').count()).toBe(0);
      expect(await panel.getByTestId('installation-device').allTextContents()).toEqual(['Tag 203']);
      expect(await panel.getByText('Retired: nothing can be installed on it.').isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Retire' }).count()).toBe(0);
      expect(await page.getByTestId('asset-facts').textContent()).toContain('Retired');

      // Back in service through the form.
      await page.getByRole('button', { name: 'Edit' }).click();
      await form().getByLabel('Status').selectOption({ label: 'Active' });
      await form().getByRole('button', { name: 'Save' }).click();
      await poll(() => page.getByTestId('asset-status').textContent()).toBe('Active');
      await poll(() => panel.getByRole('button', { name: 'Install' }).isVisible()).toBe(true);
    });
  });
});

describe('a viewer', { timeout: 60_000 }, () => {
  let page: Page;

  beforeAll(async () => {
    page = (await signedIn(harness.api.orgA.users.viewer, '/vehicles')).page;
  });

  it('sees the vehicles, their details and history, and no button to change them', async () => {
    await screenshotOnFailure(page, 'console-assets-viewer-vehicles', async () => {
      await poll(() => names(page)).toEqual(['Car 01', 'Truck 01', 'Van 01', 'Van 02', 'Van 03', 'Van 05']);
      await poll(() => row(page, 'Van 01').getByTestId('asset-devices').textContent()).toBe('Tracker 101');
      expect(await page.getByTestId('asset-add').count()).toBe(0);
      expect(
        await page
          .getByTestId('assets')
          .getByRole('button', { name: /Edit|Retire/ })
          .count(),
      ).toBe(0);
      expect(await page.getByText('Administrators and fleet managers change the vehicles.').isVisible()).toBe(
        true,
      );

      await row(page, 'Van 05').getByTestId('asset-name').click();
      await poll(() => page.getByTestId('installations-row').count()).toBe(2);
      expect(await page.getByTestId('asset-devices').textContent()).toBe('Tracker 103');
      expect(await page.getByRole('button', { name: /Edit|Retire|Install|Take off/ }).count()).toBe(0);
      expect(await page.getByTestId('install-form').count()).toBe(0);
    });
  });

  it('sees the equipment and no button to change it', async () => {
    await screenshotOnFailure(page, 'console-assets-viewer-equipment', async () => {
      await page.getByTestId('console-nav').getByRole('link', { name: 'Equipment' }).click();
      await page.waitForURL(`${harness.api.url}/equipment`);
      await poll(() => names(page)).toHaveLength(7);
      expect(await page.getByRole('button', { name: /Add|Edit|Retire/ }).count()).toBe(0);
      await row(page, 'Lighting kit 3').getByTestId('asset-name').click();
      await poll(() => page.getByTestId('installations-row').count()).toBe(1);
      expect(await page.getByRole('button', { name: /Edit|Retire|Install|Take off/ }).count()).toBe(0);
    });
  });
});

describe('CSV import and export', { timeout: 90_000 }, () => {
  // Another organisation's fleet manager, so the imported rows change no list the tests above read.
  let tab: Tab;
  let page: Page;
  const b = () => harness.api.orgB.users.fleet_manager;
  const file = (name: string, lines: string[]) => ({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(`${lines.join('\r\n')}\r\n`),
  });

  beforeAll(async () => {
    const res = await harness.api.request('POST', '/api/v1/departments', {
      token: harness.api.orgB.users.admin.token,
      body: { name: 'CSV crew', parentId: null },
    });
    expect(res.status).toBe(201);
    tab = await signedIn(b(), '/vehicles');
    page = tab.page;
    await page.getByTestId('csv-transfer').waitFor();
  });

  it('shows every problem of a refused file by row and column, then imports a good one after checking it', async () => {
    await screenshotOnFailure(page, 'console-assets-csv-import', async () => {
      tab.intended.add('POST /api/v1/vehicles/import 422');
      await page
        .getByTestId('csv-import-file')
        .setInputFiles(
          file('vans.csv', [
            'name;plate;vin;department',
            'CSV van 1;CSV-001;1M8GDM9AXKP042788;CSV crew',
            'CSV van 2;CSV-002;1M8GDM9A1KP042788;',
            'CSV van 3;csv 001;;Nowhere',
          ]),
        );
      await poll(() => page.getByTestId('csv-problem').allTextContents()).toEqual([
        expect.stringMatching(/^3vin.*check digit/),
        '4platethe same plate as row 2',
        '4departmentno department named "Nowhere" in your organisation',
      ]);
      expect(await page.getByTestId('csv-refused').textContent()).toContain(
        'vans.csv: No vehicle was imported: 3 problems in 2 rows.',
      );
      expect(await page.getByTestId('asset-name').count()).toBe(0);

      await page
        .getByTestId('csv-import-file')
        .setInputFiles(
          file('vans-fixed.csv', [
            'name;plate;vin;department',
            'CSV van 1;CSV-001;1M8GDM9AXKP042788;CSV crew',
            'CSV van 2;CSV-002;;',
          ]),
        );
      await poll(() => page.getByTestId('csv-checked').textContent()).toContain(
        'vans-fixed.csv: 2 rows: 2 to add, 0 to update. Nothing is written until you import it.',
      );
      expect(await page.getByTestId('csv-refused').count()).toBe(0);
      await page.getByTestId('csv-import').click();
      await poll(() => page.getByTestId('csv-notice').textContent()).toBe(
        '2 rows imported: 2 added, 0 updated.',
      );
      await poll(() => names(page)).toEqual(['CSV van 1', 'CSV van 2']);
      expect(await row(page, 'CSV van 1').textContent()).toContain('CSV crew');
    });
  });

  it('exports the list as a file the import reads back', async () => {
    await screenshotOnFailure(page, 'console-assets-csv-export', async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('csv-export').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^vehicles-\d{4}-\d\d-\d\d\.csv$/);
      const text = readFileSync(await download.path(), 'utf8');
      const [header, ...lines] = text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(header).toBe(
        'id,name,plate,vin,make,model,year,fuel_type,tank_capacity_l,odometer_offset_km,engine_hours_offset,speed_limit_kmh,licence_class,offline_after_s,department,home_place,status,notes',
      );
      expect(lines.map((l) => l.split(',')[1])).toEqual(['CSV van 1', 'CSV van 2']);
      await poll(() => page.getByTestId('csv-notice').textContent()).toMatch(
        /^Saved vehicles-.*\.csv \(2 vehicles\)\.$/,
      );
      // Back in, every row matches its vehicle by id: updates, nothing added.
      await page
        .getByTestId('csv-import-file')
        .setInputFiles({ name: 'again.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
      await poll(() => page.getByTestId('csv-checked').textContent()).toContain(
        '2 rows: 0 to add, 2 to update',
      );
    });
  });

  it('imports drivers on the drivers page the same way', async () => {
    await screenshotOnFailure(page, 'console-assets-csv-drivers', async () => {
      await page.getByTestId('console-nav').getByRole('link', { name: 'Drivers' }).click();
      await page.waitForURL(`${harness.api.url}/drivers`);
      await page
        .getByTestId('csv-import-file')
        .setInputFiles(
          file('crew.csv', [
            'Name,Employee number,Phone,Licence classes',
            'Csv Driver,CSV-E1,+358 40 765 4321,"B, C1"',
          ]),
        );
      await poll(() => page.getByTestId('csv-checked').textContent()).toContain(
        '1 row: 1 to add, 0 to update',
      );
      await page.getByTestId('csv-import').click();
      await poll(() => page.getByTestId('csv-notice').textContent()).toBe(
        '1 row imported: 1 added, 0 updated.',
      );
      await poll(() => page.getByText('Csv Driver').count()).toBeGreaterThan(0);
    });
  });
});

describe('CSV for a viewer', { timeout: 60_000 }, () => {
  it('offers the export only', async () => {
    const { page } = await signedIn(harness.api.orgA.users.viewer, '/vehicles');
    await page.getByTestId('csv-export').waitFor();
    expect(await page.getByTestId('csv-import-file').count()).toBe(0);
  });
});
