// The drivers pages in Chromium against the real platform: the list (licence warnings, filters
// and sort kept in the address bar), adding a driver with every field (a bad phone number and a
// taken employee number answered by the API at their fields), changing one, handing out a
// vehicle (an overlapping booking refused with the API's reason) and ending it, the GDPR export
// and erasure as an administrator, a dispatcher who assigns but does not edit, and a viewer who
// sees no button. Every answer of 400 and above must be one a test provokes.
import { readFileSync } from 'node:fs';
import type { Driver, DriverPersonalData } from '@fleet/api/contract';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;

const admin = () => harness.api.orgA.users.admin;

/** A calendar day `days` from today (the test organisation's zone is UTC). */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function post<T>(path: string, body: unknown): Promise<T> {
  const reply = await harness.api.request<T>('POST', path, { token: admin().token, body });
  if (reply.status >= 300) throw new Error(`POST ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

interface Seeded {
  departments: Record<'logistics' | 'installations', string>;
  vehicles: Record<'van7' | 'truck2' | 'van12', string>;
  drivers: Record<'aino' | 'mikko' | 'liisa' | 'jukka' | 'sanna', Driver>;
}

let seeded: Seeded;

beforeAll(async () => {
  const dep = async (name: string) => (await post<{ id: string }>('/api/v1/departments', { name })).id;
  const vehicle = async (name: string, plate: string, make: string, model: string) =>
    (await post<{ id: string }>('/api/v1/vehicles', { name, plate, make, model })).id;
  const departments = { logistics: await dep('Logistics'), installations: await dep('Installations') };
  const vehicles = {
    van7: await vehicle('Van 7', 'ABC-123', 'Ford', 'Transit'),
    truck2: await vehicle('Truck 2', 'XYZ-987', 'Volvo', 'FL'),
    van12: await vehicle('Van 12', 'KLM-404', 'Toyota', 'Proace'),
  };
  const driver = (body: Record<string, unknown>) => post<Driver>('/api/v1/drivers', body);
  const drivers = {
    aino: await driver({
      name: 'Aino Virtanen',
      employeeNumber: 'E-1001',
      phone: '+358 40 123 4567',
      email: 'aino.virtanen@example.fi',
      licenceNumber: 'FI-883210',
      licenceClasses: ['B', 'C1', 'C'],
      licenceExpiry: day(400),
      departmentId: departments.logistics,
    }),
    mikko: await driver({
      name: 'Mikko Korhonen',
      employeeNumber: 'E-1002',
      phone: '+358 50 987 6543',
      licenceClasses: ['B', 'C', 'CE'],
      licenceExpiry: day(12),
      departmentId: departments.logistics,
      driverCardId: '0F:11:22:33',
    }),
    liisa: await driver({
      name: 'Liisa Mäkinen',
      employeeNumber: 'E-1003',
      phone: '+358 44 555 0101',
      licenceClasses: ['B'],
      licenceExpiry: day(-5),
      departmentId: departments.installations,
    }),
    jukka: await driver({
      name: 'Jukka Nieminen',
      employeeNumber: 'E-1004',
      phone: '+358 45 7891 234',
      licenceClasses: ['B', 'BE'],
      licenceExpiry: day(800),
      status: 'inactive',
      notes: 'On parental leave until spring.',
    }),
    sanna: await driver({
      name: 'Sanna Lehtonen',
      employeeNumber: 'E-1005',
      phone: '+46 70 123 45 67',
      licenceClasses: ['B', 'C1'],
      licenceExpiry: day(600),
      departmentId: departments.installations,
    }),
  };
  // Mikko drives the truck from now on.
  await post(`/api/v1/vehicles/${vehicles.truck2}/driver`, { driverId: drivers.mikko.id });
  seeded = { departments, vehicles, drivers };
});

const rows = (page: Page) => page.getByTestId('drivers-row');
const row = (page: Page, name: string) => rows(page).filter({ hasText: name });
const names = (page: Page) => page.getByTestId('driver-name').allTextContents();

describe('drivers, as an administrator', { timeout: 90_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(admin(), '/drivers');
    page = tab.page;
  });

  it('lists drivers with their licence warnings and the vehicle they drive now', async () => {
    await screenshotOnFailure(page, 'console-drivers-list', async () => {
      await poll(() => names(page)).toEqual([
        'Aino Virtanen',
        'Jukka Nieminen',
        'Liisa Mäkinen',
        'Mikko Korhonen',
        'Sanna Lehtonen',
      ]);
      await poll(() => row(page, 'Mikko').textContent()).toContain('Logistics');
      expect(await row(page, 'Mikko').getByTestId('licence-warning').textContent()).toContain(
        'expires in 12 days',
      );
      expect(await row(page, 'Liisa').getByTestId('licence-warning').textContent()).toContain(
        'expired 5 days ago',
      );
      expect(await row(page, 'Aino').getByTestId('licence-warning').count()).toBe(0);
      expect(await row(page, 'Mikko').getByTestId('driver-vehicle').textContent()).toBe('Truck 2');
      expect(await row(page, 'Mikko').textContent()).toContain('+358509876543');
      expect(await row(page, 'Jukka').getByTestId('driver-status').textContent()).toBe('Inactive');
    });
  });

  it('filters by department, status, search and licences to renew, in the address bar, and sorts', async () => {
    await screenshotOnFailure(page, 'console-drivers-filter', async () => {
      const filters = page.getByTestId('driver-filters');
      await filters.getByLabel('Department').selectOption({ label: 'Logistics' });
      await poll(() => names(page)).toEqual(['Aino Virtanen', 'Mikko Korhonen']);
      await poll(() => page.url()).toContain(`department=${seeded.departments.logistics}`);
      await filters.getByLabel('Department').selectOption({ value: '' });
      await filters.getByLabel('Status').selectOption({ label: 'Inactive' });
      await poll(() => names(page)).toEqual(['Jukka Nieminen']);
      await filters.getByLabel('Status').selectOption({ value: '' });
      await filters.getByLabel('Search').fill('mäki');
      await poll(() => names(page)).toEqual(['Liisa Mäkinen']);
      await poll(() => new URL(page.url()).searchParams.get('q')).toBe('mäki');

      // A reload (or a link) shows the same list.
      await page.reload();
      await poll(() => names(page)).toEqual(['Liisa Mäkinen']);
      expect(await filters.getByLabel('Search').inputValue()).toBe('mäki');

      await filters.getByLabel('Search').fill('');
      await filters.getByLabel('Licence to renew').check();
      await poll(() => names(page)).toEqual(['Liisa Mäkinen', 'Mikko Korhonen']);
      await filters.getByLabel('Licence to renew').uncheck();

      // Sorted by the licence's expiry, soonest first, then the other way round.
      await page.getByRole('button', { name: 'Licence' }).click();
      await poll(() => names(page)).toEqual([
        'Liisa Mäkinen',
        'Mikko Korhonen',
        'Aino Virtanen',
        'Sanna Lehtonen',
        'Jukka Nieminen',
      ]);
      await poll(() => page.url()).toContain('sort=licenceExpiry');
      await page.getByRole('button', { name: 'Licence' }).click();
      await poll(() => names(page).then((n) => n[0])).toBe('Jukka Nieminen');
      await page.getByRole('button', { name: 'Name' }).click();
      await poll(() => names(page).then((n) => n[0])).toBe('Aino Virtanen');
    });
  });

  it('shows the API’s refusal of a phone number at the phone field', async () => {
    await screenshotOnFailure(page, 'console-drivers-bad-phone', async () => {
      tab.intended.add('POST /api/v1/drivers 400');
      await page.getByRole('button', { name: 'Add driver' }).click();
      const form = page.getByTestId('driver-create');
      await form.getByLabel('Name', { exact: true }).fill('Erik Lindqvist');
      await form.getByLabel('Phone').fill('+358 40 12');
      await form.getByRole('button', { name: 'Add driver' }).click();
      await poll(() => form.locator('#new-phone-error').textContent()).toBe(
        'not a valid phone number for its country code',
      );
      expect(await form.getByLabel('Phone').getAttribute('aria-invalid')).toBe('true');
      expect(await form.getByTestId('field-error').count()).toBe(1);

      // Without the country code the API asks for it, rather than guess a country.
      await form.getByLabel('Phone').fill('040 765 4321');
      await form.getByRole('button', { name: 'Add driver' }).click();
      await poll(() => form.locator('#new-phone-error').textContent()).toContain(
        'with + and the country code',
      );
    });
  });

  it('shows a taken employee number at its field', async () => {
    await screenshotOnFailure(page, 'console-drivers-taken-number', async () => {
      tab.intended.add('POST /api/v1/drivers 409');
      const form = page.getByTestId('driver-create');
      await form.getByLabel('Phone').fill('+358 40 765 4321');
      await form.getByLabel('Employee number').fill('e-1001');
      await form.getByRole('button', { name: 'Add driver' }).click();
      await poll(() => form.locator('#new-employeeNumber-error').textContent()).toBe(
        'taken by another driver',
      );
      expect(await form.locator('#new-phone-error').count()).toBe(0);
      expect(await form.getByRole('alert').textContent()).toContain('Another driver has the employee number');
    });
  });

  it('adds a driver with every field', async () => {
    await screenshotOnFailure(page, 'console-drivers-add', async () => {
      const form = page.getByTestId('driver-create');
      await form.getByLabel('Employee number').fill('E-1006');
      await form.getByLabel('Email').fill('Erik.Lindqvist@Example.fi');
      await form.getByLabel('Licence number').fill('FI-771204');
      for (const c of ['B', 'C1', 'C']) await form.getByLabel(c, { exact: true }).check();
      await form.getByLabel('Licence valid until').fill(day(25));
      await form.getByLabel('Driver card').fill('01:a2:b3:c4');
      await form.getByLabel('Department').selectOption({ label: 'Installations' });
      const dispatcher = harness.api.orgA.users.dispatcher;
      await form.getByLabel('User account').selectOption({ label: `dispatcher a (${dispatcher.email})` });
      await form.getByLabel('Notes').fill('Forklift card too.');
      await form.getByRole('button', { name: 'Add driver' }).click();
      await poll(() => page.getByRole('status').textContent()).toContain('Added Erik Lindqvist.');
      await poll(() => row(page, 'Erik Lindqvist').textContent()).toContain('+358407654321');
      expect(await row(page, 'Erik').getByTestId('licence-warning').textContent()).toContain(
        'expires in 25 days',
      );
      expect(await row(page, 'Erik').textContent()).toContain('B C1 C');

      const list = await harness.api.request<{ items: Driver[] }>('GET', '/api/v1/drivers?q=Lindqvist', {
        token: admin().token,
      });
      expect(list.body.items[0]).toMatchObject({
        employeeNumber: 'E-1006',
        phone: '+358407654321',
        email: 'erik.lindqvist@example.fi',
        licenceNumber: 'FI-771204',
        licenceClasses: ['B', 'C1', 'C'],
        licenceExpiry: day(25),
        driverCardId: '01A2B3C4',
        departmentId: seeded.departments.installations,
        userId: dispatcher.id,
        status: 'active',
        notes: 'Forklift card too.',
      });
      await screenshot(page, 'console-drivers');
    });
  });

  it('changes a driver on their page', async () => {
    await screenshotOnFailure(page, 'console-drivers-edit', async () => {
      await row(page, 'Erik').getByTestId('driver-name').click();
      await poll(() => page.getByTestId('driver-title').textContent()).toBe('Erik Lindqvist');
      expect(await page.getByTestId('profile-card').textContent()).toBe('01A2B3C4');
      await poll(() => page.getByTestId('profile-user').textContent()).toContain('dispatcher a');
      await page.getByRole('button', { name: 'Edit' }).click();
      const form = page.getByTestId('driver-edit');
      expect(await form.getByLabel('Phone').inputValue()).toBe('+358407654321');
      await form.getByLabel('Phone').fill('+358 41 234 5678');
      await form.getByLabel('CE', { exact: true }).check();
      await form.getByLabel('Notes').fill('Forklift card too. Night shifts.');
      await form.getByRole('button', { name: 'Save' }).click();
      await poll(() => page.getByTestId('driver-notice').textContent()).toContain('Saved Erik Lindqvist.');
      expect(await page.getByTestId('profile-phone').textContent()).toContain('+358412345678');
      expect(await page.getByTestId('profile-licence').textContent()).toContain('B C1 C CE');
      expect(await page.getByTestId('profile-notes').textContent()).toBe('Forklift card too. Night shifts.');
    });
  });

  it('refuses an overlapping booking with the API’s reason, assigns a vehicle and ends it', async () => {
    await screenshotOnFailure(page, 'console-drivers-assign', async () => {
      tab.intended.add('POST /api/v1/drivers/{id}/assignments 409');
      const form = page.getByTestId('assign-form');
      await poll(() => page.getByTestId('current-vehicle').textContent()).toContain('No vehicle now.');
      // Mikko has the truck until ended: any time from tomorrow overlaps.
      await form.getByLabel('Vehicle', { exact: true }).selectOption({ label: 'Truck 2 · XYZ-987' });
      await form.getByLabel('From').fill(`${day(1)}T08:00`);
      await form.getByLabel('Until').fill(`${day(1)}T16:00`);
      await form.getByRole('button', { name: 'Assign' }).click();
      await poll(() => page.getByTestId('assign-error').textContent()).toBe(
        'The vehicle has another driver in that time.',
      );
      expect(await page.getByTestId('assignments-row').count()).toBe(0);

      await form.getByLabel('Vehicle', { exact: true }).selectOption({ label: 'Van 7 · ABC-123' });
      await form.getByLabel('From').fill('');
      await form.getByLabel('Until').fill('');
      await form.getByRole('button', { name: 'Assign' }).click();
      await poll(() => page.getByTestId('assignment-panel').getByRole('status').textContent()).toContain(
        'Assigned Van 7 · ABC-123 from',
      );
      await poll(() => page.getByTestId('current-vehicle').textContent()).toContain(
        'Drives Van 7 · ABC-123 since',
      );
      expect(await page.getByTestId('assign-error').count()).toBe(0);
      expect(await page.getByTestId('assignment-standing').allTextContents()).toEqual(['now']);

      await page.getByTestId('assignments-row').getByRole('button', { name: 'End now' }).click();
      await poll(() => page.getByTestId('current-vehicle').textContent()).toContain('No vehicle now.');
      expect(await page.getByTestId('assignment-standing').allTextContents()).toEqual(['over']);
      expect(await page.getByRole('button', { name: 'End now' }).count()).toBe(0);
    });
  });

  it('exports the driver’s personal data as a file and erases it after saying what that does', async () => {
    await screenshotOnFailure(page, 'console-drivers-gdpr', async () => {
      const panel = page.getByTestId('personal-data');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        panel.getByRole('button', { name: 'Export personal data' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`personal-data-erik-lindqvist-${day(0)}.json`);
      const data = JSON.parse(readFileSync(await download.path(), 'utf8')) as DriverPersonalData;
      expect(data.driver).toMatchObject({ name: 'Erik Lindqvist', phone: '+358412345678' });
      expect(data.userAccount?.email).toBe(harness.api.orgA.users.dispatcher.email);
      expect(data.assignments.map((a) => a.vehicleName)).toEqual(['Van 7']);
      expect(data.auditLog.length).toBeGreaterThanOrEqual(3);
      await poll(() => panel.getByRole('status').textContent()).toContain(
        'Saved personal-data-erik-lindqvist',
      );

      await panel.getByRole('button', { name: 'Erase personal data…' }).click();
      const dialog = page.getByTestId('confirm-dialog');
      const explanation = await dialog.getByTestId('erase-explanation').textContent();
      expect(explanation).toContain('name, employee number, phone, email');
      expect(explanation).toContain('here and in the audit log');
      expect(explanation).toContain('The 1 assignment stays, attributed to the anonymous driver');
      await dialog.getByRole('button', { name: 'Erase' }).click();
      await poll(() => page.getByTestId('driver-title').textContent()).toMatch(/^Erased driver [0-9a-f]{8}$/);
      await poll(() => page.getByTestId('driver-notice').textContent()).toContain(
        'Erased the personal data of Erik Lindqvist.',
      );
      expect(await page.getByTestId('erased-note').isVisible()).toBe(true);
      expect(await page.getByTestId('profile-phone').textContent()).toContain('—');
      expect(await page.getByTestId('driver-status').textContent()).toBe('Erased');
      expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
      expect(await page.getByTestId('assign-form').count()).toBe(0);
      // The history stays counted.
      expect(await page.getByTestId('assignments-row').count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Erase personal data…' }).count()).toBe(0);
    });
  });
});

describe('a dispatcher', { timeout: 60_000 }, () => {
  let page: Page;

  beforeAll(async () => {
    page = (await signedIn(harness.api.orgA.users.dispatcher, '/drivers')).page;
  });

  it('hands out a vehicle but cannot change the driver or answer GDPR requests', async () => {
    await screenshotOnFailure(page, 'console-drivers-dispatcher', async () => {
      await poll(() => rows(page).count()).toBe(6);
      expect(await page.getByText('Only fleet managers and administrators change drivers.').isVisible()).toBe(
        true,
      );
      expect(await page.getByRole('button', { name: 'Add driver' }).count()).toBe(0);

      await row(page, 'Aino').getByTestId('driver-name').click();
      await poll(() => page.getByTestId('driver-title').textContent()).toBe('Aino Virtanen');
      const form = page.getByTestId('assign-form');
      await form.getByLabel('Vehicle', { exact: true }).selectOption({ label: 'Van 12 · KLM-404' });
      await form.getByLabel(/Hand over now/).check();
      await form.getByRole('button', { name: 'Assign' }).click();
      await poll(() => page.getByTestId('current-vehicle').textContent()).toContain(
        'Drives Van 12 · KLM-404 since',
      );
      expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
      expect(await page.getByTestId('personal-data').count()).toBe(0);
      expect(await page.getByText('History in the audit log').count()).toBe(0);

      const current = await harness.api.request<{ driver: { name: string } | null }>(
        'GET',
        `/api/v1/vehicles/${seeded.vehicles.van12}/driver`,
        { token: admin().token },
      );
      expect(current.body.driver?.name).toBe('Aino Virtanen');
    });
  });
});

describe('a viewer', { timeout: 60_000 }, () => {
  let page: Page;

  beforeAll(async () => {
    page = (await signedIn(harness.api.orgA.users.viewer, '/drivers')).page;
  });

  it('reads the drivers and their vehicles but sees no button to change anything', async () => {
    await screenshotOnFailure(page, 'console-drivers-viewer', async () => {
      await poll(() => rows(page).count()).toBe(6);
      expect(await page.getByRole('button', { name: 'Add driver' }).count()).toBe(0);
      await row(page, 'Aino').getByTestId('driver-name').click();
      await poll(() => page.getByTestId('current-vehicle').textContent()).toContain(
        'Drives Van 12 · KLM-404',
      );
      expect(await page.locator('main').getByRole('button').count()).toBe(0);
      expect(await page.getByTestId('assign-form').count()).toBe(0);
      expect(await page.getByTestId('personal-data').count()).toBe(0);
    });
  });
});
