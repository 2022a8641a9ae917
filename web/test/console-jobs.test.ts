// The job board in Chromium against the real platform (API, database, broker, the job tracker),
// in the organisation's zone (Helsinki): a job planned through the form, its double-booked van
// shown before saving (and cleared when the window moves off it), the form's own check and the
// API's refusal at their fields; a dispatch refused over the conflicts, asked again and made
// anyway; cancelling the other job freeing the van; cards moving column by themselves when a
// colleague moves a job through the API and when a van's telemetry over MQTT takes it en route
// and on site; a job created elsewhere arriving live; booking by dragging vehicles, items and
// people onto a card (checked, conflicts shown, saved); the job's page with its timeline and a
// change; projects with their jobs by state; a viewer who sees no button; the header at 1280 px.
import { encodeTelemetryBatch } from '@fleet/proto';
import { localDay } from '@fleet/shared/time-zone';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { connectDevice } from '../../test/support.ts';
import { zonedInstant } from '../src/lib/time.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const { signedIn, screenshot } = harness;
const api = () => harness.api;
const admin = () => api().orgA.users.admin;
const dispatcher = () => api().orgA.users.dispatcher;
const manager = () => api().orgA.users.fleet_manager;
const viewer = () => api().orgA.users.viewer;

const HEL = 'Europe/Helsinki';
const HOUR = 3_600_000;
/** A day a week ahead, in the organisation's calendar: nothing of today's clock touches it. */
const DAY = localDay(Date.now() + 7 * 24 * HOUR, HEL);

async function call<T>(method: string, path: string, body?: unknown, token = dispatcher().token): Promise<T> {
  const reply = await api().request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

/** An instant of DAY at a Helsinki wall-clock time. */
const at = (time: string, day = DAY) => new Date(zonedInstant(day, time, HEL) ?? Number.NaN).toISOString();

interface Made {
  id: string;
  name: string;
}
interface JobMade {
  id: string;
  reference: string;
}

let van31: Made;
let van32: Made;
let van33: Made;
let anna: Made;
let harbour: Made;
let market: Made;
let depot: Made;
let wrapped: Made;
let loadIn: JobMade;
let money: (amount: number) => string;

beforeAll(async () => {
  await call('PATCH', '/api/v1/organisation', { timeZone: HEL }, admin().token);
  const me = await call<{ organisation: { currency: string } }>('GET', '/api/v1/me');
  const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency: me.organisation.currency });
  money = (amount) => format.format(amount);
  const place = (name: string, category: string, lat: number, lon = 24.9, radiusM = 150) =>
    call<Made>('POST', '/api/v1/places', {
      name,
      category,
      geometry: { type: 'circle', center: { lat, lon }, radiusM },
    });
  depot = await place('North depot', 'depot', 60.2, 24.9, 200);
  harbour = await place('Harbour studio', 'job_site', 60.21);
  market = await place('Market square', 'client_site', 60.167, 24.952);
  const vehicle = (name: string, plate: string, extra: Record<string, unknown> = {}) =>
    call<Made>('POST', '/api/v1/vehicles', { name, plate, ...extra }, manager().token);
  van31 = await vehicle('Van 31', 'JB-131');
  van32 = await vehicle('Van 32', 'JB-132');
  van33 = await vehicle('Van 33', 'JB-133', { homePlaceId: depot.id });
  await call(
    'POST',
    '/api/v1/equipment',
    { name: 'Generator 5 kVA', category: 'Generator' },
    manager().token,
  );
  const person = (name: string) =>
    call<Made>(
      'POST',
      '/api/v1/drivers',
      { name, licenceClasses: ['B'], licenceExpiry: '2035-12-31' },
      manager().token,
    );
  anna = await person('Anna Aalto');
  await person('Ben Berg');
  await person('Cai Chen');
  const autumn = await call<Made>('POST', '/api/v1/projects', {
    name: 'Autumn commercial',
    code: 'AC-1',
    client: 'Fazer',
    budget: '25000.00',
  });
  await call(
    'POST',
    '/api/v1/cost-entries',
    {
      projectId: autumn.id,
      category: 'parking',
      incurredOn: localDay(Date.now(), HEL),
      amount: '2500.00',
      description: 'Permits',
    },
    manager().token,
  );
  wrapped = await call<Made>('POST', '/api/v1/projects', { name: 'Summer teaser' });
  loadIn = await call<JobMade>('POST', '/api/v1/jobs', {
    title: 'Morning load-in',
    placeId: market.id,
    startsAt: at('08:00'),
    endsAt: at('12:00'),
    assetIds: [van31.id],
    crew: [{ driverId: anna.id, role: 'driver', vehicleId: van31.id }],
  });
}, 60_000);

