import { beforeAll, describe, expect, it } from 'vitest';
import {
  advanceMotion,
  advanceTrip,
  buildRoadNetwork,
  createMotion,
  createTrip,
  engineOn,
  loadRoadNetwork,
  type MotionParams,
  type MotionPhase,
  motionParams,
  mulberry32,
  type OsmNode,
  pickSites,
  type RoadNetwork,
  type Route,
  route,
  routeProgressM,
  startRoute,
  turnSpeedMs,
  type VehicleMotion,
} from '../src/index.ts';
import { helsinkiExtract } from './extract.ts';

const KX = 111_320 * Math.cos((60.17 * Math.PI) / 180);
function at(id: string, x: number, y: number): OsmNode {
  return { id, lat: 60.17 + y / 111_320, lon: 24.94 + x / KX };
}
/** Local metres east and north of the reference point. */
function xy(lat: number, lon: number): [number, number] {
  return [(lon - 24.94) * KX, (lat - 60.17) * 111_320];
}
function nodeOf(net: RoadNetwork, osmId: string): number {
  const n = net.nodeOsmId.indexOf(osmId);
  if (n < 0) throw new Error(`no node ${osmId}`);
  return n;
}

// A street east: 300 m at 50 km/h, 100 m at 20, 200 m at 50; then a left turn of 90 degrees and
// 200 m north at 50. Two-way, so the whole thing is strongly connected.
const street = buildRoadNetwork(
  [
    at('n0', 0, 0),
    at('n1', 150, 0),
    at('n3', 300, 0),
    at('n4', 400, 0),
    at('n5', 600, 0),
    at('n7', 600, 200),
  ],
  [
    { id: 'w1', nodeRefs: ['n0', 'n1', 'n3'], tags: { highway: 'primary', maxspeed: '50' } },
    { id: 'w2', nodeRefs: ['n3', 'n4'], tags: { highway: 'primary', maxspeed: '20' } },
    { id: 'w3', nodeRefs: ['n4', 'n5', 'n7'], tags: { highway: 'primary', maxspeed: '50' } },
  ],
);

interface Sample {
  t: number;
  phase: MotionPhase;
  edge: number;
  speedMs: number;
  lat: number;
  lon: number;
  odometerKm: number;
  progressM: number;
  fuelL: number;
}

/** Drives a route to its end in steps of dtS, sampling the state after every step. */
function drive(r: Route, p: MotionParams, dtS = 1): { m: VehicleMotion; samples: Sample[] } {
  const m = createMotion(r.network, r.fromNode, p);
  startRoute(m, r);
  const samples: Sample[] = [];
  for (let t = dtS; m.phase !== 'at-site' && t < 36_000; t += dtS) {
    advanceMotion(m, r, dtS, p);
    samples.push({
      t,
      phase: m.phase,
      edge: r.edges[m.edgeIndex] ?? -1,
      speedMs: m.speedMs,
      lat: m.lat,
      lon: m.lon,
      odometerKm: m.odometerKm,
      progressM: routeProgressM(m, r),
      fuelL: m.fuelL,
    });
  }
  return { m, samples };
}

/** Distance from a point to the nearest edge of a route, metres (local flat projection). */
function offRouteM(r: Route, lat: number, lon: number): number {
  const net = r.network;
  const [px, py] = xy(lat, lon);
  let best = Number.POSITIVE_INFINITY;
  for (const e of r.edges) {
    const [ax, ay] = xy(net.nodeLat[net.edgeFrom[e] ?? 0] ?? 0, net.nodeLon[net.edgeFrom[e] ?? 0] ?? 0);
    const [bx, by] = xy(net.nodeLat[net.edgeTo[e] ?? 0] ?? 0, net.nodeLon[net.edgeTo[e] ?? 0] ?? 0);
    const len2 = (bx - ax) ** 2 + (by - ay) ** 2;
    const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2)) : 0;
    best = Math.min(best, Math.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay)));
  }
  return best;
}

