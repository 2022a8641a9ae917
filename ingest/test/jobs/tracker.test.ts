// The job tracker without a network: which fixes move a dispatched job en route and on site,
// and which do not (parked or moving inside the depot, too early for the window, after it,
// another organisation's device id, no fix, a job already on site, a planned job).
import type { TelemetryRecord } from '@fleet/shared';
import type { PlaceShape } from '@fleet/shared/geo';
import { describe, expect, it } from 'vitest';
import { JobTracker, type TrackedJob } from '../../src/jobs/tracker.ts';

const circle = (lat: number, lon: number, radiusM: number): PlaceShape => {
  const d = radiusM / 111_000;
  return {
    kind: 'circle',
    center: { lat, lon },
    radiusM,
    bbox: { minLat: lat - d, maxLat: lat + d, minLon: lon - 2 * d, maxLon: lon + 2 * d },
  };
};
const DEPOT = circle(60.2, 24.9, 200);
const SITE = circle(60.21, 24.9, 150);
const T0 = Date.UTC(2026, 11, 3, 6);
const HOUR = 3_600_000;

function job(extra: Partial<TrackedJob> = {}): TrackedJob {
  return {
    id: 'job-1',
    orgId: 'org-a',
    number: 7,
    title: 'Shoot',
    state: 'dispatched',
    startsAt: T0 + HOUR,
    endsAt: T0 + 10 * HOUR,
    placeId: 'site-1',
    site: SITE,
    vehicles: [{ assetId: 'van-1', deviceIds: ['dev-1'], depot: DEPOT }],
    ...extra,
  };
}
function fix(lat: number | undefined, speedKmh: number, ts = T0, extra: Partial<TelemetryRecord> = {}) {
  return {
    tenant: 'org-a',
    deviceId: 'dev-1',
    seq: 1,
    ts,
    receivedAt: ts,
    lat,
    lon: lat === undefined ? undefined : 24.9,
    speedKmh,
    ...extra,
  } as TelemetryRecord;
}

describe('the job tracker', () => {
  it('moves a dispatched job en route once its van is out of the depot and moving, then on site inside the place', () => {
    const tracker = new JobTracker();
    tracker.load('org-a', [job()]);
    expect(tracker.observe([fix(60.2, 0), fix(60.2005, 25)])).toEqual([]);
    const out = tracker.observe([fix(60.203, 40, T0 + 60_000)]);
    expect(out.map((m) => [m.from, m.to, m.assetId, m.at])).toEqual([
      ['dispatched', 'en_route', 'van-1', T0 + 60_000],
    ]);
    expect(tracker.observe([fix(60.206, 40)])).toEqual([]);
    const arrived = tracker.observe([fix(60.2101, 3, T0 + 600_000)]);
    expect(arrived.map((m) => [m.from, m.to])).toEqual([['en_route', 'on_site']]);
    expect(tracker.observe([fix(60.2101, 0)])).toEqual([]);
  });

  it('goes straight to on site when the first fix after dispatch is at the place, and needs no depot to go en route', () => {
    const tracker = new JobTracker();
    tracker.load('org-a', [
      job({ id: 'a' }),
      job({ id: 'b', vehicles: [{ assetId: 'van-1', deviceIds: ['dev-1'], depot: null }] }),
    ]);
    const moves = tracker.observe([fix(60.203, 0), fix(60.203, 30)]);
    // Without a depot, moving at all is leaving; with one, the fix is outside it and moving.
    expect(moves.map((m) => [m.job.id, m.to])).toEqual([
      ['a', 'en_route'],
      ['b', 'en_route'],
    ]);
    const other = new JobTracker();
    other.load('org-a', [job()]);
    expect(other.observe([fix(60.21, 0)]).map((m) => m.to)).toEqual(['on_site']);
  });

  it('ignores fixes too early for the window, after it, without a position, or from another organisation', () => {
    const tracker = new JobTracker({ leadMs: HOUR });
    tracker.load('org-a', [job({ startsAt: T0 + 3 * HOUR })]);
    expect(tracker.observe([fix(60.203, 40, T0)])).toEqual([]);
    expect(tracker.observe([fix(60.203, 40, T0 + 11 * HOUR)])).toEqual([]);
    expect(tracker.observe([fix(undefined, 40, T0 + 2.5 * HOUR)])).toEqual([]);
    expect(tracker.observe([fix(60.203, 40, T0 + 2.5 * HOUR, { tenant: 'org-b' })])).toEqual([]);
    expect(tracker.observe([fix(60.203, 40, T0 + 2.5 * HOUR)]).map((m) => m.to)).toEqual(['en_route']);
  });

  it('never moves a planned or finished job, and forgets an organisation', () => {
    const tracker = new JobTracker();
    tracker.load('org-a', [job({ state: 'planned' }), job({ id: 'done', state: 'on_site' })]);
    expect(tracker.observe([fix(60.203, 40), fix(60.21, 0)])).toEqual([]);
    tracker.load('org-a', [job()]);
    expect(tracker.size).toBe(1);
    tracker.forget('org-a');
    expect(tracker.size).toBe(0);
    expect(tracker.observe([fix(60.203, 40)])).toEqual([]);
  });

  it('estimates an en-route job’s arrival from the distance left and the vehicle’s recent speed', () => {
    const tracker = new JobTracker();
    tracker.load('org-a', [job({ state: 'en_route' })]);
    // 0.9 km south of the site, x 1.3 by road, at 60 km/h: 1.17 km in about 70 s.
    tracker.observe([fix(60.2019, 60, T0)]);
    const [eta] = tracker.etas();
    expect(eta?.distanceKm).toBeGreaterThan(1.1);
    expect(eta?.distanceKm).toBeLessThan(1.25);
    expect(((eta?.etaAt ?? 0) - T0) / 1000).toBeGreaterThan(60);
    expect(((eta?.etaAt ?? 0) - T0) / 1000).toBeLessThan(80);
    // Asked again at once: nothing moved by a minute, nothing new.
    tracker.observe([fix(60.202, 60, T0 + 1000)]);
    expect(tracker.etas()).toEqual([]);
    // Half a minute on, a new one, whatever it says.
    tracker.observe([fix(60.2025, 60, T0 + 31_000)]);
    expect(tracker.etas()).toHaveLength(1);
    // Dispatched (not yet en route) jobs have none.
    const other = new JobTracker();
    other.load('org-a', [job({ state: 'dispatched', startsAt: T0 + 10 * HOUR })]);
    other.observe([fix(60.2, 0, T0)]);
    expect(other.etas()).toEqual([]);
  });
});
