// Trips and stops from stored telemetry: a pure, incremental detector (one per device, O(1)
// state, JSON-serialisable so it can be parked between batches) and its batch form over a sorted
// window, for recomputing once late buffered records arrive. No I/O. The rules:
// - A stop begins at a candidate anchor fix that the vehicle then stays within stopRadiusM of
//   for stopMinS (or, with useIgnition, keeps ignition off for stopMinS wherever GPS puts it).
//   An anchor that reports speed >= idleSpeedKmh is still driving, so the next fix replaces it:
//   the trip ends where the vehicle came to rest, not up to a radius earlier.
// - A stop ends when a fix with ignition on or unknown is more than minMoveM from the anchor.
//   The trip starts at the stop's last fix at rest (speed below idleSpeedKmh or unreported), so
//   the metres driven inside the radius count; trips and stops share boundary fixes and tile time.
// - A gap longer than gapSplitS ends the segment at the last fix before it, unless the fix after
//   the gap is still at the anchor (a tracker asleep in a parked vehicle): then the vehicle
//   stood through the gap and the stop carries on across it.
// - A fix implying more than maxPlausibleSpeedKmh from the last good fix is a GPS jump: kept for
//   time, ignored for distance and motion.
// - The first fix is a stop anchor: a device is taken to be parked when first seen. If it leaves
//   the radius before stopMinS, it was driving: the trip starts at that first fix.
import { z } from 'zod';
import { haversineM } from './geo.ts';

export interface TripPoint {
  /** ms UTC */
  ts: number;
  lat: number;
  lon: number;
  speedKmh?: number;
  ignition?: boolean;
  odometerKm?: number;
  driverCardId?: string;
}

export interface Trip {
  kind: 'trip';
  startTs: number;
  endTs: number;
  start: { lat: number; lon: number };
  end: { lat: number; lon: number };
  distanceM: number;
  durationS: number;
  maxSpeedKmh: number;
  /** Distance over moving time (idle and engine-off standing excluded); 0 when never moving. */
  avgSpeedKmh: number;
  idleS: number;
  /** First and last odometer reading reported within the trip. */
  odometerStartKm?: number;
  odometerEndKm?: number;
  /** The last non-empty card seen in the trip. */
  driverCardId?: string;
  /** Fixes from startTs to endTs inclusive: a boundary fix counts in both segments it joins. */
  points: number;
  jumps: number;
}

export interface Stop {
  kind: 'stop';
  startTs: number;
  endTs: number;
  /** The anchor: the fix where the stop began. */
  lat: number;
  lon: number;
  durationS: number;
  engineOnS: number;
  points: number;
}

export type Segment = Trip | Stop;

export const DEFAULT_TRIP_PARAMETERS = Object.freeze({
  minMoveM: 200,
  stopRadiusM: 200,
  stopMinS: 180,
  gapSplitS: 3600,
  useIgnition: true,
  idleSpeedKmh: 2,
  maxPlausibleSpeedKmh: 300,
});

function bounded(field: string, min: number, max: number, unit: string) {
  return z
    .number({ error: `${field} must be a finite number` })
    .min(min, `${field} must be at least ${min} ${unit}`)
    .max(max, `${field} must be at most ${max} ${unit}`);
}

function wholeSeconds(field: string, min: number, max: number) {
  return bounded(field, min, max, 's').int(`${field} must be whole seconds`);
}

const D = DEFAULT_TRIP_PARAMETERS;

