// The console's management pages in Chromium against the real platform: the navigation per
// role; departments (a tree, a cycle refused, a department with members refused, an empty one
// deleted); users (a taken email shown at the field, adding, filtering, changing and disabling);
// places drawn on the map with Terra Draw (a polygon by clicking its corners, a circle by its
// centre and edge, a self-crossing polygon refused with the API's words at the shape); working
// hours kept over a reload; and a viewer, who sees no button to change anything. Every answer of
// 400 and above must be one a test provokes, and nothing is asked of any host but 127.0.0.1.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../../test/api-support.ts';
import { screenshotOnFailure } from '../../test/browser.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;

const admin = () => harness.api.orgA.users.admin;

describe('the navigation', { timeout: 60_000 }, () => {
  it('lists the pages each role may use, and marks the current one', async () => {
    const tab = await signedIn(admin(), '/departments');
    const nav = tab.page.getByTestId('console-nav');
    await poll(() => nav.getByRole('link').allTextContents()).toEqual([
      'Dashboard',
      'Map',
      'Alerts',
      'Jobs',
      'Projects',
      'Vehicles',
      'Equipment',
      'Drivers',
      'Maintenance',
      'Work orders',
      'Costs',
      'Reports',
    ]);
    // The setup pages are one menu (lib/admin/nav.ts), marked while one of them is open.
    const setup = nav.getByTestId('nav-menu-button').filter({ hasText: 'Setup' });
    expect(await setup.getAttribute('data-current')).toBe('true');
    await setup.click();
    expect(await nav.locator('#nav-menu-setup').getByRole('link').allTextContents()).toEqual([
      'Places',
      'Departments',
      'Rules',
    ]);
    expect(await nav.getByRole('link', { name: 'Departments' }).getAttribute('aria-current')).toBe('page');
    await tab.page.keyboard.press('Escape');
    // The admin pages are one menu too: opened, it lists them.
    const menu = nav.getByTestId('nav-menu-button').filter({ hasText: 'Admin' });
    expect(await menu.getAttribute('data-current')).toBe('false');
    await menu.click();
    expect(await nav.locator('#nav-menu-admin').getByRole('link').allTextContents()).toEqual([
      'Notifications',
      'Users',
      'Audit log',
      'Settings',
    ]);
    await nav.getByRole('link', { name: 'Users' }).click();
    await tab.page.waitForURL(`${harness.api.url}/users`);
    expect(await nav.locator('#nav-menu-admin').isVisible()).toBe(false);
    expect(await setup.getAttribute('data-current')).toBe('false');
    expect(await menu.getAttribute('data-current')).toBe('true');
    await menu.click();
    expect(await nav.getByRole('link', { name: 'Users' }).getAttribute('aria-current')).toBe('page');
    await tab.page.keyboard.press('Escape');
    await tab.context.close();
  });
});

