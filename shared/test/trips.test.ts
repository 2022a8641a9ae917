import { mulberry32 } from '@fleet/shared/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../test/fuzz.ts';
import { haversineM, METRES_PER_DEGREE } from '../src/geo.ts';
import {
  DEFAULT_TRIP_PARAMETERS,
  detectSegments,
  type Segment,
  type Stop,
  type Trip,
  TripDetector,
  type TripParameters,
  type TripPoint,
  tripParametersSchema,
} from '../src/trips.ts';

/** Monday 2 March 2026, 06:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 6);
const S = 1000;
const HELSINKI = { lat: 60.17, lon: 24.94 };

function offset(from: { lat: number; lon: number }, metres: number, bearingDeg: number) {
  const b = (bearingDeg * Math.PI) / 180;
  return {
    lat: from.lat + (metres * Math.cos(b)) / METRES_PER_DEGREE,
    lon: from.lon + (metres * Math.sin(b)) / (METRES_PER_DEGREE * Math.cos((from.lat * Math.PI) / 180)),
  };
}

/** Deterministic noise for the jitter. */
const rng = mulberry32;

/**
 * A synthetic tracker along a line east from central Helsinki. Each call emits its fixes at the
 * end of each sample interval: park(60) after a drive is 6 fixes standing where the drive ended.
 */
class Track {
  readonly points: TripPoint[] = [];
  ts = T0;
  pos = { ...HELSINKI };
  bearingDeg = 90;
  odometerKm = 12_000;
  reportSpeed: boolean;
  ignition: boolean | undefined;
  card: string | undefined;
  private random = rng(7);

  constructor(o: { reportSpeed?: boolean; ignition?: boolean } = {}) {
    this.reportSpeed = o.reportSpeed ?? true;
    this.ignition = o.ignition;
  }

  get last(): TripPoint {
    const p = this.points.at(-1);
    if (p === undefined) throw new Error('no fix yet');
    return p;
  }

  emit(speedKmh: number, at = this.pos): this {
    const p: TripPoint = { ts: this.ts, lat: at.lat, lon: at.lon, odometerKm: this.odometerKm };
    if (this.reportSpeed) p.speedKmh = speedKmh;
    if (this.ignition !== undefined) p.ignition = this.ignition;
    if (this.card !== undefined) p.driverCardId = this.card;
    this.points.push(p);
    return this;
  }

  start(): this {
    return this.emit(0);
  }

  /** Standing still; jitterM scatters the fixes uniformly over a disc, speedNoise up to that km/h. */
  park(seconds: number, every = 10, o: { jitterM?: number; speedNoise?: number } = {}): this {
    for (let t = every; t <= seconds; t += every) {
      this.ts += every * S;
      const r = (o.jitterM ?? 0) * Math.sqrt(this.random());
      this.emit((o.speedNoise ?? 0) * this.random(), offset(this.pos, r, 360 * this.random()));
    }
    return this;
  }

  drive(seconds: number, kmh: number, every = 10): this {
    for (let t = every; t <= seconds; t += every) {
      this.ts += every * S;
      this.advance((kmh / 3.6) * every);
      this.emit(kmh);
    }
    return this;
  }

  advance(metres: number): this {
    this.pos = offset(this.pos, metres, this.bearingDeg);
    this.odometerKm += metres / 1000;
    return this;
  }

  gap(seconds: number): this {
    this.ts += seconds * S;
    return this;
  }

  /** One fix far off (a GPS jump), the position unchanged. */
  jump(metres = 50_000, every = 10): this {
    this.ts += every * S;
    return this.emit(0, offset(this.pos, metres, 0));
  }
}

function pushAll(d: TripDetector, points: readonly TripPoint[]): Segment[] {
  return points.flatMap((p) => d.push(p));
}

