// The console's pure map logic: marker batching, interpolation, the trail and the playback
// timeline. No browser: these are plain functions and classes.
import type { FleetDevice } from '@fleet/api/contract';
import { VEHICLE_STATUSES } from '@fleet/shared/live';
import { describe, expect, it } from 'vitest';
import { easeOut, headingDelta, interpolatePose, shouldAnimate } from '../src/lib/map/interpolate.ts';
import { MarkerBatch, markerFeature } from '../src/lib/map/markers.ts';
import { bearing, PlaybackClock, PlaybackTrack, type TrackPoint } from '../src/lib/map/playback.ts';
import { applyStatusColors, STATUS_STYLE, statusColorExpression } from '../src/lib/map/status-style.ts';
import { Trail } from '../src/lib/map/trail.ts';

type Position = NonNullable<FleetDevice['position']>;

function position(id: string, over: Partial<Position> = {}): Position {
  return {
    deviceId: id,
    ts: 1_000,
    lat: 60.17,
    lon: 24.94,
    speedKmh: 30,
    headingDeg: 90,
    ignition: true,
    status: 'moving',
    ...over,
  };
}

function device(id: string, over: Partial<FleetDevice> = {}): FleetDevice {
  return {
    deviceId: id,
    name: `van-${id}`,
    kind: 'vehicle',
    disabled: false,
    position: position(id),
    status: 'moving',
    connection: 'online',
    lastSeenAt: 1_000,
    asset: null,
    ...over,
  };
}