describe('departments', { timeout: 60_000 }, () => {
  let tab: Tab;
  let page: Page;
  const row = (name: string) => page.getByTestId('departments-row').filter({ hasText: name });

  beforeAll(async () => {
    tab = await signedIn(admin(), '/departments');
    page = tab.page;
  });

  async function add(name: string, parent?: string) {
    const form = page.getByTestId('department-create');
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Below').selectOption(parent === undefined ? { value: '' } : { label: parent });
    await form.getByRole('button', { name: 'Add' }).click();
    await poll(() => page.getByRole('status').textContent()).toContain(
      `Added ${parent ? `${parent} › ` : ''}${name}.`,
    );
  }

  it('adds departments at the top and below another, shown as a tree', async () => {
    await screenshotOnFailure(page, 'console-admin-departments-add', async () => {
      await poll(() => page.getByText('No departments yet.').isVisible()).toBe(true);
      await add('Production');
      await add('Lighting', 'Production');
      await add('Sound', 'Production');
      await add('Office');
      await poll(() => page.getByTestId('department-name').allTextContents()).toEqual([
        'Office',
        'Production',
        '└Lighting',
        '└Sound',
      ]);
      expect(await row('Lighting').getByTestId('department-name').getAttribute('data-depth')).toBe('1');
    });
  });

  it('refuses a name the form knows is wrong before asking the API', async () => {
    await screenshotOnFailure(page, 'console-admin-departments-empty-name', async () => {
      const form = page.getByTestId('department-create');
      await form.getByLabel('Name').fill('   ');
      await form.getByRole('button', { name: 'Add' }).click();
      expect(await form.locator('#create-name-error').textContent()).toBe('a name is needed');
      expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    });
  });

  it('shows the API’s 409 for a sibling with the same name at the name', async () => {
    await screenshotOnFailure(page, 'console-admin-departments-duplicate', async () => {
      tab.intended.add('POST /api/v1/departments 409');
      const form = page.getByTestId('department-create');
      await form.getByLabel('Name').fill('Lighting');
      await form.getByLabel('Below').selectOption({ label: 'Production' });
      await form.getByRole('button', { name: 'Add' }).click();
      await poll(() => form.locator('#create-name-error').textContent()).toContain('already exists there');
    });
  });

  it('refuses to move a department below its own sub-department, with the API’s reason', async () => {
    await screenshotOnFailure(page, 'console-admin-departments-cycle', async () => {
      tab.intended.add('PATCH /api/v1/departments/{id} 400');
      await row('Production').getByRole('button', { name: 'Edit' }).click();
      const form = page.getByTestId('department-edit');
      await form.getByLabel('Below').selectOption({ label: 'Production › Lighting' });
      await form.getByRole('button', { name: 'Save' }).click();
      await poll(() => form.locator('#edit-parent-error').textContent()).toBe('would make a cycle');
      expect(await form.getByRole('alert').textContent()).toContain(
        'A department cannot move below itself or its own sub-department.',
      );
      // Nothing moved.
      expect(await row('Lighting').getByTestId('department-name').getAttribute('data-depth')).toBe('1');
    });
  });

  it('renames and moves a department', async () => {
    await screenshotOnFailure(page, 'console-admin-departments-move', async () => {
      const form = page.getByTestId('department-edit');
      await row('Office').getByRole('button', { name: 'Edit' }).click();
      await form.getByLabel('Name').fill('Admin office');
      await form.getByLabel('Below').selectOption({ label: 'Production' });
      await form.getByRole('button', { name: 'Save' }).click();
      await poll(() => page.getByRole('status').textContent()).toContain('Saved Production › Admin office.');
      await poll(() => page.getByTestId('department-name').allTextContents()).toEqual([
        'Production',
        '└Admin office',
        '└Lighting',
        '└Sound',
      ]);
    });
  });

  it('refuses to delete a department with members (the API’s 409) and deletes an empty one', async () => {
    await screenshotOnFailure(page, 'console-admin-departments-delete', async () => {
      tab.intended.add('DELETE /api/v1/departments/{id} 409');
      const list = await harness.api.request<{ items: { id: string; name: string }[] }>(
        'GET',
        '/api/v1/departments',
        {
          token: admin().token,
        },
      );
      const lighting = list.body.items.find((d) => d.name === 'Lighting');
      const member = await harness.api.request('POST', '/api/v1/users', {
        token: admin().token,
        body: {
          email: `gaffer.${Date.now()}@example.test`,
          name: 'Gaffer',
          role: 'viewer',
          password: TEST_PASSWORD,
          departmentId: lighting?.id,
        },
      });
      expect(member.status).toBe(201);
      await page.reload();
      await poll(() => row('Lighting').getByTestId('department-members').textContent()).toBe('1');
      expect(await row('Production').locator('td').nth(2).textContent()).toBe('1');

      const dialog = page.getByTestId('confirm-dialog');
      await row('Lighting').getByRole('button', { name: 'Delete' }).click();
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await poll(() => dialog.getByRole('alert').textContent()).toBe(
        'The department still has sub-departments or users; move them first.',
      );
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await poll(() => dialog.isVisible()).toBe(false);

      await row('Sound').getByRole('button', { name: 'Delete' }).click();
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await poll(() => page.getByRole('status').textContent()).toContain('Removed Production › Sound.');
      await poll(() => page.getByTestId('department-name').allTextContents()).toEqual([
        'Production',
        '└Admin office',
        '└Lighting',
      ]);
      await screenshot(page, 'console-departments');
    });
  });
});