describe('tripParametersSchema', () => {
  it('fills in the defaults, which are Traccar-like', () => {
    expect(tripParametersSchema.parse({})).toEqual(DEFAULT_TRIP_PARAMETERS);
    expect(DEFAULT_TRIP_PARAMETERS).toEqual({
      minMoveM: 200,
      stopRadiusM: 200,
      stopMinS: 180,
      gapSplitS: 3600,
      useIgnition: true,
      idleSpeedKmh: 2,
      maxPlausibleSpeedKmh: 300,
    });
    expect(tripParametersSchema.parse({ stopMinS: 300, useIgnition: false })).toMatchObject({
      stopMinS: 300,
      useIgnition: false,
      minMoveM: 200,
    });
  });

  it.each([
    [{ minMoveM: -1 }, 'minMoveM'],
    [{ stopRadiusM: -5 }, 'stopRadiusM'],
    [{ idleSpeedKmh: -0.1 }, 'idleSpeedKmh'],
    [{ stopRadiusM: Number.NaN }, 'stopRadiusM'],
    [{ maxPlausibleSpeedKmh: Number.NaN }, 'maxPlausibleSpeedKmh'],
    [{ gapSplitS: Number.POSITIVE_INFINITY }, 'gapSplitS'],
    [{ stopMinS: 0 }, 'stopMinS'],
    [{ stopMinS: 1.5 }, 'stopMinS'],
    [{ useIgnition: 'yes' }, 'useIgnition'],
    [{ stopMinS: 600, gapSplitS: 300 }, 'gapSplitS'],
    [{ minMoveMetres: 100 }, 'minMoveMetres'],
  ])('refuses %o, naming %s', (input, field) => {
    const result = tripParametersSchema.safeParse(input);
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.message).toContain(field);
    expect([...(issue?.path ?? []), ...(issue?.code === 'unrecognized_keys' ? issue.keys : [])]).toContain(
      field,
    );
  });

  it('the detector refuses bad parameters', () => {
    expect(() => new TripDetector({ stopMinS: 0 })).toThrow(/stopMinS/);
  });
});

describe('a parked, driven, parked day', () => {
  const track = new Track().start().park(1800).drive(1800, 60).park(1800);
  const departed = T0 + 1800 * S; // the last fix standing at home
  const arrived = T0 + 3610 * S; // the first fix standing at the destination

  it('makes one trip between two stops, tiled in time', () => {
    const { closed, open } = detectSegments(track.points);
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip']);
    const [home, trip] = closed as [Stop, Trip];
    expect(home).toMatchObject({ startTs: T0, endTs: departed, durationS: 1800, points: 181 });
    expect(home.lat).toBeCloseTo(HELSINKI.lat, 9);
    expect(trip.startTs).toBe(departed);
    expect(trip.endTs).toBe(arrived);
    expect(trip.durationS).toBe(1810);
    expect(trip.start.lat).toBeCloseTo(HELSINKI.lat, 9);
    expect(trip.start.lon).toBeCloseTo(HELSINKI.lon, 9);
    expect(haversineM(trip.end, track.pos)).toBeLessThan(1);
    const drawn = (60 / 3.6) * 1800;
    expect(Math.abs(trip.distanceM - drawn) / drawn).toBeLessThan(0.01);
    expect(trip.maxSpeedKmh).toBe(60);
    expect(Math.abs(trip.avgSpeedKmh - 60) / 60).toBeLessThan(0.01);
    expect(trip.idleS).toBe(0);
    expect(trip.jumps).toBe(0);
    expect(trip.points).toBe(182);
    expect(trip.odometerStartKm).toBeCloseTo(12_000, 6);
    expect(trip.odometerEndKm).toBeCloseTo(12_030, 6);
    expect(open).toMatchObject({ kind: 'stop', startTs: arrived, endTs: track.last.ts, durationS: 1790 });
  });

  it('finds it from positions alone for a tracker that reports no speed', () => {
    const t = new Track({ reportSpeed: false }).start().park(1800).drive(1800, 60).park(1800);
    const { closed, open } = detectSegments(t.points);
    const [, trip] = closed as [Stop, Trip];
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip']);
    // Without speed the ends are only known to the radius: the last fix within minMoveM of
    // home, the first fix of the last stay within stopRadiusM.
    expect(Math.abs(trip.startTs - departed)).toBeLessThanOrEqual(10 * S);
    expect(Math.abs(trip.endTs - arrived)).toBeLessThanOrEqual(20 * S);
    expect(trip.distanceM).toBeGreaterThan(30_000 - 2 * 200);
    expect(trip.distanceM).toBeLessThanOrEqual(30_000 + 1);
    expect(trip.maxSpeedKmh).toBeCloseTo(60, 3);
    expect(open?.kind).toBe('stop');
  });

  it('starts the trip at the first fix when the device is first seen driving', () => {
    const t = new Track().drive(600, 50).park(600);
    const { closed } = detectSegments(t.points);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ kind: 'trip', startTs: T0 + 10 * S, endTs: T0 + 610 * S });
  });

  it('carries the odometer and the last non-empty driver card', () => {
    const t = new Track().start().park(600);
    t.card = 'CARD-A';
    t.drive(300, 50);
    t.card = 'CARD-B';
    t.drive(300, 50);
    t.card = '';
    t.drive(60, 50).park(600);
    const [, trip] = detectSegments(t.points).closed as [Stop, Trip];
    expect(trip.driverCardId).toBe('CARD-B');
    expect((trip.odometerEndKm ?? 0) - (trip.odometerStartKm ?? 0)).toBeCloseTo(trip.distanceM / 1000, 6);
  });
});

