// The geometry of places without a database: what is accepted, what is refused and with which
// words and paths, the position tests the rules will use, and generated polygons (fast-check):
// simple ones pass, bowties and too-short rings are refused, arbitrary JSON never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../../../test/fuzz.ts';
import {
  checkCircle,
  checkRing,
  GEOMETRY_LIMITS,
  haversineM,
  type LonLat,
  type PlaceShape,
  parsePlaceGeometry,
  pointInPlace,
  signedAreaM2,
} from './geometry.ts';

const HELSINKI = { lat: 60.1699, lon: 24.9384 };
/** Metres east and north of a point, as [lon, lat]. */
function offset(from: { lat: number; lon: number }, eastM: number, northM: number): LonLat {
  const lat = from.lat + northM / 111_195;
  const lon = from.lon + eastM / (111_195 * Math.cos((from.lat * Math.PI) / 180));
  return [lon, lat];
}
/** A closed square ring, counter-clockwise, of `sideM` metres. */
function square(from: { lat: number; lon: number }, sideM: number): LonLat[] {
  const ring = [
    offset(from, 0, 0),
    offset(from, sideM, 0),
    offset(from, sideM, sideM),
    offset(from, 0, sideM),
  ];
  return [...ring, ring[0] as LonLat];
}
const polygon = (ring: unknown[]) => ({ type: 'Polygon', coordinates: [ring] });

