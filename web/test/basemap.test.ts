import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import type { Feature, FeatureCollection } from 'geojson';
import type { StyleSpecification } from 'maplibre-gl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BasemapManifest, buildBasemap, fitZoom } from '../basemap/build-basemap.ts';
import { BasemapUsageError, DEFAULT_OSM, DEFAULT_OUT, parseBasemapArgs } from '../basemap/build-options.ts';
import {
  areaClass,
  greenClass,
  isBuilding,
  labelClass,
  onewayDirection,
  roadClass,
  STREET_CLASSES,
  waterAreaClass,
} from '../basemap/classify.ts';
import { buildOsmLayers, type OsmLayers } from '../basemap/features.ts';
import {
  type Bounds,
  clipRing,
  closeAlongBounds,
  closeCutRing,
  type Position,
  pointInRing,
  ringParts,
  signedArea,
} from '../basemap/geometry.ts';
import type { OsmExtract, OsmRelation, OsmWay } from '../basemap/osm-extract.ts';
import { joinIntoRings } from '../basemap/rings.ts';
import { BASEMAP_SOURCES, basemapStyle } from '../basemap/style.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILD_CLI = join(ROOT, 'web/basemap/build.ts');

// A point `x` metres east and `y` metres north of a reference in Helsinki.
const COS_LAT = Math.cos((60.17 * Math.PI) / 180);
function at(x: number, y: number): Position {
  return [24.94 + x / (111_320 * COS_LAT), 60.17 + y / 111_320];
}
/** A box 1 km across around the reference, as the extract's bounds. */
const BOX: Bounds = [...at(-500, -500), ...at(500, 500)] as Bounds;

function extractOf(
  nodes: Record<string, Position>,
  ways: OsmWay[],
  more: Partial<Pick<OsmExtract, 'relations' | 'taggedNodes'>> = {},
): OsmExtract {
  return {
    nodes: new Map(Object.entries(nodes)),
    ways,
    relations: more.relations ?? [],
    taggedNodes: more.taggedNodes ?? [],
  };
}
const way = (id: string, nodeRefs: string[], tags: Record<string, string>): OsmWay => ({
  id,
  nodeRefs,
  tags,
});
const build = (extract: OsmExtract): OsmLayers => buildOsmLayers(extract, { bounds: BOX });

function rounded(p: Position): Position {
  return [Math.round(p[0] * 1e6) / 1e6, Math.round(p[1] * 1e6) / 1e6];
}
function outerRing(f: Feature | undefined): Position[] {
  if (f?.geometry.type !== 'Polygon') throw new Error(`expected a Polygon, got ${f?.geometry.type}`);
  return f.geometry.coordinates[0] as Position[];
}
/** Area in square metres of a ring near the reference. */
function areaM2(ring: readonly Position[]): number {
  return Math.abs(signedArea(ring)) * 111_320 * 111_320 * COS_LAT;
}