describe('standing still', () => {
  it('GPS jitter around a parked vehicle for hours makes no trip', () => {
    for (const reportSpeed of [true, false]) {
      const t = new Track({ reportSpeed }).start().park(6 * 3600, 10, { jitterM: 50, speedNoise: 4 });
      const { closed, open } = detectSegments(t.points);
      expect(closed).toEqual([]);
      expect(open).toMatchObject({ kind: 'stop', startTs: T0, durationS: 6 * 3600, points: t.points.length });
    }
  });

  it('a traffic light inside a trip stays one trip, its standing counted as idle', () => {
    const t = new Track().start().park(600).drive(600, 50).park(60).drive(600, 50).park(600);
    const { closed } = detectSegments(t.points);
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip']);
    const trip = closed[1] as Trip;
    // 60 s standing sampled every 10 s: the first standing fix comes a sample after the stop.
    expect(trip.idleS).toBeGreaterThanOrEqual(50);
    expect(trip.idleS).toBeLessThanOrEqual(60);
    const drawn = (50 / 3.6) * 1200;
    expect(Math.abs(trip.distanceM - drawn) / drawn).toBeLessThan(0.01);
    // The average is over moving time only.
    expect(trip.avgSpeedKmh).toBeGreaterThan((trip.distanceM / trip.durationS) * 3.6);
  });

  it('a slow queue reporting speed stays in the trip', () => {
    const t = new Track().start().park(600).drive(600, 50).drive(300, 2.4).drive(600, 50).park(600);
    expect(detectSegments(t.points).closed.map((s) => s.kind)).toEqual(['stop', 'trip']);
  });

  it('a five-minute delivery stop splits the drive into two trips', () => {
    const t = new Track().start().park(1800).drive(600, 50).park(300).drive(600, 50).park(1800);
    const { closed, open } = detectSegments(t.points);
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip', 'stop', 'trip']);
    const [, first, delivery, second] = closed as [Stop, Trip, Stop, Trip];
    expect(Math.abs(delivery.durationS - 300)).toBeLessThanOrEqual(10);
    expect(delivery.startTs).toBe(first.endTs);
    expect(second.startTs).toBe(delivery.endTs);
    expect(open?.startTs).toBe(second.endTs);
    for (const trip of [first, second]) expect(trip.distanceM).toBeCloseTo((50 / 3.6) * 600, 0);
  });
});

