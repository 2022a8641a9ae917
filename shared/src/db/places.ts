// How a place's shape is stored (migration 0007: GeoJSON, a circle as its centre Point with
// radius_m, and the box in four columns) and read back, for the API's places and the rule engine.
import type { BBox, LonLat, PlaceShape } from '../geo.ts';

export type StoredPlaceGeometry =
  | { type: 'Point'; coordinates: LonLat }
  | { type: 'Polygon'; coordinates: LonLat[][] };

export interface StoredPlaceShape {
  geometry: StoredPlaceGeometry | string;
  radius_m: number | string | null;
  min_lat: number | string;
  min_lon: number | string;
  max_lat: number | string;
  max_lon: number | string;
}

export function placeShapeFromRow(row: StoredPlaceShape): PlaceShape {
  const geometry = (
    typeof row.geometry === 'string' ? JSON.parse(row.geometry) : row.geometry
  ) as StoredPlaceGeometry;
  const bbox: BBox = {
    minLon: Number(row.min_lon),
    minLat: Number(row.min_lat),
    maxLon: Number(row.max_lon),
    maxLat: Number(row.max_lat),
  };
  return geometry.type === 'Point'
    ? {
        kind: 'circle',
        center: { lon: geometry.coordinates[0], lat: geometry.coordinates[1] },
        radiusM: Number(row.radius_m),
        bbox,
      }
    : { kind: 'polygon', ring: geometry.coordinates[0] ?? [], bbox };
}

export function placeShapeToRow(shape: PlaceShape): { geometry: string; radiusM: number | null } {
  return shape.kind === 'circle'
    ? {
        geometry: JSON.stringify({ type: 'Point', coordinates: [shape.center.lon, shape.center.lat] }),
        radiusM: shape.radiusM,
      }
    : { geometry: JSON.stringify({ type: 'Polygon', coordinates: [shape.ring] }), radiusM: null };
}
