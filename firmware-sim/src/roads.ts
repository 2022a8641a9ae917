// The road network the simulator drives on: the drivable ways of an OpenStreetMap extract as a
// directed graph of straight segments (one edge per pair of consecutive way nodes and per allowed
// direction), stored in flat typed arrays so a vehicle's per-tick step is a few array reads.
// Only the largest strongly connected component is kept, so every node can reach every other.
import { mulberry32 } from '@fleet/shared/random';
import { type OsmNode, type OsmWay, readOsmPbf } from './osm-pbf.ts';

/**
 * Highway classes a van or truck may drive on, with the speed limit assumed where a way has no
 * usable `maxspeed` tag (km/h). Urban values: the simulator's default map is a city centre and
 * Finnish built-up areas default to 50 km/h; side streets there are mostly signed 30-40.
 * Footways, cycleways, paths, steps, tracks, busways and construction are not drivable;
 * `pedestrian` streets are, only where motor vehicles are explicitly let in (deliveries).
 */
export const DEFAULT_SPEED_KMH: Readonly<Record<string, number>> = {
  motorway: 100,
  motorway_link: 60,
  trunk: 80,
  trunk_link: 50,
  primary: 50,
  primary_link: 40,
  secondary: 50,
  secondary_link: 40,
  tertiary: 40,
  tertiary_link: 30,
  unclassified: 40,
  residential: 30,
  road: 30,
  living_street: 20,
  service: 20,
  pedestrian: 10,
};

/** Classes where depots and job sites are not placed (no stopping on a motorway). */
const THROUGH_CLASSES: ReadonlySet<string> = new Set(['motorway', 'motorway_link', 'trunk', 'trunk_link']);

// Access values that shut a motor vehicle out. `destination`, `delivery` and `customers` stay
// open: a fleet van has business there (through-traffic rules are not modelled).
const DENIED_ACCESS: ReadonlySet<string> = new Set([
  'no',
  'private',
  'agricultural',
  'forestry',
  'emergency',
  'psv',
  'bus',
  'military',
]);
const EXPLICIT_ACCESS: ReadonlySet<string> = new Set([
  'yes',
  'designated',
  'permissive',
  'destination',
  'delivery',
]);

// Implicit limits (`maxspeed=FI:urban`), km/h; country-specific values first.
const IMPLICIT_SPEED_KMH: Readonly<Record<string, number>> = {
  urban: 50,
  rural: 80,
  motorway: 120,
  trunk: 100,
  living_street: 20,
  walk: 6,
  'de:rural': 100,
  'at:rural': 100,
  'gb:nsl_single': 96.56,
  'gb:nsl_dual': 112.65,
  'gb:motorway': 112.65,
};

/**
 * A `maxspeed` value in km/h, or undefined where the tag does not give one (`none`,
 * `signals`, `variable`, garbage), in which case the class default applies. Understands plain
 * numbers (km/h), `mph` and `knots` units, implicit values (`FI:urban`, `DE:rural`,
 * `GB:nsl_single`, `RU:living_street`, zones as `DE:zone30` or `DE:zone:30`) and `walk`;
 * of several values (`50;30`) the lowest.
 */
export function parseMaxspeedKmh(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  let lowest: number | undefined;
  for (const part of raw.split(';')) {
    const kmh = parseOneMaxspeed(part.trim().toLowerCase());
    if (kmh !== undefined && (lowest === undefined || kmh < lowest)) lowest = kmh;
  }
  return lowest;
}

function parseOneMaxspeed(s: string): number | undefined {
  const numeric = /^(\d+(?:\.\d+)?)\s*(mph|knots|km\/h|kmh|kph)?$/.exec(s);
  if (numeric) {
    const n = Number(numeric[1]);
    if (!(n > 0)) return undefined;
    if (numeric[2] === 'mph') return n * 1.609344;
    if (numeric[2] === 'knots') return n * 1.852;
    return n;
  }
  if (s === 'walk') return IMPLICIT_SPEED_KMH.walk;
  const implicit = /^([a-z]{2})(?:-[a-z0-9]+)?:(.+)$/.exec(s);
  if (!implicit) return undefined;
  const [, country = '', kind = ''] = implicit;
  const zone = /^zone:?(\d+)$/.exec(kind);
  if (zone) return Number(zone[1]);
  return IMPLICIT_SPEED_KMH[`${country}:${kind}`] ?? IMPLICIT_SPEED_KMH[kind];
}