describe('gaps', () => {
  it('a gap over an hour mid-drive ends the trip at the last fix before it', () => {
    const t = new Track().start().park(1800).drive(600, 50);
    const beforeGap = t.last.ts;
    t.gap(2 * 3600)
      .advance(20_000)
      .drive(600, 50)
      .park(1800);
    const afterGap = t.points.find((p) => p.ts > beforeGap)?.ts;
    const { closed, open } = detectSegments(t.points);
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip', 'trip']);
    const [, first, second] = closed as [Stop, Trip, Trip];
    expect(first.endTs).toBe(beforeGap);
    expect(first.durationS).toBe(600);
    expect(first.distanceM).toBeCloseTo((50 / 3.6) * 600, 0);
    expect(second.startTs).toBe(afterGap);
    expect(second.durationS).toBe(600);
    expect(second.distanceM).toBeCloseTo((50 / 3.6) * 590, 0);
    expect(open?.kind).toBe('stop');
  });

  it('a tracker asleep in a parked vehicle: the stop carries on across the gap', () => {
    const t = new Track({ ignition: false })
      .start()
      .park(1800)
      .gap(8 * 3600)
      .park(600);
    const { closed, open } = detectSegments(t.points);
    expect(closed).toEqual([]);
    expect(open).toMatchObject({ kind: 'stop', startTs: T0, endTs: t.last.ts, engineOnS: 0 });
  });

  it('parked a minute before the tracker slept: the trip ends where it stood, the stop spans the gap', () => {
    const t = new Track().start().park(600).drive(600, 50).park(60);
    const stood = T0 + 1210 * S;
    t.gap(3 * 3600)
      .park(600)
      .drive(600, 50);
    const { closed } = detectSegments(t.points);
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip', 'stop']);
    const [, trip, night] = closed as [Stop, Trip, Stop];
    expect(trip.endTs).toBe(stood);
    expect(night.startTs).toBe(stood);
    expect(night.durationS).toBeGreaterThan(3 * 3600);
  });

  it('a gap at a parking stop that ends far away closes the stop at the gap', () => {
    const t = new Track().start().park(600);
    t.gap(2 * 3600)
      .advance(5000)
      .park(600);
    const { closed, open } = detectSegments(t.points);
    expect(closed).toEqual([expect.objectContaining({ kind: 'stop', startTs: T0, endTs: T0 + 600 * S })]);
    expect(open).toMatchObject({ kind: 'stop', startTs: T0 + (600 + 7210) * S });
  });
});

describe('ignition', () => {
  function creepWithIgnitionOff(useIgnition: boolean) {
    const t = new Track({ ignition: false }).start().park(600);
    t.ignition = true;
    t.drive(600, 50);
    t.ignition = false;
    const arrived = t.ts + 10 * S;
    t.drive(240, 2.5); // about 170 m in 4 minutes, speed above idleSpeedKmh
    t.ignition = true;
    t.drive(600, 50).park(300);
    return { closed: detectSegments(t.points, { useIgnition }).closed, arrived };
  }

  it('ignition off for four minutes while barely moving is a stop', () => {
    const { closed, arrived } = creepWithIgnitionOff(true);
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip', 'stop', 'trip']);
    expect(closed[2]).toMatchObject({ startTs: arrived });
    expect(closed[2]?.durationS).toBeGreaterThanOrEqual(230);
  });

  it('without useIgnition the same creep is motion, one trip', () => {
    expect(creepWithIgnitionOff(false).closed.map((s) => s.kind)).toEqual(['stop', 'trip']);
  });

  it('ignition-on idling at a stop counts in engineOnS, not after it is switched off', () => {
    const t = new Track({ ignition: true }).start().park(600);
    t.ignition = false;
    t.park(1200);
    t.ignition = true;
    t.park(120).drive(600, 50);
    const [stop] = detectSegments(t.points).closed as [Stop];
    expect(stop.durationS).toBe(1920);
    // The state reported at a fix holds until the next one: within a sample of 600 + 120.
    expect(Math.abs(stop.engineOnS - 720)).toBeLessThanOrEqual(10);
  });

  it('engine off for a minute inside a trip is not idle time', () => {
    const t = new Track({ ignition: true }).start().park(600).drive(600, 50);
    t.ignition = false;
    t.park(60);
    t.ignition = true;
    t.drive(600, 50).park(600);
    const { closed } = detectSegments(t.points);
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip']);
    expect((closed[1] as Trip).idleS).toBe(0);
  });

  it('a reported ignition off holds on fixes that do not report it', () => {
    const t = new Track({ ignition: true }).start().park(600).drive(600, 50);
    t.ignition = false;
    t.drive(10, 2.5);
    t.ignition = undefined;
    t.drive(240, 2.5);
    t.ignition = true;
    t.drive(600, 50);
    expect(detectSegments(t.points).closed.map((s) => s.kind)).toEqual(['stop', 'trip', 'stop']);
  });
});

