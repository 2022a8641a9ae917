// The geometry of a place: a circle (centre and radius, tested exactly by distance) or a
// polygon (one GeoJSON outer ring), checked before it is stored and tested against positions
// by the rules. Pure: no database, no network.
//
// What a fleet manager draws or imports is checked the way JTS/GEOS calls a polygon valid,
// with limits a geofence needs (docs/decisions.md, Places). The self-intersection search is
// geojson-polygon-self-intersections (an R-tree of the edges, as @turf/boolean-valid uses it),
// stopped at the first crossing: a random scribble of 10,000 positions has about 12 million,
// which a search that collects them all (@turf/kinks) would hold in memory. Everything else
// here is arithmetic on the ring.

import {
  type BBox,
  EARTH_RADIUS_M,
  haversineM,
  type LatLon,
  type LonLat,
  METRES_PER_DEGREE,
  type PlaceShape,
} from '@fleet/shared/geo';
import findSelfIntersections from 'geojson-polygon-self-intersections';
import { z } from 'zod';

export { inBBox, pointInPlace } from '@fleet/shared/geo';
export type { BBox, LatLon, LonLat, PlaceShape };
export { EARTH_RADIUS_M, haversineM };

export const GEOMETRY_LIMITS = {
  minRadiusM: 10,
  maxRadiusM: 50_000,
  /** A closed triangle: three corners and the first again. */
  minPositions: 4,
  maxPositions: 10_000,
  /** Widest a polygon may be, north-south or east-west; bigger is a region, not a place. */
  maxExtentM: 500_000,
  /** Less than this is no area at all: positions on one line, or a drawing slip. */
  minAreaM2: 1,
} as const;

const RAD = Math.PI / 180;

/** Where a problem is (relative to the geometry checked) and what is wrong, in words. */
export interface GeometryProblem {
  path: (string | number)[];
  message: string;
}

export type GeometryCheck = { ok: true; shape: PlaceShape } | { ok: false; problems: GeometryProblem[] };

const fixed = (n: number) => String(Math.round(n * 100_000) / 100_000);
/** A position for people: latitude first, to about a metre. */
export const describePosition = (lon: number, lat: number) => `${fixed(lat)}, ${fixed(lon)}`;

// ---------------------------------------------------------------------------------------------
// Structure (zod): types, ranges, counts. The API's body schemas use these, so a wrong type is
// named by its path before any geometry is computed.

export const latitude = z
  .number({ error: 'a latitude is a number' })
  .min(-90, 'a latitude is -90..90')
  .max(90, 'a latitude is -90..90');
export const longitude = z
  .number({ error: 'a longitude is a number' })
  .min(-180, 'a longitude is -180..180')
  .max(180, 'a longitude is -180..180');

/** [longitude, latitude] with an optional altitude, which is dropped. */
export const positionSchema = z.tuple(
  [
    longitude,
    z
      .number({ error: 'a latitude is a number' })
      .min(-90, 'a latitude is -90..90 (GeoJSON positions are [longitude, latitude])')
      .max(90, 'a latitude is -90..90 (GeoJSON positions are [longitude, latitude])'),
    z.number().optional(),
  ],
  { error: 'a position is [longitude, latitude] (an altitude after them is ignored)' },
);

export const ringSchema = z
  .array(positionSchema, { error: 'a ring is an array of positions' })
  .min(GEOMETRY_LIMITS.minPositions, 'a polygon needs at least 4 positions (a closed triangle)')
  .max(
    GEOMETRY_LIMITS.maxPositions,
    `a polygon has at most ${GEOMETRY_LIMITS.maxPositions.toLocaleString('en')} positions; simplify it`,
  );

const bboxMember = z
  .array(z.number())
  .min(4)
  .max(6)
  .optional()
  .meta({ description: 'ignored: the server computes the box' });

export const radiusSchema = z
  .number({ error: 'the radius is a number of metres' })
  .min(GEOMETRY_LIMITS.minRadiusM, `a radius is at least ${GEOMETRY_LIMITS.minRadiusM} m`)
  .max(GEOMETRY_LIMITS.maxRadiusM, `a radius is at most ${GEOMETRY_LIMITS.maxRadiusM / 1000} km`)
  .meta({ description: 'metres, 10..50000' });

export const circleGeometrySchema = z
  .strictObject({
    type: z.literal('circle'),
    center: z.strictObject({ lat: latitude, lon: longitude }),
    radiusM: radiusSchema,
  })
  .meta({ id: 'CircleGeometry', description: 'A circle: centre and radius in metres' });