const cards = (page: Page) => page.getByTestId('job-card');
/** A job's card by its title (another card's conflicts may name it too). */
const card = (page: Page, title: string) =>
  cards(page).filter({ has: page.getByRole('heading', { name: title, exact: true }) });
const column = (page: Page, state: string) => page.locator(`[data-testid=job-column][data-state=${state}]`);
const conflicts = (where: Locator) => where.getByTestId('conflict').allTextContents();

describe('the board and the form', { timeout: 120_000 }, () => {
  let tab: Tab;
  let page: Page;
  let shootId: string;

  beforeAll(async () => {
    tab = await signedIn(dispatcher(), `/jobs?day=${DAY}`);
    page = tab.page;
  });

  it('plans a job through the form, the double-booked van shown before saving', async () => {
    await screenshotOnFailure(page, 'console-job-form', async () => {
      await poll(() => card(page, 'Morning load-in').getAttribute('data-state')).toBe('planned');
      expect(await card(page, 'Morning load-in').getByTestId('job-window').textContent()).toBe('08:00–12:00');
      expect(await card(page, 'Morning load-in').getByTestId('job-site').textContent()).toContain(
        'Market square',
      );
      expect(await card(page, 'Morning load-in').getByTestId('booked-person').allTextContents()).toEqual([
        'Anna Aalto drives Van 31',
      ]);
      expect(
        await page
          .getByTestId('console-nav')
          .getByRole('link', { name: 'Jobs' })
          .getAttribute('aria-current'),
      ).toBe('page');

      await page.getByTestId('new-job').click();
      await page.waitForURL(`${api().url}/jobs/new?day=${DAY}`);
      const form = page.getByTestId('job-form');
      const field = (label: string) =>
        form.locator('.field', { has: page.getByLabel(label, { exact: true }) }).getByTestId('field-error');
      // The form's own checks first: nothing is sent.
      await form.getByTestId('job-save').click();
      await poll(() => field('What is the job').textContent()).toBe('say what the job is');
      expect(await field('Site').textContent()).toBe('choose the site');

      await form.getByLabel('What is the job').fill('Harbour shoot');
      // Fixed, a field loses its message at once; the others keep theirs.
      await poll(() => field('What is the job').count()).toBe(0);
      expect(await field('Site').count()).toBe(1);
      await form.getByLabel('Site').selectOption({ label: 'Harbour studio' });
      await poll(() => form.getByTestId('job-form-error').count()).toBe(0);
      await form.getByLabel('Project (optional)').selectOption({ label: 'Autumn commercial · Fazer' });
      expect(await form.getByTestId('job-start-day').inputValue()).toBe(DAY);
      await form.getByTestId('job-start-time').fill('10:00');
      await form.getByTestId('job-end-time').fill('18:00');
      await form.getByTestId('add-vehicle').selectOption({ label: 'Van 31 (JB-131)' });
      // Asked as the booking changes: the van is on the load-in until 12:00.
      const check = form.getByTestId('job-check');
      await poll(() => check.getAttribute('data-state')).toBe('conflicts');
      expect(await conflicts(check)).toEqual([
        `Van 31 is booked on ${loadIn.reference} (Morning load-in) in an overlapping window`,
      ]);
      expect(await form.locator('[data-testid=job-asset].conflicted').count()).toBe(1);
      // From noon the van is free; back at ten, booked again.
      await form.getByTestId('job-start-time').fill('12:00');
      await poll(() => check.getAttribute('data-state')).toBe('clear');
      await form.getByTestId('job-start-time').fill('10:00');
      await poll(() => check.getAttribute('data-state')).toBe('conflicts');

      await form.getByTestId('add-equipment').selectOption({ label: 'Generator 5 kVA (Generator)' });
      await form.getByTestId('add-person').selectOption({ label: 'Ben Berg (B)' });
      await form.getByTestId('add-person').selectOption({ label: 'Cai Chen (B)' });
      // The first person drives the van nobody drives; the next rides along.
      const parts = form.getByTestId('crew-part');
      expect([await parts.nth(0).inputValue(), await parts.nth(1).inputValue()]).toEqual([
        `drive:${van31.id}`,
        'crew',
      ]);
      await poll(() => check.getAttribute('data-state')).toBe('conflicts');
      expect(await conflicts(check)).toHaveLength(1);
      await form.getByTestId('job-end-time').blur();
      await screenshot(page, 'console-job-form');

      // A project completed while the form was open: the API's refusal at the project's field.
      await form.getByLabel('Project (optional)').selectOption({ label: 'Summer teaser' });
      await call('PATCH', `/api/v1/projects/${wrapped.id}`, { status: 'completed' });
      tab.intended.add('POST /api/v1/jobs 400');
      await form.getByTestId('job-save').click();
      await poll(() => field('Project (optional)').textContent()).toBe('the project is completed');
      await form.getByLabel('Project (optional)').selectOption({ label: 'Autumn commercial · Fazer' });
      await form.getByTestId('job-save').click();

      // Saved, the board of its day: planned, carrying its conflict.
      await page.waitForURL(`${api().url}/jobs?day=${DAY}`);
      const shoot = card(page, 'Harbour shoot');
      await poll(() => shoot.getAttribute('data-state')).toBe('planned');
      shootId = (await shoot.getAttribute('data-job')) ?? '';
      expect(await shoot.getByTestId('job-window').textContent()).toBe('10:00–18:00');
      expect(await shoot.getByTestId('job-site').textContent()).toBe('Harbour studio · Autumn commercial');
      expect(await shoot.getByTestId('conflict-badge').textContent()).toContain('1 conflict');
      expect(await conflicts(shoot)).toEqual([
        `Van 31 is booked on ${loadIn.reference} (Morning load-in) in an overlapping window`,
      ]);
      // The load-in meets the shoot's booking of its van the same way.
      expect(await card(page, 'Morning load-in').getAttribute('data-conflicts')).toBe('1');
    });
  });

  it('asks before dispatching over the conflicts, and dispatches anyway', async () => {
    await screenshotOnFailure(page, 'console-job-dispatch', async () => {
      const shoot = card(page, 'Harbour shoot');
      expect(await shoot.getByTestId('job-actions').getByRole('button').allTextContents()).toEqual([
        'Dispatch',
        'Cancel…',
      ]);
      tab.intended.add('POST /api/v1/jobs/{id}/state 409');
      await shoot.getByTestId('job-action-dispatched').click();
      const dialog = page.getByRole('dialog');
      await poll(() => dialog.isVisible()).toBe(true);
      expect(await dialog.getByRole('heading').textContent()).toMatch(
        /^Dispatch JOB-\d+ over its conflicts\?$/,
      );
      expect(await conflicts(dialog)).toEqual([
        `Van 31 is booked on ${loadIn.reference} (Morning load-in) in an overlapping window`,
      ]);
      // Not yet: it stays planned until the dispatcher says so.
      expect(await shoot.getAttribute('data-state')).toBe('planned');
      await dialog.getByRole('button', { name: 'Dispatch anyway' }).click();
      await poll(() => column(page, 'dispatched').getByTestId('job-title').allTextContents()).toEqual([
        'Harbour shoot',
      ]);
      expect(await dialog.isVisible()).toBe(false);
    });
  });

  it('cancels the other job with a reason, which frees the van', async () => {
    await screenshotOnFailure(page, 'console-job-cancel', async () => {
      await card(page, 'Morning load-in').getByTestId('job-action-cancelled').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('cancel-reason').fill('The client moved the load-in');
      await dialog.getByRole('button', { name: 'Cancel job' }).click();
      await poll(() => card(page, 'Morning load-in').count()).toBe(0);
      await poll(() => card(page, 'Harbour shoot').getAttribute('data-conflicts')).toBe('0');
      // Cancelled jobs behind the toggle, kept in the address bar.
      await page.getByTestId('show-cancelled').check();
      await poll(() => card(page, 'Morning load-in').getAttribute('data-state')).toBe('cancelled');
      expect(new URL(page.url()).searchParams.get('cancelled')).toBe('1');
      expect(await card(page, 'Morning load-in').getByTestId('job-actions').count()).toBe(0);
      await page.getByTestId('show-cancelled').uncheck();
      await poll(() => card(page, 'Morning load-in').count()).toBe(0);
    });
  });

  it('moves a card by itself when a colleague moves the job, and shows a job created elsewhere', async () => {
    await screenshotOnFailure(page, 'console-job-live', async () => {
      await call('POST', `/api/v1/jobs/${shootId}/state`, { state: 'on_site' }, manager().token);
      const shoot = card(page, 'Harbour shoot');
      await poll(() => shoot.getAttribute('data-state')).toBe('on_site');
      expect(await shoot.getByTestId('job-moved').textContent()).toContain('by a colleague');
      await call('POST', '/api/v1/jobs', {
        title: 'Evening wrap',
        placeId: market.id,
        startsAt: at('17:00'),
        endsAt: at('20:00'),
      });
      await poll(() => card(page, 'Evening wrap').getAttribute('data-state')).toBe('planned');
      expect(await card(page, 'Evening wrap').getByTestId('job-booked').count()).toBe(0);
    });
  });

  it('books vehicles, items and people dragged onto a card, their conflicts shown first', async () => {
    await screenshotOnFailure(page, 'console-job-drag', async () => {
      const wrap = card(page, 'Evening wrap');
      const bookable = (name: string) => page.getByTestId('bookable').filter({ hasText: name });
      // The panel says what the day books: the generator is on the shoot until 18:00.
      await poll(() => bookable('Generator 5 kVA').getByTestId('bookable-booking').textContent()).toMatch(
        /^JOB-\d+ 10:00–18:00$/,
      );
      await bookable('Generator 5 kVA').dragTo(wrap);
      const proposal = wrap.getByTestId('drop-proposal');
      await poll(() => proposal.getByTestId('conflict').count()).toBe(1);
      expect((await conflicts(proposal))[0]).toMatch(
        /^Generator 5 kVA is booked on JOB-\d+ \(Harbour shoot\)/,
      );
      await proposal.getByRole('button', { name: 'Cancel' }).click();
      expect(await proposal.count()).toBe(0);

      await bookable('Van 32').dragTo(wrap);
      await poll(() => proposal.getByTestId('drop-no-conflicts').isVisible()).toBe(true);
      await proposal.getByTestId('drop-save').click();
      await poll(() => wrap.getByTestId('booked-asset').allTextContents()).toEqual(['Van 32 · JB-132']);

      // Anna is free since the load-in was cancelled: she drives the van nobody drives.
      await bookable('Anna Aalto').dragTo(wrap);
      await poll(() => proposal.getByTestId('drop-part').inputValue()).toBe(`drive:${van32.id}`);
      await poll(() => proposal.getByTestId('drop-no-conflicts').isVisible()).toBe(true);
      await proposal.getByTestId('drop-save').click();
      await poll(() => wrap.getByTestId('booked-person').allTextContents()).toEqual([
        'Anna Aalto drives Van 32',
      ]);

      // Ben is on the shoot until 18:00: booked anyway, as crew, both cards carry it.
      await bookable('Ben Berg').dragTo(wrap);
      await poll(() => proposal.getByTestId('drop-part').inputValue()).toBe('crew');
      await poll(() => proposal.getByTestId('conflict').count()).toBe(1);
      await proposal.getByRole('button', { name: 'Book anyway' }).click();
      await poll(() => wrap.getAttribute('data-conflicts')).toBe('1');
      await poll(() => card(page, 'Harbour shoot').getAttribute('data-conflicts')).toBe('1');
      expect(await wrap.getByTestId('booked-person').allTextContents()).toEqual([
        'Anna Aalto drives Van 32',
        'Ben Berg, crew',
      ]);
      await page.locator('main').evaluate((el) => el.scrollTo(0, 0));
      await screenshot(page, 'console-job-board');
      // Dropped twice, refused on the card.
      await bookable('Van 32').dragTo(wrap);
      await poll(() => wrap.getByTestId('drop-error').textContent()).toMatch(
        /^Van 32 is on JOB-\d+ already\.$/,
      );
    });
  });

  it('shows the job’s timeline and changes its window', async () => {
    await screenshotOnFailure(page, 'console-job-page', async () => {
      await card(page, 'Harbour shoot').getByTestId('job-reference').click();
      await page.waitForURL(`${api().url}/jobs/${shootId}`);
      await poll(() => page.getByTestId('job-page-state').getAttribute('data-state')).toBe('on_site');
      expect(await page.getByTestId('job-span').textContent()).toContain('10:00–18:00');
      const events = page.getByTestId('job-event');
      await poll(() => events.evaluateAll((els) => els.map((e) => e.getAttribute('data-to')))).toEqual([
        'planned',
        'dispatched',
        'on_site',
      ]);
      expect(await events.nth(0).textContent()).toContain('by dispatcher a');
      expect(await events.nth(1).textContent()).toContain(
        `dispatched over: Van 31 is booked on ${loadIn.reference}`,
      );
      expect(await events.nth(2).textContent()).toContain('Dispatched → On site');
      expect(await events.nth(2).textContent()).toContain('by fleet_manager a');
      expect(await page.getByTestId('job-actions').getByRole('button').allTextContents()).toEqual([
        'Complete',
        'Cancel…',
        'Change…',
      ]);

      await page.getByTestId('job-edit').click();
      const form = page.getByTestId('job-form');
      expect(await form.getByLabel('What is the job').inputValue()).toBe('Harbour shoot');
      await form.getByTestId('job-end-time').fill('16:00');
      // The wrap starts at 17:00: ending at 16:00 clears Ben's and the generator's overlap.
      await poll(() => form.getByTestId('job-check').getAttribute('data-state')).toBe('clear');
      await form.getByTestId('job-save').click();
      await poll(() => page.getByTestId('job-span').textContent()).toContain('10:00–16:00');
      expect(await page.getByRole('status').textContent()).toContain('Saved.');
    });
  });

  afterAll(() => tab.context.close());
});