describe('GPS jumps', () => {
  it('one wild fix while parked makes no trip', () => {
    const t = new Track().start().park(1800).jump().park(1800);
    const { closed, open } = detectSegments(t.points);
    expect(closed).toEqual([]);
    expect(open).toMatchObject({ kind: 'stop', startTs: T0, endTs: t.last.ts, points: t.points.length });
    expect((open as Stop).lat).toBeCloseTo(HELSINKI.lat, 9);
  });

  it('one wild fix while driving adds no distance and is counted', () => {
    const t = new Track().start().park(600).drive(600, 50).jump().drive(600, 50).park(600);
    const { closed } = detectSegments(t.points);
    expect(closed.map((s) => s.kind)).toEqual(['stop', 'trip']);
    const trip = closed[1] as Trip;
    expect(trip.jumps).toBe(1);
    expect(trip.maxSpeedKmh).toBe(50);
    const drawn = (50 / 3.6) * 1200;
    expect(Math.abs(trip.distanceM - drawn) / drawn).toBeLessThan(0.01);
  });

  it('fixes agreeing with each other far away are believed after three: the tracker was moved', () => {
    const t = new Track().start().park(600);
    t.advance(50_000).park(600);
    const { closed, open } = detectSegments(t.points);
    expect(closed).toEqual([expect.objectContaining({ kind: 'stop', startTs: T0, endTs: T0 + 620 * S })]);
    expect(open).toMatchObject({ kind: 'stop', startTs: T0 + 630 * S });
    expect(haversineM(open as Stop, t.pos)).toBeLessThan(1);
  });

  it('a wild first fix is dropped once the real position is known', () => {
    const t = new Track().jump(50_000, 0).park(600);
    const { closed, open } = detectSegments(t.points);
    expect(closed).toEqual([]);
    expect(open).toMatchObject({ kind: 'stop', startTs: T0 + 30 * S });
    expect(haversineM(open as Stop, HELSINKI)).toBeLessThan(1);
  });
});

describe('out of order and duplicates', () => {
  it('ignores and counts them', () => {
    const clean = new Track().start().park(1800).drive(1800, 60).park(300).drive(600, 40).park(1800).points;
    const messy: TripPoint[] = [];
    let late = 0;
    clean.forEach((p, i) => {
      messy.push(p);
      if (i % 7 === 3) {
        messy.push({ ...p, lat: p.lat + 1 }); // same ts, another position
        late += 1;
      }
      if (i % 11 === 5 && i > 20) {
        messy.push(clean[i - 20] as TripPoint);
        late += 1;
      }
    });
    const d = new TripDetector();
    const segments = messy.flatMap((p) => {
      const before = d.state().outOfOrder;
      const out = d.push(p);
      if (d.state().outOfOrder > before) expect(out).toEqual([]);
      return out;
    });
    expect(segments).toEqual(detectSegments(clean).closed);
    expect(d.open()).toEqual(detectSegments(clean).open);
    expect(d.state().outOfOrder).toBe(late);
  });

  it('refuses a point without a finite position or time', () => {
    expect(() => new TripDetector().push({ ts: T0, lat: Number.NaN, lon: 24 })).toThrow(RangeError);
  });
});

describe('state', () => {
  it('stays small whatever the number of points', () => {
    const d = new TripDetector();
    const t = new Track({ ignition: true });
    t.card = 'DRIVER-CARD-0001';
    t.start();
    for (let leg = 0; leg < 24; leg++) t.park(1800, 1).drive(1800, 60, 1);
    let largest = 0;
    let closed = 0;
    for (const [i, p] of t.points.entries()) {
      const out = d.push(p).length;
      closed += out;
      if (out > 0 || i % 50 === 0) largest = Math.max(largest, JSON.stringify(d.state()).length);
    }
    expect(t.points.length).toBeGreaterThan(80_000);
    expect(closed).toBe(47);
    expect(largest).toBeLessThan(1500);
  });

  it('refuses a state that is not one', () => {
    expect(() => new TripDetector({}, { version: 2 } as never)).toThrow();
  });
});

// ---- Generated tracks ----

