// Today's jobs on the live map in Chromium against the real platform (API, hub, broker, the job
// tracker), in the organisation's zone (Helsinki): a dispatched job and a planned one at a site
// drawn with their labels as MapLibre placed them (a completed one not), the van's card naming
// its job; the van driving out of its depot over MQTT taking the job en route by itself, with a
// line from the van to the site and its ETA, the line following the van as it reports; the
// window moved earlier by a colleague making the ETA late, and a cancelled job leaving the map,
// all without a reload; the site's card opened by clicking the site (its vehicle selecting the
// van, its link opening the job); the layer switched off and on, kept in the address bar.
import { encodeTelemetryBatch } from '@fleet/proto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotOnFailure } from '../../test/browser.ts';
import { connectDevice, type TestDevice } from '../../test/support.ts';
import { poll, type Tab, useConsoleHarness } from './console-harness.ts';

const harness = useConsoleHarness();
const api = () => harness.api;
const admin = () => api().orgA.users.admin;
const dispatcher = () => api().orgA.users.dispatcher;
const manager = () => api().orgA.users.fleet_manager;

const HEL = 'Europe/Helsinki';
const MIN = 60_000;
const HOUR = 60 * MIN;
/** On the basemap's Helsinki extract: the depot, and the site 950 m north of it. */
const LON = 24.944;