describe('telemetry', { timeout: 120_000 }, () => {
  it('moves a dispatched job’s card en route and on site by the van’s positions', async () => {
    const device = await api().orgA.provision('vehicle');
    await call('POST', `/api/v1/assets/${van33.id}/installations`, { deviceId: device.id }, manager().token);
    const start = Date.now() + 30 * 60_000;
    const studio = await call<JobMade>('POST', '/api/v1/jobs', {
      title: 'Studio day',
      placeId: harbour.id,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 6 * HOUR).toISOString(),
      assetIds: [van33.id],
    });
    await call('POST', `/api/v1/jobs/${studio.id}/state`, { state: 'dispatched' });
    await api().platform.service.jobs.flush();
    const tab = await signedIn(dispatcher(), '/jobs');
    const { page } = tab;
    await page.goto(`${api().url}/jobs?day=${localDay(start, HEL)}`);
    const studioCard = card(page, 'Studio day');
    await poll(() => studioCard.getAttribute('data-state')).toBe('dispatched');

    const client = await connectDevice(api().platform.service.mqttPort, device);
    let seq = 1;
    const send = async (points: { lat: number; speedKmh: number; ago: number }[]) => {
      await client.publishAsync(
        `devices/${device.id}/telemetry`,
        Buffer.from(
          encodeTelemetryBatch(
            points.map((p) => ({
              seq: seq++,
              tsMs: Date.now() - p.ago,
              lat: p.lat,
              lon: 24.9,
              speedKmh: p.speedKmh,
            })),
          ),
        ),
        { qos: 1 },
      );
      await api().platform.service.jobs.flush();
    };
    try {
      await screenshotOnFailure(page, 'console-job-telemetry', async () => {
        // Out of the depot and moving: en route.
        await send([
          { lat: 60.2, speedKmh: 0, ago: 40_000 },
          { lat: 60.203, speedKmh: 40, ago: 30_000 },
        ]);
        await poll(() => studioCard.getAttribute('data-state')).toBe('en_route');
        expect(await studioCard.getByTestId('job-moved').textContent()).toContain(
          'by its vehicle’s position',
        );
        expect(await column(page, 'en_route').getByTestId('job-title').allTextContents()).toEqual([
          'Studio day',
        ]);
        // Into the studio: on site.
        await send([
          { lat: 60.207, speedKmh: 45, ago: 20_000 },
          { lat: 60.2101, speedKmh: 8, ago: 10_000 },
        ]);
        await poll(() => studioCard.getAttribute('data-state')).toBe('on_site');
      });
    } finally {
      await client.endAsync();
      await tab.context.close();
    }
  });
});

