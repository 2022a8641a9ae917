// Places through the real API and database: circles and polygons created as JSON or GeoJSON,
// listed by category, name and box, read back as GeoJSON, changed and removed; garbage refused
// with the field named; roles; and another organisation's places answer 404 on every route.
import { randomUUID } from 'node:crypto';
import { DeviceRegistry, inTenant, migrate, openDatabase } from '@fleet/shared/db';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../../test/api-support.ts';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import { freshPostgresDatabase } from '../../../../test/support.ts';
import { Places } from './repository.ts';
import { newPlaceSchema, PLACE_CATEGORIES } from './schemas.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

interface PlaceBody {
  id: string;
  name: string;
  category: string;
  address: string | null;
  geometry:
    | { type: 'circle'; center: { lat: number; lon: number }; radiusM: number }
    | { type: 'Polygon'; coordinates: number[][][] };
  bbox: [number, number, number, number];
  areaM2: number;
  speedLimitKmh: number | null;
  createdAt: string;
  updatedAt: string;
}
interface Page {
  items: PlaceBody[];
  total: number;
  limit: number;
  offset: number;
}
interface ErrorReply {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}
interface Feature {
  type: 'Feature';
  id: string;
  bbox: number[];
  geometry: { type: string; coordinates: unknown };
  properties: Record<string, unknown>;
}

const dispatcher = () => t.orgA.users.dispatcher.token;
/** Names unique to this run, so reruns against one database do not collide. */
const run = randomUUID().slice(0, 6);
const named = (name: string) => `${name} ${run}`;

/** Metres east and north of a point, as [lon, lat]. */
function offset(from: { lat: number; lon: number }, eastM: number, northM: number): [number, number] {
  return [from.lon + eastM / (111_195 * Math.cos((from.lat * Math.PI) / 180)), from.lat + northM / 111_195];
}
const square = (from: { lat: number; lon: number }, sideM: number) => {
  const ring = [
    offset(from, 0, 0),
    offset(from, sideM, 0),
    offset(from, sideM, sideM),
    offset(from, 0, sideM),
  ];
  return [...ring, ring[0] as [number, number]];
};
const HELSINKI = { lat: 60.1699, lon: 24.9384 };
const ESPOO = { lat: 60.2055, lon: 24.6559 };
const TAMPERE = { lat: 61.4978, lon: 23.761 };

async function create(body: unknown, token = dispatcher()) {
  return t.request<PlaceBody & ErrorReply>('POST', '/api/v1/places', { token, body });
}
async function created(body: unknown, token = dispatcher()): Promise<PlaceBody> {
  const res = await create(body, token);
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
  return res.body;
}