async function call<T>(method: string, path: string, body?: unknown, token = dispatcher().token): Promise<T> {
  const reply = await api().request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

const clock = new Intl.DateTimeFormat('en-GB', {
  timeZone: HEL,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

interface Made {
  id: string;
}
interface JobMade {
  id: string;
  reference: string;
}
interface Label {
  jobId: string;
  placeId: string;
  text: string;
  x: number;
  y: number;
}
interface Eta {
  jobId: string;
  assetId: string;
  text: string;
  late: boolean;
  at: string;
}

let van: Made;
let site: Made;
let device: TestDevice;
let studio: JobMade;
let setBuild: JobMade;
let recce: JobMade;
/** Started two minutes ago: today's in every zone, and the tracker follows it from now. */
const startsAt = Date.now() - 2 * MIN;

beforeAll(async () => {
  await call('PATCH', '/api/v1/organisation', { timeZone: HEL }, admin().token);
  const place = (name: string, category: string, lat: number, radiusM: number) =>
    call<Made>('POST', '/api/v1/places', {
      name,
      category,
      geometry: { type: 'circle', center: { lat, lon: LON }, radiusM },
    });
  const depot = await place('West depot', 'depot', 60.166, 120);
  site = await place('Harbour studio', 'job_site', 60.1745, 100);
  van = await call<Made>(
    'POST',
    '/api/v1/vehicles',
    { name: 'Van 41', plate: 'MJ-141', homePlaceId: depot.id },
    manager().token,
  );
  device = await api().orgA.provision('vehicle');
  await call('POST', `/api/v1/assets/${van.id}/installations`, { deviceId: device.id }, manager().token);
  const job = (title: string, extra: Record<string, unknown> = {}) =>
    call<JobMade>('POST', '/api/v1/jobs', {
      title,
      placeId: site.id,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 6 * HOUR).toISOString(),
      ...extra,
    });
  studio = await job('Studio day', { assetIds: [van.id] });
  await call('POST', `/api/v1/jobs/${studio.id}/state`, { state: 'dispatched' });
  setBuild = await job('Set build');
  const scout = await call<Made>(
    'POST',
    '/api/v1/drivers',
    { name: 'Sam Scout', licenceClasses: ['B'], licenceExpiry: '2035-12-31' },
    manager().token,
  );
  recce = await job('Morning recce', { crew: [{ driverId: scout.id, role: 'crew' }] });
  await call('POST', `/api/v1/jobs/${recce.id}/state`, { state: 'dispatched' });
  await call('POST', `/api/v1/jobs/${recce.id}/state`, { state: 'completed' });
  await api().platform.service.jobs.flush();
}, 60_000);

const labels = async (page: Page): Promise<Label[]> =>
  JSON.parse((await page.getByTestId('live-map').getAttribute('data-job-labels')) ?? '[]') as Label[];
const etas = async (page: Page): Promise<Eta[]> =>
  JSON.parse((await page.getByTestId('live-map').getAttribute('data-job-etas')) ?? '[]') as Eta[];
const labelTexts = async (page: Page) => (await labels(page)).map((l) => l.text);

describe('today’s jobs on the live map', { timeout: 150_000 }, () => {
  let tab: Tab;
  let page: Page;
  let mqtt: Awaited<ReturnType<typeof connectDevice>>;
  let seq = 1;
  const send = async (points: { lat: number; speedKmh: number; ago: number }[]) => {
    await mqtt.publishAsync(
      `devices/${device.id}/telemetry`,
      Buffer.from(
        encodeTelemetryBatch(
          points.map((p) => ({
            seq: seq++,
            tsMs: Date.now() - p.ago,
            lat: p.lat,
            lon: LON,
            speedKmh: p.speedKmh,
            headingDeg: 0,
          })),
        ),
      ),
      { qos: 1 },
    );
    await api().platform.service.jobs.flush();
  };

  /** Zooms out (at most three steps) until `count` job labels are on screen. */
  const zoomOutToSite = async (count: number) => {
    for (let i = 0; i < 3 && (await labels(page)).length < count; i++) {
      await page.getByRole('button', { name: 'Zoom out' }).click();
      await poll(async () => (await labels(page)).length, { timeout: 3_000 })
        .toBe(count)
        .catch(() => undefined);
    }
  };

  beforeAll(async () => {
    mqtt = await connectDevice(api().platform.service.mqttPort, device);
    // Parked in its depot.
    await send([{ lat: 60.166, speedKmh: 0, ago: 60_000 }]);
    tab = await harness.signedIn(dispatcher(), '/');
    page = tab.page;
  });

  afterAll(async () => {
    await mqtt?.endAsync();
  });

  it('draws the day’s unfinished jobs at their site and names the van’s job on its card', async () => {
    await screenshotOnFailure(page, 'console-map-jobs-drawn', async () => {
      const map = page.getByTestId('live-map');
      await poll(() => map.getAttribute('data-ready'), { timeout: 30_000 }).toBe('true');
      await poll(() => map.getAttribute('data-drawn')).toBe('1');
      await poll(() => page.getByTestId('jobs-count').textContent()).toBe('2');
      expect(await page.getByTestId('toggle-jobs').getAttribute('aria-pressed')).toBe('true');
      // Fitted to the van at street zoom, the site 950 m north is off screen: out until it shows.
      await zoomOutToSite(2);
      // As MapLibre placed them (sorted by text): the completed job is not drawn.
      await poll(() => labelTexts(page)).toEqual([
        `${studio.reference} Studio day · Dispatched`,
        `${setBuild.reference} Set build · Planned`,
      ]);
      // Nobody is en route yet: no line, no ETA.
      expect(await map.getAttribute('data-job-routes')).toBe('0');

      await page.getByTestId('device-row').filter({ hasText: 'Van 41' }).click();
      await poll(() => page.getByTestId('selected-name').textContent()).toBe('Van 41 · MJ-141');
      const job = page.getByTestId('selected-job');
      await poll(() => job.getByTestId('selected-job-link').textContent()).toBe(
        `${studio.reference} Studio day`,
      );
      expect(await job.getByTestId('selected-job-link').getAttribute('href')).toBe(`/jobs/${studio.id}`);
      expect(await job.getByTestId('selected-job-state').textContent()).toBe('Dispatched');
      expect(await job.getByTestId('selected-job-eta').count()).toBe(0);
    });
  });

  it('takes the job en route when the van leaves its depot, with a line and the ETA that follow the van', async () => {
    await screenshotOnFailure(page, 'console-map-jobs-en-route', async () => {
      const map = page.getByTestId('live-map');
      // Out of the depot and moving: the job tracker moves the job en route.
      await send([
        { lat: 60.166, speedKmh: 0, ago: 40_000 },
        { lat: 60.168, speedKmh: 40, ago: 30_000 },
      ]);
      await poll(() => labelTexts(page)).toContain(`${studio.reference} Studio day · En route`);
      await poll(() => map.getAttribute('data-job-routes')).toBe('1');
      // The estimate is written by the same cycle as the move, or read by the half-minute refresh.
      await poll(() => etas(page), { timeout: 45_000 }).toEqual([
        expect.objectContaining({ jobId: studio.id, assetId: van.id, late: false, at: '24.9440,60.1680' }),
      ]);
      const [eta] = await etas(page);
      expect(eta?.text).toMatch(/^ETA \d\d:\d\d$/);
      const card = page.getByTestId('selected-job');
      await poll(() => card.getByTestId('selected-job-state').textContent()).toBe('En route');
      expect(await card.getByTestId('selected-job-eta').textContent()).toMatch(
        new RegExp(`^${eta?.text} · \\d\\.\\d km$`),
      );
      expect(await card.getByTestId('selected-job-eta').getAttribute('class')).not.toContain('late');

      // It reports again further on: the ETA (and the line) move with it.
      await send([{ lat: 60.17, speedKmh: 40, ago: 5_000 }]);
      await poll(async () => (await etas(page))[0]?.at).toBe('24.9440,60.1700');
      expect(await map.getAttribute('data-job-routes')).toBe('1');
    });
  });

  it('marks the ETA late when the window moves earlier, and drops a cancelled job, without a reload', async () => {
    await screenshotOnFailure(page, 'console-map-jobs-late', async () => {
      // Moved by a colleague to have started half an hour ago: the van's arrival is past the grace.
      await call('PATCH', `/api/v1/jobs/${studio.id}`, {
        startsAt: new Date(Date.now() - 30 * MIN).toISOString(),
      });
      await poll(async () => (await etas(page))[0]?.late).toBe(true);
      expect((await etas(page))[0]?.text).toMatch(/^ETA \d\d:\d\d · late$/);
      await poll(() => page.getByTestId('selected-job-eta').getAttribute('class')).toContain('late');
      expect(await page.getByTestId('selected-job-eta').textContent()).toMatch(/ · late$/);

      await call('POST', `/api/v1/jobs/${setBuild.id}/state`, {
        state: 'cancelled',
        reason: 'Built yesterday',
      });
      await poll(() => labelTexts(page)).toEqual([`${studio.reference} Studio day · En route`]);
      await poll(() => page.getByTestId('jobs-count').textContent()).toBe('1');
    });
  });

  it('opens the site’s card by a click on the site, selects its van and follows its link', async () => {
    await screenshotOnFailure(page, 'console-map-jobs-card', async () => {
      await page.getByRole('button', { name: 'Clear selection' }).click();
      await poll(() => page.getByTestId('selected-card').count()).toBe(0);
      const [label] = await labels(page);
      const box = await page.getByTestId('live-map').boundingBox();
      if (!label || !box) throw new Error('no label or map on screen');
      await page.mouse.click(box.x + label.x, box.y + label.y);
      const card = page.getByTestId('job-site-card');
      await poll(() => card.getByTestId('job-site-name').textContent()).toBe('Harbour studio');
      const jobs = card.getByTestId('job-site-job');
      expect(await jobs.count()).toBe(1);
      expect(await jobs.getAttribute('data-job')).toBe(studio.id);
      expect(await card.getByTestId('job-site-reference').textContent()).toBe(studio.reference);
      expect(await card.getByTestId('job-site-title').textContent()).toBe('Studio day');
      expect(await card.getByTestId('job-site-state').textContent()).toBe('En route');
      const job = await call<{ startsAt: string }>('GET', `/api/v1/jobs/${studio.id}`);
      expect(await card.getByTestId('job-site-window').textContent()).toMatch(
        new RegExp(`^${clock.format(Date.parse(job.startsAt))}–`),
      );
      expect(await card.getByTestId('job-site-eta').textContent()).toMatch(
        /^ETA \d\d:\d\d · \d\.\d km · late$/,
      );
      expect(await card.getByTestId('job-site-link').getAttribute('href')).toBe(`/jobs/${studio.id}`);

      // Its van, as the list selects it.
      await card.getByTestId('job-site-vehicle').click();
      await poll(() => page.getByTestId('selected-name').textContent()).toBe('Van 41 · MJ-141');
      expect(new URL(page.url()).searchParams.get('device')).toBe(device.id);
      await page.waitForTimeout(1_000);
      await harness.screenshot(page, 'console-map-jobs');

      await card.getByTestId('job-site-link').click();
      await page.waitForURL(`${api().url}/jobs/${studio.id}`);
      await poll(() => page.getByTestId('job-page-state').getAttribute('data-state')).toBe('en_route');
      await page.goBack();
      await page.waitForURL((url) => url.pathname === '/');
      await poll(() => page.getByTestId('live-map').getAttribute('data-ready'), { timeout: 30_000 }).toBe(
        'true',
      );
    });
  });

  it('switches the layer off and on, kept in the address bar', async () => {
    await screenshotOnFailure(page, 'console-map-jobs-toggle', async () => {
      const toggle = page.getByTestId('toggle-jobs');
      await poll(() => toggle.isEnabled()).toBe(true);
      // Back from the job's page the view is the map's own again: out until the site shows.
      await zoomOutToSite(1);
      await poll(async () => (await labels(page)).length).toBe(1);
      await toggle.click();
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
      await poll(() => new URL(page.url()).searchParams.get('jobs')).toBe('off');
      await poll(() => labelTexts(page)).toEqual([]);
      await poll(() => page.getByTestId('live-map').getAttribute('data-job-routes')).toBe('0');
      await page.reload();
      await poll(() => page.getByTestId('live-map').getAttribute('data-ready'), { timeout: 30_000 }).toBe(
        'true',
      );
      await poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
      await toggle.click();
      await poll(() => new URL(page.url()).searchParams.get('jobs')).toBe(null);
      // Reloaded, the map fitted itself to the van again.
      await zoomOutToSite(1);
      await poll(() => labelTexts(page)).toEqual([`${studio.reference} Studio day · En route`]);
    });
  });
});