export const tripParametersSchema = z
  .strictObject({
    minMoveM: bounded('minMoveM', 1, 100_000, 'm').default(D.minMoveM),
    stopRadiusM: bounded('stopRadiusM', 1, 100_000, 'm').default(D.stopRadiusM),
    stopMinS: wholeSeconds('stopMinS', 1, 86_400).default(D.stopMinS),
    gapSplitS: wholeSeconds('gapSplitS', 1, 30 * 86_400).default(D.gapSplitS),
    useIgnition: z.boolean({ error: 'useIgnition must be true or false' }).default(D.useIgnition),
    // 0 turns idle accounting off (nothing is slower than 0 km/h).
    idleSpeedKmh: bounded('idleSpeedKmh', 0, 50, 'km/h').default(D.idleSpeedKmh),
    maxPlausibleSpeedKmh: bounded('maxPlausibleSpeedKmh', 10, 2000, 'km/h').default(D.maxPlausibleSpeedKmh),
  })
  // A gap shorter than a stop would split a parked, sleeping tracker's stop before it could
  // ever be confirmed; with gap >= stop, a fix still at the anchor after a gap confirms it.
  .refine((p) => p.gapSplitS >= p.stopMinS, {
    message: 'gapSplitS must be at least stopMinS',
    path: ['gapSplitS'],
  });

export type TripParameters = z.output<typeof tripParametersSchema>;

/**
 * Running totals over the fixes from start to end inclusive. Times in integer ms so that the
 * sums never exceed the span through rounding.
 */
const accSchema = z.strictObject({
  startTs: z.number(),
  startLat: z.number(),
  startLon: z.number(),
  endTs: z.number(),
  endLat: z.number(),
  endLon: z.number(),
  points: z.number().int().min(1),
  distanceM: z.number().min(0),
  maxSpeedKmh: z.number().min(0),
  idleMs: z.number().min(0),
  movingMs: z.number().min(0),
  engineOnMs: z.number().min(0),
  jumps: z.number().int().min(0),
  odometerFirstKm: z.number().optional(),
  odometerLastKm: z.number().optional(),
  driverCardId: z.string().optional(),
});
type Acc = z.output<typeof accSchema>;

const positionSchema = { ts: z.number(), lat: z.number(), lon: z.number() };

export const detectorStateSchema = z.strictObject({
  version: z.literal(1),
  outOfOrder: z.number().int().min(0),
  phase: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('none') }),
    // trip: totals from the trip's start to the candidate stop anchor, and tail from the anchor
    // to the last fix. A trip whose start is its anchor is the provisional first-seen stop.
    z.strictObject({
      kind: z.literal('trip'),
      trip: accSchema,
      tail: accSchema,
      /** The anchor fix reported motion: the stop cannot have begun there, the next fix replaces it. */
      anchorMoving: z.boolean(),
      /** Every fix since the anchor had ignition off (useIgnition). */
      allOff: z.boolean(),
    }),
    // stop: totals from the anchor to the last fix at rest, and pending from there to the last
    // fix (moving within minMoveM: the start of the next trip if the vehicle leaves).
    z.strictObject({ kind: z.literal('stop'), stop: accSchema, pending: accSchema }),
  ]),
  /** The previous fix, as the interval to the next one needs it. */
  last: z
    .strictObject({
      ts: z.number(),
      speedKmh: z.number().optional(),
      ignition: z.boolean().optional(),
      jump: z.boolean(),
    })
    .optional(),
  /** The last fix with a plausible position: the reference for distance and jumps. */
  good: z.strictObject(positionSchema).optional(),
  /** Consecutive implausible fixes that agree with each other (a relocation in the making). */
  run: z.strictObject({ ...positionSchema, n: z.number().int().min(1) }).optional(),
});

export type DetectorState = z.output<typeof detectorStateSchema>;

/**
 * Consecutive implausible fixes agreeing with each other that are taken as the truth: the last
 * good fix was the wrong one (a bad first fix) or the tracker was moved. The detector then
 * starts afresh at the new place, like after a gap.
 */
const RELOCATE_AFTER = 3;

