// The motion model: how one vehicle moves along a route, as pure functions over a small mutable
// state object (one per vehicle; a step allocates nothing, so 10,000 vehicles step in about a
// millisecond). `advanceMotion` drives; the trip helper at the bottom strings routes, dwell,
// idling and overnight parking into a working day.
//
// The speed rule, per sub-step of at most `maxStepS`:
//   target = min(driverFactor x legal limit of the current edge,
//                Gipps' safe speed for the route's speed plan ahead)
//   new speed = target, but changed by at most accelMs2 x dt up or brakeMs2 x dt down.
// The speed plan (routing.ts) caps the speed at every node for lower limits, turns and the stop
// at the route's end; Gipps' formula picks the highest speed from which braking at the plan's
// rate still meets that cap, given that the vehicle moves on during the step (Gipps' safe
// speed, 1981, which SUMO's default Krauss model builds on). So the speed never exceeds
// driverFactor x the limit of the edge the vehicle is on, and the vehicle stops at the site.
// A speeding driver (the speeding scenario) adds `overspeedMs` to the limits of streets signed
// 30 km/h or more, in the speed plan too (routing.ts, `overspeedPlan`, which also takes turns
// 1.3x faster): turns and the stop at the site still cap the speed, so the excess is reached
// only where the road allows it.
import { mulberry32, type RoadNetwork } from './roads.ts';
import {
  route as findRoute,
  OVERSPEED_MIN_LIMIT_MS,
  overspeedPlan,
  PLAN_BRAKE_MS2,
  type Route,
} from './routing.ts';

/**
 * `driving` and `stopping` (the final braking towards the site) move the vehicle; `at-site`
 * (dwell with the engine off), `idling` (engine running, standing) and `parked` (overnight,
 * engine off) do not.
 */
export type MotionPhase = 'driving' | 'stopping' | 'at-site' | 'idling' | 'parked';

export interface VehicleMotion {
  phase: MotionPhase;
  /** Index into the route's `edges` (not an edge id). */
  edgeIndex: number;
  /** Distance from the start of the current edge, metres. */
  offsetM: number;
  speedMs: number;
  /** Degrees clockwise from north: the current edge's bearing. */
  headingDeg: number;
  lat: number;
  lon: number;
  /** Distance driven, km; only ever grows. */
  odometerKm: number;
  /** Fuel in the tank, litres, between 0 and `tankL`. */
  fuelL: number;
  /**
   * How far over the limit the driver goes, m/s, on streets signed at least 30 km/h: the
   * target there is driverFactor x limit + this. 0 keeps to the limits; the speeding scenario
   * sets it for stretches.
   */
  overspeedMs: number;
}

export interface MotionParams {
  /** Highest acceleration, m/s². */
  accelMs2: number;
  /** Highest deceleration, m/s²; at least 1.44 x PLAN_BRAKE_MS2 (see `driverFactor`). */
  brakeMs2: number;
  /**
   * How the driver treats limits: speeds are limit x factor (and the speed plan too), 0.5-1.2.
   * A factor f brakes at up to f² x PLAN_BRAKE_MS2, which stays within `brakeMs2`.
   */
  driverFactor: number;
  /** Longest sub-step, s: a large dt is cut into steps this long. */
  maxStepS: number;
  /** Tank size, litres. */
  tankL: number;
  /** Fuel per distance at steady speed, l/100 km (on top of the engine's idle use). */
  cruiseLPer100Km: number;
  /** Fuel while the engine runs, l/h. */
  idleLPerH: number;
  /** Vehicle mass for the fuel cost of accelerating, kg. */
  massKg: number;
}

/**
 * A loaded diesel delivery van in town. Cruise use is rolling resistance and a little air drag
 * at city speeds (0.01 x 2,500 kg x g is 245 kJ/km, 2.3 l/100 km at 30% efficiency, plus
 * drag); idling 0.8 l/h. In central Helsinki's stop-and-go (a turn every block) that comes to
 * about 16 l/100 km including idling, a heavy urban delivery cycle.
 */