describe('projects', { timeout: 60_000 }, () => {
  it('lists their jobs by state and budget, and refuses a taken name at its field', async () => {
    const tab = await signedIn(dispatcher(), '/projects');
    const { page } = tab;
    await screenshotOnFailure(page, 'console-projects', async () => {
      const row = (name: string) => page.getByTestId('projects-row').filter({ hasText: name });
      await poll(() => row('Autumn commercial').getByTestId('project-jobs').textContent()).toContain(
        '1 on site',
      );
      expect(await row('Autumn commercial').getByTestId('project-budget').textContent()).toBe(money(25_000));
      expect(await row('Summer teaser').count()).toBe(0);
      // What it costs: the permits entered against it, a tenth of its budget.
      await row('Autumn commercial').getByTestId('project-costs-open').click();
      const costs = page.getByTestId('project-costs');
      await poll(() => costs.getByTestId('costs-total').textContent()).toBe(money(2_500));
      expect(await costs.getByTestId('costs-direct').textContent()).toBe(money(2_500));
      expect(await costs.getByTestId('costs-budget-used').textContent()).toContain('10 %');
      await costs.getByRole('button', { name: 'Close' }).click();

      await page.getByTestId('new-project').click();
      const form = page.getByTestId('project-form');
      await form.getByLabel('Name').fill('autumn commercial');
      tab.intended.add('POST /api/v1/projects 409');
      await form.getByTestId('project-save').click();
      await poll(() =>
        form
          .locator('.field', { has: page.getByLabel('Name') })
          .getByTestId('field-error')
          .textContent(),
      ).toBe('taken by another project');
      await form.getByLabel('Name').fill('Spring campaign');
      await form.getByLabel(/^Budget/).fill('12 500,00');
      await form.getByTestId('project-save').click();
      await poll(() => row('Spring campaign').getByTestId('project-budget').textContent()).toBe(
        money(12_500),
      );
      expect(await row('Spring campaign').getByTestId('project-jobs').textContent()).toContain('none yet');
      await page.getByTestId('filter-status').selectOption({ label: 'Completed' });
      await poll(() => page.getByTestId('project-name').allTextContents()).toEqual(['Summer teaser']);
      expect(new URL(page.url()).searchParams.get('status')).toBe('completed');
    });
    await tab.context.close();
  });
});