/** Which ways a motor vehicle may drive a way in, or undefined when it may not drive it at all. */
export type WayDirections = 'both' | 'forward' | 'backward';

/**
 * The directions a motor vehicle may use a way in, from its tags; undefined for ways that are
 * not drivable (class, access, areas, reversible lanes). One-way rules: `oneway=yes|true|1`
 * forward, `-1|reverse` backward, `no|false|0` both ways even on roundabouts and motorways;
 * untagged, `junction=roundabout|circular` and `highway=motorway|motorway_link` are one-way
 * forward. Mode-specific tags (`oneway:motor_vehicle`, `oneway:vehicle`) win over `oneway`.
 */
export function wayDirections(tags: Readonly<Record<string, string>>): WayDirections | undefined {
  const highway = tags.highway;
  if (highway === undefined || DEFAULT_SPEED_KMH[highway] === undefined) return undefined;
  if (tags.area === 'yes' || tags.service === 'emergency_access') return undefined;
  const access = tags.motorcar ?? tags.motor_vehicle ?? tags.vehicle ?? tags.access;
  if (highway === 'pedestrian') {
    if (access === undefined || !EXPLICIT_ACCESS.has(access)) return undefined;
  } else if (access !== undefined && DENIED_ACCESS.has(access)) {
    return undefined;
  }
  const oneway =
    tags['oneway:motorcar'] ?? tags['oneway:motor_vehicle'] ?? tags['oneway:vehicle'] ?? tags.oneway;
  switch (oneway) {
    case 'yes':
    case 'true':
    case '1':
      return 'forward';
    case '-1':
    case 'reverse':
      return 'backward';
    case 'no':
    case 'false':
    case '0':
      return 'both';
    case 'reversible':
    case 'alternating':
      return undefined; // direction changes by the hour: leave it out rather than guess
  }
  const junction = tags.junction;
  if (junction === 'roundabout' || junction === 'circular') return 'forward';
  if (highway === 'motorway' || highway === 'motorway_link') return 'forward';
  return 'both';
}

/** Speed limit of a way in one direction, km/h: `maxspeed:forward|backward`, `maxspeed`, class default. */
export function waySpeedLimitKmh(
  tags: Readonly<Record<string, string>>,
  direction: 'forward' | 'backward',
): number {
  return (
    parseMaxspeedKmh(tags[`maxspeed:${direction}`]) ??
    parseMaxspeedKmh(tags.maxspeed) ??
    DEFAULT_SPEED_KMH[tags.highway ?? ''] ??
    DEFAULT_SPEED_KMH.residential ??
    30
  );
}

export interface RoadWay {
  osmId: string;
  highway: string;
  name: string | undefined;
  directions: WayDirections;
}

/**
 * A directed road graph in flat arrays. Nodes 0..nodeCount-1, edges 0..edgeCount-1; every edge
 * is a straight segment. Edges are sorted by their start node: the edges leaving node n are
 * `outStart[n]` up to (not including) `outStart[n + 1]`.
 */
export interface RoadNetwork {
  readonly nodeCount: number;
  readonly nodeLat: Float64Array;
  readonly nodeLon: Float64Array;
  readonly nodeOsmId: readonly string[];
  readonly edgeCount: number;
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  /** Great-circle (haversine) length, metres. */
  readonly edgeLengthM: Float64Array;
  /** Initial bearing from start to end, degrees clockwise from north, [0, 360). */
  readonly edgeBearingDeg: Float64Array;
  /** Legal limit in the edge's direction, m/s. */
  readonly edgeSpeedLimitMs: Float64Array;
  /** Index into `ways`. */
  readonly edgeWay: Int32Array;
  readonly outStart: Int32Array;
  readonly ways: readonly RoadWay[];
  readonly bounds: { minLat: number; minLon: number; maxLat: number; maxLon: number };
  /** What the extract held and what was dropped, for logs and tests. */
  readonly stats: RoadNetworkStats;
}

export interface RoadNetworkStats {
  osmNodes: number;
  osmWays: number;
  drivableWays: number;
  /** Segments of drivable ways whose other node lies outside the extract (clipped at its edge). */
  clippedSegments: number;
  /** Nodes and directed edges before keeping only the largest strongly connected component. */
  graphNodes: number;
  graphEdges: number;
  components: number;
}

