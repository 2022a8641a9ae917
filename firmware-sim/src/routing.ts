// Routes on the road network: shortest paths by length with ngraph.path's NBA* (bidirectional
// A*) over a directed ngraph.graph, so one-way streets are only driven their own way. Each route
// carries what the motion model needs per edge, computed once: where the edge starts along the
// route and the highest speed at its end (legal limits, the turn into the next edge, and braking
// for everything lower further on). Routes are cached per network and (from, to).
import createGraph, { type Graph } from 'ngraph.graph';
import { nba, type PathFinder } from 'ngraph.path';
import { EARTH_RADIUS_M, type RoadNetwork } from './roads.ts';

export interface Route {
  readonly network: RoadNetwork;
  readonly fromNode: number;
  readonly toNode: number;
  /** Edge ids in driving order; empty when from = to. */
  readonly edges: Int32Array;
  /** Total length, metres. */
  readonly lengthM: number;
  /** Distance from the route's start to the start of each edge, metres. */
  readonly startM: Float64Array;
  /**
   * The highest speed at the end of each edge, m/s: the lower of the two edges' limits and of
   * the turn speed there, lowered so that braking at `PLAN_BRAKE_MS2` from it meets every lower
   * cap further on. 0 at the route's end: the vehicle stops at the site.
   */
  readonly endCapMs: Float64Array;
}

/**
 * Deceleration the speed plan assumes, m/s². Below the motion model's hard limit (3 m/s²) so a
 * driver who is 20% faster than the plan (speeds x1.2, so braking x1.44) still brakes in time.
 */
export const PLAN_BRAKE_MS2 = 2.0;

/**
 * The turn rule. A driver rounds a corner on an arc; we measure the net heading change of the
 * route within `TURN_WINDOW_M` either side of each node (so an OSM kink that bends straight back
 * costs nothing and a curve drawn as many short segments counts as one curve), take the arc that
 * turns that much over the window, radius R = window / tan(change / 2), and cap the speed where
 * the lateral acceleration v²/R reaches `TURN_LATERAL_MS2`. A right-angle corner gives
 * R = 10 m and about 20 km/h; a 30° bend R = 37 m and 38 km/h; a U-turn the 7 km/h floor.
 */
export const TURN_WINDOW_M = 10;
export const TURN_LATERAL_MS2 = 3.0;
export const TURN_MIN_SPEED_MS = 2;

export function turnSpeedMs(headingChangeDeg: number): number {
  const change = Math.min(Math.abs(headingChangeDeg), 180);
  if (change < 1) return Number.POSITIVE_INFINITY;
  const radiusM = TURN_WINDOW_M / Math.tan((change * Math.PI) / 360);
  return Math.max(TURN_MIN_SPEED_MS, Math.sqrt(TURN_LATERAL_MS2 * Math.max(radiusM, 0)));
}