export const DEFAULT_MOTION_PARAMS: Readonly<MotionParams> = {
  accelMs2: 1.5,
  brakeMs2: 3.0,
  driverFactor: 1,
  maxStepS: 1,
  tankL: 80,
  cruiseLPer100Km: 3.5,
  idleLPerH: 0.8,
  massKg: 2500,
};

// Useful work per litre of diesel: 35.8 MJ/l at about 30% engine efficiency.
const USEFUL_J_PER_L = 10.7e6;
// The last approach to a site: closer than this and slower than ARRIVE_SPEED_MS counts as there
// (Gipps' discrete braking otherwise creeps the final centimetres).
const ARRIVE_SNAP_M = 0.5;
const ARRIVE_SPEED_MS = 1;

/** Motion parameters with overrides, checked. */
export function motionParams(overrides: Partial<MotionParams> = {}): MotionParams {
  const p = { ...DEFAULT_MOTION_PARAMS, ...overrides };
  const positive = ['accelMs2', 'brakeMs2', 'maxStepS', 'tankL', 'massKg'] as const;
  for (const k of positive)
    if (!(p[k] > 0)) throw new Error(`motion parameter ${k} must be > 0, got ${p[k]}`);
  if (!(p.driverFactor >= 0.5 && p.driverFactor <= 1.2)) {
    throw new Error(`driverFactor must be within 0.5-1.2, got ${p.driverFactor}`);
  }
  if (p.brakeMs2 < 1.44 * PLAN_BRAKE_MS2) {
    throw new Error(`brakeMs2 must be at least ${1.44 * PLAN_BRAKE_MS2} (1.2² x the plan's braking)`);
  }
  if (!(p.cruiseLPer100Km >= 0 && p.idleLPerH >= 0)) throw new Error('fuel rates must be >= 0');
  return p;
}

/** A vehicle standing at a node, parked, with a full tank. */
export function createMotion(network: RoadNetwork, node: number, params: MotionParams): VehicleMotion {
  return {
    phase: 'parked',
    edgeIndex: 0,
    offsetM: 0,
    speedMs: 0,
    headingDeg: 0,
    lat: network.nodeLat[node] ?? 0,
    lon: network.nodeLon[node] ?? 0,
    odometerKm: 0,
    fuelL: params.tankL,
    overspeedMs: 0,
  };
}

/** Puts a standing vehicle at the start of a route, ready to drive. */
export function startRoute(m: VehicleMotion, route: Route): void {
  const net = route.network;
  m.phase = 'driving';
  m.edgeIndex = 0;
  m.offsetM = 0;
  m.speedMs = 0;
  m.lat = net.nodeLat[route.fromNode] ?? m.lat;
  m.lon = net.nodeLon[route.fromNode] ?? m.lon;
  const first = route.edges[0];
  if (first !== undefined) m.headingDeg = net.edgeBearingDeg[first] ?? m.headingDeg;
}

/** Whether the engine runs in a phase (for fuel, and later the devices' ignition). */
export function engineOn(phase: MotionPhase): boolean {
  return phase !== 'at-site' && phase !== 'parked';
}

/** Distance along the route from its start, metres. */
export function routeProgressM(m: VehicleMotion, route: Route): number {
  return (route.startM[m.edgeIndex] ?? 0) + m.offsetM;
}

/** Fuel an idling engine burns in dtS seconds. */
export function burnIdleFuel(m: VehicleMotion, dtS: number, p: MotionParams): void {
  m.fuelL = Math.max(0, m.fuelL - (p.idleLPerH * dtS) / 3600);
}

/**
 * Moves a driving vehicle along its route by dtS seconds, in place (the state object is reused
 * tick after tick). Returns the seconds left unused: 0 while the vehicle is still on its way;
 * when it reaches the route's end it stops exactly at the last node, its phase becomes `at-site`
 * and the rest of dtS is returned for the caller to spend (dwell). A vehicle in a standing phase
 * is not moved and all of dtS is returned.
 */