describe('roles', { timeout: 60_000 }, () => {
  it('shows a viewer the board, the job and the projects without a button to change them', async () => {
    const tab = await signedIn(viewer(), `/jobs?day=${DAY}`);
    const { page } = tab;
    await screenshotOnFailure(page, 'console-jobs-viewer', async () => {
      await poll(() => card(page, 'Harbour shoot').getAttribute('data-state')).toBe('on_site');
      expect(await cards(page).count()).toBe(2);
      expect(await page.getByTestId('job-actions').count()).toBe(0);
      expect(await page.getByTestId('new-job').count()).toBe(0);
      expect(await page.getByTestId('booking-panel').count()).toBe(0);
      expect(await page.getByTestId('show-booking-panel').count()).toBe(0);
      expect(await page.getByTestId('job-card').getByRole('button').count()).toBe(0);

      await card(page, 'Harbour shoot').getByTestId('job-reference').click();
      await poll(() => page.getByTestId('job-event').count()).toBe(3);
      expect(await page.getByTestId('job-actions').count()).toBe(0);
      expect(await page.getByTestId('job-edit').count()).toBe(0);

      await page.goto(`${api().url}/jobs/new`);
      await poll(() =>
        page.getByText('Dispatchers, fleet managers and administrators plan jobs.').isVisible(),
      ).toBe(true);
      expect(await page.getByTestId('job-form').count()).toBe(0);
      await page.goto(`${api().url}/projects`);
      await poll(() => page.getByTestId('project-name').count()).toBe(2);
      expect(await page.getByTestId('new-project').count()).toBe(0);
      expect(await page.getByTestId('edit-project').count()).toBe(0);
    });
    await tab.context.close();
  });
});

describe('the header', { timeout: 60_000 }, () => {
  it('fits every page of an administrator, Jobs and Projects included, at 1280 px', async () => {
    const tab = await signedIn(admin(), '/projects');
    const { page } = tab;
    const nav = page.getByTestId('console-nav');
    await poll(() => nav.getByRole('link').count()).toBe(12);
    expect(await nav.getByRole('link', { name: 'Projects' }).getAttribute('aria-current')).toBe('page');
    const fit = await nav.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
    expect((signOut?.x ?? 0) + (signOut?.width ?? 0)).toBeLessThanOrEqual(1280);
    await tab.context.close();
  });
});