describe('users', { timeout: 60_000 }, () => {
  let tab: Tab;
  let page: Page;
  const email = `new.person.${Date.now()}@example.test`;
  const row = (text: string) => page.getByTestId('users-row').filter({ hasText: text });

  beforeAll(async () => {
    tab = await signedIn(admin(), '/users');
    page = tab.page;
    await page.getByTestId('user-email').nth(4).waitFor();
  });

  it('shows the API’s 409 for a taken email at the email field', async () => {
    await screenshotOnFailure(page, 'console-admin-users-duplicate', async () => {
      tab.intended.add('POST /api/v1/users 409');
      const form = page.getByTestId('user-create');
      await form.getByLabel('Email').fill(harness.api.orgA.users.dispatcher.email);
      await form.getByLabel('Name').fill('Someone Else');
      await form.getByRole('button', { name: 'Add user' }).click();
      await poll(() => form.locator('#new-email-error').textContent()).toBe(
        `A user with the email ${harness.api.orgA.users.dispatcher.email} already exists.`,
      );
      expect(await form.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    });
  });

  it('checks a typed password as the API does before sending it', async () => {
    await screenshotOnFailure(page, 'console-admin-users-password', async () => {
      const form = page.getByTestId('user-create');
      await form.getByTestId('generate-password').uncheck();
      await form.getByLabel('Password', { exact: true }).fill('short');
      await form.getByRole('button', { name: 'Add user' }).click();
      expect(await form.locator('#new-password-error').textContent()).toBe('at least 12 characters');
      await form.getByTestId('generate-password').check();
    });
  });

  it('adds a user in a department with a generated password that signs in', async () => {
    await screenshotOnFailure(page, 'console-admin-users-add', async () => {
      const form = page.getByTestId('user-create');
      await form.getByLabel('Email').fill(email);
      await form.getByLabel('Name').fill('New Person');
      await form.getByLabel('Role').selectOption({ label: 'Dispatcher' });
      await form.getByLabel('Department', { exact: true }).selectOption({ label: 'Production › Lighting' });
      if (await form.getByTestId('new-department-scope').count())
        await form.getByTestId('new-department-scope').check();
      await form.getByRole('button', { name: 'Add user' }).click();
      await poll(() => page.getByRole('status').textContent()).toContain(`Added ${email}.`);
      const password = await page.getByTestId('generated-password').locator('code').textContent();
      expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(await harness.api.login(email, password ?? '')).toBeTruthy();
      await poll(() => row(email).textContent()).toContain('Production › Lighting');
      expect(await row(email).textContent()).toContain('Dispatcher');
    });
  });

  it('filters by department, sub-departments included', async () => {
    await screenshotOnFailure(page, 'console-admin-users-filter', async () => {
      await page.getByTestId('user-filter').selectOption({ label: 'Production' });
      await poll(() => page.getByTestId('user-email').allTextContents()).toHaveLength(2);
      expect((await page.getByTestId('user-email').allTextContents()).some((e) => e === email)).toBe(true);
      await page.getByTestId('user-filter').selectOption({ label: 'Production › Admin office' });
      await poll(() => page.getByText('Nobody in this department.').isVisible()).toBe(true);
      await page.getByTestId('user-filter').selectOption({ value: '' });
      await poll(() => page.getByTestId('users-row').count()).toBeGreaterThan(5);
    });
  });

  it('changes role and department, and disables and enables the user', async () => {
    await screenshotOnFailure(page, 'console-admin-users-edit', async () => {
      await row(email).getByRole('button', { name: 'Edit' }).click();
      const form = page.getByTestId('user-edit');
      await form.getByLabel('Role').selectOption({ label: 'Fleet manager' });
      await form
        .getByLabel('Department', { exact: true })
        .selectOption({ label: 'Production › Admin office' });
      await form.getByRole('button', { name: 'Save' }).click();
      await poll(() => page.getByRole('status').textContent()).toContain(`Saved ${email}.`);
      await poll(() => row(email).textContent()).toContain('Fleet manager');
      await poll(() => row(email).textContent()).toContain('Production › Admin office');

      await row(email).getByRole('button', { name: 'Disable' }).click();
      await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Disable' }).click();
      await poll(() => row(email).getByTestId('user-status').textContent()).toBe('Disabled');
      await row(email).getByRole('button', { name: 'Enable' }).click();
      await poll(() => row(email).getByTestId('user-status').textContent()).toBe('Active');
      // The admin cannot disable themself from here (the API would refuse the last admin anyway).
      expect(await row(admin().email).getByRole('button', { name: 'Disable' }).isDisabled()).toBe(true);
      await screenshot(page, 'console-users');
    });
  });
});

describe('places', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;
  const map = () => page.getByTestId('places-map');

  beforeAll(async () => {
    tab = await signedIn(harness.api.orgA.users.dispatcher, '/places');
    page = tab.page;
    await page.locator('[data-testid=places-map][data-ready=true]').waitFor({ timeout: 20_000 });
  });

  /** Clicks the map at a point given as a fraction of its width and height. */
  async function clickMap(fx: number, fy: number) {
    const box = await map().boundingBox();
    if (!box) throw new Error('the map is not on the page');
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
  }

  async function fill(name: string, category: string, address: string) {
    const form = page.getByTestId('place-form');
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Category').selectOption({ label: category });
    await form.getByLabel('Address').fill(address);
  }

  it('draws a polygon by clicking its corners and saves it', async () => {
    await screenshotOnFailure(page, 'console-admin-places-polygon', async () => {
      await page.getByRole('button', { name: 'New place' }).click();
      const form = page.getByTestId('place-form');
      await form.getByRole('button', { name: 'Draw polygon' }).click();
      await poll(() => map().getAttribute('data-mode')).toBe('polygon');
      for (const [x, y] of [
        [0.2, 0.2],
        [0.4, 0.2],
        [0.4, 0.4],
        [0.2, 0.4],
      ] as const)
        await clickMap(x, y);
      await clickMap(0.2, 0.2); // the first corner again closes it
      await poll(() => map().getAttribute('data-mode')).toBe('editing');
      expect(await form.getByTestId('shape-summary').textContent()).toBe('polygon, 4 corners');
      await fill('Main depot', 'Depot', 'Teollisuuskatu 1, Helsinki');
      await form.getByRole('button', { name: 'Save' }).click();
      await poll(() => page.getByRole('status').textContent()).toContain('Saved Main depot.');
      await poll(() => page.getByTestId('place-name').allTextContents()).toEqual(['Main depot']);
      const saved = await harness.api.request<{
        items: { name: string; geometry: { type: string; coordinates: number[][][] } }[];
      }>('GET', '/api/v1/places', { token: admin().token });
      expect(saved.body.items[0]?.geometry.type).toBe('Polygon');
      expect(saved.body.items[0]?.geometry.coordinates[0]).toHaveLength(5);
    });
  });

  it('draws a circle by its centre and edge, and edits its radius', async () => {
    await screenshotOnFailure(page, 'console-admin-places-circle', async () => {
      await page.getByRole('button', { name: 'New place' }).click();
      const form = page.getByTestId('place-form');
      await form.getByRole('button', { name: 'Draw circle' }).click();
      await poll(() => map().getAttribute('data-mode')).toBe('circle');
      await clickMap(0.7, 0.3);
      const box = await map().boundingBox();
      if (!box) throw new Error('the map is not on the page');
      await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.3, { steps: 5 });
      await clickMap(0.78, 0.3);
      await poll(() => map().getAttribute('data-mode')).toBe('editing');
      const radius = Number(await form.getByLabel('Radius (m)').inputValue());
      expect(radius).toBeGreaterThan(50);
      await form.getByLabel('Radius (m)').fill('300');
      await form.getByLabel('Radius (m)').press('Enter');
      await fill('Client: Studio Kallio', 'Client site', 'Kalliolankatu 5, Helsinki');
      await form.getByRole('button', { name: 'Save' }).click();
      await poll(() => page.getByRole('status').textContent()).toContain('Saved Client: Studio Kallio.');
      await poll(() => page.getByTestId('place-name').allTextContents()).toEqual([
        'Client: Studio Kallio',
        'Main depot',
      ]);
      const saved = await harness.api.request<{
        items: { name: string; geometry: { type: string; radiusM?: number } }[];
      }>('GET', '/api/v1/places', { token: admin().token });
      const circle = saved.body.items.find((p) => p.name === 'Client: Studio Kallio');
      expect(circle?.geometry).toMatchObject({ type: 'circle', radiusM: 300 });
    });
  });

  it('shows the API’s refusal of a polygon that crosses itself at the shape', async () => {
    await screenshotOnFailure(page, 'console-admin-places-bowtie', async () => {
      tab.intended.add('POST /api/v1/places 400');
      await page.getByRole('button', { name: 'New place' }).click();
      const form = page.getByTestId('place-form');
      await form.getByRole('button', { name: 'Draw polygon' }).click();
      await poll(() => map().getAttribute('data-mode')).toBe('polygon');
      // A bow tie: its second and fourth edges cross.
      for (const [x, y] of [
        [0.3, 0.6],
        [0.5, 0.8],
        [0.5, 0.6],
        [0.3, 0.8],
      ] as const)
        await clickMap(x, y);
      await clickMap(0.3, 0.6);
      await poll(() => map().getAttribute('data-mode')).toBe('editing');
      await fill('Crossed wires', 'Job site', '');
      await form.getByRole('button', { name: 'Save' }).click();
      await poll(() => form.getByTestId('field-error').textContent()).toMatch(
        /the ring crosses itself near \d/,
      );
      expect(await form.getByRole('alert').textContent()).toContain('Invalid body');
      expect(await page.getByTestId('place-name').allTextContents()).not.toContain('Crossed wires');
    });
  });

  it('selects a place from the list, renames it and deletes another', async () => {
    await screenshotOnFailure(page, 'console-admin-places-edit', async () => {
      await page.getByTestId('place-name').filter({ hasText: 'Main depot' }).click();
      const form = page.getByTestId('place-form');
      await poll(() => form.getByLabel('Name').inputValue()).toBe('Main depot');
      await form.getByLabel('Name').fill('North depot');
      await form.getByRole('button', { name: 'Save' }).click();
      await poll(() => page.getByRole('status').textContent()).toContain('Saved North depot.');
      await poll(() => page.getByTestId('place-name').allTextContents()).toEqual([
        'Client: Studio Kallio',
        'North depot',
      ]);
      // A fresh page frames every listed place (for the screenshot: both, one being edited).
      await page.reload();
      await page.locator('[data-testid=places-map][data-ready=true]').waitFor({ timeout: 20_000 });
      await page.getByTestId('place-name').filter({ hasText: 'North depot' }).click();
      await poll(() => map().getAttribute('data-mode')).toBe('editing');
      await screenshot(page, 'console-places');

      await page.getByTestId('place-name').filter({ hasText: 'Client: Studio Kallio' }).click();
      await form.getByRole('button', { name: 'Delete' }).click();
      await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete' }).click();
      await poll(() => page.getByTestId('place-name').allTextContents()).toEqual(['North depot']);
    });
  });
});

