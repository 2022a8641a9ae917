// Natural Earth land and country borders from the world-atlas package (TopoJSON), for the view
// wider than the OSM extract. Two tiers keep the download small: the whole world at 1:110M
// (74 KB), and land at 1:10M inside a window around the extract (the Baltic for Helsinki, about
// 380 KB), which style.ts draws over the world tier from zoom 4 on a water-coloured patch of the
// window's size, so the coarse coastline never shows through the fine one. Local borders come
// from the 1:50M file: faint dashed lines need no more, and the 1:10M file (3.6 MB) would cost a
// tenth of a second to parse.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Feature, FeatureCollection, GeoJsonProperties, Geometry } from 'geojson';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { type Bounds, clipLine, clipRing, type Position, roundLine } from './geometry.ts';

/** Half the window's size in degrees [longitude, latitude]: 40 x 20 degrees covers zoom 4 and up. */
export const LOCAL_WINDOW_HALF_SPAN: readonly [number, number] = [20, 10];

export interface NaturalEarthLayers {
  /** Land polygons, `tier` world (1:110M) or local (1:10M), and the local window as `local-water`. */
  land: FeatureCollection;
  /** Country borders (not coastlines), `tier` world (1:110M) or local (1:50M, in the window). */
  boundaries: FeatureCollection;
  /** The local window, [w, s, e, n]. */
  window: Bounds;
}

const requireHere = createRequire(import.meta.url);

function topology(file: string): Topology {
  return JSON.parse(readFileSync(requireHere.resolve(`world-atlas/${file}`), 'utf8')) as Topology;
}

/** The world-atlas package's version, recorded in the manifest so a new one triggers a rebuild. */
export function worldAtlasVersion(): string {
  const pkg = JSON.parse(readFileSync(requireHere.resolve('world-atlas/package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

export function naturalEarthLayers(centre: Position): NaturalEarthLayers {
  // Whole degrees: the window's edges stay exact after rounding, and a nearby extract gets the same window.
  const [lon, lat] = [Math.round(centre[0]), Math.round(centre[1])];
  const [dLon, dLat] = LOCAL_WINDOW_HALF_SPAN;
  const window: Bounds = [
    Math.max(-180, lon - dLon),
    Math.max(-85, lat - dLat),
    Math.min(180, lon + dLon),
    Math.min(85, lat + dLat),
  ];
  const [w, s, e, n] = window;
  const windowRing: Position[] = [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
  const land: Feature[] = [
    polygonsFeature(landPolygons('land-110m.json'), { tier: 'world' }, 2),
    {
      type: 'Feature',
      properties: { tier: 'local-water' },
      geometry: { type: 'Polygon', coordinates: [windowRing] },
    },
    polygonsFeature(clipPolygons(landPolygons('land-10m.json'), window), { tier: 'local' }, 3),
  ];
  const boundaries: Feature[] = [
    linesFeature(borders('countries-110m.json'), { tier: 'world' }, 2),
    linesFeature(
      borders('countries-50m.json').flatMap((line) => clipLine(line, window)),
      { tier: 'local' },
      3,
    ),
  ];
  return {
    land: { type: 'FeatureCollection', features: land },
    boundaries: { type: 'FeatureCollection', features: boundaries },
    window,
  };
}

function landPolygons(file: string): Position[][][] {
  const topo = topology(file);
  const land = topo.objects.land;
  if (!land) throw new Error(`world-atlas/${file} has no "land" object`);
  const geo = feature(topo, land) as Feature | FeatureCollection;
  const geometries: Geometry[] =
    geo.type === 'FeatureCollection' ? geo.features.map((f) => f.geometry) : [geo.geometry];
  return geometries.flatMap((g) => {
    if (g.type === 'Polygon') return [g.coordinates as Position[][]];
    if (g.type === 'MultiPolygon') return g.coordinates as Position[][][];
    return [];
  });
}

function clipPolygons(polygons: readonly Position[][][], b: Bounds): Position[][][] {
  const out: Position[][][] = [];
  for (const polygon of polygons) {
    const [outer, ...holes] = polygon;
    const clipped = outer && clipRing(outer, b);
    if (!clipped) continue;
    const clippedHoles = holes.map((h) => clipRing(h, b)).filter((h): h is Position[] => h !== undefined);
    out.push([clipped, ...clippedHoles]);
  }
  return out;
}

/** Borders between two countries; a country's edge against the sea is the coastline, not a border. */
function borders(file: string): Position[][] {
  const topo = topology(file);
  const countries = topo.objects.countries as GeometryCollection | undefined;
  if (!countries) throw new Error(`world-atlas/${file} has no "countries" object`);
  return mesh(topo, countries, (a, b) => a !== b).coordinates as Position[][];
}

function polygonsFeature(polygons: Position[][][], properties: GeoJsonProperties, decimals: number): Feature {
  const coordinates: Position[][][] = [];
  for (const polygon of polygons) {
    const [outer, ...holes] = polygon.map((r) => roundLine(r, decimals));
    // Rounding can collapse a small island to a line; its holes go with it.
    if (outer && outer.length >= 4) coordinates.push([outer, ...holes.filter((h) => h.length >= 4)]);
  }
  return { type: 'Feature', properties, geometry: { type: 'MultiPolygon', coordinates } };
}

function linesFeature(lines: Position[][], properties: GeoJsonProperties, decimals: number): Feature {
  const coordinates = lines.map((l) => roundLine(l, decimals)).filter((l) => l.length >= 2);
  return { type: 'Feature', properties, geometry: { type: 'MultiLineString', coordinates } };
}