export const polygonGeometrySchema = z
  .strictObject({
    type: z.literal('Polygon'),
    coordinates: z
      .array(ringSchema, { error: 'coordinates is an array of rings' })
      .min(1, 'a polygon needs its outer ring')
      .max(1, 'holes (inner rings) are not supported: one outer ring per place'),
    bbox: bboxMember,
  })
  .meta({
    id: 'PolygonGeometry',
    description:
      'A GeoJSON Polygon (RFC 7946) with one closed outer ring of [longitude, latitude] positions; either winding is accepted and stored counter-clockwise',
  });

export const pointGeometrySchema = z
  .strictObject({ type: z.literal('Point'), coordinates: positionSchema, bbox: bboxMember })
  .meta({ id: 'PointGeometry', description: "A GeoJSON Point: a circle's centre" });

const geometryKinds = 'geometry.type is "circle" or "Polygon"';

/** The geometry of a place in the API's own JSON: checked and turned into a PlaceShape. */
export const placeGeometrySchema = z
  .discriminatedUnion('type', [circleGeometrySchema, polygonGeometrySchema], { error: geometryKinds })
  .transform((geometry, ctx) => {
    const checked = checkStructuredGeometry(geometry);
    if (checked.ok) return checked.shape;
    for (const p of checked.problems) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    return z.NEVER;
  });

export type CircleGeometry = z.output<typeof circleGeometrySchema>;
export type PolygonGeometry = z.output<typeof polygonGeometrySchema>;

function checkStructuredGeometry(geometry: CircleGeometry | PolygonGeometry): GeometryCheck {
  if (geometry.type === 'circle') return checkCircle(geometry.center, geometry.radiusM);
  const checked = checkRing(geometry.coordinates[0] ?? []);
  return checked.ok ? checked : { ok: false, problems: prefix(['coordinates', 0], checked.problems) };
}

export function prefix(path: (string | number)[], problems: GeometryProblem[]): GeometryProblem[] {
  return problems.map((p) => ({ path: [...path, ...p.path], message: p.message }));
}

/**
 * Any JSON as a place geometry (the API's circle or a GeoJSON Polygon): the shape, or every
 * problem with its path. Never throws, whatever the input.
 */
