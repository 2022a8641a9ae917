// Positions and place shapes as the rules test them: is a fix inside a place, did the stretch
// between two fixes cross it, how far apart are two fixes. Pure: no database, no network. The
// API checks a shape before it is stored (api/src/domains/places/geometry.ts); this module only
// tests checked shapes, so the rule engine in the ingest tier and the API share one answer.
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';

export { PLACE_CATEGORIES, type PlaceCategory } from './place-categories.ts';

/** GeoJSON order (RFC 7946): longitude first. */
export type LonLat = [lon: number, lat: number];

export interface LatLon {
  lat: number;
  lon: number;
}

/** The smallest lon/lat box around a place; never across the antimeridian (such places are refused). */
export interface BBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/** A checked place geometry, as it is stored and tested. */
export type PlaceShape =
  | { kind: 'circle'; center: LatLon; radiusM: number; bbox: BBox }
  | {
      kind: 'polygon';
      /** Closed (first = last), counter-clockwise (RFC 7946 3.1.6), no repeated neighbours, 2-D. */
      ring: LonLat[];
      bbox: BBox;
    };

/** IUGG mean Earth radius, the usual sphere for haversine. */
export const EARTH_RADIUS_M = 6_371_008.8;
export const METRES_PER_DEGREE = (Math.PI * EARTH_RADIUS_M) / 180;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine, on the mean sphere). */
export function haversineM(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function inBBox(box: BBox, point: LatLon): boolean {
  return (
    point.lat >= box.minLat && point.lat <= box.maxLat && point.lon >= box.minLon && point.lon <= box.maxLon
  );
}

/**
 * Whether a position is inside a place, its border included: the box first (cheap, and the
 * database's prefilter), then the distance to a circle's centre, or the polygon's ring
 * (point-in-polygon-hao, through @turf/boolean-point-in-polygon: robust on edges and corners).
 */
export function pointInPlace(shape: PlaceShape, point: LatLon): boolean {
  if (!inBBox(shape.bbox, point)) return false;
  if (shape.kind === 'circle') return haversineM(shape.center, point) <= shape.radiusM;
  return booleanPointInPolygon([point.lon, point.lat], { type: 'Polygon', coordinates: [shape.ring] });
}

/** The box around two positions, grown by `marginM` on every side. */
export function segmentBBox(a: LatLon, b: LatLon, marginM = 0): BBox {
  const dLat = marginM / METRES_PER_DEGREE;
  const midLat = Math.min(89, Math.abs((a.lat + b.lat) / 2));
  const dLon = marginM / (METRES_PER_DEGREE * Math.cos(midLat * RAD));
  return {
    minLon: Math.min(a.lon, b.lon) - dLon,
    minLat: Math.min(a.lat, b.lat) - dLat,
    maxLon: Math.max(a.lon, b.lon) + dLon,
    maxLat: Math.max(a.lat, b.lat) + dLat,
  };
}

export function bboxesMeet(a: BBox, b: BBox): boolean {
  return a.minLon <= b.maxLon && a.maxLon >= b.minLon && a.minLat <= b.maxLat && a.maxLat >= b.minLat;
}

/**
 * Whether the straight stretch between two fixes passes through a place (a van that drove
 * through a small site between two reports a minute apart). On a local equirectangular
 * projection about the stretch's start: over the few kilometres between two fixes the error is
 * centimetres. A circle: the stretch's closest approach to the centre; a polygon: an end
 * inside, or the stretch crossing one of the ring's edges.
 */
export function segmentMeetsPlace(shape: PlaceShape, a: LatLon, b: LatLon): boolean {
  if (!bboxesMeet(shape.bbox, segmentBBox(a, b))) return false;
  if (pointInPlace(shape, a) || pointInPlace(shape, b)) return true;
  const kx = METRES_PER_DEGREE * Math.cos(a.lat * RAD);
  const ky = METRES_PER_DEGREE;
  const bx = (b.lon - a.lon) * kx;
  const by = (b.lat - a.lat) * ky;
  if (shape.kind === 'circle') {
    const cx = (shape.center.lon - a.lon) * kx;
    const cy = (shape.center.lat - a.lat) * ky;
    const len2 = bx * bx + by * by;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, (cx * bx + cy * by) / len2));
    return Math.hypot(cx - t * bx, cy - t * by) <= shape.radiusM;
  }
  const ring = shape.ring;
  for (let i = 1; i < ring.length; i++) {
    const p = ring[i - 1] as LonLat;
    const q = ring[i] as LonLat;
    const px = (p[0] - a.lon) * kx;
    const py = (p[1] - a.lat) * ky;
    const qx = (q[0] - a.lon) * kx;
    const qy = (q[1] - a.lat) * ky;
    if (segmentsCross(0, 0, bx, by, px, py, qx, qy)) return true;
  }
  return false;
}

function orientation(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
}

/** Proper or touching intersection of two segments in the plane. */
function segmentsCross(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  const o1 = orientation(ax, ay, bx, by, cx, cy);
  const o2 = orientation(ax, ay, bx, by, dx, dy);
  const o3 = orientation(cx, cy, dx, dy, ax, ay);
  const o4 = orientation(cx, cy, dx, dy, bx, by);
  if (o1 !== o2 && o3 !== o4) return true;
  const onSegment = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) =>
    Math.min(px, qx) <= rx && rx <= Math.max(px, qx) && Math.min(py, qy) <= ry && ry <= Math.max(py, qy);
  return (
    (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) ||
    (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) ||
    (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) ||
    (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by))
  );
}