describe('classifying OSM tags', () => {
  it('puts highways and railways into road classes', () => {
    const cases: [Record<string, string>, string | undefined][] = [
      [{ highway: 'motorway' }, 'motorway'],
      [{ highway: 'trunk_link' }, 'motorway'],
      [{ highway: 'primary' }, 'primary'],
      [{ highway: 'primary_link' }, 'primary'],
      [{ highway: 'secondary' }, 'secondary'],
      [{ highway: 'tertiary' }, 'tertiary'],
      [{ highway: 'residential' }, 'minor'],
      [{ highway: 'unclassified' }, 'minor'],
      [{ highway: 'living_street' }, 'minor'],
      [{ highway: 'service' }, 'service'],
      [{ highway: 'footway' }, 'path'],
      [{ highway: 'cycleway' }, 'path'],
      [{ highway: 'path' }, 'path'],
      [{ railway: 'rail' }, 'rail'],
      [{ railway: 'tram' }, 'tram'],
      [{ highway: 'pedestrian', area: 'yes' }, undefined],
      [{ highway: 'corridor' }, undefined],
      [{ highway: 'trail' }, undefined],
      [{ railway: 'abandoned' }, undefined],
      [{ building: 'yes' }, undefined],
    ];
    for (const [tags, expected] of cases) expect(roadClass(tags), JSON.stringify(tags)).toBe(expected);
  });

  it('reads one-way tags, with motorways and roundabouts one-way by default', () => {
    expect(onewayDirection({ highway: 'primary', oneway: 'yes' })).toBe(1);
    expect(onewayDirection({ highway: 'primary', oneway: '-1' })).toBe(-1);
    expect(onewayDirection({ highway: 'primary', oneway: 'no' })).toBe(0);
    expect(onewayDirection({ highway: 'primary' })).toBe(0);
    expect(onewayDirection({ highway: 'motorway' })).toBe(1);
    expect(onewayDirection({ highway: 'motorway', oneway: 'no' })).toBe(0);
    expect(onewayDirection({ highway: 'tertiary', junction: 'roundabout' })).toBe(1);
  });

  it('sorts areas into buildings, water and green, a building first', () => {
    expect(isBuilding({ building: 'yes' })).toBe(true);
    expect(isBuilding({ building: 'no' })).toBe(false);
    expect(isBuilding({ 'building:part': 'yes' })).toBe(false);
    expect(waterAreaClass({ natural: 'water' })).toBe('lake');
    expect(waterAreaClass({ natural: 'water', water: 'river' })).toBe('river');
    expect(waterAreaClass({ waterway: 'riverbank' })).toBe('river');
    expect(waterAreaClass({ landuse: 'reservoir' })).toBe('basin');
    expect(greenClass({ leisure: 'park' })).toBe('park');
    expect(greenClass({ landuse: 'recreation_ground' })).toBe('park');
    expect(greenClass({ landuse: 'grass' })).toBe('grass');
    expect(greenClass({ landuse: 'forest' })).toBe('wood');
    expect(greenClass({ natural: 'wood' })).toBe('wood');
    expect(greenClass({ landuse: 'retail' })).toBeUndefined();
    expect(areaClass({ building: 'retail', landuse: 'retail' })).toEqual({
      layer: 'buildings',
      class: 'building',
    });
    expect(areaClass({ natural: 'water', leisure: 'park' })).toEqual({ layer: 'water', class: 'lake' });
    expect(areaClass({ highway: 'residential' })).toBeUndefined();
  });

  it('labels named places, stations and landmarks, never unnamed ones', () => {
    expect(labelClass({ place: 'suburb', name: 'Kluuvi' })).toBe('suburb');
    expect(labelClass({ place: 'suburb' })).toBeUndefined();
    expect(labelClass({ place: 'city', name: 'Helsinki' })).toBe('city');
    expect(labelClass({ railway: 'station', name: 'Helsinki' })).toBe('station');
    expect(labelClass({ amenity: 'hospital', name: 'Meilahti' })).toBe('landmark');
    expect(labelClass({ amenity: 'restaurant', name: 'Savoy' })).toBeUndefined();
  });
});

