// Today's jobs on the live map without a map (lib/map/jobs-layer.ts): which jobs are today's and
// unfinished (the organisation's day, over a night the clocks change), the job a vehicle's card
// names, the site labels, ETAs in the organisation's clock, the GeoJSON drawn (sites once per
// place in the most advanced state's colour, labels stacked, lines from each booked vehicle of
// an en-route job with the ETA beside the vehicle it is for), vehicles' positions through their
// devices, the layer's switch in the address bar, and the layers valid against MapLibre's
// style specification with the board's colours.
import type { FleetDevice, Job } from '@fleet/api/contract';
import { JOB_STATES, type JobState } from '@fleet/shared/jobs';
import {
  expression,
  latest,
  type StylePropertySpecification,
  validateStyleMin,
} from '@maplibre/maplibre-gl-style-spec';
import type { Feature } from 'geojson';
import { describe, expect, it } from 'vitest';
import type { PlaceGeometry } from '../src/lib/api/management.ts';
import { JOB_STATE_COLORS, jobStateColorExpression } from '../src/lib/jobs/state-style.ts';
import {
  assetDevices,
  assetPosition,
  bookedJob,
  etaLabel,
  JOB_CLICK_LAYERS,
  JOBS_LAYER_IDS,
  JOBS_SOURCES,
  jobLabel,
  jobsLayerData,
  jobsLayers,
  jobsShownFromQuery,
  LATE_COLOR,
  placeCentre,
  setJobsQuery,
  todaysJobs,
  trackedAssets,
} from '../src/lib/map/jobs-layer.ts';

const HEL = 'Europe/Helsinki';
const STUDIO = '4fb08a5c-2a99-4a9b-9b5c-7a5d4c4e3f55';
const MARKET = '5ac19b6d-3baa-4bac-8c6d-8b6e5d5f4066';
const VAN_1 = '0b7c4c1e-8c55-4c57-9d1e-3c1f0e0a9b11';
const VAN_2 = '0b7c4c1e-8c55-4c57-9d1e-3c1f0e0a9b12';
const KIT = '1c8d5d2f-9d66-4d68-8e2f-4d2a1f1b0c22';
let n = 0;

const vehicle = (id: string, name: string) => ({
  id,
  kind: 'vehicle' as const,
  name,
  plate: null,
  category: null,
  status: 'active',
});
const kit = {
  id: KIT,
  kind: 'equipment' as const,
  name: 'Generator',
  plate: null,
  category: null,
  status: 'active',
};

function job(extra: Partial<Job> = {}): Job {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    number: n,
    reference: `JOB-${n}`,
    title: `Job ${n}`,
    project: null,
    place: { id: STUDIO, name: 'Harbour studio', category: 'job_site' },
    // 3 Nov 2026, 08:00–16:00 in Helsinki (UTC+2).
    startsAt: '2026-11-03T06:00:00.000Z',
    endsAt: '2026-11-03T14:00:00.000Z',
    state: 'dispatched',
    notes: null,
    assets: [],
    crew: [],
    conflicts: [],
    dispatchedAt: null,
    enRouteAt: null,
    onSiteAt: null,
    completedAt: null,
    cancelledAt: null,
    cancelReason: null,
    eta: null,
    createdAt: '2026-11-01T08:00:00.000Z',
    updatedAt: '2026-11-01T08:00:00.000Z',
    ...extra,
  };
}

const eta = (assetId: string, at: string, late = false): NonNullable<Job['eta']> => ({
  at,
  assetId,
  distanceKm: 3.2,
  computedAt: '2026-11-03T05:50:00.000Z',
  late,
});

const circle: PlaceGeometry = { type: 'circle', center: { lat: 60.21, lon: 24.9 }, radiusM: 150 };
const square: PlaceGeometry = {
  type: 'Polygon',
  coordinates: [
    [
      [24.95, 60.16],
      [24.96, 60.16],
      [24.96, 60.17],
      [24.95, 60.17],
      [24.95, 60.16],
    ],
  ],
};
const places = new Map([
  [STUDIO, { geometry: circle }],
  [MARKET, { geometry: square }],
]);