export function advanceMotion(m: VehicleMotion, route: Route, dtS: number, p: MotionParams): number {
  if (m.phase !== 'driving' && m.phase !== 'stopping') return dtS;
  const net = route.network;
  const edges = route.edges;
  const last = edges.length - 1;
  if (last < 0) {
    arrive(m, route);
    return dtS;
  }
  const lengths = net.edgeLengthM;
  const f = p.driverFactor;
  const b = f * f * PLAN_BRAKE_MS2;
  const over = m.overspeedMs;
  // The plan is in limits before the driver's factor: f x (limit + over / f) = f x limit + over.
  const caps = over > 0 ? overspeedPlan(route, over / f) : route.endCapMs;
  let i = m.edgeIndex;
  let e = edges[i] ?? 0;
  let len = lengths[e] ?? 0;
  let left = dtS;
  while (left > 1e-9) {
    const dt = Math.min(left, p.maxStepS);
    left -= dt;
    const v = m.speedMs;
    // Gipps: the highest end-of-step speed from which braking at b still meets the cap at the
    // end of this edge, counting the distance covered during the step.
    const cap = f * (caps[i] ?? 0);
    const c = cap * cap + 2 * b * (len - m.offsetM) - b * dt * v;
    const disc = b * b * dt * dt + 4 * c;
    let target = disc > 0 ? (Math.sqrt(disc) - b * dt) / 2 : 0;
    const legal = net.edgeSpeedLimitMs[e] ?? 0;
    const limit = f * legal + (over > 0 && legal >= OVERSPEED_MIN_LIMIT_MS - 1e-9 ? over : 0);
    if (target > limit) target = limit;
    let v2 = target;
    if (v2 > v + p.accelMs2 * dt) v2 = v + p.accelMs2 * dt;
    if (v2 < v - p.brakeMs2 * dt) v2 = v - p.brakeMs2 * dt;
    if (v2 < 0) v2 = 0;
    const d = (v + v2) * 0.5 * dt;
    const routeLeft = route.lengthM - (route.startM[i] ?? 0) - m.offsetM;
    if (d >= routeLeft || (v2 < ARRIVE_SPEED_MS && routeLeft - d < ARRIVE_SNAP_M)) {
      burnDrivingFuel(m, routeLeft, v, 0, dt, p);
      m.odometerKm += routeLeft / 1000;
      arrive(m, route);
      return left;
    }
    burnDrivingFuel(m, d, v, v2, dt, p);
    m.odometerKm += d / 1000;
    m.speedMs = v2;
    // Stopping: the site is within braking distance (plus a step), so the final approach is on.
    m.phase = routeLeft - d <= (v2 * v2) / (2 * b) + v2 * p.maxStepS ? 'stopping' : 'driving';
    let offset = m.offsetM + d;
    while (offset > len && i < last) {
      offset -= len;
      i += 1;
      e = edges[i] ?? 0;
      len = lengths[e] ?? 0;
    }
    m.offsetM = offset;
  }
  m.edgeIndex = i;
  m.headingDeg = net.edgeBearingDeg[e] ?? m.headingDeg;
  const from = net.edgeFrom[e] ?? 0;
  const to = net.edgeTo[e] ?? 0;
  const t = len > 0 ? m.offsetM / len : 0;
  const lat0 = net.nodeLat[from] ?? 0;
  const lon0 = net.nodeLon[from] ?? 0;
  m.lat = lat0 + ((net.nodeLat[to] ?? 0) - lat0) * t;
  m.lon = lon0 + ((net.nodeLon[to] ?? 0) - lon0) * t;
  return 0;
}

function arrive(m: VehicleMotion, route: Route): void {
  const net = route.network;
  const last = route.edges.length - 1;
  m.phase = 'at-site';
  m.speedMs = 0;
  m.lat = net.nodeLat[route.toNode] ?? m.lat;
  m.lon = net.nodeLon[route.toNode] ?? m.lon;
  if (last >= 0) {
    const e = route.edges[last] ?? 0;
    m.edgeIndex = last;
    m.offsetM = net.edgeLengthM[e] ?? 0;
    m.headingDeg = net.edgeBearingDeg[e] ?? m.headingDeg;
  }
}