/** One fix as the rules see it. */
interface Fix {
  ts: number;
  /** Its position, or the last good position for a GPS jump. */
  lat: number;
  lon: number;
  /** Reported speed, not trusted on a jump. */
  speedKmh?: number;
  /** Reported, or carried from the previous fix until a gap (trackers often send it only on change). */
  ignition?: boolean;
  /** Ignition off and useIgnition: engine off means not driving, whatever GPS says. */
  off: boolean;
  /** Reported speed at least idleSpeedKmh and not off. */
  moving: boolean;
  jump: boolean;
  /** Distance from the last good fix (0 for a jump). */
  hopM: number;
  odometerKm?: number;
  driverCardId?: string;
}

/** How the time since the previous fix counts. */
interface Interval {
  ms: number;
  kind: 'gap' | 'moving' | 'idle' | 'off';
  engineOn: boolean;
  /** Implied speed of the hop, for devices that report none. */
  impliedKmh?: number;
}

const NO_INTERVAL: Interval = { ms: 0, kind: 'gap', engineOn: false };

function finiteOrUndefined(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function init(f: Fix): Acc {
  const acc: Acc = {
    startTs: f.ts,
    startLat: f.lat,
    startLon: f.lon,
    endTs: f.ts,
    endLat: f.lat,
    endLon: f.lon,
    points: 1,
    distanceM: 0,
    maxSpeedKmh: f.speedKmh ?? 0,
    idleMs: 0,
    movingMs: 0,
    engineOnMs: 0,
    jumps: 0,
  };
  if (f.odometerKm !== undefined) {
    acc.odometerFirstKm = f.odometerKm;
    acc.odometerLastKm = f.odometerKm;
  }
  if (f.driverCardId) acc.driverCardId = f.driverCardId;
  return acc;
}

function extend(acc: Acc, f: Fix, iv: Interval): Acc {
  acc.endTs = f.ts;
  acc.endLat = f.lat;
  acc.endLon = f.lon;
  acc.points += 1;
  acc.distanceM += f.hopM;
  if (f.jump) acc.jumps += 1;
  else acc.maxSpeedKmh = Math.max(acc.maxSpeedKmh, f.speedKmh ?? iv.impliedKmh ?? 0);
  if (iv.kind === 'idle') acc.idleMs += iv.ms;
  else if (iv.kind === 'moving') acc.movingMs += iv.ms;
  if (iv.engineOn) acc.engineOnMs += iv.ms;
  if (f.odometerKm !== undefined) {
    acc.odometerFirstKm ??= f.odometerKm;
    acc.odometerLastKm = f.odometerKm;
  }
  if (f.driverCardId) acc.driverCardId = f.driverCardId;
  return acc;
}

/** a then b, where b starts at a's last fix. */
function merge(a: Acc, b: Acc): Acc {
  const m: Acc = {
    startTs: a.startTs,
    startLat: a.startLat,
    startLon: a.startLon,
    endTs: b.endTs,
    endLat: b.endLat,
    endLon: b.endLon,
    points: a.points + b.points - 1,
    distanceM: a.distanceM + b.distanceM,
    maxSpeedKmh: Math.max(a.maxSpeedKmh, b.maxSpeedKmh),
    idleMs: a.idleMs + b.idleMs,
    movingMs: a.movingMs + b.movingMs,
    engineOnMs: a.engineOnMs + b.engineOnMs,
    jumps: a.jumps + b.jumps,
  };
  const odoFirst = a.odometerFirstKm ?? b.odometerFirstKm;
  const odoLast = b.odometerLastKm ?? a.odometerLastKm;
  if (odoFirst !== undefined) m.odometerFirstKm = odoFirst;
  if (odoLast !== undefined) m.odometerLastKm = odoLast;
  const card = b.driverCardId ?? a.driverCardId;
  if (card !== undefined) m.driverCardId = card;
  return m;
}

function tripOf(acc: Acc): Trip {
  const durationS = (acc.endTs - acc.startTs) / 1000;
  const trip: Trip = {
    kind: 'trip',
    startTs: acc.startTs,
    endTs: acc.endTs,
    start: { lat: acc.startLat, lon: acc.startLon },
    end: { lat: acc.endLat, lon: acc.endLon },
    distanceM: acc.distanceM,
    durationS,
    maxSpeedKmh: acc.maxSpeedKmh,
    avgSpeedKmh: acc.movingMs > 0 ? (acc.distanceM / acc.movingMs) * 3600 : 0,
    idleS: Math.min(acc.idleMs / 1000, durationS),
    points: acc.points,
    jumps: acc.jumps,
  };
  if (acc.odometerFirstKm !== undefined) trip.odometerStartKm = acc.odometerFirstKm;
  if (acc.odometerLastKm !== undefined) trip.odometerEndKm = acc.odometerLastKm;
  if (acc.driverCardId !== undefined) trip.driverCardId = acc.driverCardId;
  return trip;
}

function stopOf(acc: Acc): Stop {
  const durationS = (acc.endTs - acc.startTs) / 1000;
  return {
    kind: 'stop',
    startTs: acc.startTs,
    endTs: acc.endTs,
    lat: acc.startLat,
    lon: acc.startLon,
    durationS,
    engineOnS: Math.min(acc.engineOnMs / 1000, durationS),
    points: acc.points,
  };
}

type Phase = DetectorState['phase'];
type TripPhase = Extract<Phase, { kind: 'trip' }>;

function isProvisional(phase: TripPhase): boolean {
  return phase.trip.startTs === phase.tail.startTs;
}

/** The segment in progress as if the data ended at the last fix. */
function closeNow(phase: Phase): Segment | undefined {
  if (phase.kind === 'none') return undefined;
  if (phase.kind === 'stop') return stopOf(merge(phase.stop, phase.pending));
  // A provisional stop never left its radius: the device was parked as far as we know.
  if (isProvisional(phase)) return stopOf(phase.tail);
  // An unconfirmed candidate is part of the trip (a queue, a light): the trip runs to the last fix.
  return tripOf(merge(phase.trip, phase.tail));
}

function freshState(): DetectorState {
  return { version: 1, outOfOrder: 0, phase: { kind: 'none' } };
}

export class TripDetector {
  readonly params: Readonly<TripParameters>;
  private s: DetectorState;

  constructor(params?: Partial<TripParameters>, state?: DetectorState) {
    this.params = Object.freeze(tripParametersSchema.parse(params ?? {}));
    // Parsed rather than trusted: a state comes back from storage; parse also copies it.
    this.s = state === undefined ? freshState() : detectorStateSchema.parse(state);
  }

  /** The newest fix pushed (cheaper than state() on every record). */
  get lastTs(): number | undefined {
    return this.s.last?.ts;
  }

  /** A copy of the state, JSON-serialisable and of bounded size. */
  state(): DetectorState {
    return structuredClone(this.s);
  }

  /** The segment in progress, as it would be if the data ended at the last fix pushed. */
  open(): Segment | undefined {
    return closeNow(this.s.phase);
  }

  /** Feeds one fix; answers the segments it closed, in time order. */
  push(p: TripPoint): Segment[] {
    if (!Number.isFinite(p.ts) || !Number.isFinite(p.lat) || !Number.isFinite(p.lon))
      throw new RangeError('a trip point needs a finite ts, lat and lon');
    const s = this.s;
    const last = s.last;
    if (last !== undefined && p.ts <= last.ts) {
      // Late or repeated: the caller recomputes that window in batch.
      s.outOfOrder += 1;
      return [];
    }
    const P = this.params;
    const out: Segment[] = [];
    const gap = last !== undefined && p.ts - last.ts > P.gapSplitS * 1000;

    // Position: plausible from the last good fix, a jump, or (after enough agreeing jumps) the
    // new reference. Checked across gaps too: a wild first fix after a tracker wakes up is
    // common, and an hour at maxPlausibleSpeedKmh leaves room for any real move.
    let jump = false;
    let relocated = false;
    let hopM = 0;
    let lat = p.lat;
    let lon = p.lon;
    const good = s.good;
    if (good !== undefined) {
      const d = haversineM(good, p);
      if ((d / (p.ts - good.ts)) * 3600 <= P.maxPlausibleSpeedKmh) {
        hopM = d;
        s.run = undefined;
      } else {
        const run = s.run;
        const agrees =
          run !== undefined && (haversineM(run, p) / (p.ts - run.ts)) * 3600 <= P.maxPlausibleSpeedKmh;
        const n = agrees ? run.n + 1 : 1;
        if (n >= RELOCATE_AFTER) {
          relocated = true;
          s.run = undefined;
        } else {
          jump = true;
          s.run = { ts: p.ts, lat: p.lat, lon: p.lon, n };
          lat = good.lat;
          lon = good.lon;
        }
      }
    } else {
      s.run = undefined;
    }
    if (!jump) s.good = { ts: p.ts, lat: p.lat, lon: p.lon };

    const reported = finiteOrUndefined(p.speedKmh);
    const speedKmh = jump || reported === undefined || reported < 0 ? undefined : reported;
    const ignition = p.ignition ?? (gap ? undefined : last?.ignition);
    const off = P.useIgnition && ignition === false;
    const f: Fix = {
      ts: p.ts,
      lat,
      lon,
      ignition,
      off,
      moving: !off && speedKmh !== undefined && speedKmh >= P.idleSpeedKmh,
      jump,
      hopM,
    };
    if (speedKmh !== undefined) f.speedKmh = speedKmh;
    const odometerKm = finiteOrUndefined(p.odometerKm);
    if (odometerKm !== undefined) f.odometerKm = odometerKm;
    if (p.driverCardId) f.driverCardId = p.driverCardId;

    const iv = last === undefined || gap ? NO_INTERVAL : this.interval(last, f);
    s.last = { ts: p.ts, jump, ...(speedKmh !== undefined ? { speedKmh } : {}) };
    if (ignition !== undefined) s.last.ignition = ignition;

    if (relocated) {
      // The segment so far is closed at its last fix, but a provisional stop is dropped: it
      // stood on the fix now shown to be wrong, and no gap explains it being short.
      const seg = closeNow(s.phase);
      if (seg !== undefined && !(s.phase.kind === 'trip' && isProvisional(s.phase))) out.push(seg);
      s.phase = { kind: 'none' };
    } else if (gap) {
      const phase = s.phase;
      const stays =
        phase.kind === 'stop'
          ? haversineM({ lat: phase.stop.startLat, lon: phase.stop.startLon }, f) <= P.minMoveM
          : phase.kind === 'trip' &&
            haversineM({ lat: phase.tail.startLat, lon: phase.tail.startLon }, f) <= P.stopRadiusM;
      if (!stays) {
        const seg = closeNow(phase);
        if (seg !== undefined) out.push(seg);
        s.phase = { kind: 'none' };
      }
    }

    const phase = s.phase;
    if (phase.kind === 'none') {
      s.phase = { kind: 'trip', trip: init(f), tail: init(f), anchorMoving: false, allOff: f.off };
    } else if (phase.kind === 'trip') {
      this.tripStep(phase, f, iv, gap, out);
    } else {
      this.stopStep(phase, f, iv, out);
    }
    return out;
  }

  private interval(last: NonNullable<DetectorState['last']>, f: Fix): Interval {
    const ms = f.ts - last.ts;
    const impliedKmh = last.jump || f.jump ? undefined : (f.hopM / ms) * 3600;
    const idle = this.params.idleSpeedKmh;
    let standing: boolean;
    if (last.speedKmh !== undefined || f.speedKmh !== undefined) {
      // Reported (Doppler) speed beats positions: standing only if both ends say so.
      standing = (last.speedKmh ?? 0) < idle && (f.speedKmh ?? 0) < idle;
    } else {
      standing = impliedKmh !== undefined && impliedKmh < idle;
    }
    // The ignition state reported at the previous fix holds until the next report.
    const kind = !standing ? 'moving' : last.ignition === false ? 'off' : 'idle';
    const iv: Interval = { ms, kind, engineOn: last.ignition === true };
    if (impliedKmh !== undefined) iv.impliedKmh = impliedKmh;
    return iv;
  }

  private tripStep(phase: TripPhase, f: Fix, iv: Interval, gap: boolean, out: Segment[]): void {
    const P = this.params;
    const provisional = isProvisional(phase);
    const restart = () => {
      phase.trip = merge(phase.trip, extend(phase.tail, f, iv));
      phase.tail = init(f);
      phase.anchorMoving = f.moving;
      phase.allOff = f.off;
    };
    if (gap) {
      // Still at the anchor after a gap longer than stopMinS: it stood there all along.
      extend(phase.tail, f, iv);
      this.confirm(phase, f, out);
      return;
    }
    if (f.jump) {
      // Ignored for motion; the time still passes.
      // Ignition is sensor data, not GPS: it still counts for the ignition-off rule.
      extend(phase.tail, f, iv);
      phase.allOff = phase.allOff && f.off;
      if ((provisional || !phase.anchorMoving) && f.ts - phase.tail.startTs >= P.stopMinS * 1000)
        this.confirm(phase, f, out);
      return;
    }
    // The anchor fix was moving (it is where the vehicle was still driving): the stop, if one
    // comes, begins at a later fix. Not while provisional, so that speed noise at a parked
    // device's first fix cannot make a trip of a few metres.
    if (phase.anchorMoving && !provisional) {
      restart();
      return;
    }
    const inside = haversineM({ lat: phase.tail.startLat, lon: phase.tail.startLon }, f) <= P.stopRadiusM;
    // Ignition off since the anchor keeps the candidate wherever GPS puts the vehicle.
    if (!inside && !(f.off && phase.allOff)) {
      restart();
      return;
    }
    // A moving fix inside the radius keeps the candidate: only the radius breaks it, so speed
    // noise around a parked vehicle cannot keep postponing its stop.
    extend(phase.tail, f, iv);
    phase.allOff = phase.allOff && f.off;
    if (f.ts - phase.tail.startTs >= P.stopMinS * 1000) this.confirm(phase, f, out);
  }

  private confirm(phase: TripPhase, f: Fix, out: Segment[]): void {
    if (!isProvisional(phase)) out.push(tripOf(phase.trip));
    this.s.phase = { kind: 'stop', stop: phase.tail, pending: init(f) };
  }

  private stopStep(phase: Extract<Phase, { kind: 'stop' }>, f: Fix, iv: Interval, out: Segment[]): void {
    extend(phase.pending, f, iv);
    if (f.jump) return;
    const away = haversineM({ lat: phase.stop.startLat, lon: phase.stop.startLon }, f) > this.params.minMoveM;
    if (away && !f.off) {
      // Left: the stop ended at its last fix at rest; the trip runs from there.
      out.push(stopOf(phase.stop));
      this.s.phase = {
        kind: 'trip',
        trip: phase.pending,
        tail: init(f),
        anchorMoving: f.moving,
        allOff: false,
      };
      return;
    }
    if (!f.moving) {
      phase.stop = merge(phase.stop, phase.pending);
      phase.pending = init(f);
    }
  }
}

/** The batch form: exactly the result of pushing the points one by one into a fresh detector. */
export function detectSegments(
  points: readonly TripPoint[],
  params?: Partial<TripParameters>,
): { closed: Segment[]; open: Segment | undefined } {
  const detector = new TripDetector(params);
  const closed: Segment[] = [];
  for (const p of points) for (const seg of detector.push(p)) closed.push(seg);
  return { closed, open: detector.open() };
}