describe('todaysJobs', () => {
  it('keeps the unfinished jobs overlapping the organisation’s day, earliest first', () => {
    const late = job({ startsAt: '2026-11-03T12:00:00.000Z', endsAt: '2026-11-03T15:00:00.000Z' });
    const early = job({ state: 'planned' });
    const done = job({ state: 'completed' });
    const cancelled = job({ state: 'cancelled' });
    const onSite = job({ state: 'on_site', startsAt: '2026-11-03T09:00:00.000Z' });
    // 23:30 on the 2nd in Helsinki to 01:00 on the 3rd: overlaps the 3rd.
    const overnight = job({ startsAt: '2026-11-02T21:30:00.000Z', endsAt: '2026-11-02T23:00:00.000Z' });
    // Ends at 00:00 on the 3rd in Helsinki exactly: the day before's.
    const before = job({ startsAt: '2026-11-02T20:00:00.000Z', endsAt: '2026-11-02T22:00:00.000Z' });
    // Starts at 00:00 on the 4th in Helsinki: tomorrow's (still the 3rd in UTC).
    const tomorrow = job({ startsAt: '2026-11-03T22:00:00.000Z', endsAt: '2026-11-03T23:00:00.000Z' });
    const all = [late, early, done, cancelled, onSite, overnight, before, tomorrow];
    expect(todaysJobs(all, '2026-11-03', HEL).map((j) => j.id)).toEqual([
      overnight.id,
      early.id,
      onSite.id,
      late.id,
    ]);
    // In UTC the 3rd runs to 24:00 UTC: the Helsinki-midnight job is the 3rd's, the overnight one not.
    expect(todaysJobs(all, '2026-11-03', 'UTC').map((j) => j.id)).toEqual([
      early.id,
      onSite.id,
      late.id,
      tomorrow.id,
    ]);
  });

  it('takes a 25-hour day whole when the clocks go back', () => {
    // 25 Oct 2026 in Helsinki: 00:00 is 21:00 UTC the day before, 24:00 is 22:00 UTC.
    const lastHour = job({ startsAt: '2026-10-25T21:30:00.000Z', endsAt: '2026-10-25T21:45:00.000Z' });
    const next = job({ startsAt: '2026-10-25T22:00:00.000Z', endsAt: '2026-10-25T23:00:00.000Z' });
    expect(todaysJobs([lastHour, next], '2026-10-25', HEL).map((j) => j.id)).toEqual([lastHour.id]);
  });
});

describe('bookedJob', () => {
  it('names the job the vehicle is out on first, then dispatched, then planned', () => {
    const planned = job({
      state: 'planned',
      startsAt: '2026-11-03T05:00:00.000Z',
      assets: [vehicle(VAN_1, 'Van 1')],
    });
    const dispatched = job({ startsAt: '2026-11-03T10:00:00.000Z', assets: [vehicle(VAN_1, 'Van 1')] });
    const earlierDispatched = job({
      startsAt: '2026-11-03T08:00:00.000Z',
      assets: [vehicle(VAN_1, 'Van 1')],
    });
    const enRoute = job({
      state: 'en_route',
      startsAt: '2026-11-03T12:00:00.000Z',
      assets: [vehicle(VAN_1, 'Van 1')],
    });
    const other = job({ state: 'on_site', assets: [vehicle(VAN_2, 'Van 2')] });
    const done = job({ state: 'completed', assets: [vehicle(VAN_1, 'Van 1')] });
    expect(bookedJob([planned, dispatched, earlierDispatched, enRoute, other, done], VAN_1)).toEqual({
      job: enRoute,
      others: 3,
    });
    expect(bookedJob([planned, dispatched, earlierDispatched], VAN_1)?.job).toBe(earlierDispatched);
    expect(bookedJob([planned], VAN_1)).toEqual({ job: planned, others: 0 });
    expect(bookedJob([done, other], VAN_1)).toBeUndefined();
  });
});

describe('labels', () => {
  it('puts the reference and title over the state, a long title cut', () => {
    expect(jobLabel({ reference: 'JOB-7', title: 'Harbour shoot', state: 'en_route' })).toEqual({
      head: 'JOB-7 Harbour shoot',
      state: 'En route',
    });
    const long = jobLabel({
      reference: 'JOB-8',
      title: 'A very long title for a commercial shoot downtown',
      state: 'planned',
    });
    expect(long.head).toBe('JOB-8 A very long title for a commerc…');
    expect(long.head.length).toBeLessThanOrEqual('JOB-8 '.length + 32);
  });

  it('says the ETA in the organisation’s clock, late when it is', () => {
    expect(etaLabel(eta(VAN_1, '2026-11-03T12:32:10.000Z'), HEL)).toBe('ETA 14:32');
    expect(etaLabel(eta(VAN_1, '2026-11-03T12:32:10.000Z', true), HEL)).toBe('ETA 14:32 · late');
    expect(etaLabel(eta(VAN_1, '2026-11-03T12:32:10.000Z'), 'UTC')).toBe('ETA 12:32');
  });

  it('finds a site’s centre: a circle’s, a polygon’s vertices without the closing one', () => {
    expect(placeCentre(circle)).toEqual([24.9, 60.21]);
    const [lon, lat] = placeCentre(square);
    expect(lon).toBeCloseTo(24.955, 9);
    expect(lat).toBeCloseTo(60.165, 9);
  });
});