// Idle use for the time, cruise use for the distance, and the kinetic energy gained.
function burnDrivingFuel(
  m: VehicleMotion,
  d: number,
  v: number,
  v2: number,
  dt: number,
  p: MotionParams,
): void {
  const gain = v2 > v ? (0.5 * p.massKg * (v2 * v2 - v * v)) / USEFUL_J_PER_L : 0;
  const used = (p.idleLPerH * dt) / 3600 + (p.cruiseLPer100Km * d) / 100_000 + gain;
  m.fuelL = m.fuelL > used ? m.fuelL - used : 0;
}

// ---------------------------------------------------------------------------------------------
// Trips: depot -> job sites -> depot, over and over.

export interface TripOptions {
  depot: number;
  /** Job sites (nodes) to visit; the depot is never one of them. */
  sites: readonly number[];
  /** Job sites per round from the depot (default 2). */
  sitesPerTrip?: number;
  /** Time at a job site with the engine off, s, uniform in [min, max] (default 5-20 min). */
  dwellS?: readonly [number, number];
  /** Time at the depot between rounds (loading), s (default 10-30 min). */
  depotDwellS?: readonly [number, number];
  /** Engine running before moving off, s (default 15-90 s). */
  idleS?: readonly [number, number];
  /**
   * Park at the depot overnight: a round that ends at or after `parkFromS` (seconds after local
   * midnight) parks until the next `departAtS`, plus up to 20 min. Off when absent.
   */
  overnight?: { parkFromS: number; departAtS: number };
  /** Refuel to full at the depot when below this share of the tank (default 0.25). */
  refuelBelow?: number;
  /** Simulated clock at the start, s after local midnight of day 0 (default 07:00). */
  startClockS?: number;
  /** The driver's factor is drawn uniformly from this range (default 0.9-1.05). */
  driverFactor?: readonly [number, number];
  /** Overrides of the other motion parameters. */
  motion?: Partial<Omit<MotionParams, 'driverFactor'>>;
}

export interface Trip {
  readonly network: RoadNetwork;
  readonly motion: VehicleMotion;
  readonly params: MotionParams;
  /** The route being driven, or the last one driven. */
  route: Route | undefined;
  /** Node the vehicle stands at, or left from. */
  atNode: number;
  /** Nodes still to visit in this round, the depot last. */
  readonly plan: number[];
  /** Simulated time, s after local midnight of day 0. */
  clockS: number;
  /** Time left in the current standing phase, s. */
  timerS: number;
  /** Rounds completed (back at the depot). */
  rounds: number;
  readonly options: Readonly<Required<Omit<TripOptions, 'overnight' | 'motion'>>> &
    Pick<TripOptions, 'overnight'>;
  readonly random: () => number;
}

const DAY_S = 86_400;

/** A vehicle at its depot, deterministic from the seed: driver, plans and dwell times. */
export function createTrip(network: RoadNetwork, options: TripOptions, seed: number): Trip {
  const random = mulberry32(seed);
  const resolved = {
    depot: options.depot,
    sites: options.sites.filter((s) => s !== options.depot),
    sitesPerTrip: options.sitesPerTrip ?? 2,
    dwellS: options.dwellS ?? [300, 1200],
    depotDwellS: options.depotDwellS ?? [600, 1800],
    idleS: options.idleS ?? [15, 90],
    overnight: options.overnight,
    refuelBelow: options.refuelBelow ?? 0.25,
    startClockS: options.startClockS ?? 7 * 3600,
    driverFactor: options.driverFactor ?? [0.9, 1.05],
  } as const;
  if (resolved.sites.length === 0) throw new Error('a trip needs at least one job site besides the depot');
  for (const range of [resolved.dwellS, resolved.depotDwellS, resolved.idleS]) {
    if (!(range[0] >= 1 && range[1] >= range[0]))
      throw new Error(`bad time range [${range[0]}, ${range[1]}]: need 1 <= min <= max`);
  }
  const params = motionParams({ ...options.motion, driverFactor: uniform(random, resolved.driverFactor) });
  const motion = createMotion(network, resolved.depot, params);
  const trip: Trip = {
    network,
    motion,
    params,
    route: undefined,
    atNode: resolved.depot,
    plan: [],
    clockS: resolved.startClockS,
    timerS: 0,
    rounds: 0,
    options: resolved,
    random,
  };
  if (resolved.overnight && isNight(trip.clockS, resolved.overnight)) parkOvernight(trip);
  else {
    motion.phase = 'idling';
    trip.timerS = uniform(random, resolved.idleS);
  }
  return trip;
}