describe('building OSM layers', () => {
  it('draws a one-way primary road as a line with its class, name and direction, rounded to 6 decimals', () => {
    const nodes = { a: at(0, 0), b: at(100.123456, 0.5), c: at(200, 10) };
    const { layers, skipped } = build(
      extractOf(nodes, [
        way('1', ['a', 'b', 'c'], { highway: 'primary', oneway: 'yes', name: 'Mannerheimintie' }),
      ]),
    );
    expect(layers.roads.features).toEqual([
      {
        type: 'Feature',
        properties: { class: 'primary', name: 'Mannerheimintie', oneway: true },
        geometry: { type: 'LineString', coordinates: [rounded(nodes.a), rounded(nodes.b), rounded(nodes.c)] },
      },
    ]);
    const line = layers.roads.features[0]?.geometry;
    if (line?.type !== 'LineString') throw new Error('expected a LineString');
    for (const [lon, lat] of line.coordinates as Position[]) {
      expect(String(lon).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(6);
      expect(String(lat).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(6);
    }
    expect(Object.values(skipped).every((n) => n === 0)).toBe(true);
  });

  it('turns a oneway=-1 road round so the line runs the way traffic does', () => {
    const nodes = { a: at(0, 0), b: at(100, 0) };
    const { layers } = build(
      extractOf(nodes, [way('1', ['a', 'b'], { highway: 'secondary', oneway: '-1' })]),
    );
    expect(layers.roads.features[0]?.geometry).toEqual({
      type: 'LineString',
      coordinates: [rounded(nodes.b), rounded(nodes.a)],
    });
  });

  it('gives an unnamed road no name (so no label)', () => {
    const { layers } = build(
      extractOf({ a: at(0, 0), b: at(50, 0) }, [way('1', ['a', 'b'], { highway: 'residential' })]),
    );
    expect(layers.roads.features[0]?.properties).toEqual({ class: 'minor' });
  });

  it('draws a closed building way as a counter-clockwise polygon with no properties', () => {
    // Given clockwise: north-west, north-east, south-east, south-west.
    const nodes = { nw: at(0, 20), ne: at(30, 20), se: at(30, 0), sw: at(0, 0) };
    const { layers } = build(
      extractOf(nodes, [way('1', ['nw', 'ne', 'se', 'sw', 'nw'], { building: 'yes' })]),
    );
    expect(layers.buildings.features).toHaveLength(1);
    const ring = outerRing(layers.buildings.features[0]);
    expect(layers.buildings.features[0]?.properties).toEqual({});
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual(ring[4]);
    expect(signedArea(ring)).toBeGreaterThan(0);
    expect(areaM2(ring)).toBeCloseTo(600, -1);
  });

  it('keeps a closed road a line, makes a closed park an area, and counts an open park', () => {
    const nodes = { a: at(0, 0), b: at(50, 0), c: at(50, 50), d: at(0, 50) };
    const { layers, skipped } = build(
      extractOf(nodes, [
        way('1', ['a', 'b', 'c', 'd', 'a'], { highway: 'residential', name: 'Loop' }),
        way('2', ['a', 'b', 'c', 'd', 'a'], { leisure: 'park', name: 'Esplanadi' }),
        way('3', ['a', 'b', 'c', 'd'], { leisure: 'park' }),
      ]),
    );
    expect(layers.roads.features[0]?.geometry.type).toBe('LineString');
    expect(layers.green.features).toHaveLength(1);
    expect(layers.green.features[0]?.properties).toEqual({ class: 'park', name: 'Esplanadi' });
    expect(layers.green.features[0]?.geometry.type).toBe('Polygon');
    expect(skipped['area-not-closed']).toBe(1);
  });

  it('skips and counts degenerate ways without throwing, and still draws the rest', () => {
    const nodes = { a: at(0, 0), b: at(10, 0), c: at(20, 0), d: at(0, 10) };
    const { layers, skipped, clipped } = build(
      extractOf(nodes, [
        way('1', ['a'], { highway: 'residential' }),
        way('2', [], { building: 'yes' }),
        way('3', ['x', 'y', 'z'], { highway: 'primary' }),
        way('4', ['a', 'x'], { highway: 'primary' }),
        way('5', ['a', 'b', 'c', 'a'], { building: 'yes' }), // all on one line: no area
        way('6', ['a'], { barrier: 'gate' }), // not ours: not counted
        way('7', ['a', 'd'], { highway: 'service' }),
      ]),
    );
    expect(skipped['too-few-nodes']).toBe(2);
    expect(skipped['nodes-missing']).toBe(2);
    expect(skipped['ring-degenerate']).toBe(1);
    expect(clipped).toBe(0);
    expect(layers.roads.features.map((f) => f.properties?.class)).toEqual(['service']);
    expect(layers.buildings.features).toHaveLength(0);
  });

  it('splits a road where the extract lacks a node, and counts it as cut', () => {
    const nodes = { a: at(0, 0), b: at(10, 0), d: at(30, 0), e: at(40, 0) };
    const { layers, clipped } = build(
      extractOf(nodes, [way('1', ['a', 'b', 'missing', 'd', 'e'], { highway: 'tertiary' })]),
    );
    expect(layers.roads.features[0]?.geometry).toEqual({
      type: 'MultiLineString',
      coordinates: [
        [rounded(nodes.a), rounded(nodes.b)],
        [rounded(nodes.d), rounded(nodes.e)],
      ],
    });
    expect(clipped).toBe(1);
  });

  it("closes a building cut by the extract's edge along that edge", () => {
    // A 40 x 30 m building straddling the east edge (x = 500 m): its east half is outside.
    const nodes = { sw: at(480, 0), nw: at(480, 30) };
    const { layers, clipped, bounds } = build(
      extractOf(nodes, [way('1', ['sw', 'se-out', 'ne-out', 'nw', 'sw'], { building: 'yes' })]),
    );
    expect(clipped).toBe(1);
    const ring = outerRing(layers.buildings.features[0]);
    expect(areaM2(ring)).toBeCloseTo(20 * 30, -1);
    expect(ring.filter(([lon]) => lon === bounds[2])).toHaveLength(2);
    expect(ring.every(([lon]) => lon <= bounds[2])).toBe(true);
  });

  it('makes the sea on the water side of the coastline, closed along the edge', () => {
    // Coastline runs west to east: land on its left (north), water on its right (south).
    const nodes = { c1: at(-480, 0), c2: at(0, 40), c3: at(480, 0) };
    const { layers } = build(
      extractOf(nodes, [way('1', ['c0-out', 'c1', 'c2', 'c3', 'c4-out'], { natural: 'coastline' })]),
    );
    const sea = layers.water.features.filter((f) => f.properties?.class === 'sea');
    expect(sea).toHaveLength(1);
    const ring = outerRing(sea[0]);
    expect(pointInRing(at(0, -300), ring)).toBe(true);
    expect(pointInRing(at(0, 300), ring)).toBe(false);
    expect(areaM2(ring)).toBeGreaterThan(450_000);
    expect(areaM2(ring)).toBeLessThan(550_000);
  });

  it('builds a multipolygon with a courtyard, and counts relations it cannot draw', () => {
    const nodes = {
      o1: at(0, 0),
      o2: at(100, 0),
      o3: at(100, 100),
      o4: at(0, 100),
      i1: at(40, 40),
      i2: at(60, 40),
      i3: at(60, 60),
      i4: at(40, 60),
    };
    const relation = (id: string, members: [string, string][]): OsmRelation => ({
      id,
      tags: { type: 'multipolygon', building: 'yes' },
      members: members.map(([ref, role]) => ({ type: 'way', ref, role })),
    });
    const { layers, skipped } = build(
      extractOf(
        nodes,
        [
          way('10', ['o1', 'o2', 'o3'], {}),
          way('11', ['o3', 'o4', 'o1'], {}),
          way('12', ['i1', 'i2', 'i3', 'i4', 'i1'], {}),
        ],
        {
          relations: [
            relation('1', [
              ['10', 'outer'],
              ['11', 'outer'],
              ['12', 'inner'],
            ]),
            relation('2', [['99', 'outer']]),
            relation('3', [['12', 'inner']]),
          ],
        },
      ),
    );
    expect(layers.buildings.features).toHaveLength(1);
    const geometry = layers.buildings.features[0]?.geometry;
    if (geometry?.type !== 'Polygon') throw new Error(`expected a Polygon, got ${geometry?.type}`);
    const [outer, hole] = geometry.coordinates as Position[][];
    expect(signedArea(outer as Position[])).toBeGreaterThan(0);
    expect(signedArea(hole as Position[])).toBeLessThan(0);
    expect(areaM2(outer as Position[]) - areaM2(hole as Position[])).toBeCloseTo(10_000 - 400, -2);
    expect(skipped['nodes-missing']).toBe(1);
    expect(skipped['relation-without-outer']).toBe(1);
  });

  it('labels named places as points', () => {
    const { layers } = build(
      extractOf({}, [], {
        taggedNodes: [
          { id: '1', position: at(0, 0), tags: { place: 'suburb', name: 'Kluuvi' } },
          { id: '2', position: at(10, 0), tags: { place: 'suburb' } },
          { id: '3', position: at(20, 0), tags: { amenity: 'restaurant', name: 'Savoy' } },
        ],
      }),
    );
    expect(layers.labels.features).toEqual([
      {
        type: 'Feature',
        properties: { class: 'suburb', name: 'Kluuvi' },
        geometry: { type: 'Point', coordinates: rounded(at(0, 0)) },
      },
    ]);
  });
});

describe('basemap geometry', () => {
  const unit: Bounds = [0, 0, 10, 10];

  it('closes runs clockwise along the box, the interior on their right', () => {
    // Straight down the middle: the interior (right of a southward run) is the west half.
    const rings = closeAlongBounds(
      [
        [
          [5, 10],
          [5, 0],
        ],
      ],
      unit,
      Infinity,
    );
    expect(rings).toHaveLength(1);
    const ring = rings?.[0] as Position[];
    expect(pointInRing([2, 5], ring)).toBe(true);
    expect(pointInRing([8, 5], ring)).toBe(false);
  });

  it('refuses to close runs whose ends are far from the edge', () => {
    const far = closeAlongBounds(
      [
        [
          [0.005, 0.005],
          [0.006, 0.005],
        ],
      ],
      [0, 0, 0.01, 0.01],
      20,
    );
    expect(far).toBeUndefined();
  });

  it('closes a cut ring of unknown winding on the smaller side', () => {
    const run: Position[] = [
      [8, 10],
      [8, 8],
      [10, 8],
    ];
    for (const runs of [[run], [[...run].reverse()]]) {
      const rings = closeCutRing(runs, unit, Infinity) as Position[][];
      expect(Math.abs(signedArea(rings[0] as Position[]))).toBeCloseTo(4);
    }
  });

  it('splits a ring at its missing nodes, starting after a gap', () => {
    const points: Record<string, Position> = { a: [0, 0], b: [1, 0], d: [1, 1] };
    const parts = ringParts(['a', 'b', 'c', 'd', 'a'], (id) => points[id]);
    expect(parts).toEqual({
      kind: 'cut',
      runs: [
        [
          [1, 1],
          [0, 0],
          [1, 0],
        ],
      ],
      missing: 1,
    });
    expect(ringParts(['a', 'b', 'd', 'a'], (id) => points[id]).kind).toBe('complete');
  });

  it('joins member ways into rings, turning them round only where allowed', () => {
    // Pieces out of order and direction: a-b-c, e-d-c (backwards), e-f-a, and a lone g-h.
    const pieces = [
      ['e', 'f', 'a'],
      ['a', 'b', 'c'],
      ['e', 'd', 'c'],
      ['g', 'h'],
    ];
    const joined = joinIntoRings(pieces, true);
    // Pieces whose ends meet the chain's head go in front of it.
    expect(
      joinIntoRings(
        [
          ['b', 'c'],
          ['a', 'b'],
          ['x', 'a'],
        ],
        false,
      ).open,
    ).toEqual([['x', 'a', 'b', 'c']]);
    expect(joined.closed).toEqual([['e', 'f', 'a', 'b', 'c', 'd', 'e']]);
    expect(joined.open).toEqual([['g', 'h']]);
    // A coastline keeps its direction: the backwards piece cannot be joined.
    const coast = joinIntoRings(pieces, false);
    expect(coast.closed).toEqual([]);
    expect(coast.open).toContainEqual(['e', 'f', 'a', 'b', 'c']);
    expect(coast.open).toContainEqual(['e', 'd', 'c']);
  });

  it('clips a ring to a box', () => {
    const clipped = clipRing(
      [
        [-5, -5],
        [5, -5],
        [5, 5],
        [-5, 5],
        [-5, -5],
      ],
      unit,
    );
    expect(Math.abs(signedArea(clipped as Position[]))).toBeCloseTo(25);
    expect(
      clipRing(
        [
          [20, 20],
          [30, 20],
          [30, 30],
          [20, 20],
        ],
        unit,
      ),
    ).toBeUndefined();
  });

  it('suggests the zoom that fits the extract in a 1024 x 768 map', () => {
    // The Helsinki extract, 1.0 x 1.7 km: at zoom 13.9 it is about 690 px tall.
    expect(fitZoom([24.9351766, 60.1641551, 24.9534132, 60.1791074])).toBe(13.9);
  });
});

describe('basemap build flags', () => {
  it('defaults to the Helsinki extract, vendor/basemap and /basemap/', () => {
    expect(parseBasemapArgs([])).toEqual({
      osm: DEFAULT_OSM,
      out: DEFAULT_OUT,
      baseUrl: '/basemap/',
      force: false,
    });
    expect(parseBasemapArgs(['--help'])).toBe('help');
  });

  it('resolves paths against the working directory and ends the base URL with a slash', () => {
    expect(
      parseBasemapArgs(['--osm', 'x.pbf', '--out', 'out', '--base-url', '/maps', '--force'], '/srv'),
    ).toEqual({
      osm: '/srv/x.pbf',
      out: '/srv/out',
      baseUrl: '/maps/',
      force: true,
    });
    expect(parseBasemapArgs(['--base-url', 'https://fleet.example/basemap/'])).toMatchObject({
      baseUrl: 'https://fleet.example/basemap/',
    });
  });

  it('refuses unknown flags, positionals and bad values by name', () => {
    expect(() => parseBasemapArgs(['--zoom', '3'])).toThrow(/--zoom.*see --help/);
    expect(() => parseBasemapArgs(['extract.pbf'])).toThrow(BasemapUsageError);
    expect(() => parseBasemapArgs(['--base-url', 'ftp://x/'])).toThrow(/--base-url="ftp:\/\/x\/"/);
    expect(() => parseBasemapArgs(['--base-url', '//cdn.example/'])).toThrow(BasemapUsageError);
    expect(() => parseBasemapArgs(['--out', ''])).toThrow(/--out/);
  });
});

describe('the style', () => {
  it('is a valid MapLibre style with its sources under the base URL and no glyph server', () => {
    const style = basemapStyle('http://127.0.0.1:8080/basemap', { center: [24.94, 60.17], zoom: 14 });
    expect(validateStyleMin(style)).toEqual([]);
    expect(style.glyphs).toBeUndefined();
    for (const name of BASEMAP_SOURCES) {
      expect(style.sources[name]).toMatchObject({
        type: 'geojson',
        data: `http://127.0.0.1:8080/basemap/${name}.geojson`,
      });
    }
    expect(style.center).toEqual([24.94, 60.17]);
  });
});

// Checks a FeatureCollection the way a consumer would: types, closed rings, finite coordinates
// inside `bounds`, at most `decimals` places, and only the expected property keys.
function geoJsonProblems(
  fc: FeatureCollection,
  bounds: Bounds,
  decimals: number,
  keys: readonly string[],
): string[] {
  const problems: string[] = [];
  if (fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) return ['not a FeatureCollection'];
  const checkLine = (line: unknown[], min: number, where: string) => {
    if (line.length < min) problems.push(`${where}: ${line.length} positions`);
    for (const p of line) {
      if (
        !Array.isArray(p) ||
        p.length !== 2 ||
        !p.every((v) => typeof v === 'number' && Number.isFinite(v))
      ) {
        problems.push(`${where}: bad position ${JSON.stringify(p)}`);
        continue;
      }
      const [lon, lat] = p as Position;
      if (lon < bounds[0] || lon > bounds[2] || lat < bounds[1] || lat > bounds[3])
        problems.push(`${where}: ${lon},${lat} outside ${bounds.join(',')}`);
      for (const v of [lon, lat]) {
        if ((String(v).split('.')[1]?.length ?? 0) > decimals)
          problems.push(`${where}: ${v} has over ${decimals} decimals`);
      }
    }
  };
  const checkRing = (ring: unknown[], where: string) => {
    checkLine(ring, 4, where);
    if (JSON.stringify(ring[0]) !== JSON.stringify(ring[ring.length - 1]))
      problems.push(`${where}: ring not closed`);
  };
  for (const [i, f] of fc.features.entries()) {
    const where = `feature ${i}`;
    if (f.type !== 'Feature' || !f.geometry) {
      problems.push(`${where}: not a Feature with a geometry`);
      continue;
    }
    for (const key of Object.keys(f.properties ?? {})) {
      if (!keys.includes(key)) problems.push(`${where}: unexpected property ${key}`);
    }
    const g = f.geometry;
    if (g.type === 'Point') checkLine([g.coordinates], 1, where);
    else if (g.type === 'LineString') checkLine(g.coordinates, 2, where);
    else if (g.type === 'MultiLineString') for (const line of g.coordinates) checkLine(line, 2, where);
    else if (g.type === 'Polygon') for (const ring of g.coordinates) checkRing(ring, where);
    else if (g.type === 'MultiPolygon')
      for (const polygon of g.coordinates) for (const ring of polygon) checkRing(ring, where);
    else problems.push(`${where}: unexpected ${g.type}`);
  }
  return problems.slice(0, 10);
}

describe('building the basemap from the Helsinki extract', () => {
  let out: string;
  let cli: { status: number | null; stdout: string; stderr: string; ms: number };
  let manifest: BasemapManifest;
  const read = <T>(file: string): T => JSON.parse(readFileSync(join(out, file), 'utf8')) as T;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'basemap-'));
    const started = performance.now();
    const r = spawnSync(process.execPath, [BUILD_CLI, '--out', out], { cwd: ROOT, encoding: 'utf8' });
    cli = { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
    if (r.status === 0) manifest = read<BasemapManifest>('manifest.json');
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs quickly and prints a line per layer and a summary', () => {
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    for (const name of BASEMAP_SOURCES)
      expect(cli.stdout).toMatch(new RegExp(`^ {2}${name} +[\\d,]+ features `, 'm'));
    expect(cli.stdout).toMatch(/wrote .* in \d+\.\d\d s/);
    // About 0.7 s on a 2-core machine, most of it parsing the extract and Natural Earth.
    expect(cli.ms).toBeLessThan(10_000);
  });

  it('draws plausible amounts of central Helsinki (measured: 2,620 roads, 486 buildings)', () => {
    const roads = read<FeatureCollection>('roads.geojson').features;
    const streets = roads.filter((f) => STREET_CLASSES.includes(f.properties?.class));
    expect(roads.length).toBeGreaterThan(2000);
    expect(streets.length).toBeGreaterThan(800);
    expect(streets.filter((f) => f.properties?.name).length).toBeGreaterThan(500);
    expect(roads.filter((f) => f.properties?.oneway === true).length).toBeGreaterThan(50);
    expect(read<FeatureCollection>('buildings.geojson').features.length).toBeGreaterThan(400);
    expect(read<FeatureCollection>('green.geojson').features.length).toBeGreaterThan(100);
    const water = read<FeatureCollection>('water.geojson').features;
    expect(water.filter((f) => f.properties?.class === 'sea').length).toBeGreaterThan(0);
    expect(water.some((f) => f.properties?.name === 'Töölönlahti')).toBe(true);
    const labels = read<FeatureCollection>('labels.geojson').features;
    expect(labels.length).toBeGreaterThan(40);
    expect(labels.find((f) => f.properties?.class === 'city')?.properties?.name).toBe('Helsinki');
    // The extract cuts about 200 ways; what cannot be drawn at all is a small share.
    expect(manifest.clipped).toBeGreaterThan(100);
    expect(manifest.skipped['nodes-missing']).toBeLessThan(200);
    expect(manifest.skipped['ring-unclosable'] + manifest.skipped['coastline-unclosable']).toBeLessThan(10);
  });

  it('writes valid GeoJSON inside the extract, with only the properties the style reads', () => {
    const keys = ['class', 'name', 'oneway', 'tunnel'];
    for (const name of ['water', 'green', 'buildings', 'roads', 'labels'] as const) {
      const fc = read<FeatureCollection>(`${name}.geojson`);
      expect(fc.features.length, name).toBe(manifest.layers[name].features);
      expect(geoJsonProblems(fc, manifest.bounds, 6, keys), name).toEqual([]);
    }
    const world: Bounds = [-180, -90, 180, 90];
    expect(geoJsonProblems(read('land.geojson'), world, 3, ['tier'])).toEqual([]);
    expect(geoJsonProblems(read('boundaries.geojson'), world, 3, ['tier'])).toEqual([]);
  });

  it('writes a style.json that validates, served from /basemap/, opening on the extract', () => {
    const style = read<StyleSpecification>('style.json');
    expect(validateStyleMin(style)).toEqual([]);
    for (const name of BASEMAP_SOURCES) {
      expect(style.sources[name]).toMatchObject({ type: 'geojson', data: `/basemap/${name}.geojson` });
      expect(statSync(join(out, `${name}.geojson`)).size).toBe(manifest.layers[name].bytes);
    }
    expect(style.center).toEqual(manifest.center);
    expect(style.zoom).toBe(manifest.zoom);
  });

  it("records the extract's bounds, centre, zoom and source in manifest.json", () => {
    const [w, s, e, n] = manifest.bounds;
    // Central Helsinki, about 1.0 km east-west and 1.7 km north-south.
    expect(w).toBeCloseTo(24.935, 2);
    expect(n).toBeCloseTo(60.179, 2);
    expect((e - w) * 111_320 * COS_LAT).toBeGreaterThan(900);
    expect((n - s) * 111_320).toBeGreaterThan(1500);
    expect(manifest.center[0]).toBeGreaterThan(w);
    expect(manifest.center[0]).toBeLessThan(e);
    expect(manifest.center[1]).toBeGreaterThan(s);
    expect(manifest.center[1]).toBeLessThan(n);
    expect(manifest.zoom).toBeGreaterThan(12);
    expect(manifest.zoom).toBeLessThan(16);
    expect(manifest.source.bytes).toBe(statSync(DEFAULT_OSM).size);
    expect(resolve(out, manifest.source.file)).toBe(DEFAULT_OSM);
  });

  it('skips the work when up to date, and rebuilds for --force or a changed extract', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basemap-again-'));
    try {
      const osm = join(dir, 'extract.osm.pbf');
      copyFileSync(DEFAULT_OSM, osm);
      const options = { osm, out: join(dir, 'out'), baseUrl: '/basemap/', force: false };
      expect((await buildBasemap(options)).upToDate).toBe(false);
      const builtAt = JSON.parse(readFileSync(join(options.out, 'manifest.json'), 'utf8')).builtAt;
      const again = await buildBasemap(options);
      expect(again.upToDate).toBe(true);
      expect(again.manifest.builtAt).toBe(builtAt);
      expect((await buildBasemap({ ...options, force: true })).upToDate).toBe(false);
      expect((await buildBasemap({ ...options, baseUrl: '/maps/' })).upToDate).toBe(false);
      utimesSync(osm, new Date(), new Date(Date.now() + 60_000));
      expect((await buildBasemap({ ...options, baseUrl: '/maps/' })).upToDate).toBe(false);
      rmSync(join(options.out, 'roads.geojson'));
      expect((await buildBasemap({ ...options, baseUrl: '/maps/' })).upToDate).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with a clear message on bad flags, 1 on a bad extract, 0 for --help', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [BUILD_CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
    const unknown = run('--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--bogus'.*see --help/);
    const badUrl = run('--base-url', 'ftp://example/');
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toMatch(/--base-url="ftp:\/\/example\/": a path starting with \//);
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: node web\/basemap\/build.ts/);
    const dir = mkdtempSync(join(tmpdir(), 'basemap-bad-'));
    try {
      const missing = run('--osm', join(dir, 'missing.osm.pbf'), '--out', join(dir, 'out'));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/OSM extract not found: .*missing\.osm\.pbf/);
      writeFileSync(join(dir, 'garbage.osm.pbf'), 'this is not a PBF file');
      const garbage = run('--osm', join(dir, 'garbage.osm.pbf'), '--out', join(dir, 'out'));
      expect(garbage.status).toBe(1);
      expect(garbage.stderr).toMatch(/not an OSM PBF file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
