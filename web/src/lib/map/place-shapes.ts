// A place's geometry between the API and the drawing on the map. The API keeps a circle as a
// centre and a radius and tests it exactly by distance; Terra Draw draws it as a polygon of
// points at that great-circle distance (its circle mode with the 'globe' projection). The
// centre comes back exactly from the drawing: points of a circle on the sphere lie in one plane
// square to the axis through its centre, so their mean as 3-D unit vectors points at the
// centre. Pure: tested in Node (web/test/place-shapes.test.ts).
import type { CircleGeometry, PlaceGeometry, PolygonGeometry, Position } from '../api/management.ts';

/** IUGG mean Earth radius, as the API's haversine and Terra Draw's circle use. */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Points of a drawn circle; Terra Draw's own default. */
export const CIRCLE_STEPS = 64;

/** Terra Draw's default precision: more decimals than this are refused by its validation. */
const DECIMALS = 9;
const round = (n: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
};

/** Great-circle distance in metres (haversine). */
export function distanceM(a: Position, b: Position): number {
  const dLat = (b[1] - a[1]) * RAD;
  const dLon = (b[0] - a[0]) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point `distance` metres from `from` on `bearingDeg` (clockwise from north). */
export function destination(from: Position, distance: number, bearingDeg: number): Position {
  const d = distance / EARTH_RADIUS_M;
  const lat1 = from[1] * RAD;
  const lon1 = from[0] * RAD;
  const b = bearingDeg * RAD;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 =
    lon1 +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return [lon2 / RAD, lat2 / RAD];
}

/** A closed ring of `steps` points around a circle, counter-clockwise as GeoJSON wants. */
export function circleRing(circle: CircleGeometry, steps = CIRCLE_STEPS): Position[] {
  const centre: Position = [circle.center.lon, circle.center.lat];
  const ring: Position[] = [];
  for (let i = 0; i < steps; i++) {
    const [lon, lat] = destination(centre, circle.radiusM, (-360 * i) / steps);
    ring.push([round(lon, DECIMALS), round(lat, DECIMALS)]);
  }
  ring.push(ring[0] as Position);
  return ring;
}

/** Centre and radius of a ring drawn as a circle (closing point or not). */
export function circleFromRing(ring: readonly Position[]): CircleGeometry {
  const first = ring[0];
  if (first === undefined) throw new Error('an empty ring is no circle');
  const last = ring[ring.length - 1] as Position;
  const points = ring.length > 1 && last[0] === first[0] && last[1] === first[1] ? ring.slice(0, -1) : ring;
  let x = 0;
  let y = 0;
  let z = 0;
  for (const [lon, lat] of points) {
    x += Math.cos(lat * RAD) * Math.cos(lon * RAD);
    y += Math.cos(lat * RAD) * Math.sin(lon * RAD);
    z += Math.sin(lat * RAD);
  }
  const centre: Position = [Math.atan2(y, x) / RAD, Math.atan2(z, Math.hypot(x, y)) / RAD];
  const radii = points.map((p) => distanceM(centre, p));
  const radiusM = radii.reduce((a, b) => a + b, 0) / radii.length;
  // About a centimetre and a decimetre: what a drawing on a screen can mean.
  return {
    type: 'circle',
    center: { lat: round(centre[1], 7), lon: round(centre[0], 7) },
    radiusM: round(radiusM, 1),
  };
}

/** What Terra Draw holds: a polygon feature drawn in one of its modes. */
export interface DrawnFeature {
  id?: string | number;
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: Position[][] };
  properties: { mode: 'circle' | 'polygon'; [key: string]: unknown };
}

/** A place's geometry as a feature Terra Draw can edit. */
export function drawnFeature(geometry: PlaceGeometry): DrawnFeature {
  if (geometry.type === 'circle')
    return {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [circleRing(geometry)] },
      properties: { mode: 'circle', radiusKilometers: geometry.radiusM / 1000 },
    };
  return {
    type: 'Feature',
    // A place posted through the API may carry more decimals than Terra Draw accepts.
    geometry: {
      type: 'Polygon',
      coordinates: geometry.coordinates.map((r) =>
        r.map(([lon, lat]) => [round(lon, DECIMALS), round(lat, DECIMALS)]),
      ),
    },
    properties: { mode: 'polygon' },
  };
}

/** The API's geometry of a drawn feature: a circle by centre and radius, a polygon as drawn. */
export function placeGeometry(feature: DrawnFeature): PlaceGeometry {
  const ring = feature.geometry.coordinates[0] ?? [];
  if (feature.properties.mode === 'circle') return circleFromRing(ring);
  const polygon: PolygonGeometry = {
    type: 'Polygon',
    coordinates: [ring.map(([lon, lat]) => [round(lon, DECIMALS), round(lat, DECIMALS)])],
  };
  return polygon;
}

/** [west, south, east, north] of a geometry, to fit the map to it. */
export function geometryBounds(geometry: PlaceGeometry): [number, number, number, number] {
  const ring = geometry.type === 'circle' ? circleRing(geometry, 16) : (geometry.coordinates[0] ?? []);
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const [lon, lat] of ring) {
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  }
  return [west, south, east, north];
}

/** "1.2 ha", "350 m²", "4.1 km²": an area as people read it. */
export function formatArea(m2: number): string {
  if (m2 < 10_000) return `${Math.round(m2)} m²`;
  if (m2 < 1_000_000) return `${(m2 / 10_000).toFixed(1)} ha`;
  return `${(m2 / 1_000_000).toFixed(1)} km²`;
}