/** Mean Earth radius, metres (the sphere of every length here). */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function bearingDeg(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const p1 = lat1 * RAD;
  const p2 = lat2 * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const y = Math.sin(dLon) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dLon);
  const deg = Math.atan2(y, x) / RAD;
  return deg < 0 ? deg + 360 : deg;
}

/** Reads an `.osm.pbf` extract and builds its road network (see `buildRoadNetwork`). */
export async function loadRoadNetwork(pbfPath: string): Promise<RoadNetwork> {
  const nodes: OsmNode[] = [];
  const ways: OsmWay[] = [];
  let osmWays = 0;
  await readOsmPbf(pbfPath, {
    node: (n) => {
      nodes.push({ id: n.id, lat: n.lat, lon: n.lon });
    },
    way: (w) => {
      osmWays += 1;
      if (wayDirections(w.tags) !== undefined) ways.push(w);
    },
  });
  const network = buildRoadNetwork(nodes, ways);
  network.stats.osmWays = osmWays;
  return network;
}

/**
 * Builds the road network from OSM nodes and ways (ways that are not drivable are ignored, so
 * all of an extract's ways may be passed). Keeps the largest strongly connected component.
 * Throws if nothing drivable is left.
 */
export function buildRoadNetwork(nodes: Iterable<OsmNode>, ways: Iterable<OsmWay>): RoadNetwork {
  const coords = new Map<string, OsmNode>();
  let osmNodes = 0;
  for (const n of nodes) {
    coords.set(n.id, n);
    osmNodes += 1;
  }

  // 1. Directed segments of the drivable ways, over the nodes they use.
  const nodeIndex = new Map<string, number>();
  const usedNodes: OsmNode[] = [];
  const indexOf = (n: OsmNode): number => {
    let i = nodeIndex.get(n.id);
    if (i === undefined) {
      i = usedNodes.length;
      nodeIndex.set(n.id, i);
      usedNodes.push(n);
    }
    return i;
  };
  const roadWays: RoadWay[] = [];
  const segFrom: number[] = [];
  const segTo: number[] = [];
  const segLimitKmh: number[] = [];
  const segWay: number[] = [];
  let osmWays = 0;
  let clippedSegments = 0;
  for (const way of ways) {
    osmWays += 1;
    const directions = wayDirections(way.tags);
    if (directions === undefined) continue;
    const wayIndex = roadWays.length;
    roadWays.push({ osmId: way.id, highway: way.tags.highway ?? '', name: way.tags.name, directions });
    const forwardKmh = waySpeedLimitKmh(way.tags, 'forward');
    const backwardKmh = waySpeedLimitKmh(way.tags, 'backward');
    for (let k = 0; k + 1 < way.nodeRefs.length; k++) {
      const a = coords.get(way.nodeRefs[k] ?? '');
      const b = coords.get(way.nodeRefs[k + 1] ?? '');
      if (a === undefined || b === undefined) {
        clippedSegments += 1;
        continue;
      }
      if (a.id === b.id) continue;
      const ia = indexOf(a);
      const ib = indexOf(b);
      if (directions !== 'backward') {
        segFrom.push(ia);
        segTo.push(ib);
        segLimitKmh.push(forwardKmh);
        segWay.push(wayIndex);
      }
      if (directions !== 'forward') {
        segFrom.push(ib);
        segTo.push(ia);
        segLimitKmh.push(backwardKmh);
        segWay.push(wayIndex);
      }
    }
  }
  if (segFrom.length === 0) throw new Error('the extract has no drivable road segments');

  // 2. Keep the largest strongly connected component, nodes renumbered in first-use order.
  const { component, count: components } = stronglyConnectedComponents(usedNodes.length, segFrom, segTo);
  const sizes = new Int32Array(components);
  for (const c of component) sizes[c] = (sizes[c] ?? 0) + 1;
  let largest = 0;
  for (let c = 1; c < components; c++) if ((sizes[c] ?? 0) > (sizes[largest] ?? 0)) largest = c;
  const newIndex = new Int32Array(usedNodes.length).fill(-1);
  const keptNodes: OsmNode[] = [];
  for (let i = 0; i < usedNodes.length; i++) {
    const node = usedNodes[i];
    if (component[i] === largest && node !== undefined) {
      newIndex[i] = keptNodes.length;
      keptNodes.push(node);
    }
  }
  const keptSegments: number[] = [];
  for (let s = 0; s < segFrom.length; s++) {
    if ((newIndex[segFrom[s] ?? 0] ?? -1) >= 0 && (newIndex[segTo[s] ?? 0] ?? -1) >= 0) keptSegments.push(s);
  }
  // Stable sort by start node, so each node's out-edges are one contiguous run.
  keptSegments.sort((x, y) => (newIndex[segFrom[x] ?? 0] ?? 0) - (newIndex[segFrom[y] ?? 0] ?? 0) || x - y);

  // 3. Flat arrays.
  const nodeCount = keptNodes.length;
  const nodeLat = new Float64Array(nodeCount);
  const nodeLon = new Float64Array(nodeCount);
  const bounds = { minLat: 90, minLon: 180, maxLat: -90, maxLon: -180 };
  keptNodes.forEach((n, i) => {
    nodeLat[i] = n.lat;
    nodeLon[i] = n.lon;
    bounds.minLat = Math.min(bounds.minLat, n.lat);
    bounds.maxLat = Math.max(bounds.maxLat, n.lat);
    bounds.minLon = Math.min(bounds.minLon, n.lon);
    bounds.maxLon = Math.max(bounds.maxLon, n.lon);
  });
  const edgeCount = keptSegments.length;
  const edgeFrom = new Int32Array(edgeCount);
  const edgeTo = new Int32Array(edgeCount);
  const edgeLengthM = new Float64Array(edgeCount);
  const edgeBearingDeg = new Float64Array(edgeCount);
  const edgeSpeedLimitMs = new Float64Array(edgeCount);
  const edgeWay = new Int32Array(edgeCount);
  const outStart = new Int32Array(nodeCount + 1);
  keptSegments.forEach((s, e) => {
    const from = newIndex[segFrom[s] ?? 0] ?? 0;
    const to = newIndex[segTo[s] ?? 0] ?? 0;
    const lat1 = nodeLat[from] ?? 0;
    const lon1 = nodeLon[from] ?? 0;
    const lat2 = nodeLat[to] ?? 0;
    const lon2 = nodeLon[to] ?? 0;
    edgeFrom[e] = from;
    edgeTo[e] = to;
    edgeLengthM[e] = haversineM(lat1, lon1, lat2, lon2);
    edgeBearingDeg[e] = bearingDeg(lat1, lon1, lat2, lon2);
    edgeSpeedLimitMs[e] = (segLimitKmh[s] ?? 30) / 3.6;
    edgeWay[e] = segWay[s] ?? 0;
    outStart[from + 1] = (outStart[from + 1] ?? 0) + 1;
  });
  for (let n = 0; n < nodeCount; n++) outStart[n + 1] = (outStart[n + 1] ?? 0) + (outStart[n] ?? 0);

  return {
    nodeCount,
    nodeLat,
    nodeLon,
    nodeOsmId: keptNodes.map((n) => n.id),
    edgeCount,
    edgeFrom,
    edgeTo,
    edgeLengthM,
    edgeBearingDeg,
    edgeSpeedLimitMs,
    edgeWay,
    outStart,
    ways: roadWays,
    bounds,
    stats: {
      osmNodes,
      osmWays,
      drivableWays: roadWays.length,
      clippedSegments,
      graphNodes: usedNodes.length,
      graphEdges: segFrom.length,
      components,
    },
  };
}