type Leg =
  | { kind: 'park'; fixes: number; every: number; jitterM: number; engine: boolean }
  | { kind: 'drive'; fixes: number; every: number; kmh: number; turn: number }
  | { kind: 'creep'; fixes: number; every: number; kmh: number }
  | { kind: 'pause'; seconds: number; moveM: number }
  | { kind: 'jump' };

const every = fc.constantFrom(1, 5, 10, 10, 30, 60);
const leg: fc.Arbitrary<Leg> = fc.oneof(
  fc.record({
    kind: fc.constant('park' as const),
    fixes: fc.integer({ min: 1, max: 60 }),
    every,
    jitterM: fc.constantFrom(0, 5, 50),
    engine: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('drive' as const),
    fixes: fc.integer({ min: 1, max: 60 }),
    every,
    kmh: fc.integer({ min: 1, max: 130 }),
    turn: fc.integer({ min: -90, max: 90 }),
  }),
  fc.record({
    kind: fc.constant('creep' as const),
    fixes: fc.integer({ min: 1, max: 40 }),
    every,
    kmh: fc.constantFrom(1, 3),
  }),
  fc.record({
    kind: fc.constant('pause' as const),
    seconds: fc.integer({ min: 1, max: 20_000 }),
    moveM: fc.constantFrom(0, 0, 100, 5000),
  }),
  fc.constant({ kind: 'jump' as const }),
);

const trackSpec = fc.record({
  seed: fc.integer(),
  reportSpeed: fc.boolean(),
  ignition: fc.constantFrom('never', 'always', 'sometimes'),
  firstSeen: fc.constantFrom('parked', 'driving'),
  legs: fc.array(leg, { minLength: 1, maxLength: 12 }),
});

const parameters: fc.Arbitrary<Partial<TripParameters>> = fc.oneof(
  fc.constant({}),
  fc
    .record({
      minMoveM: fc.integer({ min: 50, max: 400 }),
      stopRadiusM: fc.integer({ min: 50, max: 400 }),
      stopMinS: fc.integer({ min: 30, max: 600 }),
      gapSplitS: fc.integer({ min: 600, max: 7200 }),
      useIgnition: fc.boolean(),
      idleSpeedKmh: fc.constantFrom(0, 2, 5),
    })
    .map((p) => ({ ...p, gapSplitS: Math.max(p.gapSplitS, p.stopMinS) })),
);

type TrackSpec = typeof trackSpec extends fc.Arbitrary<infer T> ? T : never;

/** The points, and whether a move without a gap may have relocated the tracker. */
function realise(spec: TrackSpec): { points: TripPoint[]; relocating: boolean } {
  const random = rng(spec.seed);
  const t = new Track({ reportSpeed: spec.reportSpeed });
  const ignition = (on: boolean) => {
    t.ignition =
      spec.ignition === 'always' || (spec.ignition === 'sometimes' && random() < 0.5) ? on : undefined;
  };
  ignition(spec.firstSeen === 'driving');
  if (spec.firstSeen === 'parked') t.start();
  else t.drive(10, 40);
  let lastWasJump = false;
  let relocating = false;
  let afterPause = false;
  for (const l of spec.legs) {
    // Two wild fixes in a row would agree with each other: keep each jump alone.
    if (lastWasJump && l.kind === 'jump') continue;
    // After a long pause a far fix may be plausible: the fixes after it then relocate back.
    if (l.kind === 'jump' && afterPause) relocating = true;
    lastWasJump = l.kind === 'jump';
    afterPause = l.kind === 'pause';
    if (random() < 0.3) t.card = random() < 0.5 ? '' : `CARD-${Math.floor(random() * 3)}`;
    switch (l.kind) {
      case 'park':
        ignition(l.engine);
        t.park(l.fixes * l.every, l.every, { jitterM: l.jitterM, speedNoise: 3 });
        break;
      case 'drive':
        ignition(true);
        t.bearingDeg += l.turn;
        t.drive(l.fixes * l.every, l.kmh, l.every);
        break;
      case 'creep':
        ignition(false);
        t.drive(l.fixes * l.every, l.kmh, l.every);
        break;
      case 'pause':
        t.gap(l.seconds).advance(l.moveM);
        if (l.moveM > 0 && l.seconds <= 7200) relocating = true;
        break;
      case 'jump':
        t.jump(50_000 + random() * 50_000);
        break;
    }
  }
  return { points: t.points, relocating };
}

