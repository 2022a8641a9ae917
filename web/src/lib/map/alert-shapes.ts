// What an alert's map draws, as GeoJSON: the alert's position, the place it is about (a circle
// drawn as a ring, a polygon as it is) and the asset's track around it; the preview draws many
// alerts over one track. Pure: tested in Node (web/test/alert-shapes.test.ts).
import type { Feature, FeatureCollection, LineString, Point, Polygon } from 'geojson';
import type { PlaceGeometry, Position } from '../api/management.ts';
import { circleRing } from './place-shapes.ts';

export interface AlertMark {
  id: string;
  lat: number | null;
  lon: number | null;
  severity: 'info' | 'warning' | 'critical';
  title: string;
}

export interface AlertScene {
  marks: readonly AlertMark[];
  place?: { name: string; geometry: PlaceGeometry } | undefined;
  track?: readonly { lon: number; lat: number }[] | undefined;
}

export interface AlertSceneData {
  marks: FeatureCollection<Point>;
  place: FeatureCollection<Polygon>;
  track: FeatureCollection<LineString>;
}

export function placePolygon(geometry: PlaceGeometry): Position[][] {
  return geometry.type === 'circle' ? [circleRing(geometry)] : geometry.coordinates;
}

export function sceneData(scene: AlertScene): AlertSceneData {
  const marks: Feature<Point>[] = [];
  for (const m of scene.marks) {
    if (m.lat === null || m.lon === null) continue;
    marks.push({
      type: 'Feature',
      id: marks.length,
      properties: { id: m.id, severity: m.severity, title: m.title },
      geometry: { type: 'Point', coordinates: [m.lon, m.lat] },
    });
  }
  const place: Feature<Polygon>[] = scene.place
    ? [
        {
          type: 'Feature',
          properties: { name: scene.place.name },
          geometry: { type: 'Polygon', coordinates: placePolygon(scene.place.geometry) },
        },
      ]
    : [];
  const points = scene.track ?? [];
  const track: Feature<LineString>[] =
    points.length >= 2
      ? [
          {
            type: 'Feature',
            properties: {},
            geometry: { type: 'LineString', coordinates: points.map((p) => [p.lon, p.lat]) },
          },
        ]
      : [];
  return {
    marks: { type: 'FeatureCollection', features: marks },
    place: { type: 'FeatureCollection', features: place },
    track: { type: 'FeatureCollection', features: track },
  };
}

/** [west, south, east, north] around everything in the scene, or undefined when it has nothing to show. */
export function sceneBounds(data: AlertSceneData): [number, number, number, number] | undefined {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  const see = ([lon, lat]: Position | number[]) => {
    if (lon === undefined || lat === undefined) return;
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  };
  for (const f of data.marks.features) see(f.geometry.coordinates);
  for (const f of data.place.features) for (const ring of f.geometry.coordinates) ring.forEach(see);
  for (const f of data.track.features) f.geometry.coordinates.forEach(see);
  return Number.isFinite(west) ? [west, south, east, north] : undefined;
}
