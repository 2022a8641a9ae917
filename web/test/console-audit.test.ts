// The audit log page in Chromium against the real platform: changes made in the test appear
// with who, when, from where, what and each field before and after ("[secret]" as the log
// writes it); filters (entity, action, one thing's history, a time range) live in the address
// bar; "Load more" walks the keyset pages to the start; the CSV export takes the filters and
// downloads a file with the API's header row; a dispatcher is told the log is for
// administrators, without an error. Every answer of 400 and above must be one a test provokes.
import { readFileSync } from 'node:fs';
import type { AuditLogPage } from '@fleet/api/contract';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;

const admin = () => harness.api.orgA.users.admin;
const dispatcher = () => harness.api.orgA.users.dispatcher;

async function send<T>(method: string, path: string, body?: unknown, token = admin().token): Promise<T> {
  const reply = await harness.api.request<T>(method, path, { token, body });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

/** Every entry of the organisation's log, as the API lists them. */
async function allEntries(query = ''): Promise<AuditLogPage['items']> {
  return (await send<AuditLogPage>('GET', `/api/v1/audit-log?limit=500${query}`)).items;
}

let driverId: string;
let warehouseId: string;

beforeAll(async () => {
  const warehouse = await send<{ id: string }>('POST', '/api/v1/departments', { name: 'Warehouse' });
  warehouseId = warehouse.id;
  await send('PATCH', `/api/v1/departments/${warehouseId}`, { name: 'Central warehouse' });
  const temporary = await send<{ id: string }>('POST', '/api/v1/departments', { name: 'Summer pop-up' });
  await send('DELETE', `/api/v1/departments/${temporary.id}`);
  const driver = await send<{ id: string }>('POST', '/api/v1/drivers', {
    name: 'Aino Virtanen',
    employeeNumber: 'E-2001',
    phone: '+358 40 123 4567',
    licenceClasses: ['B', 'C1'],
  });
  driverId = driver.id;
  await send('PATCH', `/api/v1/drivers/${driverId}`, {
    phone: '+358 44 555 0101',
    licenceClasses: ['B', 'C1', 'C'],
  });
  const van = await send<{ id: string }>('POST', '/api/v1/vehicles', { name: 'Van 3', plate: 'ABC-303' });
  // The dispatcher hands the van over: an entry under their name.
  await send('POST', `/api/v1/vehicles/${van.id}/driver`, { driverId }, dispatcher().token);
});

const rows = (page: Page) => page.getByTestId('audit-row');
const exactly = (text: string) => new RegExp(`^${text}$`);
/** The row of the newest entry about `entity` with `action`. */
const entry = (page: Page, entity: string, action: string) =>
  rows(page)
    .filter({ has: page.getByTestId('audit-entity-name').filter({ hasText: exactly(entity) }) })
    .filter({ has: page.getByTestId('audit-action').filter({ hasText: exactly(action) }) })
    .first();
/** Each field's change of an entry, as one line of text: "phone +358… → +358…". */
const changesOf = async (row: ReturnType<typeof entry>) =>
  (await row.getByTestId('audit-change').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());

describe('the audit log, as an administrator', { timeout: 90_000 }, () => {
  let tab: Tab;
  let page: Page;

  beforeAll(async () => {
    tab = await signedIn(admin(), '/audit-log');
    page = tab.page;
  });

  it('shows the test’s changes with who, when, from where, what, and each field before and after', async () => {
    await screenshotOnFailure(page, 'console-audit-entries', async () => {
      const update = entry(page, 'Driver', 'Changed');
      await poll(() => update.count()).toBe(1);
      expect(await changesOf(update)).toEqual([
        'phone +358401234567 → +358445550101',
        'licence classes B, C1 → B, C1, C',
      ]);
      expect(await update.getByTestId('audit-actor').textContent()).toContain('admin a');
      expect(await update.getByTestId('audit-actor').textContent()).toContain(admin().email);
      expect(await update.getByTestId('audit-address').textContent()).toMatch(/127\.0\.0\.1/);
      expect(await update.getByTestId('audit-at').textContent()).toMatch(
        /^\d{1,2} \w{3} \d{4}, \d\d:\d\d:\d\d$/,
      );

      const created = entry(page, 'Driver', 'Created');
      const fields = await changesOf(created);
      expect(fields).toContain('name Aino Virtanen');
      expect(fields).toContain('employee number E-2001');
      expect(fields.some((f) => f.startsWith('id ') || f.startsWith('org id '))).toBe(false);

      const handedOver = entry(page, 'Driver assignment', 'Created');
      expect(await handedOver.getByTestId('audit-actor').textContent()).toContain('dispatcher a');
      expect(await changesOf(handedOver)).toContain('source manual');

      expect(await changesOf(entry(page, 'Department', 'Changed'))).toEqual([
        'name Warehouse → Central warehouse',
      ]);
      expect(await changesOf(entry(page, 'Department', 'Deleted'))).toEqual(['name Summer pop-up']);
      // The test's users were made by the platform itself: their password hashes are secrets.
      const user = entry(page, 'User', 'Created');
      expect(await changesOf(user)).toContain('password hash [secret]');
      expect(await user.getByTestId('audit-actor').textContent()).toContain('The platform');
      await screenshot(page, 'console-audit-log');
    });
  });

  it('filters by entity and action in the address bar, and shows one thing’s history', async () => {
    await screenshotOnFailure(page, 'console-audit-filters', async () => {
      await page.getByTestId('filter-entity').selectOption({ label: 'Driver' });
      await poll(() => page.getByTestId('audit-action').allTextContents()).toEqual(['Changed', 'Created']);
      await poll(() => new URL(page.url()).searchParams.get('entity')).toBe('driver');
      await page.getByTestId('filter-action').selectOption({ label: 'Changed' });
      await poll(() => rows(page).count()).toBe(1);
      await page.reload();
      await poll(() => page.getByTestId('audit-action').allTextContents()).toEqual(['Changed']);
      expect(await page.getByTestId('filter-entity').inputValue()).toBe('driver');
      expect(await page.getByTestId('filter-action').inputValue()).toBe('update');

      // One department's history, from its id in the list.
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await poll(() => rows(page).count()).toBeGreaterThan(5);
      await entry(page, 'Department', 'Changed').getByTestId('audit-entity').getByRole('button').click();
      await poll(() => page.getByTestId('audit-action').allTextContents()).toEqual(['Changed', 'Created']);
      expect(new URL(page.url()).searchParams.get('entityId')).toBe(warehouseId);
      expect(await page.getByTestId('audit-scope').textContent()).toContain(warehouseId);
      await page.getByRole('button', { name: 'Clear filters' }).click();
    });
  });

  it('limits the entries to a time range, and says an end before the start at the field', async () => {
    await screenshotOnFailure(page, 'console-audit-range', async () => {
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      await page.getByLabel('From').fill(`${tomorrow}T08:00`);
      await poll(() => page.getByText('No entry matches.').isVisible()).toBe(true);
      await poll(() => new URL(page.url()).searchParams.get('from')).toBe(`${tomorrow}T08:00`);
      await page.getByLabel('Until').fill(`${tomorrow}T07:00`);
      await poll(() => page.locator('#filter-to-error').textContent()).toBe('the end comes after the start');
      expect(await page.getByLabel('Until').getAttribute('aria-invalid')).toBe('true');
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await poll(() => rows(page).count()).toBeGreaterThan(5);
    });
  });

  it('loads more with the cursor, to the start of the log', async () => {
    await screenshotOnFailure(page, 'console-audit-more', async () => {
      for (let i = 1; i <= 100; i++)
        await send('POST', '/api/v1/drivers', {
          name: `Seasonal driver ${i}`,
          employeeNumber: `S-${100 + i}`,
        });
      const entries = await allEntries();
      const total = entries.length;
      expect(total).toBeGreaterThan(100);
      await page.reload();
      await poll(() => rows(page).count()).toBe(50);
      for (let shown = 50; shown < total; shown += 50) {
        await page.getByRole('button', { name: 'Load more' }).click();
        await poll(() => rows(page).count()).toBe(Math.min(total, shown + 50));
      }
      expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
      expect(await page.getByTestId('audit-end').textContent()).toBe('The start of the log.');
      // No entry twice, none left out, newest first.
      const shown = await page
        .getByTestId('audit-at')
        .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-entry')));
      expect(shown).toEqual(entries.map((e) => e.id));
    });
  });

  it('exports the filtered log as a CSV file with the API’s header row', async () => {
    await screenshotOnFailure(page, 'console-audit-csv', async () => {
      await page.getByTestId('filter-entity').selectOption({ label: 'Driver' });
      await poll(() => rows(page).count()).toBe(50);
      const expected = (await allEntries('&entity=driver')).length;
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d\d-\d\d\.csv$/);
      const text = readFileSync(await download.path(), 'utf8');
      const lines = text.split('\r\n').filter((l) => l !== '');
      expect(lines[0]).toBe('\ufeffat,actor_kind,actor,address,entity,entity_id,action,before,after');
      expect(lines).toHaveLength(expected + 1);
      expect(lines.slice(1).every((l) => l.includes(',driver,'))).toBe(true);
      expect(text).toContain('Seasonal driver 100');
      await poll(() => page.getByRole('status').textContent()).toBe(
        `Saved ${download.suggestedFilename()} (${expected} entries).`,
      );
    });
  });
});

describe('a dispatcher', { timeout: 60_000 }, () => {
  it('is told the audit log is for administrators, with no error and no request for it', async () => {
    const { page, failures } = await signedIn(dispatcher(), '/audit-log');
    await screenshotOnFailure(page, 'console-audit-dispatcher', async () => {
      await poll(() => page.getByTestId('not-allowed').textContent()).toContain(
        'Only administrators read the audit log',
      );
      expect(await page.getByRole('button', { name: 'Export CSV' }).count()).toBe(0);
      expect(await page.getByTestId('console-nav').getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      expect(failures).toEqual([]);
    });
  });
});