describe('places', () => {
  it('are created as circles and polygons, read back, listed by name with filters and a box', async () => {
    const depot = await created({
      name: named('Depot Helsinki'),
      category: 'depot',
      address: '  Satamakatu 1, 00160 Helsinki  ',
      geometry: { type: 'circle', center: HELSINKI, radiusM: 150 },
    });
    expect(depot).toMatchObject({
      name: named('Depot Helsinki'),
      category: 'depot',
      address: 'Satamakatu 1, 00160 Helsinki',
      geometry: { type: 'circle', center: HELSINKI, radiusM: 150 },
    });
    expect(depot.areaM2).toBe(Math.round(Math.PI * 150 ** 2));
    expect(depot.bbox[1]).toBeLessThan(HELSINKI.lat);
    expect(depot.bbox[3]).toBeGreaterThan(HELSINKI.lat);
    // Clockwise in, counter-clockwise out; no address is null.
    const ring = square(ESPOO, 300);
    const site = await created({
      name: named('client site Espoo'),
      category: 'client_site',
      geometry: { type: 'Polygon', coordinates: [[...ring].reverse()] },
    });
    expect(site.address).toBeNull();
    expect(site.geometry).toEqual({ type: 'Polygon', coordinates: [ring] });
    expect(site.bbox).toEqual([ring[0]?.[0], ring[0]?.[1], ring[2]?.[0], ring[2]?.[1]]);
    expect(site.areaM2).toBeGreaterThan(89_000);
    expect(site.areaM2).toBeLessThan(91_000);
    const far = await created({
      name: named('Job site Tampere'),
      category: 'job_site',
      address: '',
      geometry: { type: 'Polygon', coordinates: [square(TAMPERE, 1000)] },
    });
    expect(far.address).toBeNull();

    const one = await t.request<PlaceBody>('GET', `/api/v1/places/${site.id}`, {
      token: t.orgA.users.viewer.token,
    });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(site);

    const list = async (query: string, token = t.orgA.users.mechanic.token) => {
      const res = await t.request<Page>('GET', `/api/v1/places?${query}`, { token });
      expect(res.status, `${query}: ${res.text}`).toBe(200);
      return res.body;
    };
    // Sorted by name whatever the case; paged with the total.
    const mine = await list(`name=${run}&limit=2`);
    expect(mine.total).toBe(3);
    expect(mine.items.map((p) => p.name)).toEqual([named('client site Espoo'), named('Depot Helsinki')]);
    expect((await list(`name=${run}&limit=2&offset=2`)).items.map((p) => p.id)).toEqual([far.id]);
    expect((await list(`name=${encodeURIComponent(`HELSINKI ${run}`)}`)).items.map((p) => p.id)).toEqual([
      depot.id,
    ]);
    expect((await list(`name=${run}&category=job_site`)).items.map((p) => p.id)).toEqual([far.id]);
    expect((await list(`name=${run}&category=workshop`)).total).toBe(0);
    // A box around the capital region finds Helsinki and Espoo, not Tampere.
    const capital = (await list(`name=${run}&bbox=24.5,60.1,25.2,60.3`)).items.map((p) => p.id);
    expect(capital.sort()).toEqual([depot.id, site.id].sort());
    // Boxes meet at an edge: a box that only touches the Espoo site's east side finds it.
    const east = site.bbox[2];
    expect((await list(`name=${run}&bbox=${east},60.0,${east + 0.01},60.5`)).items.map((p) => p.id)).toEqual([
      site.id,
    ]);
    expect((await list(`name=${run}&bbox=10,10,11,11`)).total).toBe(0);
    // Across the antimeridian (west > east): everything but the band between.
    expect((await list(`name=${run}&bbox=170,-90,30,90`)).total).toBe(3);
    expect((await list(`name=${run}&bbox=170,-90,20,90`)).total).toBe(0);
    expect((await list(`name=${encodeURIComponent("x' or '1'='1")}`)).total).toBe(0);
  });

  it('come out as GeoJSON (a circle as its centre Point with radiusM) and go back in as Features', async () => {
    const yard = await created({
      name: named('Yard'),
      category: 'parking',
      address: 'Hakaniemi',
      geometry: { type: 'circle', center: HELSINKI, radiusM: 75.5 },
    });
    const ring = square(HELSINKI, 120);
    const shop = await created({
      name: named('Workshop'),
      category: 'workshop',
      geometry: { type: 'Polygon', coordinates: [ring] },
    });

    const feature = await t.request<Feature>('GET', `/api/v1/places/${yard.id}?format=geojson`, {
      token: t.orgA.users.viewer.token,
    });
    expect(feature.status).toBe(200);
    expect(feature.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(feature.body).toEqual({
      type: 'Feature',
      id: yard.id,
      bbox: yard.bbox,
      geometry: { type: 'Point', coordinates: [HELSINKI.lon, HELSINKI.lat] },
      properties: { name: named('Yard'), category: 'parking', address: 'Hakaniemi', radiusM: 75.5 },
    });
    const collection = await t.request<{ type: string; features: Feature[] }>(
      'GET',
      `/api/v1/places?format=geojson&name=${run}&category=workshop`,
      { token: t.orgA.users.viewer.token },
    );
    expect(collection.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(collection.headers.get('x-total-count')).toBe('1');
    expect(collection.body).toEqual({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          id: shop.id,
          bbox: shop.bbox,
          geometry: { type: 'Polygon', coordinates: [ring] },
          properties: { name: named('Workshop'), category: 'workshop', address: null },
        },
      ],
    });

    // An export posts back as it is (id and bbox are ignored): here into the other organisation.
    const token = t.orgB.users.fleet_manager.token;
    const copy = await created(feature.body, token);
    expect(copy.id).not.toBe(yard.id);
    expect(copy).toMatchObject({
      name: yard.name,
      category: 'parking',
      geometry: yard.geometry,
      bbox: yard.bbox,
    });
    const copiedShop = await created(collection.body.features[0], token);
    expect(copiedShop.geometry).toEqual(shop.geometry);
    // A Feature from another tool: a Polygon with three-dimensional positions.
    const imported = await created(
      {
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [square(TAMPERE, 50).map(([lon, lat]) => [lon, lat, 110])],
        },
        properties: { name: named('Imported'), category: 'other' },
      },
      token,
    );
    expect(imported.geometry.type === 'Polygon' && imported.geometry.coordinates[0]?.[0]).toHaveLength(2);
    // A Feature says what is wrong where it is wrong.
    for (const [body, path, message] of [
      [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [24.9, 60.1] },
          properties: { name: 'p', category: 'depot' },
        },
        'body.properties.radiusM',
        /radius/,
      ],
      [
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [ring] },
          properties: { name: 'p', category: 'depot', radiusM: 50 },
        },
        'body.properties.radiusM',
        /only a Point/,
      ],
      [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [24.9, 60.1] },
          properties: { name: 'p', category: 'depot', radiusM: 5 },
        },
        'body.properties.radiusM',
        /at least 10 m/,
      ],
      [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [179.99, 0] },
          properties: { name: 'p', category: 'depot', radiusM: 5000 },
        },
        'body.geometry.coordinates',
        /antimeridian/,
      ],
      [
        {
          type: 'Feature',
          geometry: { type: 'LineString', coordinates: ring },
          properties: { name: 'p', category: 'depot' },
        },
        'body.geometry.type',
        /"Point".*"Polygon"/,
      ],
      [
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [[ring[0], ring[2], ring[1], ring[3], ring[0]]] },
          properties: { name: 'p', category: 'depot' },
        },
        'body.geometry.coordinates.0.0',
        /crosses itself near/,
      ],
      [
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [ring] },
          properties: { name: 'p', category: 'depot', stroke: '#f00' },
        },
        'body.properties',
        /stroke/,
      ],
      [
        {
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: [ring] },
          properties: { category: 'depot' },
        },
        'body.properties.name',
        /text/,
      ],
      [{ type: 'FeatureCollection', features: [] }, 'body.type', /"Feature"/],
    ] as const) {
      const res = await create(body, token);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      const detail = res.body.error.details?.find((d) => d.path === path);
      expect(detail?.message, `${path} in ${JSON.stringify(res.body.error.details)}`).toMatch(message);
    }
  });

  it('are renamed, recategorised, re-addressed and redrawn, and removed', async () => {
    const place = await created({
      name: named('Site to change'),
      category: 'job_site',
      address: 'Old street 1',
      geometry: { type: 'circle', center: TAMPERE, radiusM: 500 },
    });
    const patch = (body: unknown, token = t.orgA.users.fleet_manager.token) =>
      t.request<PlaceBody & ErrorReply>('PATCH', `/api/v1/places/${place.id}`, { token, body });
    const renamed = await patch({ name: named('Site changed'), category: 'client_site', address: null });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      name: named('Site changed'),
      category: 'client_site',
      address: null,
      geometry: place.geometry,
    });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(place.updatedAt));
    expect(renamed.body.createdAt).toBe(place.createdAt);
    const ring = square(HELSINKI, 60);
    const redrawn = await patch({ geometry: { type: 'Polygon', coordinates: [ring] } });
    expect(redrawn.body).toMatchObject({
      name: named('Site changed'),
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
    expect(redrawn.body.bbox).toEqual([ring[0]?.[0], ring[0]?.[1], ring[2]?.[0], ring[2]?.[1]]);
    // In the box of its new geometry, not of its old one.
    const where = async (bbox: string) =>
      (
        await t.request<Page>(
          'GET',
          `/api/v1/places?name=${encodeURIComponent(named('Site changed'))}&bbox=${bbox}`,
          {
            token: dispatcher(),
          },
        )
      ).body.total;
    expect(await where('24.9,60.1,25.0,60.2')).toBe(1);
    expect(await where('23.5,61.4,24.0,61.6')).toBe(0);
    const back = await patch({ geometry: { type: 'circle', center: TAMPERE, radiusM: 20 } });
    expect(back.body.geometry).toEqual({ type: 'circle', center: TAMPERE, radiusM: 20 });
    expect(await where('23.5,61.4,24.0,61.6')).toBe(1);
    // Nothing to change, a bad geometry, a name taken in another case.
    expect((await patch({})).status).toBe(400);
    const bowtie = await patch({
      geometry: { type: 'Polygon', coordinates: [[ring[0], ring[2], ring[1], ring[3], ring[0]]] },
    });
    expect(bowtie.body.error.details?.[0]?.path).toBe('body.geometry.coordinates.0.0');
    await created({
      name: named('Taken'),
      category: 'other',
      geometry: { type: 'circle', center: ESPOO, radiusM: 30 },
    });
    const taken = await patch({ name: named('TAKEN') });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('conflict');
    // Its own name in another case is no conflict.
    expect((await patch({ name: named('SITE CHANGED') })).status).toBe(200);

    const removed = await t.request('DELETE', `/api/v1/places/${place.id}`, {
      token: t.orgA.users.admin.token,
    });
    expect(removed.status).toBe(200);
    expect((await t.request('GET', `/api/v1/places/${place.id}`, { token: dispatcher() })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/places/${place.id}`, { token: dispatcher() })).status).toBe(
      404,
    );
    expect((await patch({ name: 'gone' })).status).toBe(404);
  });

  it('carry a speed limit for the speeding rules, in JSON and in GeoJSON', async () => {
    const yard = await created({
      name: named('Slow yard'),
      category: 'depot',
      geometry: { type: 'circle', center: HELSINKI, radiusM: 80 },
      speedLimitKmh: 20,
    });
    expect(yard.speedLimitKmh).toBe(20);
    const feature = await t.request<Feature>('GET', `/api/v1/places/${yard.id}?format=geojson`, {
      token: dispatcher(),
    });
    expect(feature.body.properties).toEqual({
      name: named('Slow yard'),
      category: 'depot',
      address: null,
      radiusM: 80,
      speedLimitKmh: 20,
    });
    // A Feature posted back keeps it; a place without one has none in either form.
    const copy = await created({
      ...feature.body,
      properties: { ...feature.body.properties, name: named('Copy') },
    });
    expect(copy.speedLimitKmh).toBe(20);
    const patched = await t.request<PlaceBody & { speedLimitKmh: number | null }>(
      'PATCH',
      `/api/v1/places/${copy.id}`,
      {
        token: dispatcher(),
        body: { speedLimitKmh: null },
      },
    );
    expect(patched.body).toMatchObject({ speedLimitKmh: null, name: named('Copy') });
    const plain = await t.request<Feature>('GET', `/api/v1/places/${copy.id}?format=geojson`, {
      token: dispatcher(),
    });
    expect(plain.body.properties).not.toHaveProperty('speedLimitKmh');
    for (const [value, message] of [
      [4, /5\.\.300 km\/h/],
      [301, /5\.\.300 km\/h/],
      ['20', /number of km\/h/],
    ] as const) {
      const res = await create({
        name: named('bad limit'),
        category: 'depot',
        geometry: { type: 'circle', center: HELSINKI, radiusM: 80 },
        speedLimitKmh: value,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details?.find((d) => d.path === 'body.speedLimitKmh')?.message).toMatch(message);
    }
    const [row] = await t.platform.db.query<{ speed_limit_kmh: number | null }>(
      'select speed_limit_kmh from places where id = $1',
      [yard.id],
    );
    expect(row?.speed_limit_kmh).toBe(20);
  });

  it('take every category the schema lists (the database check lists the same)', async () => {
    for (const category of PLACE_CATEGORIES) {
      const res = await create({
        name: named(`category ${category}`),
        category,
        geometry: { type: 'circle', center: ESPOO, radiusM: 10 },
      });
      expect(res.status, `${category}: ${res.text}`).toBe(201);
    }
  });
});

describe('bad input', () => {
  const ring = square(HELSINKI, 100);
  const [a, b, c, d] = ring as [[number, number], [number, number], [number, number], [number, number]];
  const good = {
    name: 'fine',
    category: 'depot',
    geometry: { type: 'circle', center: HELSINKI, radiusM: 100 },
  };

  it('is refused with 400 and the field named', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ...good, name: 42 }, 'body.name', /text/],
      [{ ...good, name: '   ' }, 'body.name', /1\.\.100/],
      [{ ...good, name: 'x'.repeat(101) }, 'body.name', /1\.\.100/],
      [{ ...good, address: 'x'.repeat(501) }, 'body.address', /at most 500/],
      [{ ...good, address: 12 }, 'body.address', /text/],
      [{ ...good, category: 'castle' }, 'body.category', /one of depot, client_site/],
      [{ ...good, orgId: randomUUID() }, 'body', /orgId/],
      [{ ...good, id: randomUUID() }, 'body', /"id"/],
      [{ ...good, geometry: undefined }, 'body.geometry', /"circle" or "Polygon"/],
      [{ ...good, geometry: 'POLYGON((0 0, 1 0, 1 1, 0 0))' }, 'body.geometry', /"circle" or "Polygon"/],
      [
        { ...good, geometry: { type: 'circle', center: { lat: 95, lon: 24 }, radiusM: 100 } },
        'body.geometry.center.lat',
        /-90\.\.90/,
      ],
      [
        { ...good, geometry: { type: 'circle', center: HELSINKI, radiusM: 0 } },
        'body.geometry.radiusM',
        /at least 10 m/,
      ],
      [
        { ...good, geometry: { type: 'circle', center: HELSINKI, radiusM: 1e6 } },
        'body.geometry.radiusM',
        /at most 50 km/,
      ],
      [
        { ...good, geometry: { type: 'circle', center: HELSINKI, radiusM: 'NaN' } },
        'body.geometry.radiusM',
        /number/,
      ],
      [
        { ...good, geometry: { type: 'circle', center: { lat: 'Infinity', lon: '-0' }, radiusM: 100 } },
        'body.geometry.center.lat',
        /number/,
      ],
      [
        { ...good, geometry: { type: 'circle', center: { lat: 89.99, lon: 0 }, radiusM: 5000 } },
        'body.geometry.center',
        /pole/,
      ],
      [
        { ...good, geometry: { type: 'Polygon', coordinates: [[a, b, c]] } },
        'body.geometry.coordinates.0',
        /at least 4 positions \(a closed triangle\)/,
      ],
      [
        { ...good, geometry: { type: 'Polygon', coordinates: [[a, b, c, d]] } },
        'body.geometry.coordinates.0.3',
        /not closed/,
      ],
      [
        { ...good, geometry: { type: 'Polygon', coordinates: [[a, c, b, d, a]] } },
        'body.geometry.coordinates.0.0',
        /crosses itself near 60\.17\d*, 24\.93\d*/,
      ],
      [
        { ...good, geometry: { type: 'Polygon', coordinates: [ring, ring] } },
        'body.geometry.coordinates',
        /holes/,
      ],
      [
        { ...good, geometry: { type: 'Polygon', coordinates: [[a, b, [c[0], 95], d, a]] } },
        'body.geometry.coordinates.0.2.1',
        /-90\.\.90/,
      ],
      [
        { ...good, geometry: { type: 'Polygon', coordinates: [[a, b, ['NaN', 'NaN'], d, a]] } },
        'body.geometry.coordinates.0.2.0',
        /number/,
      ],
      [
        {
          ...good,
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [179.5, 0],
                [-179.5, 0],
                [-179.5, 1],
                [179.5, 0],
              ],
            ],
          },
        },
        'body.geometry.coordinates.0.1',
        /antimeridian/,
      ],
      [
        {
          ...good,
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [20, 0],
                [20, 20],
                [0, 0],
              ],
            ],
          },
        },
        'body.geometry.coordinates.0',
        /km across/,
      ],
      [
        { ...good, geometry: { type: 'Polygon', coordinates: [[a, b, [(a[0] + b[0]) / 2, a[1]], a]] } },
        'body.geometry.coordinates.0',
        /no area/,
      ],
      [
        { ...good, geometry: { type: 'MultiPolygon', coordinates: [[ring]] } },
        'body.geometry.type',
        /"circle" or "Polygon"/,
      ],
      [
        { ...good, geometry: { type: 'Polygon', coordinates: [ring], crs: 'EPSG:3857' } },
        'body.geometry',
        /crs/,
      ],
    ];
    for (const [body, path, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body).slice(0, 160)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const detail = res.body.error.details?.find((x) => x.path === path);
      expect(detail?.message, `${path} in ${JSON.stringify(res.body.error.details)}`).toMatch(message);
    }
    // Not JSON, or not sent as JSON; GeoJSON's own type is JSON.
    const raw = (rawBody: string, type: string) =>
      t.request<ErrorReply>('POST', '/api/v1/places', {
        token: dispatcher(),
        rawBody,
        headers: { 'content-type': type },
      });
    expect((await raw('{"name": ', 'application/json')).body.error.code).toBe('malformed_json');
    expect((await raw(JSON.stringify(good), 'text/plain')).status).toBe(415);
    const geo = await raw(
      JSON.stringify({ ...good, name: `${good.name} (geo+json)` }),
      'application/geo+json',
    );
    expect(geo.status).toBe(201);
  });

  it('polygons of up to 10,000 positions are taken; 10,001 are 400; 100,000 are over the body limit (413)', async () => {
    const circleRing = (n: number, radiusM: number) => {
      const out: [number, number][] = [];
      for (let i = 0; i < n - 1; i++) {
        const angle = (2 * Math.PI * i) / (n - 1);
        out.push(offset(TAMPERE, radiusM * Math.cos(angle), radiusM * Math.sin(angle)));
      }
      out.push(out[0] as [number, number]);
      return out;
    };
    const largest = {
      ...good,
      name: named('10k positions'),
      geometry: { type: 'Polygon', coordinates: [circleRing(10_000, 2000)] },
    };
    expect(JSON.stringify(largest).length).toBeLessThan(t.platform.config.HTTP_MAX_BODY_BYTES);
    const ok = await create(largest);
    expect(ok.status, ok.text.slice(0, 200)).toBe(201);
    expect(ok.body.geometry.type === 'Polygon' && ok.body.geometry.coordinates[0]).toHaveLength(10_000);

    const over = await create({
      ...largest,
      geometry: { type: 'Polygon', coordinates: [circleRing(10_001, 2000)] },
    });
    expect(over.status).toBe(400);
    expect(over.body.error.details?.[0]).toEqual({
      path: 'body.geometry.coordinates.0',
      message: 'a polygon has at most 10,000 positions; simplify it',
    });

    // 100,000 positions are about 3.9 MB of JSON: over HTTP_MAX_BODY_BYTES (1 MiB by default),
    // so refused from its Content-Length before a byte of it is parsed.
    const huge = JSON.stringify({
      ...good,
      geometry: { type: 'Polygon', coordinates: [circleRing(100_000, 2000)] },
    });
    expect(huge.length).toBeGreaterThan(t.platform.config.HTTP_MAX_BODY_BYTES);
    const refused = await t.request<ErrorReply>('POST', '/api/v1/places', {
      token: dispatcher(),
      rawBody: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('payload_too_large');
  });

  it('generated bodies, near-places and arbitrary JSON alike, get 201, 400 or 409 and never a 5xx', async () => {
    const { seed, runs } = fuzzParameters('places API bodies', 120);
    const odd = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null), fc.jsonValue());
    const position = fc.oneof(
      fc.tuple(
        fc.double({ min: 24.9, max: 25, noNaN: true }),
        fc.double({ min: 60.1, max: 60.2, noNaN: true }),
      ),
      fc.array(odd, { maxLength: 4 }),
    );
    const geometry = fc.oneof(
      fc.record({ type: fc.constant('circle'), center: fc.record({ lat: odd, lon: odd }), radiusM: odd }),
      fc.record({
        type: fc.constant('circle'),
        center: fc.record({ lat: fc.double({ min: -90, max: 90 }), lon: fc.double({ min: -180, max: 180 }) }),
        radiusM: fc.double({ min: 0, max: 60_000 }),
      }),
      fc.record({
        type: fc.constantFrom('Polygon', 'Point'),
        coordinates: fc.array(fc.array(position, { maxLength: 8 }), { maxLength: 2 }),
      }),
      odd,
    );
    const place = fc.record(
      {
        type: fc.constantFrom('Feature', 'Place', 'FeatureCollection'),
        name: fc.oneof(fc.string({ maxLength: 120 }), odd),
        category: fc.oneof(fc.constantFrom(...PLACE_CATEGORIES), odd),
        address: fc.oneof(fc.string({ maxLength: 600 }), odd),
        geometry,
        properties: fc.record(
          { name: fc.string(), category: fc.constantFrom(...PLACE_CATEGORIES), radiusM: odd },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['name', 'category', 'geometry'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(place, fc.jsonValue()), async (body) => {
        const res = await create(body);
        expect([201, 400, 409], res.text.slice(0, 300)).toContain(res.status);
        if (res.status !== 201) expect(res.body.error.code).toMatch(/^(validation_failed|conflict)$/);
      }),
      { seed, numRuns: runs },
    );
  });

  it('a duplicate name is 409, in any case', async () => {
    const name = named('Unique depot');
    expect((await create({ ...good, name })).status).toBe(201);
    for (const again of [name, name.toUpperCase(), ` ${name.toLowerCase()} `]) {
      const res = await create({ ...good, name: again });
      expect(res.status, again).toBe(409);
      expect(res.body.error.message).toContain('already exists');
    }
    // Names are per organisation: the other one may use it.
    expect((await create({ ...good, name }, t.orgB.users.admin.token)).status).toBe(201);
  });

  it('bad queries and ids are 400', async () => {
    for (const query of [
      'bbox=NaN,60,25,61',
      'bbox=24,60,25',
      'bbox=24,60,25,61,5',
      'bbox=24,61,25,60',
      'bbox=24,60,25,95',
      'bbox=-181,60,25,61',
      'bbox=1e400,60,25,61',
      'bbox=0x10,60,25,61',
      'category=castle',
      'format=kml',
      'limit=0',
      'limit=NaN',
      'limit=501',
      'offset=-1',
      'owner=me',
      `name=${'x'.repeat(101)}`,
    ]) {
      const res = await t.request<ErrorReply>('GET', `/api/v1/places?${query}`, { token: dispatcher() });
      expect(res.status, query).toBe(400);
      expect(res.body.error.details?.[0]?.path, query).toMatch(/^query/);
    }
    for (const id of ['not-a-uuid', '1', `${randomUUID()}x`]) {
      expect((await t.request('GET', `/api/v1/places/${id}`, { token: dispatcher() })).status, id).toBe(400);
    }
    expect((await t.request('GET', `/api/v1/places/${randomUUID()}`, { token: dispatcher() })).status).toBe(
      404,
    );
  });
});

describe('roles and organisations', () => {
  it('viewers and mechanics read places but may not create, change or remove them', async () => {
    const place = await created({
      name: named('Role check'),
      category: 'depot',
      geometry: { type: 'circle', center: ESPOO, radiusM: 40 },
    });
    const body = {
      name: named('by someone'),
      category: 'depot',
      geometry: { type: 'circle', center: ESPOO, radiusM: 40 },
    };
    for (const role of ['viewer', 'mechanic'] as const) {
      const token = t.orgA.users[role].token;
      expect((await create(body, token)).status, role).toBe(403);
      expect(
        (await t.request('PATCH', `/api/v1/places/${place.id}`, { token, body: { name: 'x' } })).status,
        role,
      ).toBe(403);
      expect((await t.request('DELETE', `/api/v1/places/${place.id}`, { token })).status, role).toBe(403);
      expect((await t.request('GET', `/api/v1/places/${place.id}`, { token })).status, role).toBe(200);
    }
    for (const role of ['admin', 'dispatcher', 'fleet_manager'] as const) {
      const token = t.orgA.users[role].token;
      const res = await create({ ...body, name: named(`by ${role}`) }, token);
      expect(res.status, role).toBe(201);
      expect(
        (await t.request('PATCH', `/api/v1/places/${res.body.id}`, { token, body: { address: role } }))
          .status,
      ).toBe(200);
      expect((await t.request('DELETE', `/api/v1/places/${res.body.id}`, { token })).status).toBe(200);
    }
    expect((await t.request('GET', '/api/v1/places')).status).toBe(401);
  });

  it("another organisation's place is 404 on every route, exactly like one that does not exist", async () => {
    const theirs = await created(
      {
        name: named('Their depot'),
        category: 'depot',
        geometry: { type: 'Polygon', coordinates: [square(ESPOO, 80)] },
      },
      t.orgB.users.admin.token,
    );
    const token = t.orgA.users.admin.token;
    for (const id of [theirs.id, randomUUID()]) {
      for (const [method, path, body] of [
        ['GET', `/api/v1/places/${id}`, undefined],
        ['GET', `/api/v1/places/${id}?format=geojson`, undefined],
        ['PATCH', `/api/v1/places/${id}`, { name: 'mine now' }],
        ['PATCH', `/api/v1/places/${id}`, { geometry: { type: 'circle', center: HELSINKI, radiusM: 10 } }],
        ['DELETE', `/api/v1/places/${id}`, undefined],
      ] as const) {
        const res = await t.request<ErrorReply>(method, path, {
          token,
          ...(body === undefined ? {} : { body }),
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error).toEqual({ code: 'not_found', message: 'No such place.' });
      }
    }
    const listed = await t.request<Page>(
      'GET',
      `/api/v1/places?name=${encodeURIComponent(named('Their depot'))}`,
      { token },
    );
    expect(listed.body.total).toBe(0);
    const geo = await t.request<{ features: unknown[] }>(
      'GET',
      `/api/v1/places?format=geojson&bbox=24.6,60.2,24.7,60.21`,
      { token },
    );
    expect(geo.body.features.some((f) => (f as Feature).id === theirs.id)).toBe(false);
    // Untouched, as its own organisation sees it.
    const still = await t.request<PlaceBody>('GET', `/api/v1/places/${theirs.id}`, {
      token: t.orgB.users.viewer.token,
    });
    expect(still.body).toEqual(theirs);
  });

  it('are in the OpenAPI document with both body forms and the GeoJSON answers', async () => {
    const doc = await t.request<{
      paths: Record<
        string,
        Record<
          string,
          { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> }
        >
      >;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/api/v1/openapi.json');
    expect(doc.body.paths['/api/v1/places']?.get?.operationId).toBe('listPlaces');
    expect(doc.body.paths['/api/v1/places']?.post?.operationId).toBe('createPlace');
    for (const method of ['get', 'patch', 'delete'])
      expect(doc.body.paths['/api/v1/places/{id}']).toHaveProperty(method);
    expect(Object.keys(doc.body.paths['/api/v1/places/{id}']?.get?.responses['200']?.content ?? {})).toEqual([
      'application/json',
      'application/geo+json',
    ]);
    for (const name of [
      'Place',
      'PlacePage',
      'NewPlace',
      'NewPlaceFeature',
      'PlaceChanges',
      'CircleGeometry',
      'PolygonGeometry',
      'PlaceFeature',
      'PlaceCategory',
    ])
      expect(doc.body.components.schemas, name).toHaveProperty(name);
  });
});

describe('on PostgreSQL (the API tests above run on PGlite)', () => {
  it('migrates, stores and finds places by box, and row-level security keeps organisations apart', async () => {
    const database = await freshPostgresDatabase();
    const db = await openDatabase({ url: database.url, maxConnections: 2 });
    try {
      await migrate(db);
      const registry = new DeviceRegistry(db);
      const a = await registry.ensureOrganisation('places-a');
      const b = await registry.ensureOrganisation('places-b');
      const place = newPlaceSchema.parse({
        name: 'Depot',
        category: 'depot',
        geometry: { type: 'Polygon', coordinates: [square(HELSINKI, 100)] },
      });
      const circle = newPlaceSchema.parse({
        name: 'Yard',
        category: 'parking',
        geometry: { type: 'circle', center: TAMPERE, radiusM: 60 },
      });
      const mine = await new Places(db, a.id).create(place);
      await new Places(db, a.id).create(circle);
      expect(await new Places(db, a.id).get(mine.id)).toEqual(mine);
      expect(mine.shape).toEqual(place.shape);
      const page = await new Places(db, a.id).page({
        bbox: { minLon: 24.9, minLat: 60.1, maxLon: 25, maxLat: 60.2 },
        limit: 10,
        offset: 0,
      });
      expect(page.items.map((p) => p.name)).toEqual(['Depot']);
      // Another organisation sees nothing, changes nothing, and cannot write into this one.
      const theirs = new Places(db, b.id);
      expect(await theirs.get(mine.id)).toBeUndefined();
      expect(await theirs.update(mine.id, { name: 'taken' })).toBeUndefined();
      expect(await theirs.remove(mine.id)).toBe(false);
      expect((await theirs.page({ limit: 10, offset: 0 })).total).toBe(0);
      await expect(
        inTenant(db, b.id, (tx) =>
          tx.query(
            `insert into places (org_id, name, category, geometry, min_lat, min_lon, max_lat, max_lon)
             values ($1, 'sneaky', 'other', '{"type":"Polygon","coordinates":[]}', 0, 0, 1, 1)`,
            [a.id],
          ),
        ),
      ).rejects.toThrow(/row-level security/);
      // The table's own checks stand behind the API's: a circle without its radius is refused.
      await expect(
        inTenant(db, a.id, (tx) =>
          tx.query(
            `insert into places (org_id, name, category, geometry, min_lat, min_lon, max_lat, max_lon)
             values ($1, 'no radius', 'other', '{"type":"Point","coordinates":[24.9,60.1]}', 60, 24, 60, 24)`,
            [a.id],
          ),
        ),
      ).rejects.toThrow(/check constraint/);
      expect((await new Places(db, a.id).get(mine.id))?.name).toBe('Depot');
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