export function parsePlaceGeometry(input: unknown): GeometryCheck {
  const parsed = placeGeometrySchema.safeParse(input);
  if (parsed.success) return { ok: true, shape: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => ({
      path: i.path.map((k) => (typeof k === 'number' ? k : String(k))),
      message: i.message,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Meaning: what a valid structure can still get wrong.

/**
 * A circle on the sphere. Its box is exact (the widest longitude is at asin(sin(d)/cos(lat))),
 * and a circle over a pole or across the antimeridian is refused: its box would not be one box.
 */
export function checkCircle(center: LatLon, radiusM: number): GeometryCheck {
  const problems: GeometryProblem[] = [];
  if (!(radiusM >= GEOMETRY_LIMITS.minRadiusM && radiusM <= GEOMETRY_LIMITS.maxRadiusM))
    problems.push({ path: ['radiusM'], message: 'a radius is 10 m..50 km' });
  if (!(Math.abs(center.lat) <= 90 && Math.abs(center.lon) <= 180))
    problems.push({ path: ['center'], message: 'the centre is outside -90..90, -180..180' });
  if (problems.length > 0) return { ok: false, problems };
  const d = radiusM / EARTH_RADIUS_M;
  const dLat = d / RAD;
  if (center.lat + dLat >= 90 || center.lat - dLat <= -90)
    return { ok: false, problems: [{ path: ['center'], message: 'the circle reaches a pole' }] };
  const dLon = Math.asin(Math.min(1, Math.sin(d) / Math.cos(center.lat * RAD))) / RAD;
  if (center.lon - dLon < -180 || center.lon + dLon > 180)
    return {
      ok: false,
      problems: [
        {
          path: ['center'],
          message:
            'the circle crosses the antimeridian (longitude ±180): move its centre or split it into two places, one on each side',
        },
      ],
    };
  return {
    ok: true,
    shape: {
      kind: 'circle',
      center: { lat: center.lat, lon: center.lon },
      radiusM,
      bbox: {
        minLat: center.lat - dLat,
        maxLat: center.lat + dLat,
        minLon: center.lon - dLon,
        maxLon: center.lon + dLon,
      },
    },
  };
}

class FoundCrossing extends Error {
  readonly edges: [number, number];
  readonly at: LonLat;
  /** A corner on another edge, rather than two edges crossing. */
  readonly touching: boolean;
  constructor(edges: [number, number], at: LonLat, touching: boolean) {
    super('crossing');
    this.edges = edges;
    this.at = at;
    this.touching = touching;
  }
}

/**
 * The outer ring of a polygon, positions already of the right types and ranges (ringSchema);
 * problem paths are position indexes of the ring as given. Consecutive repeated positions are
 * dropped (JTS allows them; drawing tools make them); every other fault is refused.
 */
export function checkRing(input: readonly (readonly (number | undefined)[])[]): GeometryCheck {
  const fail = (index: number | undefined, message: string): GeometryCheck => ({
    ok: false,
    problems: [{ path: index === undefined ? [] : [index], message }],
  });
  if (input.length < GEOMETRY_LIMITS.minPositions)
    return fail(undefined, 'a polygon needs at least 4 positions (a closed triangle)');
  if (input.length > GEOMETRY_LIMITS.maxPositions)
    return fail(undefined, `a polygon has at most ${GEOMETRY_LIMITS.maxPositions} positions; simplify it`);
  for (let i = 0; i < input.length; i++) {
    const p = input[i] as readonly (number | undefined)[];
    const lon = p[0];
    const lat = p[1];
    if (typeof lon !== 'number' || typeof lat !== 'number' || !(Math.abs(lon) <= 180 && Math.abs(lat) <= 90))
      return fail(i, 'a position is [longitude -180..180, latitude -90..90]');
  }
  const first = input[0] as readonly number[];
  const last = input[input.length - 1] as readonly number[];
  if (first[0] !== last[0] || first[1] !== last[1])
    return fail(
      input.length - 1,
      `the ring is not closed: its last position must repeat the first (${describePosition(first[0] as number, first[1] as number)})`,
    );

  // 2-D, without repeated neighbours; `from` maps each kept position to its index as given.
  const ring: LonLat[] = [];
  const from: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const p = input[i] as readonly number[];
    const prev = ring[ring.length - 1];
    if (prev && prev[0] === p[0] && prev[1] === p[1]) continue;
    ring.push([p[0] as number, p[1] as number]);
    from.push(i);
  }
  if (ring.length < GEOMETRY_LIMITS.minPositions)
    return fail(
      undefined,
      `without its repeated positions the ring has ${ring.length}; a polygon needs at least 4 positions (a closed triangle)`,
    );

  for (let i = 1; i < ring.length; i++) {
    const a = ring[i - 1] as LonLat;
    const b = ring[i] as LonLat;
    if (Math.abs(b[0] - a[0]) > 180)
      return fail(
        from[i],
        `the ring crosses the antimeridian (longitude ±180) between positions ${from[i - 1]} and ${from[i]}: split the place into two, one on each side`,
      );
  }

  const bbox = ringBBox(ring);
  const northSouthM = (bbox.maxLat - bbox.minLat) * METRES_PER_DEGREE;
  // East-west at the latitude nearest the equator, where the box is widest.
  const widestLat = Math.min(Math.max(0, bbox.minLat), bbox.maxLat);
  const eastWestM = (bbox.maxLon - bbox.minLon) * METRES_PER_DEGREE * Math.cos(widestLat * RAD);
  const extentM = Math.max(northSouthM, eastWestM);
  if (extentM > GEOMETRY_LIMITS.maxExtentM)
    return fail(
      undefined,
      `the polygon is ${Math.round(extentM / 1000)} km across (${northSouthM >= eastWestM ? 'north-south' : 'east-west'}); a place is at most ${GEOMETRY_LIMITS.maxExtentM / 1000} km across`,
    );

  // Touching itself at a corner: a repeated position that is not a neighbour (nor the closing one).
  const seen = new Map<string, number>();
  for (let i = 0; i < ring.length - 1; i++) {
    const p = ring[i] as LonLat;
    const key = `${p[0]},${p[1]}`;
    const earlier = seen.get(key);
    if (earlier !== undefined)
      return fail(
        from[i],
        `position ${from[i]} repeats position ${from[earlier]}: the ring touches itself at ${describePosition(p[0], p[1])}`,
      );
    seen.set(key, i);
  }

  const crossing = firstCrossing(ring);
  if (crossing) {
    const [e0, e1] = crossing.edges;
    return fail(
      from[e0],
      `the ring ${crossing.touching ? 'touches itself at' : 'crosses itself near'} ${describePosition(crossing.at[0], crossing.at[1])} (the edge from position ${from[e0]} and the edge from position ${from[e1]})`,
    );
  }

  const signedArea = signedAreaM2(ring);
  if (Math.abs(signedArea) < GEOMETRY_LIMITS.minAreaM2)
    return fail(
      undefined,
      `the ring encloses no area (under ${GEOMETRY_LIMITS.minAreaM2} m²): its positions lie on one line`,
    );
  // RFC 7946 3.1.6: exterior rings are counter-clockwise; parsers must accept either.
  if (signedArea < 0) ring.reverse();
  return { ok: true, shape: { kind: 'polygon', ring, bbox } };
}

function ringBBox(ring: readonly LonLat[]): BBox {
  let minLon = Number.POSITIVE_INFINITY;
  let minLat = Number.POSITIVE_INFINITY;
  let maxLon = Number.NEGATIVE_INFINITY;
  let maxLat = Number.NEGATIVE_INFINITY;
  for (const [lon, lat] of ring) {
    if (lon < minLon) minLon = lon;
    if (lon > maxLon) maxLon = lon;
    if (lat < minLat) minLat = lat;
    if (lat > maxLat) maxLat = lat;
  }
  return { minLon, minLat, maxLon, maxLat };
}

/**
 * How near the end of an edge, as a fraction of it, a meeting counts as a corner on the edge.
 * The search's line intersection multiplies coordinates together, so it is run on positions
 * relative to the ring's first one: at Helsinki's 60, 25 a corner exactly on an edge otherwise
 * came out 1.3e-7 of a 100 m edge away (measured), too far to tell a touch from a miss.
 */
const CORNER_EPSILON = 1e-9;

/**
 * The first pair of edges that cross or where a corner lies on another edge (shared corners of
 * neighbouring edges are not crossings; a repeated corner was refused before this runs).
 */
function firstCrossing(ring: readonly LonLat[]): FoundCrossing | undefined {
  const [ox, oy] = ring[0] as LonLat;
  // Exact for positions within a factor of two of the origin (Sterbenz), so equal stays equal.
  const local = ring.map(([lon, lat]): LonLat => [lon - ox, lat - oy]);
  try {
    findSelfIntersections(
      { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [local] } },
      {
        reportVertexOnEdge: true,
        epsilon: CORNER_EPSILON,
        // Thrown to stop at the first one: the search would otherwise collect them all.
        callbackFunction: ({ isect, edge0, edge1, frac0, frac1 }) => {
          const atCorner = [frac0, frac1].some(
            (f) => Math.abs(f) <= CORNER_EPSILON || Math.abs(f - 1) <= CORNER_EPSILON,
          );
          throw new FoundCrossing(
            [Math.min(edge0, edge1), Math.max(edge0, edge1)],
            [(isect[0] as number) + ox, (isect[1] as number) + oy],
            atCorner,
          );
        },
      },
    );
  } catch (err) {
    if (err instanceof FoundCrossing) return err;
    throw err;
  }
  return undefined;
}

/**
 * Shoelace area in m² on a local equirectangular projection about the ring's first position:
 * within 500 km the error is well under a percent, plenty to tell "no area" and the winding.
 * Positive for counter-clockwise.
 */
export function signedAreaM2(ring: readonly LonLat[]): number {
  const origin = ring[0];
  if (!origin) return 0;
  const kx = METRES_PER_DEGREE * Math.cos(origin[1] * RAD);
  const ky = METRES_PER_DEGREE;
  let twice = 0;
  for (let i = 1; i < ring.length; i++) {
    const a = ring[i - 1] as LonLat;
    const b = ring[i] as LonLat;
    const ax = (a[0] - origin[0]) * kx;
    const ay = (a[1] - origin[1]) * ky;
    const bx = (b[0] - origin[0]) * kx;
    const by = (b[1] - origin[1]) * ky;
    twice += ax * by - bx * ay;
  }
  return twice / 2;
}

/** The area of a checked place, m². */
export function areaM2(shape: PlaceShape): number {
  return shape.kind === 'circle' ? Math.PI * shape.radiusM ** 2 : Math.abs(signedAreaM2(shape.ring));
}

// ---------------------------------------------------------------------------------------------
// Out: the shapes as JSON and GeoJSON.

export function shapeToJson(
  shape: PlaceShape,
): CircleGeometry | { type: 'Polygon'; coordinates: LonLat[][] } {
  return shape.kind === 'circle'
    ? { type: 'circle', center: { ...shape.center }, radiusM: shape.radiusM }
    : { type: 'Polygon', coordinates: [shape.ring] };
}

/** GeoJSON has no circle: a circle is its centre Point, its radius in the Feature's properties. */
export function shapeToGeoJson(
  shape: PlaceShape,
): { type: 'Point'; coordinates: LonLat } | { type: 'Polygon'; coordinates: LonLat[][] } {
  return shape.kind === 'circle'
    ? { type: 'Point', coordinates: [shape.center.lon, shape.center.lat] }
    : { type: 'Polygon', coordinates: [shape.ring] };
}

/** GeoJSON's bbox member: [west, south, east, north]. */
export function bboxArray(box: BBox): [number, number, number, number] {
  return [box.minLon, box.minLat, box.maxLon, box.maxLat];
}