describe('jobsLayerData', () => {
  const at = new Map([
    [VAN_1, { lon: 24.91, lat: 60.2 }],
    [VAN_2, { lon: 24.92, lat: 60.19 }],
  ]);
  const input = (jobs: Job[]) => ({ jobs, places, vehicleAt: (id: string) => at.get(id), timeZone: HEL });

  it('draws each site once in its most advanced job’s colour, with a label per job stacked', () => {
    const a = job({ state: 'planned' });
    const b = job({ state: 'on_site' });
    const c = job({ state: 'dispatched', place: { id: MARKET, name: 'Market', category: 'client_site' } });
    const data = jobsLayerData(input([a, b, c]));
    expect(data.sites.features.map((f) => f.properties)).toEqual([
      { placeId: STUDIO, state: 'on_site' },
      { placeId: MARKET, state: 'dispatched' },
    ]);
    // The circle as a closed ring around its centre.
    const ring = data.sites.features[0]?.geometry.coordinates[0] ?? [];
    expect(ring.length).toBeGreaterThan(16);
    expect(ring[0]).toEqual(ring.at(-1));
    expect(data.sites.features[1]?.geometry.coordinates).toEqual(
      square.type === 'Polygon' ? square.coordinates : [],
    );
    expect(
      data.labels.features.map((f) => [f.properties.head, f.properties.stateLabel, f.properties.offset]),
    ).toEqual([
      [`${a.reference} ${a.title}`, 'Planned', [0, 1]],
      [`${b.reference} ${b.title}`, 'On site', [0, 3.6]],
      [`${c.reference} ${c.title}`, 'Dispatched', [0, 1]],
    ]);
    expect(data.labels.features[2]?.geometry.coordinates).toEqual(placeCentre(square));
    // Nobody en route: no lines.
    expect(data.routes.features).toEqual([]);
    expect(data.etas.features).toEqual([]);
  });

  it('leaves out a job whose site is not known yet', () => {
    const lost = job({
      place: { id: '6bd2ac7e-4cbb-4cbd-9d7e-9c7f6e605177', name: 'Gone', category: 'other' },
    });
    const data = jobsLayerData(input([lost]));
    expect([data.sites.features.length, data.labels.features.length]).toEqual([0, 0]);
  });

  it('draws a line from each booked vehicle of an en-route job, the ETA beside the one it is for', () => {
    const moving = job({
      state: 'en_route',
      assets: [vehicle(VAN_1, 'Van 1'), vehicle(VAN_2, 'Van 2'), kit],
      eta: eta(VAN_2, '2026-11-03T06:12:00.000Z', true),
    });
    const data = jobsLayerData(input([moving]));
    expect(data.routes.features.map((f) => [f.properties, f.geometry.coordinates])).toEqual([
      [
        { jobId: moving.id, assetId: VAN_1, late: false },
        [
          [24.91, 60.2],
          [24.9, 60.21],
        ],
      ],
      [
        { jobId: moving.id, assetId: VAN_2, late: true },
        [
          [24.92, 60.19],
          [24.9, 60.21],
        ],
      ],
    ]);
    expect(data.etas.features.map((f) => [f.properties, f.geometry.coordinates])).toEqual([
      [{ jobId: moving.id, assetId: VAN_2, text: 'ETA 08:12 · late', late: true }, [24.92, 60.19]],
    ]);
    // A vehicle with no position on the map: no line, and no ETA to put beside it.
    const unseen = jobsLayerData({
      ...input([moving]),
      vehicleAt: (id: string) => (id === VAN_1 ? at.get(id) : undefined),
    });
    expect(unseen.routes.features.map((f) => f.properties.assetId)).toEqual([VAN_1]);
    expect(unseen.etas.features).toEqual([]);
    // Dispatched or on site: no lines.
    for (const state of ['dispatched', 'on_site'] as const)
      expect(jobsLayerData(input([{ ...moving, state }])).routes.features).toEqual([]);
  });

  it('follows the vehicles of en-route jobs only', () => {
    const moving = job({ state: 'en_route', assets: [vehicle(VAN_1, 'Van 1'), kit] });
    const waiting = job({ assets: [vehicle(VAN_2, 'Van 2')] });
    expect([...trackedAssets([moving, waiting])]).toEqual([VAN_1]);
  });
});

