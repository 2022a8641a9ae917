// The hub's pure parts without a socket: the viewport grid and its cluster counts
// (api/src/hub/viewport.ts) and the frame encodings (api/src/hub/frames.ts).
import { columnsToPositions, type HubBbox, hubClientMessage, type LivePosition } from '@fleet/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../test/fuzz.ts';
import { EncodedPositions } from '../src/hub/frames.ts';
import { boxParts, ClusterLevel, cellDegAt, clustersOutside, inBox, PointGrid } from '../src/hub/viewport.ts';

describe('inBox and boxParts', () => {
  it.each([
    [[24, 60, 25, 61], 24.5, 60.5, true],
    [[24, 60, 25, 61], 25, 61, true], // edges are inside
    [[24, 60, 25, 61], 25.01, 60.5, false],
    [[24, 60, 25, 61], 24.5, 59.99, false],
    // west > east crosses the antimeridian (RFC 7946 5.2)
    [[170, -20, -170, 20], 179.9, 0, true],
    [[170, -20, -170, 20], -175, 0, true],
    [[170, -20, -170, 20], 0, 0, false],
    [[-180, -90, 180, 90], 0, 0, true],
  ] as [HubBbox, number, number, boolean][])('%j contains %d,%d: %s', (bbox, lon, lat, inside) => {
    expect(inBox(bbox, lon, lat)).toBe(inside);
  });

  it('splits a box across the antimeridian in two', () => {
    expect(boxParts([170, -20, -170, 20])).toEqual([
      [170, -20, 180, 20],
      [-180, -20, -170, 20],
    ]);
    expect(boxParts([1, 2, 3, 4])).toEqual([[1, 2, 3, 4]]);
  });

  it('sizes cluster cells by zoom, a quarter tile, no finer than the grid', () => {
    expect(cellDegAt(0)).toBe(90);
    expect(cellDegAt(1.7)).toBe(45);
    expect(cellDegAt(14)).toBe(cellDegAt(22));
  });
});

/** A seeded fleet of points, some near the antimeridian and the poles. */
const points = fc.array(
  fc.record({
    lon: fc.oneof(
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.double({ min: 24, max: 25.2, noNaN: true }),
    ),
    lat: fc.oneof(
      fc.double({ min: -90, max: 90, noNaN: true }),
      fc.double({ min: 60, max: 60.4, noNaN: true }),
    ),
  }),
  { maxLength: 300 },
);
const box = fc
  .tuple(
    fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: 24, max: 25, noNaN: true })),
    fc.double({ min: -90, max: 90, noNaN: true }),
    fc.oneof(
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.double({ min: 24.2, max: 25.2, noNaN: true }),
    ),
    fc.double({ min: -90, max: 90, noNaN: true }),
  )
  .map(([w, a, e, b]): HubBbox => [w, Math.min(a, b), e, Math.max(a, b)]);

describe('PointGrid', () => {
  it('finds exactly the points a scan of every point finds, and counts the rest in clusters', () => {
    const { seed, runs } = fuzzParameters('hub viewport grid', 200);
    fc.assert(
      fc.property(points, box, fc.integer({ min: 0, max: 22 }), (pts, bbox, zoom) => {
        const grid = new PointGrid<number>();
        pts.forEach((p, i) => {
          grid.set(`d${i}`, p.lon, p.lat, i);
        });
        const found: string[] = [];
        grid.forEachIn(bbox, (p) => found.push(p.id));
        const expected = pts.flatMap((p, i) => (inBox(bbox, p.lon, p.lat) ? [`d${i}`] : []));
        expect(found.sort()).toEqual(expected.sort());
        // The shared level and the point-by-point count agree, and add up to the devices outside.
        const shared = new ClusterLevel(grid, zoom).outside(bbox);
        const own = clustersOutside(grid, { bbox, zoom }, () => true);
        const total = (cells: { count: number }[]) => cells.reduce((n, c) => n + c.count, 0);
        expect(total(shared)).toBe(pts.length - expected.length);
        expect(total(own)).toBe(pts.length - expected.length);
        expect(shared.length).toBe(own.length);
      }),
      { seed, numRuns: runs },
    );
  });

  it('moves a point between cells and forgets deleted ones', () => {
    const grid = new PointGrid<string>();
    grid.set('a', 24.5, 60.5, 'first');
    grid.set('a', -120, -40, 'moved');
    const near: string[] = [];
    grid.forEachIn([24, 60, 25, 61], (p) => near.push(p.id));
    expect(near).toEqual([]);
    expect(grid.get('a')?.item).toBe('moved');
    grid.delete('a');
    expect(grid.size).toBe(0);
    expect([...grid.cells()]).toEqual([]);
  });

  it('puts each cluster at the centroid of its devices', () => {
    const grid = new PointGrid<number>();
    grid.set('a', 10, 10, 0);
    grid.set('b', 10.2, 10.4, 1);
    grid.set('c', 24.5, 60.5, 2); // inside the box
    const cells = new ClusterLevel(grid, 3).outside([24, 60, 25, 61]);
    expect(cells).toEqual([{ lat: 10.2, lon: 10.1, count: 2 }]);
  });
});