describe('organisation settings', { timeout: 60_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(admin(), '/settings');
    page = tab.page;
  });

  it('checks working hours as the API does, saves them, and shows them after a reload', async () => {
    await screenshotOnFailure(page, 'console-admin-settings', async () => {
      const monday = page.getByTestId('day-mon');
      await poll(() => monday.getByTestId('interval').count()).toBe(1);
      await page.getByRole('button', { name: 'Add an interval on Monday' }).click();
      await page.getByLabel('Monday interval 2 from').fill('16:00');
      await page.getByLabel('Monday interval 2 to').fill('19:00');
      expect(await monday.getByTestId('field-error').textContent()).toBe(
        '16:00-19:00 overlaps or precedes the interval before it',
      );
      await page.getByRole('button', { name: 'Save settings' }).click();
      expect(await page.getByRole('alert').textContent()).toBe('Fix the fields marked below.');
      await page.getByLabel('Monday interval 2 from').fill('18:00');
      await page.getByLabel('Monday interval 2 to').fill('20:00');
      expect(await monday.getByTestId('field-error').count()).toBe(0);

      await page.getByRole('button', { name: 'Add an interval on Saturday' }).click();
      await page.getByLabel('Saturday interval 1 from').fill('10:00');
      await page.getByLabel('Saturday interval 1 to').fill('14:00');
      await page.getByRole('button', { name: 'Remove Friday interval 1' }).click();
      await page.getByLabel('Time zone').selectOption('Europe/Stockholm');
      await page.getByLabel('Distance unit').selectOption('mi');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await poll(() => page.getByRole('status').textContent()).toBe('Settings saved.');
      // The header's clock follows the organisation's zone at once.
      expect(await page.getByTestId('org-clock').textContent()).toContain('Europe/Stockholm');

      await page.reload();
      await poll(() => page.getByTestId('day-mon-summary').textContent()).toBe('08:00–17:00, 18:00–20:00');
      expect(await page.getByTestId('day-sat-summary').textContent()).toBe('10:00–14:00');
      expect(await page.getByTestId('day-fri-summary').textContent()).toBe('Closed');
      expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Stockholm');
      expect(await page.getByLabel('Distance unit').inputValue()).toBe('mi');
      const me = await harness.api.request<{ organisation: { workingHours: Record<string, unknown> } }>(
        'GET',
        '/api/v1/me',
        {
          token: admin().token,
        },
      );
      expect(me.body.organisation.workingHours.mon).toEqual([
        { from: '08:00', to: '17:00' },
        { from: '18:00', to: '20:00' },
      ]);
      await screenshot(page, 'console-settings');
    });
  });
});