describe('vehicle positions', () => {
  const device = (deviceId: string, assetId: string | null, ts: number | null): FleetDevice =>
    ({
      deviceId,
      asset: assetId === null ? null : { id: assetId },
      position: ts === null ? null : { ts, lon: ts / 1000, lat: 60 },
    }) as unknown as FleetDevice;

  it('takes the newest position of the devices on the asset, among those the map shows', () => {
    const devices = [
      device('tracker', VAN_1, 2000),
      device('dongle', VAN_1, 3000),
      device('tag', null, 1000),
      device('quiet', VAN_2, null),
    ];
    const index = assetDevices(devices);
    expect(Object.fromEntries(index)).toEqual({ [VAN_1]: ['tracker', 'dongle'], [VAN_2]: ['quiet'] });
    const byId = new Map(devices.map((d) => [d.deviceId, d]));
    expect(assetPosition(index, (id) => byId.get(id), VAN_1)).toEqual({
      deviceId: 'dongle',
      lon: 3,
      lat: 60,
    });
    // The dongle hidden (another department): the tracker's.
    expect(assetPosition(index, (id) => (id === 'dongle' ? undefined : byId.get(id)), VAN_1)).toEqual({
      deviceId: 'tracker',
      lon: 2,
      lat: 60,
    });
    expect(assetPosition(index, (id) => byId.get(id), VAN_2)).toBeUndefined();
    expect(assetPosition(index, (id) => byId.get(id), KIT)).toBeUndefined();
  });
});

describe('the switch in the address bar', () => {
  it('is on unless ?jobs=off, and only off is written', () => {
    expect(jobsShownFromQuery(new URLSearchParams(''))).toBe(true);
    expect(jobsShownFromQuery(new URLSearchParams('jobs=on'))).toBe(true);
    expect(jobsShownFromQuery(new URLSearchParams('jobs=off'))).toBe(false);
    const query = new URLSearchParams('device=d1');
    setJobsQuery(query, false);
    expect(query.toString()).toBe('device=d1&jobs=off');
    expect(jobsShownFromQuery(query)).toBe(false);
    setJobsQuery(query, true);
    expect(query.toString()).toBe('device=d1');
  });
});

describe('jobsLayers', () => {
  const { below, above } = jobsLayers();

  it('is a valid MapLibre style over the four sources, clicked by its sites and labels', () => {
    const empty = { type: 'geojson' as const, data: { type: 'FeatureCollection' as const, features: [] } };
    const errors = validateStyleMin({
      version: 8,
      glyphs: 'http://127.0.0.1/{fontstack}/{range}.pbf',
      sources: Object.fromEntries(Object.values(JOBS_SOURCES).map((id) => [id, empty])),
      layers: [...below, ...above],
    });
    expect(errors).toEqual([]);
    expect([...below, ...above].map((l) => l.id).sort()).toEqual(Object.values(JOBS_LAYER_IDS).sort());
    expect(below.map((l) => l.id)).not.toContain(JOBS_LAYER_IDS.labels);
    for (const id of JOB_CLICK_LAYERS) expect(Object.values(JOBS_LAYER_IDS)).toContain(id);
  });

  const evaluate = (spec: unknown, properties: Record<string, unknown>) => {
    // Evaluated as a colour property, as MapLibre evaluates a paint colour.
    const parsed = expression.createExpression(
      spec,
      'test',
      latest.paint_line['line-color'] as StylePropertySpecification,
    );
    if (parsed.result !== 'success') throw new Error(JSON.stringify(parsed.value));
    const feature: Feature = {
      type: 'Feature',
      properties,
      geometry: { type: 'Point', coordinates: [0, 0] },
    };
    return parsed.value.evaluate({ zoom: 14 }, feature as never);
  };
  const hex = (c: unknown) => {
    const { r, g, b } = c as { r: number; g: number; b: number };
    return `#${[r, g, b]
      .map((v) =>
        Math.round(v * 255)
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')}`;
  };

  it('colours each state as the board’s columns do', () => {
    for (const state of JOB_STATES)
      expect(hex(evaluate(jobStateColorExpression(), { state }))).toBe(JOB_STATE_COLORS[state]);
    const fill = below.find((l) => l.id === JOBS_LAYER_IDS.siteFill);
    const color = fill?.type === 'fill' ? fill.paint?.['fill-color'] : undefined;
    expect(hex(evaluate(color, { state: 'on_site' satisfies JobState }))).toBe(JOB_STATE_COLORS.on_site);
  });

  it('reds a late line and ETA', () => {
    const routes = below.find((l) => l.id === JOBS_LAYER_IDS.routes);
    const lineColor = routes?.type === 'line' ? routes.paint?.['line-color'] : undefined;
    expect(hex(evaluate(lineColor, { late: true }))).toBe(LATE_COLOR);
    expect(hex(evaluate(lineColor, { late: false }))).toBe(JOB_STATE_COLORS.en_route);
    const etas = above.find((l) => l.id === JOBS_LAYER_IDS.etas);
    const textColor = etas?.type === 'symbol' ? etas.paint?.['text-color'] : undefined;
    expect(hex(evaluate(textColor, { late: true }))).toBe(LATE_COLOR);
    expect(hex(evaluate(textColor, { late: false }))).not.toBe(LATE_COLOR);
  });
});