const livePosition = fc.record({
  deviceId: fc.uuid(),
  ts: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lon: fc.double({ min: -180, max: 180, noNaN: true }),
  speedKmh: fc.option(fc.double({ min: 0, max: 300, noNaN: true }), { nil: null }),
  headingDeg: fc.option(fc.double({ min: 0, max: 360, noNaN: true }), { nil: null }),
  ignition: fc.option(fc.boolean(), { nil: null }),
  status: fc.constantFrom('moving', 'idle', 'stopped', 'offline'),
}) as fc.Arbitrary<LivePosition>;

describe('EncodedPositions', () => {
  it('json is JSON.stringify of the frame; columns decode to the same positions, whole and in part', () => {
    const { seed, runs } = fuzzParameters('hub frame encodings', 100);
    fc.assert(
      fc.property(fc.array(livePosition, { maxLength: 40 }), fc.integer(), (positions, at) => {
        // -0 has no JSON form of its own: the wire carries 0 for it either way.
        const clean = positions.map((p) => JSON.parse(JSON.stringify(p)) as LivePosition);
        const encoded = new EncodedPositions(clean, at);
        expect(encoded.frame('json').toString()).toBe(
          JSON.stringify({ type: 'positions', at, positions: clean }),
        );
        const columns = JSON.parse(encoded.frame('columns').toString());
        expect(columns.type).toBe('positions');
        expect(columnsToPositions(columns.cols, columns.at)).toEqual(clean);
        const rows = clean.flatMap((_, i) => (i % 3 === 0 ? [i] : []));
        const part = JSON.parse(encoded.frame('columns', rows).toString());
        expect(columnsToPositions(part.cols, at)).toEqual(rows.map((i) => clean[i]));
        expect(JSON.parse(encoded.frame('json', rows).toString()).positions).toEqual(
          rows.map((i) => clean[i]),
        );
      }),
      { seed, numRuns: runs },
    );
  });
});

describe('the viewport message schema', () => {
  it.each([
    [{ op: 'viewport', bbox: [24, 60, 25, 61], zoom: 12 }, true],
    [{ op: 'viewport', bbox: [170, -10, -170, 10], zoom: 3 }, true], // across the antimeridian
    [{ op: 'viewport', bbox: null }, true],
    [{ op: 'viewport', bbox: [24, 60, 25, 61] }, false], // no zoom
    [{ op: 'viewport', bbox: [24, 61, 25, 60], zoom: 3 }, false], // south of north
    [{ op: 'viewport', bbox: [-181, 60, 25, 61], zoom: 3 }, false],
    [{ op: 'viewport', bbox: [24, 60, 25, 91], zoom: 3 }, false],
    [{ op: 'viewport', bbox: [24, 60, 25], zoom: 3 }, false],
    [{ op: 'viewport', bbox: [24, 60, 25, 61, 0], zoom: 3 }, false],
    [{ op: 'viewport', bbox: [24, 60, 25, 61], zoom: 25 }, false],
    [{ op: 'viewport', bbox: [24, 60, 25, 61], zoom: -1 }, false],
    [{ op: 'viewport', bbox: [24, 60, 25, 61], zoom: Number.NaN }, false],
    [{ op: 'viewport', bbox: [24, 60, Number.POSITIVE_INFINITY, 61], zoom: 3 }, false],
    [{ op: 'viewport', bbox: ['24', 60, 25, 61], zoom: 3 }, false],
    [{ op: 'viewport', bbox: [24, 60, 25, 61], zoom: 3, extra: 1 }, false],
    [{ op: 'subscribe', topics: ['positions'], format: 'columns' }, true],
    [{ op: 'subscribe', topics: ['positions'], format: 'binary' }, false],
  ])('%j valid: %s', (message, valid) => {
    expect(hubClientMessage.safeParse(message).success).toBe(valid);
  });
});