/**
 * Tarjan's strongly connected components, iterative (a city's road graph is deeper than the
 * call stack). Returns each node's component number and the number of components.
 */
function stronglyConnectedComponents(
  nodeCount: number,
  from: readonly number[],
  to: readonly number[],
): { component: Int32Array; count: number } {
  // Adjacency in CSR form.
  const start = new Int32Array(nodeCount + 1);
  for (const f of from) start[f + 1] = (start[f + 1] ?? 0) + 1;
  for (let n = 0; n < nodeCount; n++) start[n + 1] = (start[n + 1] ?? 0) + (start[n] ?? 0);
  const adj = new Int32Array(from.length);
  const fill = start.slice(0, nodeCount);
  for (let s = 0; s < from.length; s++) {
    const f = from[s] ?? 0;
    adj[fill[f] ?? 0] = to[s] ?? 0;
    fill[f] = (fill[f] ?? 0) + 1;
  }

  const index = new Int32Array(nodeCount).fill(-1);
  const low = new Int32Array(nodeCount);
  const onStack = new Uint8Array(nodeCount);
  const component = new Int32Array(nodeCount).fill(-1);
  const stack = new Int32Array(nodeCount);
  const callNode = new Int32Array(nodeCount);
  const callEdge = new Int32Array(nodeCount);
  let sp = 0;
  let next = 0;
  let count = 0;
  for (let root = 0; root < nodeCount; root++) {
    if ((index[root] ?? 0) >= 0) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = start[root] ?? 0;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callNode[depth] ?? 0;
      const e = callEdge[depth] ?? 0;
      if (e < (start[v + 1] ?? 0)) {
        callEdge[depth] = e + 1;
        const w = adj[e] ?? 0;
        if ((index[w] ?? 0) < 0) {
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          depth += 1;
          callNode[depth] = w;
          callEdge[depth] = start[w] ?? 0;
        } else if (onStack[w]) {
          low[v] = Math.min(low[v] ?? 0, index[w] ?? 0);
        }
        continue;
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--sp] ?? 0;
          onStack[w] = 0;
          component[w] = count;
        } while (w !== v);
        count += 1;
      }
      depth -= 1;
      if (depth >= 0) {
        const parent = callNode[depth] ?? 0;
        low[parent] = Math.min(low[parent] ?? 0, low[v] ?? 0);
      }
    }
  }
  return { component, count };
}