/**
 * Advances a trip by dtS seconds of simulated time, in place. Any dt works: a large one is spent
 * phase by phase (driving in sub-steps, then dwell, idling, the next route...), so nothing is
 * skipped; compressing time is only a matter of the dt the caller passes.
 */
export function advanceTrip(trip: Trip, dtS: number): void {
  const m = trip.motion;
  let left = dtS;
  while (left > 0) {
    if (m.phase === 'driving' || m.phase === 'stopping') {
      const route = trip.route;
      if (route === undefined) throw new Error('driving without a route');
      const rest = advanceMotion(m, route, left, trip.params);
      trip.clockS += left - rest;
      left = rest;
      // advanceMotion moved the phase on; TypeScript's narrowing above does not know.
      if ((m.phase as MotionPhase) === 'at-site') arrived(trip, route);
      continue;
    }
    const used = Math.min(left, trip.timerS);
    if (m.phase === 'idling') burnIdleFuel(m, used, trip.params);
    trip.timerS -= used;
    trip.clockS += used;
    left -= used;
    if (trip.timerS <= 0) {
      if (m.phase === 'idling') depart(trip);
      else {
        m.phase = 'idling';
        trip.timerS = uniform(trip.random, trip.options.idleS);
      }
    }
  }
}

function arrived(trip: Trip, route: Route): void {
  trip.atNode = route.toNode;
  const o = trip.options;
  if (route.toNode !== o.depot || trip.plan.length > 0) {
    trip.timerS = uniform(trip.random, o.dwellS);
    return;
  }
  trip.rounds += 1;
  const m = trip.motion;
  if (m.fuelL < o.refuelBelow * trip.params.tankL) m.fuelL = trip.params.tankL;
  if (o.overnight && isNight(trip.clockS, o.overnight)) parkOvernight(trip);
  else trip.timerS = uniform(trip.random, o.depotDwellS);
}

function depart(trip: Trip): void {
  const o = trip.options;
  if (trip.plan.length === 0) {
    const pool = [...o.sites];
    for (let k = 0; k < o.sitesPerTrip && pool.length > 0; k++) {
      const pick = Math.floor(trip.random() * pool.length);
      const [site] = pool.splice(pick, 1);
      if (site !== undefined && site !== trip.atNode) trip.plan.push(site);
    }
    trip.plan.push(o.depot);
  }
  const next = trip.plan.shift() ?? o.depot;
  trip.route = findRoute(trip.network, trip.atNode, next);
  startRoute(trip.motion, trip.route);
}

function parkOvernight(trip: Trip): void {
  const night = trip.options.overnight;
  if (night === undefined) return;
  const tod = ((trip.clockS % DAY_S) + DAY_S) % DAY_S;
  const untilDeparture = (((night.departAtS - tod) % DAY_S) + DAY_S) % DAY_S;
  trip.motion.phase = 'parked';
  trip.timerS = Math.max(1, untilDeparture + trip.random() * 1200);
}

function isNight(clockS: number, night: { parkFromS: number; departAtS: number }): boolean {
  const tod = ((clockS % DAY_S) + DAY_S) % DAY_S;
  return night.parkFromS <= night.departAtS
    ? tod >= night.parkFromS && tod < night.departAtS
    : tod >= night.parkFromS || tod < night.departAtS;
}

function uniform(random: () => number, range: readonly [number, number]): number {
  return range[0] + (range[1] - range[0]) * random();
}
