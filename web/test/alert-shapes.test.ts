// What an alert's map draws (lib/map/alert-shapes.ts): the alerts with a position as points in
// their severity, the place (a circle as a closed ring around its centre, a polygon as it is),
// the track as a line once it has two points, and the bounds that hold all of it.
import { describe, expect, it } from 'vitest';
import { placePolygon, sceneBounds, sceneData } from '../src/lib/map/alert-shapes.ts';
import { distanceM } from '../src/lib/map/place-shapes.ts';

const mark = { id: 'a', lat: 60.17, lon: 24.94, severity: 'critical' as const, title: 'Speeding' };

describe('an alert’s scene', () => {
  it('draws the alert, its place and its track', () => {
    const data = sceneData({
      marks: [mark, { ...mark, id: 'b', lat: null }],
      place: {
        name: 'Depot',
        geometry: { type: 'circle', center: { lat: 60.17, lon: 24.95 }, radiusM: 100 },
      },
      track: [
        { lon: 24.93, lat: 60.16 },
        { lon: 24.94, lat: 60.17 },
      ],
    });
    expect(data.marks.features).toEqual([
      {
        type: 'Feature',
        id: 0,
        properties: { id: 'a', severity: 'critical', title: 'Speeding' },
        geometry: { type: 'Point', coordinates: [24.94, 60.17] },
      },
    ]);
    const ring = data.place.features[0]?.geometry.coordinates[0] ?? [];
    expect(ring.length).toBe(65);
    expect(ring[0]).toEqual(ring[64]);
    for (const p of ring) expect(distanceM([24.95, 60.17], p as [number, number])).toBeCloseTo(100, 0);
    expect(data.track.features[0]?.geometry.coordinates).toEqual([
      [24.93, 60.16],
      [24.94, 60.17],
    ]);
    const [west, south, east, north] = sceneBounds(data) ?? [];
    expect(west).toBe(24.93);
    expect(south).toBe(60.16);
    expect(east).toBeGreaterThan(24.95);
    expect(north).toBeGreaterThan(60.17);
  });

  it('draws no line from one point, and has no bounds with nothing to show', () => {
    const data = sceneData({ marks: [{ ...mark, lon: null }], track: [{ lon: 1, lat: 2 }] });
    expect(data.track.features).toEqual([]);
    expect(sceneBounds(data)).toBeUndefined();
    const polygon = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ] as [number, number][][],
    };
    expect(placePolygon(polygon)).toBe(polygon.coordinates);
  });
});