/**
 * A seeded PRNG (mulberry32): uniform in [0, 1), the same sequence for the same seed. Every
 * random choice of the simulator draws from one of these, so a run is repeatable from its seed.
 */
export { mulberry32 };

/** The node nearest to a point (a linear scan: for setup, not for ticks). */
export function nearestNode(network: RoadNetwork, lat: number, lon: number): number {
  const kx = Math.cos(lat * RAD);
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  for (let n = 0; n < network.nodeCount; n++) {
    const dy = (network.nodeLat[n] ?? 0) - lat;
    const dx = ((network.nodeLon[n] ?? 0) - lon) * kx;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best;
}

/**
 * Picks `count` distinct, well-spread nodes for depots and job sites, deterministically from
 * `seed`: Mitchell's best-candidate sampling (each new site is the one of 32 random candidates
 * farthest from the sites already picked). Sites sit on streets where one can stop (not on
 * motorways or trunk roads).
 */
export function pickSites(network: RoadNetwork, count: number, seed: number): number[] {
  const eligible: number[] = [];
  for (let n = 0; n < network.nodeCount; n++) {
    for (let e = network.outStart[n] ?? 0; e < (network.outStart[n + 1] ?? 0); e++) {
      const way = network.ways[network.edgeWay[e] ?? 0];
      if (way !== undefined && !THROUGH_CLASSES.has(way.highway)) {
        eligible.push(n);
        break;
      }
    }
  }
  if (count > eligible.length) {
    throw new Error(`asked for ${count} sites, the network has ${eligible.length} eligible nodes`);
  }
  const random = mulberry32(seed);
  const kx = Math.cos(((network.bounds.minLat + network.bounds.maxLat) / 2) * RAD);
  const sites: number[] = [];
  const taken = new Set<number>();
  const candidates = 32;
  while (sites.length < count) {
    let best = -1;
    let bestD = -1;
    for (let c = 0; c < candidates; c++) {
      const n = eligible[Math.floor(random() * eligible.length)] ?? 0;
      if (taken.has(n)) continue;
      let nearest = Number.POSITIVE_INFINITY;
      for (const s of sites) {
        const dy = (network.nodeLat[n] ?? 0) - (network.nodeLat[s] ?? 0);
        const dx = ((network.nodeLon[n] ?? 0) - (network.nodeLon[s] ?? 0)) * kx;
        nearest = Math.min(nearest, dx * dx + dy * dy);
      }
      if (nearest > bestD) {
        bestD = nearest;
        best = n;
      }
    }
    if (best >= 0) {
      sites.push(best);
      taken.add(best);
    }
  }
  return sites;
}