/** Signed change of heading from bearing a to bearing b, degrees in (-180, 180]. */
export function headingChangeDeg(fromDeg: number, toDeg: number): number {
  let d = (toDeg - fromDeg) % 360;
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

/** The shortest route from one node to another; throws if either node is not in the network. */
export function route(network: RoadNetwork, fromNode: number, toNode: number): Route {
  return routerFor(network).route(fromNode, toNode);
}

export interface Router {
  route(fromNode: number, toNode: number): Route;
  /** Routes held in the cache. */
  readonly cached: number;
}

const ROUTE_CACHE_LIMIT = 20_000;
const routers = new WeakMap<RoadNetwork, Router>();

/** The router of a network, built on first use: the ngraph graph and a route cache. */
export function routerFor(network: RoadNetwork): Router {
  let router = routers.get(network);
  if (router === undefined) {
    router = createRouter(network);
    routers.set(network, router);
  }
  return router;
}

/**
 * A router over one network. Nodes of the ngraph graph are the network's node numbers; a link
 * carries the shortest edge between its two nodes (two ways can share a pair of nodes).
 */
export function createRouter(network: RoadNetwork): Router {
  const graph: Graph<undefined, number> = createGraph<undefined, number>();
  for (let e = 0; e < network.edgeCount; e++) {
    const from = network.edgeFrom[e] ?? 0;
    const to = network.edgeTo[e] ?? 0;
    const existing = graph.getLink(from, to);
    if (existing === undefined) graph.addLink(from, to, e);
    else if ((network.edgeLengthM[e] ?? 0) < (network.edgeLengthM[existing.data] ?? 0)) existing.data = e;
  }
  // Straight-line distance on a flat projection, scaled for the network's most poleward
  // latitude and shaved by 0.1%: never more than the haversine length of any path, so NBA*
  // stays exact.
  const metresPerDeg = (Math.PI / 180) * EARTH_RADIUS_M * 0.999;
  const maxAbsLat = Math.max(Math.abs(network.bounds.minLat), Math.abs(network.bounds.maxLat));
  const lonScale = Math.cos((maxAbsLat * Math.PI) / 180);
  const finder: PathFinder<undefined> = nba<undefined, number>(graph, {
    oriented: true,
    distance: (_from, _to, link) => network.edgeLengthM[link.data] ?? 0,
    heuristic: (a, b) => {
      const dy = (network.nodeLat[Number(a.id)] ?? 0) - (network.nodeLat[Number(b.id)] ?? 0);
      const dx = ((network.nodeLon[Number(a.id)] ?? 0) - (network.nodeLon[Number(b.id)] ?? 0)) * lonScale;
      return metresPerDeg * Math.sqrt(dx * dx + dy * dy);
    },
  });
  const cache = new Map<number, Route>();

  function find(fromNode: number, toNode: number): Route {
    for (const n of [fromNode, toNode]) {
      if (!Number.isInteger(n) || n < 0 || n >= network.nodeCount) {
        throw new Error(`node ${n} is not in the road network (0..${network.nodeCount - 1})`);
      }
    }
    if (fromNode === toNode) return buildRoute(network, fromNode, toNode, new Int32Array(0));
    // ngraph.path returns the nodes from the target back to the source.
    const nodes = finder.find(fromNode, toNode);
    if (nodes.length < 2) {
      // Cannot happen on a strongly connected network; a hand-built one may not be.
      throw new Error(`no route from node ${fromNode} to node ${toNode}`);
    }
    const edges = new Int32Array(nodes.length - 1);
    for (let i = nodes.length - 1, k = 0; i > 0; i--, k++) {
      const a = Number(nodes[i]?.id);
      const b = Number(nodes[i - 1]?.id);
      const link = graph.getLink(a, b);
      if (link === undefined) throw new Error(`ngraph.path returned a step ${a} -> ${b} with no link`);
      edges[k] = link.data;
    }
    return buildRoute(network, fromNode, toNode, edges);
  }

  return {
    route(fromNode, toNode) {
      const key = fromNode * network.nodeCount + toNode;
      let found = cache.get(key);
      if (found === undefined) {
        found = find(fromNode, toNode);
        if (cache.size >= ROUTE_CACHE_LIMIT) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        cache.set(key, found);
      }
      return found;
    },
    get cached() {
      return cache.size;
    },
  };
}

/**
 * A route over the given edges (which must chain: each edge starting where the previous one
 * ends), with its speed plan. Exported for tests and for routes built by hand.
 */
export function buildRoute(network: RoadNetwork, fromNode: number, toNode: number, edges: Int32Array): Route {
  const n = edges.length;
  const startM = new Float64Array(n);
  let lengthM = 0;
  for (let i = 0; i < n; i++) {
    const e = edges[i] ?? 0;
    if (i > 0 && network.edgeFrom[e] !== network.edgeTo[edges[i - 1] ?? 0]) {
      throw new Error(`route edges ${edges[i - 1]} and ${e} do not connect`);
    }
    startM[i] = lengthM;
    lengthM += network.edgeLengthM[e] ?? 0;
  }
  if (
    n > 0 &&
    (network.edgeFrom[edges[0] ?? 0] !== fromNode || network.edgeTo[edges[n - 1] ?? 0] !== toNode)
  ) {
    throw new Error(`route edges do not run from node ${fromNode} to node ${toNode}`);
  }

  const endCapMs = speedPlan(network, edges, startM, 0);
  return { network, fromNode, toNode, edges, lengthM, startM, endCapMs };
}

/**
 * Where an edge's limit is at least this, m/s (30 km/h), a speeding driver goes over it; on
 * slower streets (yards, living streets, pedestrian zones, service roads) even a speeder keeps
 * to the limit: they are too narrow and too full of people for it.
 */
export const OVERSPEED_MIN_LIMIT_MS = 30 / 3.6;

/**
 * A speeding driver also takes corners faster: 1.3 x the turn speed is 1.7 x the lateral
 * acceleration, 5.1 m/s², past the 0.5 g of a harsh-cornering event (vehicle-model.ts HARSH).
 */
export const OVERSPEED_TURN_FACTOR = 1.3;

/**
 * The speed plan of a route's edges (see `Route.endCapMs`), with `overspeedMs` added to every
 * legal limit of at least OVERSPEED_MIN_LIMIT_MS and turns taken OVERSPEED_TURN_FACTOR faster
 * when it is above 0: turns and the stop at the end still cap it.
 */
function speedPlan(
  network: RoadNetwork,
  edges: Int32Array,
  startM: Float64Array,
  overspeedMs: number,
): Float64Array {
  const n = edges.length;
  const turnFactor = overspeedMs > 0 ? OVERSPEED_TURN_FACTOR : 1;
  const limitOf = (e: number) => {
    const legal = network.edgeSpeedLimitMs[e] ?? 0;
    return legal >= OVERSPEED_MIN_LIMIT_MS - 1e-9 ? legal + overspeedMs : legal;
  };
  // Signed turn at the end of each edge (into the next one).
  const turn = new Float64Array(n);
  for (let i = 0; i + 1 < n; i++) {
    turn[i] = headingChangeDeg(
      network.edgeBearingDeg[edges[i] ?? 0] ?? 0,
      network.edgeBearingDeg[edges[i + 1] ?? 0] ?? 0,
    );
  }
  // Cap at each node: both limits and the net turn within the window around it.
  const endCapMs = new Float64Array(n);
  let lo = 0;
  let hi = 0;
  let windowTurn = 0;
  for (let i = 0; i < n; i++) {
    const at = startM[i] ?? 0;
    const nodeAt = at + (network.edgeLengthM[edges[i] ?? 0] ?? 0);
    while (
      hi < n - 1 &&
      (startM[hi] ?? 0) + (network.edgeLengthM[edges[hi] ?? 0] ?? 0) <= nodeAt + TURN_WINDOW_M
    ) {
      windowTurn += turn[hi] ?? 0;
      hi += 1;
    }
    while (
      lo < hi &&
      (startM[lo] ?? 0) + (network.edgeLengthM[edges[lo] ?? 0] ?? 0) < nodeAt - TURN_WINDOW_M
    ) {
      windowTurn -= turn[lo] ?? 0;
      lo += 1;
    }
    const here = limitOf(edges[i] ?? 0);
    const next = i + 1 < n ? limitOf(edges[i + 1] ?? 0) : 0;
    endCapMs[i] = i + 1 < n ? Math.min(here, next, turnSpeedMs(windowTurn) * turnFactor) : 0;
  }
  // Backward pass: from each cap, braking at PLAN_BRAKE_MS2 must reach the next one in time.
  for (let i = n - 2; i >= 0; i--) {
    const nextLen = network.edgeLengthM[edges[i + 1] ?? 0] ?? 0;
    const reachable = Math.sqrt((endCapMs[i + 1] ?? 0) ** 2 + 2 * PLAN_BRAKE_MS2 * nextLen);
    if (reachable < (endCapMs[i] ?? 0)) endCapMs[i] = reachable;
  }
  return endCapMs;
}

const OVERSPEED_PLANS_PER_ROUTE = 8;
const overspeedPlans = new WeakMap<Route, Map<number, Float64Array>>();

/**
 * A route's speed plan for a driver `overspeedMs` over the limit (the speeding scenario), built
 * on first use and kept with the route: the excess is rounded to 0.25 m/s (about 1 km/h) for
 * the cache, and a route keeps its last few plans.
 */
export function overspeedPlan(route: Route, overspeedMs: number): Float64Array {
  if (!(overspeedMs > 0)) return route.endCapMs;
  const key = Math.round(overspeedMs * 4);
  let plans = overspeedPlans.get(route);
  if (plans === undefined) {
    plans = new Map();
    overspeedPlans.set(route, plans);
  }
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = speedPlan(route.network, route.edges, route.startM, key / 4);
    if (plans.size >= OVERSPEED_PLANS_PER_ROUTE) {
      const oldest = plans.keys().next();
      if (!oldest.done) plans.delete(oldest.value);
    }
    plans.set(key, plan);
  }
  return plan;
}