describe('a viewer', { timeout: 60_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(harness.api.orgA.users.viewer, '/departments');
    page = tab.page;
  });

  it('reads departments and places but sees no button to change them, nor the admin pages', async () => {
    await screenshotOnFailure(page, 'console-admin-viewer', async () => {
      await poll(() => page.getByTestId('department-name').count()).toBe(3);
      expect(await page.getByText('Only administrators change the departments.').isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
      expect(await page.getByTestId('department-create').count()).toBe(0);
      expect(await page.getByTestId('console-nav').getByRole('link').allTextContents()).toEqual([
        'Dashboard',
        'Map',
        'Alerts',
        'Jobs',
        'Projects',
        'Vehicles',
        'Equipment',
        'Drivers',
        'Maintenance',
        'Work orders',
        'Costs',
        'Reports',
      ]);
      // The setup pages are a menu for viewers too (no admin menu: they see no admin page).
      expect(await page.getByTestId('nav-menu-button').allTextContents()).toEqual(['Setup▾']);

      await page.getByTestId('nav-menu-button').click();
      await page.getByTestId('console-nav').getByRole('link', { name: 'Places' }).click();
      await poll(() => page.getByTestId('place-name').allTextContents()).toEqual(['North depot']);
      expect(await page.getByRole('button', { name: 'New place' }).count()).toBe(0);
      await page.getByTestId('place-name').click();
      const form = page.getByTestId('place-form');
      await poll(() => form.textContent()).toContain('Teollisuuskatu 1, Helsinki');
      expect(await form.getByRole('button', { name: 'Save' }).count()).toBe(0);
      expect(await form.getByRole('button', { name: 'Draw polygon' }).count()).toBe(0);

      await page.goto(`${harness.api.url}/users`);
      await poll(() => page.getByTestId('not-allowed').textContent()).toBe(
        'Only administrators manage users.',
      );
      await page.goto(`${harness.api.url}/settings`);
      await poll(() => page.getByTestId('not-allowed').textContent()).toBe(
        "Only administrators change the organisation's settings.",
      );
    });
  });
});
