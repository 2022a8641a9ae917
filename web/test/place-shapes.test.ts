// A place's shape between the API and Terra Draw: circles drawn as rings come back as the same
// centre and radius, and the rings are circles by the API's own distance and checks.
import { describe, expect, it } from 'vitest';
import { haversineM as apiDistance, checkCircle, checkRing } from '../../api/src/domains/places/geometry.ts';
import type { CircleGeometry, PolygonGeometry } from '../src/lib/api/management.ts';
import {
  circleFromRing,
  circleRing,
  destination,
  distanceM,
  drawnFeature,
  formatArea,
  geometryBounds,
  placeGeometry,
} from '../src/lib/map/place-shapes.ts';

const HELSINKI: CircleGeometry = { type: 'circle', center: { lat: 60.1699, lon: 24.9384 }, radiusM: 250 };

describe('circles', () => {
  it('ring points lie at the radius by the API’s distance, counter-clockwise and closed', () => {
    const ring = circleRing(HELSINKI);
    expect(ring).toHaveLength(65);
    expect(ring[0]).toEqual(ring[64]);
    for (const [lon, lat] of ring)
      expect(apiDistance({ lat: HELSINKI.center.lat, lon: HELSINKI.center.lon }, { lat, lon })).toBeCloseTo(
        250,
        3,
      );
    // The API accepts the ring as a polygon too (GeoJSON order, no crossing).
    expect(checkRing(ring).ok).toBe(true);
  });

  it('come back from their ring with the same centre and radius', () => {
    for (const circle of [
      HELSINKI,
      { type: 'circle', center: { lat: -33.86, lon: 151.21 }, radiusM: 50_000 },
      { type: 'circle', center: { lat: 70.1, lon: -179.99 }, radiusM: 10 },
      { type: 'circle', center: { lat: 0, lon: 0 }, radiusM: 1234.5 },
    ] satisfies CircleGeometry[]) {
      const back = circleFromRing(circleRing(circle));
      expect(back.center.lat).toBeCloseTo(circle.center.lat, 6);
      expect(back.center.lon).toBeCloseTo(circle.center.lon, 6);
      expect(back.radiusM).toBeCloseTo(circle.radiusM, 0);
      expect(checkCircle(back.center, back.radiusM).ok).toBe(true);
    }
  });

  it('read a ring without its closing point the same', () => {
    const ring = circleRing(HELSINKI, 32).slice(0, -1);
    expect(circleFromRing(ring).radiusM).toBeCloseTo(250, 0);
    expect(() => circleFromRing([])).toThrow();
  });

  it('destination and distance agree', () => {
    const to = destination([24.9, 60.2], 1000, 45);
    expect(distanceM([24.9, 60.2], to)).toBeCloseTo(1000, 6);
  });
});

describe('features for Terra Draw', () => {
  const square: PolygonGeometry = {
    type: 'Polygon',
    coordinates: [
      [
        [24.93, 60.16],
        [24.94, 60.16],
        [24.94, 60.17],
        [24.93, 60.17],
        [24.93, 60.16],
      ],
    ],
  };

  it('round-trip a polygon as drawn and a circle by its centre and radius', () => {
    expect(placeGeometry(drawnFeature(square))).toEqual(square);
    const f = drawnFeature(HELSINKI);
    expect(f.properties).toEqual({ mode: 'circle', radiusKilometers: 0.25 });
    const back = placeGeometry(f);
    expect(back.type).toBe('circle');
    if (back.type === 'circle') {
      expect(back.center).toEqual(HELSINKI.center);
      expect(back.radiusM).toBe(250);
    }
  });

  it('keep at most 9 decimals, as Terra Draw validates', () => {
    const noisy = drawnFeature({
      type: 'Polygon',
      coordinates: [square.coordinates[0]?.map(([lon, lat]) => [lon + 1e-12, lat]) ?? []],
    });
    for (const [lon] of noisy.geometry.coordinates[0] ?? [])
      expect(String(lon).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(9);
    const out = placeGeometry(noisy);
    if (out.type !== 'Polygon') throw new Error('expected a polygon');
    for (const [lon] of out.coordinates[0] ?? [])
      expect(String(lon).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(9);
    for (const [lon, lat] of circleRing(HELSINKI)) {
      expect(String(lon).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(9);
      expect(String(lat).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(9);
    }
  });

  it('bound a shape and word an area', () => {
    expect(geometryBounds(square)).toEqual([24.93, 60.16, 24.94, 60.17]);
    const [w, s, e, n] = geometryBounds(HELSINKI);
    expect(w).toBeLessThan(24.9384);
    expect(e).toBeGreaterThan(24.9384);
    expect(s).toBeLessThan(60.1699);
    expect(n).toBeGreaterThan(60.1699);
    expect([formatArea(350), formatArea(12_000), formatArea(4_100_000)]).toEqual([
      '350 m²',
      '1.2 ha',
      '4.1 km²',
    ]);
  });
});