/** The checks every drive must pass: limits, acceleration bounds, on the route, odometer. */
function checkDrive(r: Route, p: MotionParams, dtS: number, samples: Sample[]): void {
  const net = r.network;
  let prevV = 0;
  let prevOdo = 0;
  let prevProgress = 0;
  for (const s of samples) {
    // The rule: never above the driver's factor times the limit of the edge it is on.
    expect(s.speedMs).toBeLessThanOrEqual(p.driverFactor * (net.edgeSpeedLimitMs[s.edge] ?? 0) + 1e-9);
    if (s.phase === 'at-site') {
      // The last step stops at the site: from a speed the brakes can kill within one step.
      expect(prevV).toBeLessThanOrEqual(p.brakeMs2 * dtS + 1e-9);
    } else {
      expect(s.speedMs - prevV).toBeLessThanOrEqual(p.accelMs2 * dtS + 1e-9);
      expect(prevV - s.speedMs).toBeLessThanOrEqual(p.brakeMs2 * dtS + 1e-9);
    }
    expect(offRouteM(r, s.lat, s.lon)).toBeLessThan(1);
    expect(s.odometerKm).toBeGreaterThanOrEqual(prevOdo);
    expect(s.progressM).toBeGreaterThanOrEqual(prevProgress);
    // Odometer = distance travelled along the route.
    expect((s.odometerKm - prevOdo) * 1000).toBeCloseTo(s.progressM - prevProgress, 6);
    prevV = s.speedMs;
    prevOdo = s.odometerKm;
    prevProgress = s.progressM;
  }
}

describe('advanceMotion on a hand-made street', () => {
  const from = nodeOf(street, 'n0');
  const to = nodeOf(street, 'n7');
  const r = route(street, from, to);

  it('follows the route within the limits and stops exactly at the site', () => {
    for (const driverFactor of [0.9, 1, 1.05, 1.2]) {
      const p = motionParams({ driverFactor });
      const { m, samples } = drive(r, p);
      checkDrive(r, p, 1, samples);
      expect(m.phase).toBe('at-site');
      expect(m.speedMs).toBe(0);
      expect(m.lat).toBe(street.nodeLat[to]);
      expect(m.lon).toBe(street.nodeLon[to]);
      expect(m.odometerKm * 1000).toBeCloseTo(r.lengthM, 6);
      expect(Math.abs(r.lengthM - 800)).toBeLessThan(2); // haversine vs the flat metres of the map
      // Reached the limit on the long stretches.
      expect(Math.max(...samples.map((s) => s.speedMs))).toBeCloseTo((driverFactor * 50) / 3.6, 6);
    }
  });

  it('brakes in time for a lower limit ahead and for the turn', () => {
    const p = motionParams();
    const { samples } = drive(r, p, 0.25);
    const slow = street.edgeSpeedLimitMs[r.edges[2] ?? -1] ?? 0; // n3 -> n4, 20 km/h
    expect(slow).toBeCloseTo(20 / 3.6, 6);
    // Entering the 20 zone at no more than 20, having braked before the sign.
    const firstInZone = samples.find((s) => s.edge === r.edges[2]);
    expect(firstInZone?.speedMs).toBeLessThanOrEqual(slow + 1e-9);
    const lastBefore = samples.filter((s) => s.edge === r.edges[1]).at(-1);
    expect(lastBefore?.speedMs).toBeLessThanOrEqual(slow + p.brakeMs2 * 0.25);
    // Around the corner at n5 (end of edge 3): no faster than the turn speed of 90 degrees.
    const corner = turnSpeedMs(90);
    expect(corner).toBeGreaterThan(4);
    expect(corner).toBeLessThan(7);
    const n5 = nodeOf(street, 'n5');
    const [cx, cy] = xy(street.nodeLat[n5] ?? 0, street.nodeLon[n5] ?? 0);
    const nearCorner = samples.filter((s) => {
      const [x, y] = xy(s.lat, s.lon);
      return Math.hypot(x - cx, y - cy) < 1;
    });
    expect(nearCorner.length).toBeGreaterThan(0);
    for (const s of nearCorner) expect(s.speedMs).toBeLessThanOrEqual(corner + 0.5);
    // And braking stayed gentle: the plan's rate, not the brakes' limit.
    let hardest = 0;
    for (let i = 1; i < samples.length; i++) {
      const s = samples[i];
      const prev = samples[i - 1];
      if (s && prev && s.phase !== 'at-site') hardest = Math.max(hardest, (prev.speedMs - s.speedMs) / 0.25);
    }
    expect(hardest).toBeGreaterThan(1.5);
    expect(hardest).toBeLessThanOrEqual(2.0 + 1e-9);
  });

  it('takes a large dt in sub-steps: one 1-hour call ends where 1-second steps end', () => {
    const p = motionParams();
    const { samples } = drive(r, p, 1);
    const travelS = samples.length;
    const m = createMotion(street, from, p);
    startRoute(m, r);
    const left = advanceMotion(m, r, 3600, p);
    expect(m.phase).toBe('at-site');
    expect(m.odometerKm * 1000).toBeCloseTo(r.lengthM, 6);
    expect(3600 - left).toBeGreaterThan(travelS - 1);
    expect(3600 - left).toBeLessThanOrEqual(travelS);
    // A standing vehicle is not moved, and the whole dt comes back.
    expect(advanceMotion(m, r, 10, p)).toBe(10);
  });

  it('burns fuel while driving, more per km when accelerating often', () => {
    const p = motionParams();
    const { samples } = drive(r, p);
    let prev = p.tankL;
    for (const s of samples) {
      expect(s.fuelL).toBeLessThan(prev);
      expect(s.fuelL).toBeGreaterThan(0);
      prev = s.fuelL;
    }
    const used = p.tankL - prev;
    const per100Km = used / (r.lengthM / 100_000);
    expect(per100Km).toBeGreaterThan(p.cruiseLPer100Km);
    expect(per100Km).toBeLessThan(30);
    const almostEmpty = createMotion(street, from, p);
    almostEmpty.fuelL = 0.001;
    startRoute(almostEmpty, r);
    advanceMotion(almostEmpty, r, 3600, p);
    expect(almostEmpty.fuelL).toBe(0);
  });

  it('refuses parameters that could not keep the rules', () => {
    expect(() => motionParams({ driverFactor: 1.5 })).toThrow(/driverFactor/);
    expect(() => motionParams({ brakeMs2: 2 })).toThrow(/brakeMs2/);
    expect(() => motionParams({ accelMs2: 0 })).toThrow(/accelMs2/);
  });
});