/** The invariants any result must keep. */
function checkInvariants(
  points: readonly TripPoint[],
  result: { closed: Segment[]; open: Segment | undefined },
  params: TripParameters,
  relocating: boolean,
): void {
  const segments = result.open === undefined ? result.closed : [...result.closed, result.open];
  expect(result.open === undefined).toBe(points.length === 0);
  const index = new Map(points.map((p, i) => [p.ts, i]));
  const nextTs = (ts: number) => points[(index.get(ts) ?? Number.NaN) + 1]?.ts;
  let shared = 0;
  for (const [i, s] of segments.entries()) {
    expect(index.has(s.startTs) && index.has(s.endTs)).toBe(true);
    expect(s.endTs).toBeGreaterThanOrEqual(s.startTs);
    expect(s.durationS).toBe((s.endTs - s.startTs) / 1000);
    expect(s.points).toBeGreaterThanOrEqual(1);
    if (s.kind === 'trip') {
      expect(s.durationS).toBeGreaterThan(0);
      expect(s.distanceM).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(s.distanceM) && Number.isFinite(s.avgSpeedKmh)).toBe(true);
      expect(s.avgSpeedKmh).toBeGreaterThanOrEqual(0);
      expect(s.maxSpeedKmh).toBeGreaterThanOrEqual(0);
      expect(s.idleS).toBeGreaterThanOrEqual(0);
      expect(s.idleS).toBeLessThanOrEqual(s.durationS);
      expect(s.jumps).toBeLessThan(s.points);
    } else {
      expect(s.engineOnS).toBeGreaterThanOrEqual(0);
      expect(s.engineOnS).toBeLessThanOrEqual(s.durationS);
    }
    const next = segments[i + 1];
    if (next === undefined) continue;
    expect(next.startTs).toBeGreaterThanOrEqual(s.endTs);
    if (next.startTs === s.endTs) {
      // Tiled: a trip ends where a stop begins and the other way round.
      shared += 1;
      expect(next.kind).not.toBe(s.kind);
    } else if (!relocating) {
      // Only a gap parts two segments, and no fix falls between them.
      expect(nextTs(s.endTs)).toBe(next.startTs);
      expect(next.startTs - s.endTs).toBeGreaterThan(params.gapSplitS * 1000);
    }
    if (s.kind === 'stop' && s.durationS < params.stopMinS) {
      expect(next.startTs - s.endTs).toBeGreaterThan(params.gapSplitS * 1000);
    }
  }
  // Every fix lies in exactly one segment, or in two at a boundary they share (a relocation
  // drops the provisional stop on the fix it proved wrong).
  if (!relocating) expect(segments.reduce((n, s) => n + s.points, 0) - shared).toBe(points.length);
}

describe('generated tracks', () => {
  const { seed, runs } = fuzzParameters('trip detector', 300);

  it('incremental equals batch, and the invariants hold', () => {
    fc.assert(
      fc.property(trackSpec, parameters, (spec, params) => {
        const { points, relocating } = realise(spec);
        const d = new TripDetector(params);
        const closed = pushAll(d, points);
        const batch = detectSegments(points, params);
        expect(batch).toEqual({ closed, open: d.open() });
        checkInvariants(points, batch, tripParametersSchema.parse(params), relocating);
      }),
      { seed, numRuns: runs },
    );
  });

  it('a detector restored from its JSON state after any prefix goes on exactly as the uninterrupted one', () => {
    fc.assert(
      fc.property(trackSpec, parameters, fc.nat(), (spec, params, cut) => {
        const { points } = realise(spec);
        const k = cut % (points.length + 1);
        const whole = new TripDetector(params);
        const expected = pushAll(whole, points);
        const first = new TripDetector(params);
        const before = pushAll(first, points.slice(0, k));
        const restored = new TripDetector(params, JSON.parse(JSON.stringify(first.state())));
        const after = pushAll(restored, points.slice(k));
        expect([...before, ...after]).toEqual(expected);
        expect(restored.open()).toEqual(whole.open());
        expect(restored.state()).toEqual(whole.state());
      }),
      { seed: seed + 1, numRuns: runs },
    );
  });
});