function refused(input: unknown): { path: string; message: string }[] {
  const result = parsePlaceGeometry(input);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(input).slice(0, 200)}`);
  return result.problems.map((p) => ({ path: p.path.join('.'), message: p.message }));
}

function accepted(input: unknown): PlaceShape {
  const result = parsePlaceGeometry(input);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result.shape;
}

describe('circles', () => {
  it('are a centre and a radius of 10 m..50 km, with an exact box', () => {
    const shape = accepted({ type: 'circle', center: HELSINKI, radiusM: 250 });
    expect(shape).toMatchObject({ kind: 'circle', center: HELSINKI, radiusM: 250 });
    // The box's corners are 250 m from the centre along the meridian and the parallel.
    const { bbox } = shape;
    expect(haversineM(HELSINKI, { lat: bbox.maxLat, lon: HELSINKI.lon })).toBeCloseTo(250, 3);
    expect(haversineM(HELSINKI, { lat: HELSINKI.lat, lon: bbox.maxLon })).toBeGreaterThan(249.9);
    expect(accepted({ type: 'circle', center: HELSINKI, radiusM: 10 }).kind).toBe('circle');
    expect(accepted({ type: 'circle', center: HELSINKI, radiusM: 50_000 }).kind).toBe('circle');
  });

  it.each([
    [{ type: 'circle', center: { lat: 95, lon: 0 }, radiusM: 100 }, 'center.lat', /-90\.\.90/],
    [{ type: 'circle', center: { lat: 0, lon: -181 }, radiusM: 100 }, 'center.lon', /-180\.\.180/],
    [{ type: 'circle', center: HELSINKI, radiusM: 0 }, 'radiusM', /at least 10 m/],
    [{ type: 'circle', center: HELSINKI, radiusM: 9.99 }, 'radiusM', /at least 10 m/],
    [{ type: 'circle', center: HELSINKI, radiusM: 50_001 }, 'radiusM', /at most 50 km/],
    [{ type: 'circle', center: HELSINKI, radiusM: 'NaN' }, 'radiusM', /number/],
    [{ type: 'circle', center: { lat: '60.1', lon: 24.9 }, radiusM: 100 }, 'center.lat', /number/],
    [{ type: 'circle', center: HELSINKI, radiusM: Number.NaN }, 'radiusM', /number/],
    [{ type: 'circle', center: HELSINKI, radiusM: Number.POSITIVE_INFINITY }, 'radiusM', /number/],
    [{ type: 'circle', center: HELSINKI }, 'radiusM', /number/],
    [{ type: 'circle', center: HELSINKI, radiusM: 100, colour: 'red' }, '', /colour/],
    [{ type: 'circle', center: { lat: 89.9, lon: 0 }, radiusM: 20_000 }, 'center', /pole/],
    [{ type: 'circle', center: { lat: 10, lon: 179.9 }, radiusM: 20_000 }, 'center', /antimeridian/],
    [{ type: 'circle', center: { lat: 10, lon: -179.99 }, radiusM: 5_000 }, 'center', /antimeridian/],
    [{ type: 'Circle', center: HELSINKI, radiusM: 100 }, 'type', /"circle" or "Polygon"/],
  ])('refuses %j at %s', (input, path, message) => {
    const problems = refused(input);
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.find((p) => p.path === path)?.message).toMatch(message);
  });

  it('checkCircle refuses what the schema would, for callers that skip it', () => {
    expect(checkCircle({ lat: 0, lon: 0 }, Number.NaN).ok).toBe(false);
    expect(checkCircle({ lat: Number.NaN, lon: 0 }, 100).ok).toBe(false);
  });
});

describe('polygons', () => {
  it('are one closed ring, stored counter-clockwise and 2-D, repeated neighbours dropped', () => {
    const ring = square(HELSINKI, 200);
    const shape = accepted(polygon(ring));
    expect(shape.kind).toBe('polygon');
    if (shape.kind !== 'polygon') return;
    expect(shape.ring).toEqual(ring);
    expect(shape.bbox).toEqual({
      minLon: ring[0]?.[0],
      minLat: ring[0]?.[1],
      maxLon: ring[2]?.[0],
      maxLat: ring[2]?.[1],
    });
    // Clockwise in, counter-clockwise out (RFC 7946 3.1.6); altitudes and doubled positions go.
    const clockwise = [...ring].reverse().map(([lon, lat]) => [lon, lat, 12.5]);
    clockwise.splice(2, 0, clockwise[1] as number[]);
    const again = accepted(polygon(clockwise));
    expect(again.kind === 'polygon' && signedAreaM2(again.ring)).toBeGreaterThan(0);
    expect(again.kind === 'polygon' && again.ring.length).toBe(5);
    expect(again.kind === 'polygon' && again.ring.every((p) => p.length === 2)).toBe(true);
    // A GeoJSON bbox member is allowed and ignored.
    expect(accepted({ ...polygon(ring), bbox: [0, 0, 1, 1] }).bbox).toEqual(shape.bbox);
  });

  it('accepts the largest allowed: 10,000 positions, a box just under 500 km wide where widest', () => {
    const n = GEOMETRY_LIMITS.maxPositions;
    const ring: LonLat[] = [];
    for (let i = 0; i < n - 1; i++) {
      const a = (2 * Math.PI * i) / (n - 1);
      ring.push(offset(HELSINKI, 230_000 * Math.cos(a), 230_000 * Math.sin(a)));
    }
    ring.push(ring[0] as LonLat);
    const started = performance.now();
    expect(accepted(polygon(ring)).kind).toBe('polygon');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  const sq = square(HELSINKI, 100);
  const [a, b, c, d] = sq as [LonLat, LonLat, LonLat, LonLat];
  it.each([
    [
      'a triangle without its closing position',
      [a, b, c],
      'coordinates.0',
      /at least 4 positions \(a closed triangle\)/,
    ],
    ['an empty ring', [], 'coordinates.0', /at least 4 positions/],
    ['a ring that is not closed', [a, b, c, d], 'coordinates.0.3', /not closed/],
    ['a bowtie', [a, c, b, d, a], 'coordinates.0.0', /crosses itself near 60\.1703\d*, 24\.9393\d*/],
    [
      'a ring with a corner on another edge',
      [a, b, c, offset(HELSINKI, 50, 0), d, a],
      'coordinates.0.0',
      /touches itself/,
    ],
    [
      'a figure of eight through one corner',
      [a, b, c, a, d, offset(HELSINKI, -50, 80), a],
      'coordinates.0.3',
      /position 3 repeats position 0/,
    ],
    ['a ring folded back on itself', [a, b, offset(HELSINKI, 50, 0), a], 'coordinates.0', /no area/],
    [
      'repeated positions only',
      [a, a, b, b, a],
      'coordinates.0',
      /without its repeated positions the ring has 3/,
    ],
    ['a latitude of 95', [a, b, [c[0], 95], d, a], 'coordinates.0.2.1', /latitude is -90\.\.90/],
    [
      'lat, lon swapped in the far north',
      [[60.17, 94.9], b, c, d, a],
      'coordinates.0.0.1',
      /\[longitude, latitude\]/,
    ],
    ['a longitude of 200', [a, b, [200, c[1]], d, a], 'coordinates.0.2.0', /longitude is -180\.\.180/],
    [
      'a position of one number',
      [a, [24.9], c, d, a],
      'coordinates.0.1',
      /position is \[longitude, latitude\]/,
    ],
    ['a position of text', [a, ['24.9', '60.1'], c, d, a], 'coordinates.0.1.0', /number/],
    ['NaN', [a, [Number.NaN, 60.1], c, d, a], 'coordinates.0.1.0', /number/],
    [
      'a ring across the antimeridian',
      [
        [179.9, 10],
        [-179.9, 10],
        [-179.9, 10.1],
        [179.9, 10.1],
        [179.9, 10],
      ],
      'coordinates.0.1',
      /antimeridian/,
    ],
    [
      'a ring 1,000 km across',
      [
        [20, 60],
        [38, 60],
        [38, 61],
        [20, 61],
        [20, 60],
      ],
      'coordinates.0',
      /\d+ km across \(east-west\); a place is at most 500 km/,
    ],
    [
      'a ring 600 km north-south',
      [
        [24, 55],
        [24.1, 55],
        [24.1, 60.4],
        [24, 60.4],
        [24, 55],
      ],
      'coordinates.0',
      /north-south/,
    ],
  ])('refuses %s', (_name, ring, path, message) => {
    const problems = refused(polygon(ring));
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toMatch(message);
  });

  it('refuses holes, a missing ring, more than 10,000 positions and other types', () => {
    expect(refused({ type: 'Polygon', coordinates: [sq, sq] })[0]).toMatchObject({
      path: 'coordinates',
      message: expect.stringMatching(/holes/),
    });
    expect(refused({ type: 'Polygon', coordinates: [] })[0]?.message).toMatch(/outer ring/);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => offset(HELSINKI, i, (i * 7) % 13));
    expect(refused(polygon(tooMany))[0]).toMatchObject({
      path: 'coordinates.0',
      message: expect.stringMatching(/at most 10,000/),
    });
    expect(refused({ type: 'MultiPolygon', coordinates: [[sq]] })[0]?.message).toMatch(
      /"circle" or "Polygon"/,
    );
    for (const junk of [
      null,
      1,
      'Polygon',
      [],
      {},
      { type: 'Polygon' },
      { type: 'Polygon', coordinates: 'x' },
    ])
      expect(parsePlaceGeometry(junk).ok).toBe(false);
  });

  it('checkRing refuses bad positions itself, for callers that skip the schema', () => {
    expect(
      checkRing([
        [0, 0],
        [1, 0],
        [Number.NaN, 1],
        [0, 0],
      ]).ok,
    ).toBe(false);
    expect(checkRing([[0, 0], [1], [1, 1], [0, 0]]).ok).toBe(false);
  });
});

describe('pointInPlace', () => {
  it('tests circles by great-circle distance, border included', () => {
    const shape = accepted({ type: 'circle', center: HELSINKI, radiusM: 100 });
    const [lon99, lat99] = offset(HELSINKI, 0, 99.9);
    const [lon101, lat101] = offset(HELSINKI, 0, 100.1);
    expect(pointInPlace(shape, HELSINKI)).toBe(true);
    expect(pointInPlace(shape, { lat: lat99, lon: lon99 })).toBe(true);
    expect(pointInPlace(shape, { lat: lat101, lon: lon101 })).toBe(false);
    // Inside the box, outside the circle: a corner of the box.
    expect(pointInPlace(shape, { lat: shape.bbox.maxLat - 1e-7, lon: shape.bbox.maxLon - 1e-7 })).toBe(false);
  });

  it('tests polygons by their ring, a concave one too', () => {
    // An L: the square's north-east quarter cut away.
    const o = HELSINKI;
    const ring = [
      offset(o, 0, 0),
      offset(o, 100, 0),
      offset(o, 100, 50),
      offset(o, 50, 50),
      offset(o, 50, 100),
      offset(o, 0, 100),
      offset(o, 0, 0),
    ];
    const shape = accepted(polygon(ring));
    const at = (e: number, n: number) => {
      const [lon, lat] = offset(o, e, n);
      return { lat, lon };
    };
    expect(pointInPlace(shape, at(25, 25))).toBe(true);
    expect(pointInPlace(shape, at(75, 25))).toBe(true);
    expect(pointInPlace(shape, at(25, 75))).toBe(true);
    expect(pointInPlace(shape, at(75, 75))).toBe(false);
    expect(pointInPlace(shape, at(150, 25))).toBe(false);
    expect(pointInPlace(shape, { lat: o.lat, lon: o.lon })).toBe(true);
  });

  it('haversine agrees with known distances', () => {
    // Helsinki to Tallinn, about 82 km; a degree of latitude, about 111.2 km.
    expect(haversineM(HELSINKI, { lat: 59.437, lon: 24.7536 }) / 1000).toBeCloseTo(82.2, 0);
    expect(haversineM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195, -1);
  });
});

describe('generated polygons', () => {
  const { seed, runs } = fuzzParameters('place geometry', 300);
  const centre = fc.record({
    lat: fc.double({ min: -70, max: 70, noNaN: true }),
    lon: fc.double({ min: -170, max: 170, noNaN: true }),
  });

  /** Positions at increasing angles around the centre: star-shaped, so always simple. */
  const starRing = fc
    .tuple(
      centre,
      fc.array(
        fc.record({
          weight: fc.double({ min: 1, max: 2, noNaN: true }),
          radiusM: fc.double({ min: 20, max: 20_000, noNaN: true }),
        }),
        {
          minLength: 5,
          maxLength: 60,
        },
      ),
      fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
      fc.boolean(),
    )
    .map(([c, corners, start, clockwise]) => {
      const total = corners.reduce((s, k) => s + k.weight, 0);
      let angle = start;
      const ring = corners.map((k) => {
        angle += (k.weight / total) * 2 * Math.PI;
        return offset(c, k.radiusM * Math.cos(angle), k.radiusM * Math.sin(angle));
      });
      if (clockwise) ring.reverse();
      ring.push(ring[0] as LonLat);
      return { centre: c, ring };
    });

  it('accepts simple polygons, stores them counter-clockwise, and finds their centre inside', () => {
    fc.assert(
      fc.property(starRing, ({ centre: c, ring }) => {
        const result = parsePlaceGeometry(polygon(ring));
        if (!result.ok) throw new Error(JSON.stringify(result.problems));
        const shape = result.shape;
        if (shape.kind !== 'polygon') throw new Error('not a polygon');
        expect(signedAreaM2(shape.ring)).toBeGreaterThan(0);
        for (const [lon, lat] of shape.ring)
          expect(pointInPlace({ ...shape, ring: shape.ring }, { lat, lon })).toBe(true);
        expect(pointInPlace(shape, c)).toBe(true);
      }),
      { seed, numRuns: runs },
    );
  });

  it('refuses bowties, however drawn', () => {
    const bowtie = fc
      .tuple(
        centre,
        fc.double({ min: 20, max: 5_000, noNaN: true }),
        fc.double({ min: 20, max: 5_000, noNaN: true }),
        fc.double({ min: 0, max: Math.PI, noNaN: true }),
        fc.integer({ min: 0, max: 3 }),
      )
      .map(([c, w, h, turn, rotate]) => {
        const corner = (x: number, y: number) =>
          offset(c, x * Math.cos(turn) - y * Math.sin(turn), x * Math.sin(turn) + y * Math.cos(turn));
        const corners = [corner(-w, -h), corner(w, -h), corner(w, h), corner(-w, h)];
        // Corners 0, 2, 1, 3: the two diagonals cross at the centre; start at any of them.
        const order = [0, 2, 1, 3].map((i) => corners[i] as LonLat);
        const ring = [...order.slice(rotate), ...order.slice(0, rotate)];
        ring.push(ring[0] as LonLat);
        return ring;
      });
    fc.assert(
      fc.property(bowtie, (ring) => {
        const problems = refused(polygon(ring));
        expect(problems[0]?.message).toMatch(/crosses itself near/);
        expect(problems[0]?.path).toMatch(/^coordinates\.0\.[0-3]$/);
      }),
      { seed, numRuns: runs },
    );
  });

  it('refuses rings of fewer than 4 positions', () => {
    const position = fc.tuple(
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.double({ min: -90, max: 90, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(position, { maxLength: 3 }), (ring) => {
        expect(refused(polygon(ring))[0]).toMatchObject({
          path: 'coordinates.0',
          message: expect.stringMatching(/at least 4 positions/),
        });
      }),
      { seed, numRuns: runs },
    );
  });

  it('never throws on arbitrary JSON, nor on near-geometries with odd numbers', () => {
    const odd = fc.oneof(fc.double(), fc.integer(), fc.jsonValue(), fc.constant(-0));
    const nearGeometry = fc.oneof(
      fc.record({
        type: fc.constantFrom('Polygon', 'circle', 'Point', 'polygon'),
        coordinates: fc.array(fc.array(fc.array(odd, { maxLength: 4 }), { maxLength: 12 }), { maxLength: 3 }),
      }),
      fc.record({ type: fc.constant('circle'), center: fc.record({ lat: odd, lon: odd }), radiusM: odd }),
      fc.record({
        type: fc.constant('Polygon'),
        coordinates: starRing.map(({ ring }) => [ring.map(([lon, lat]) => [lat, lon])]),
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearGeometry, fc.anything()), (input) => {
        const result = parsePlaceGeometry(input);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) for (const p of result.problems) expect(typeof p.message).toBe('string');
      }),
      { seed, numRuns: runs * 3 },
    );
  });
});