describe('trips on the Helsinki extract', () => {
  let net: RoadNetwork;
  let sites: number[];
  beforeAll(async () => {
    net = await loadRoadNetwork(helsinkiExtract());
    sites = pickSites(net, 12, 2026);
  });

  it('drives real routes within the rules', () => {
    const random = mulberry32(5);
    for (let k = 0; k < 20; k++) {
      const a = sites[Math.floor(random() * sites.length)] ?? 0;
      const b = sites[Math.floor(random() * sites.length)] ?? 0;
      if (a === b) continue;
      const r = route(net, a, b);
      const p = motionParams({ driverFactor: 0.9 + 0.15 * random() });
      const { m, samples } = drive(r, p);
      checkDrive(r, p, 1, samples);
      expect(m.lat).toBe(net.nodeLat[b]);
      expect(m.lon).toBe(net.nodeLon[b]);
      expect(m.odometerKm * 1000).toBeCloseTo(r.lengthM, 6);
      // A city centre: an average between 10 and 40 km/h.
      const avgKmh = (r.lengthM / samples.length) * 3.6;
      expect(avgKmh).toBeGreaterThan(10);
      expect(avgKmh).toBeLessThan(40);
    }
  });

  it('cycles depot -> sites -> depot with dwell, idling and overnight parking', () => {
    const [depot = 0, ...jobSites] = sites;
    const trip = createTrip(
      net,
      {
        depot,
        sites: jobSites,
        overnight: { parkFromS: 17 * 3600, departAtS: 7 * 3600 },
        startClockS: 6 * 3600,
      },
      99,
    );
    expect(trip.motion.phase).toBe('parked');
    const seen = new Set<MotionPhase>();
    let prevOdo = 0;
    let prevFuel = trip.motion.fuelL;
    let prevPhase: MotionPhase = trip.motion.phase;
    for (let s = 0; s < 2 * 86_400; s++) {
      advanceTrip(trip, 1);
      const m = trip.motion;
      seen.add(m.phase);
      expect(m.odometerKm).toBeGreaterThanOrEqual(prevOdo);
      const tod = trip.clockS % 86_400;
      if (tod >= 2 * 3600 && tod < 6 * 3600) {
        expect(m.phase).toBe('parked');
        expect(m.lat).toBe(net.nodeLat[depot]);
        expect(m.lon).toBe(net.nodeLon[depot]);
      }
      // Fuel: never up except a refuel to full at the depot; flat with the engine off.
      if (m.fuelL > prevFuel) expect(m.fuelL).toBe(trip.params.tankL);
      if (!engineOn(m.phase) && !engineOn(prevPhase)) expect(m.fuelL).toBe(prevFuel);
      if (engineOn(m.phase) && m.fuelL <= prevFuel) expect(m.fuelL).toBeLessThan(prevFuel);
      prevOdo = m.odometerKm;
      prevFuel = m.fuelL;
      prevPhase = m.phase;
    }
    expect([...seen].sort()).toEqual(['at-site', 'driving', 'idling', 'parked', 'stopping']);
    expect(trip.clockS).toBe(6 * 3600 + 2 * 86_400);
    expect(trip.rounds).toBeGreaterThan(10);
  });

  it('handles a large dt: one 24-hour step does what 86,400 one-second steps do', () => {
    const [depot = 0, ...jobSites] = sites;
    const options = { depot, sites: jobSites, overnight: { parkFromS: 17 * 3600, departAtS: 7 * 3600 } };
    const fine = createTrip(net, options, 3);
    for (let s = 0; s < 86_400; s++) advanceTrip(fine, 1);
    const coarse = createTrip(net, options, 3);
    advanceTrip(coarse, 86_400);
    expect(coarse.clockS).toBe(fine.clockS);
    expect(coarse.rounds).toBe(fine.rounds);
    expect(coarse.motion.phase).toBe(fine.motion.phase);
    // Sub-steps fall at other instants after a dwell ends mid-second, so distances differ by a
    // hair; the day's work is the same.
    expect(coarse.motion.odometerKm).toBeCloseTo(fine.motion.odometerKm, 1);
    expect(coarse.motion.odometerKm).toBeGreaterThan(10);
  });

  it('is deterministic from the seed', () => {
    const [depot = 0, ...jobSites] = sites;
    const track = (seed: number): string => {
      const trip = createTrip(net, { depot, sites: jobSites }, seed);
      const out: string[] = [];
      for (let s = 0; s < 4 * 3600; s += 10) {
        advanceTrip(trip, 10);
        out.push(`${trip.motion.lat},${trip.motion.lon},${trip.motion.speedMs}`);
      }
      return out.join(';');
    };
    expect(track(17)).toBe(track(17));
    expect(track(18)).not.toBe(track(17));
  });

  it('measures one motion step for 10,000 vehicles (a figure, not an assertion)', () => {
    const random = mulberry32(1);
    const pool = pickSites(net, 40, 1);
    const p = motionParams();
    const vehicles: { m: VehicleMotion; r: Route }[] = [];
    for (let k = 0; k < 10_000; k++) {
      const a = pool[Math.floor(random() * pool.length)] ?? 0;
      let b = pool[Math.floor(random() * pool.length)] ?? 0;
      if (b === a) b = pool[(pool.indexOf(a) + 1) % pool.length] ?? 0;
      const r = route(net, a, b);
      const m = createMotion(net, a, p);
      startRoute(m, r);
      advanceMotion(m, r, random() * 60, p); // spread them along their routes
      vehicles.push({ m, r });
    }
    const step = (): void => {
      for (const v of vehicles) {
        if (advanceMotion(v.m, v.r, 1, p) > 0 || v.m.phase === 'at-site') startRoute(v.m, v.r);
      }
    };
    for (let i = 0; i < 20; i++) step(); // warm-up
    const ticks = 100;
    const started = performance.now();
    for (let i = 0; i < ticks; i++) step();
    const perTickMs = (performance.now() - started) / ticks;
    console.log(`advanceMotion, 10,000 vehicles, dt = 1 s: ${perTickMs.toFixed(2)} ms per tick`);
    expect(perTickMs).toBeGreaterThan(0);
  });
});