describe('status style', () => {
  it('has one colour and label per status, used by the map expression', () => {
    for (const s of VEHICLE_STATUSES) {
      expect(STATUS_STYLE[s].color).toMatch(/^#[0-9a-f]{6}$/);
      expect(statusColorExpression()).toContain(STATUS_STYLE[s].color);
    }
    expect(new Set(VEHICLE_STATUSES.map((s) => STATUS_STYLE[s].color)).size).toBe(VEHICLE_STATUSES.length);
  });

  it('sets them as CSS variables for the stylesheets', () => {
    const set = new Map<string, string>();
    applyStatusColors({ style: { setProperty: (name, value) => void set.set(name, value) } });
    expect(set.get('--status-idle')).toBe(STATUS_STYLE.idle.color);
    expect(set.size).toBe(VEHICLE_STATUSES.length);
  });
});

describe('markers', () => {
  it('draws a device with a position; not one without, nor a disabled one', () => {
    expect(markerFeature(device('a'))?.geometry.coordinates).toEqual([24.94, 60.17]);
    expect(markerFeature(device('a'))?.properties).toMatchObject({
      heading: 90,
      arrow: true,
      status: 'moving',
    });
    expect(markerFeature(device('b', { position: null }))).toBeUndefined();
    expect(markerFeature(device('c', { disabled: true }))).toBeUndefined();
    // No arrow when stopped or without a heading.
    expect(markerFeature(device('d', { status: 'stopped' }))?.properties.arrow).toBe(false);
  });

  it('batches changes into one diff: add the new, update the moved, remove the gone', () => {
    const fleet = new Map([
      ['a', device('a')],
      ['b', device('b', { position: null })],
    ]);
    const batch = new MarkerBatch();
    expect(batch.full(fleet.values()).features.map((f) => f.id)).toEqual(['a']);
    expect(batch.take((id) => fleet.get(id))).toBeUndefined(); // nothing marked

    fleet.set(
      'a',
      device('a', {
        position: position('a', { ts: 2_000, lat: 60.18, lon: 24.95, speedKmh: 0, headingDeg: null }),
      }),
    );
    fleet.set('b', device('b'));
    fleet.set('c', device('c', { disabled: true }));
    for (const id of ['a', 'b', 'a', 'c']) batch.mark(id);
    expect(batch.pending).toBe(3);
    const diff = batch.take((id) => fleet.get(id));
    expect(diff?.add.map((f) => f.id)).toEqual(['b']);
    expect(diff?.update).toHaveLength(1);
    expect(diff?.update[0]?.newGeometry.coordinates).toEqual([24.95, 60.18]);
    expect(diff?.update[0]?.addOrUpdateProperties).toContainEqual({ key: 'arrow', value: false });
    expect(diff?.remove).toEqual([]);
    expect(batch.drawn).toBe(2);

    fleet.delete('b');
    batch.mark('b');
    expect(batch.take((id) => fleet.get(id))).toEqual({ add: [], update: [], remove: ['b'] });
    batch.mark('zzz'); // never drawn, not known: nothing to remove
    expect(batch.take((id) => fleet.get(id))).toEqual({ add: [], update: [], remove: [] });
  });

  it('redraws everything on a full refresh (a resync leaves nothing stale)', () => {
    const batch = new MarkerBatch();
    batch.full([device('a'), device('b')]);
    batch.mark('a');
    const fc = batch.full([device('b')]);
    expect(fc.features.map((f) => f.id)).toEqual(['b']);
    expect(batch.pending).toBe(0);
    expect(batch.drawn).toBe(1);
  });

  it('builds a 10,000-device diff in one pass', () => {
    const fleet = new Map<string, FleetDevice>();
    for (let i = 0; i < 10_000; i++) fleet.set(`d${i}`, device(`d${i}`));
    const batch = new MarkerBatch();
    batch.full(fleet.values());
    for (const id of fleet.keys()) batch.mark(id);
    const diff = batch.take((id) => fleet.get(id));
    expect(diff?.update).toHaveLength(10_000);
    expect(diff?.add).toHaveLength(0);
  });
});

describe('interpolation', () => {
  it('turns the short way round', () => {
    expect(headingDelta(350, 10)).toBe(20);
    expect(headingDelta(10, 350)).toBe(-20);
    expect(headingDelta(0, 180)).toBe(180);
    expect(headingDelta(90, 90)).toBe(0);
  });

  it('eases from a to b and stays within the ends', () => {
    const a = { lon: 24.9, lat: 60.1, heading: 350 };
    const b = { lon: 25.0, lat: 60.2, heading: 10 };
    expect(interpolatePose(a, b, 0)).toEqual(a);
    expect(interpolatePose(a, b, 1)).toEqual({ lon: 25.0, lat: 60.2, heading: 10 });
    expect(interpolatePose(a, b, 2)).toEqual(interpolatePose(a, b, 1));
    const mid = interpolatePose(a, b, 0.5);
    expect(mid.lon).toBeGreaterThan(24.95); // ease-out: past half-way at half time
    expect(mid.heading === 5 || (mid.heading > 0 && mid.heading < 10)).toBe(true);
    expect(easeOut(-1)).toBe(0);
  });

  it('does not drag a marker across the map after a jump', () => {
    const a = { lon: 24.94, lat: 60.17, heading: 0 };
    expect(shouldAnimate(a, { ...a, lat: 60.1701 })).toBe(true); // ~11 m
    expect(shouldAnimate(a, { ...a, lat: 60.3 })).toBe(false); // ~14 km
    expect(shouldAnimate(a, a)).toBe(false);
  });
});

describe('trail', () => {
  it('keeps the last window of fixes, ignores late ones', () => {
    const t = new Trail(60_000);
    expect(t.add({ ts: 0, lon: 1, lat: 1 })).toBe(true);
    expect(t.toLineString().geometry.coordinates).toEqual([]); // one fix is no line
    t.add({ ts: 30_000, lon: 2, lat: 2 });
    expect(t.add({ ts: 10_000, lon: 9, lat: 9 })).toBe(false);
    t.add({ ts: 70_000, lon: 3, lat: 3 });
    expect(t.points.map((p) => p.ts)).toEqual([30_000, 70_000]);
    expect(t.toLineString().geometry.coordinates).toEqual([
      [2, 2],
      [3, 3],
    ]);
    t.reset(
      [
        { ts: 200_000, lon: 5, lat: 5 },
        { ts: 100_000, lon: 4, lat: 4 },
      ],
      200_000,
    );
    expect(t.points.map((p) => p.ts)).toEqual([200_000]);
    expect(() => new Trail(0)).toThrow(/window/);
  });
});

describe('playback', () => {
  const track: TrackPoint[] = [
    { ts: 0, lon: 24.0, lat: 60.0, speedKmh: 0, headingDeg: 0 },
    { ts: 10_000, lon: 24.1, lat: 60.0, speedKmh: 40, headingDeg: 90 },
    { ts: 20_000, lon: 24.1, lat: 60.1, speedKmh: 20, headingDeg: null },
  ];

  it('interpolates between fixes and clamps to the ends', () => {
    const p = new PlaybackTrack(track);
    expect(p.poseAt(-5)).toMatchObject({ ts: 0, lon: 24.0, index: 0 });
    const mid = p.poseAt(5_000);
    expect(mid.lon).toBeCloseTo(24.05, 10);
    expect(mid.speedKmh).toBe(20);
    expect(mid.heading).toBe(45);
    expect(p.poseAt(25_000)).toMatchObject({ ts: 20_000, lat: 60.1, index: 2 });
    expect(p.indexAt(10_000)).toBe(1);
    expect(p.fractionOf(5_000)).toBe(0.25);
    expect(p.timeAt(0.5)).toBe(10_000);
    expect(p.timeAt(7)).toBe(20_000);
  });

  it('takes a missing heading from the bearing to the next fix', () => {
    expect(bearing({ lon: 24, lat: 60 }, { lon: 24, lat: 61 })).toBeCloseTo(0, 6);
    expect(bearing({ lon: 24, lat: 60 }, { lon: 25, lat: 60 })).toBeGreaterThan(89);
    const p = new PlaybackTrack([
      { ts: 0, lon: 24, lat: 60, speedKmh: null, headingDeg: null },
      { ts: 1_000, lon: 24, lat: 60.001, speedKmh: null, headingDeg: null },
    ]);
    expect(p.poseAt(0).heading).toBeCloseTo(0, 6);
  });

  it('refuses an empty or unordered track', () => {
    expect(() => new PlaybackTrack([])).toThrow(/at least one/);
    expect(() => new PlaybackTrack([track[1] as TrackPoint, track[0] as TrackPoint])).toThrow(/order/);
  });

  it('plays at the chosen speed, stops at the end, plays again from the start', () => {
    const clock = new PlaybackClock(new PlaybackTrack(track));
    expect(clock.advance(1_000).ts).toBe(0); // paused
    clock.setSpeed(5);
    clock.play();
    expect(clock.advance(1_000).ts).toBe(5_000);
    clock.seek(0.5);
    expect(clock.t).toBe(10_000);
    expect(clock.advance(10_000).ts).toBe(20_000);
    expect(clock.playing).toBe(false);
    clock.play();
    expect(clock.t).toBe(0);
    expect(() => clock.setSpeed(7)).toThrow(/playback speed/);
  });
});
