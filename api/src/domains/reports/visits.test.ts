// Geofence visits as arithmetic: stops given to the asset installed at the time and to the
// smallest containing place, per place or per place and asset (end to end in reports.test.ts).
import type { PlaceShape } from '@fleet/shared/geo';
import { describe, expect, it } from 'vitest';
import type { SummaryAsset } from './summary.ts';
import { type StoredStop, type VisitPlace, visitsOf } from './visits.ts';

const circle = (lat: number, lon: number, radiusM: number): PlaceShape => {
  const dLat = radiusM / 111_195;
  const dLon = dLat / Math.cos((lat * Math.PI) / 180);
  return {
    kind: 'circle',
    center: { lat, lon },
    radiusM,
    bbox: { minLat: lat - dLat, maxLat: lat + dLat, minLon: lon - dLon, maxLon: lon + dLon },
  };
};
const site: VisitPlace = {
  id: 'site',
  name: 'Client site',
  category: 'client_site',
  shape: circle(60.2, 24.9, 500),
};
const bay: VisitPlace = { id: 'bay', name: 'Loading bay', category: 'other', shape: circle(60.2, 24.9, 50) };
const depot: VisitPlace = { id: 'depot', name: 'Depot', category: 'depot', shape: circle(60.1, 24.9, 200) };
const asset = (id: string): SummaryAsset => ({
  id,
  kind: 'vehicle',
  name: `Van ${id}`,
  plate: null,
  category: null,
  departmentId: null,
  departmentName: null,
});
const T = Date.parse('2026-11-30T06:00:00Z');
const H = 3_600_000;
const stop = (deviceId: string, at: number, lat: number, durationS: number): StoredStop => ({
  deviceId,
  startedAt: at,
  lat,
  lon: 24.9,
  durationS,
});
const input = {
  assets: [asset('a'), asset('b')],
  // Device d1 on van a until T + 5 h, then on van b; d9 on no van the caller sees.
  windows: [
    { deviceId: 'd1', assetId: 'a', from: T - H, to: T + 5 * H },
    { deviceId: 'd1', assetId: 'b', from: T + 5 * H, to: Number.POSITIVE_INFINITY },
    { deviceId: 'd9', assetId: 'z', from: 0, to: Number.POSITIVE_INFINITY },
  ],
  places: [site, bay, depot],
  stops: [
    stop('d1', T, 60.1, 600), // depot, van a
    stop('d1', T + H, 60.2 + 200 / 111_195, 1800), // the site (outside the bay), van a
    stop('d1', T + 2 * H, 60.2, 900), // the bay inside the site, van a
    stop('d1', T + 6 * H, 60.2 + 300 / 111_195, 3600), // the site, van b
    stop('d1', T + 7 * H, 61, 3600), // nowhere
    stop('d9', T, 60.2, 3600), // no asset of the caller's
  ],
};

describe('visits', () => {
  it('count each stop once, at the smallest place, for the asset installed then; most time first', () => {
    const { rows, totals } = visitsOf({ ...input, by: 'place' });
    expect(rows.map((r) => [r.place.id, r.visits, r.assets, r.totalS, r.averageS, r.longestS])).toEqual([
      ['site', 2, 2, 5400, 2700, 3600],
      ['bay', 1, 1, 900, 900, 900],
      ['depot', 1, 1, 600, 600, 600],
    ]);
    expect(rows[0]?.firstAt).toBe(new Date(T + H).toISOString());
    expect(rows[0]?.lastAt).toBe(new Date(T + 6 * H).toISOString());
    expect(rows[0]?.asset).toBeUndefined();
    expect(totals).toEqual({ visits: 4, totalS: 6900 });
  });

  it('by asset: a row per place and asset; a place filter keeps its own visits only', () => {
    const { rows } = visitsOf({ ...input, by: 'asset' });
    expect(rows.map((r) => [r.place.id, r.asset?.id, r.visits, r.totalS])).toEqual([
      ['site', 'b', 1, 3600],
      ['site', 'a', 1, 1800],
      ['bay', 'a', 1, 900],
      ['depot', 'a', 1, 600],
    ]);
    // The bay's stop is not the site's, even when asking for the site.
    const siteOnly = visitsOf({ ...input, by: 'place', placeId: 'site' });
    expect(siteOnly.rows.map((r) => [r.place.id, r.visits])).toEqual([['site', 2]]);
  });
});
