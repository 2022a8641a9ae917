import createGraph from 'ngraph.graph';
import { aStar } from 'ngraph.path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildRoadNetwork,
  haversineM,
  loadRoadNetwork,
  mulberry32,
  type OsmNode,
  type OsmWay,
  parseMaxspeedKmh,
  pickSites,
  type RoadNetwork,
  readOsmPbf,
  route,
  routerFor,
  wayDirections,
  waySpeedLimitKmh,
} from '../src/index.ts';
import { helsinkiExtract } from './extract.ts';

// A point `x` metres east and `y` metres north of a reference in Helsinki.
function at(id: string, x: number, y: number): OsmNode {
  return { id, lat: 60.17 + y / 111_320, lon: 24.94 + x / (111_320 * Math.cos((60.17 * Math.PI) / 180)) };
}
function way(id: string, nodeRefs: string[], tags: Record<string, string>): OsmWay {
  return { id, nodeRefs, tags };
}
function edgeBetween(net: RoadNetwork, fromOsm: string, toOsm: string): number | undefined {
  for (let e = 0; e < net.edgeCount; e++) {
    if (net.nodeOsmId[net.edgeFrom[e] ?? 0] === fromOsm && net.nodeOsmId[net.edgeTo[e] ?? 0] === toOsm)
      return e;
  }
  return undefined;
}

describe('maxspeed and one-way tags', () => {
  it('parses maxspeed values to km/h', () => {
    expect(parseMaxspeedKmh('50')).toBe(50);
    expect(parseMaxspeedKmh('30 mph')).toBeCloseTo(48.28, 2);
    expect(parseMaxspeedKmh('40 km/h')).toBe(40);
    expect(parseMaxspeedKmh('FI:urban')).toBe(50);
    expect(parseMaxspeedKmh('FI:rural')).toBe(80);
    expect(parseMaxspeedKmh('DE:rural')).toBe(100);
    expect(parseMaxspeedKmh('DE:zone30')).toBe(30);
    expect(parseMaxspeedKmh('DE:zone:20')).toBe(20);
    expect(parseMaxspeedKmh('RU:living_street')).toBe(20);
    expect(parseMaxspeedKmh('GB:nsl_single')).toBeCloseTo(96.56, 1);
    expect(parseMaxspeedKmh('walk')).toBe(6);
    expect(parseMaxspeedKmh('50;30')).toBe(30);
    for (const none of ['none', 'signals', 'variable', '', 'fast', '0', undefined]) {
      expect(parseMaxspeedKmh(none)).toBeUndefined();
    }
  });

  it('falls back to the direction tag, then maxspeed, then the class default', () => {
    const tags = { highway: 'primary', maxspeed: '50', 'maxspeed:backward': '30' };
    expect(waySpeedLimitKmh(tags, 'forward')).toBe(50);
    expect(waySpeedLimitKmh(tags, 'backward')).toBe(30);
    expect(waySpeedLimitKmh({ highway: 'residential' }, 'forward')).toBe(30);
    expect(waySpeedLimitKmh({ highway: 'service', maxspeed: 'none' }, 'forward')).toBe(20);
  });

  it('keeps drivable classes with their one-way rules and drops the rest', () => {
    expect(wayDirections({ highway: 'residential' })).toBe('both');
    for (const v of ['yes', 'true', '1'])
      expect(wayDirections({ highway: 'primary', oneway: v })).toBe('forward');
    for (const v of ['-1', 'reverse'])
      expect(wayDirections({ highway: 'primary', oneway: v })).toBe('backward');
    expect(wayDirections({ highway: 'tertiary', junction: 'roundabout' })).toBe('forward');
    expect(wayDirections({ highway: 'tertiary', junction: 'roundabout', oneway: 'no' })).toBe('both');
    expect(wayDirections({ highway: 'motorway' })).toBe('forward');
    expect(wayDirections({ highway: 'motorway_link' })).toBe('forward');
    expect(wayDirections({ highway: 'secondary', oneway: 'yes', 'oneway:motor_vehicle': 'no' })).toBe('both');
    expect(wayDirections({ highway: 'primary', oneway: 'reversible' })).toBeUndefined();
    for (const h of [
      'footway',
      'cycleway',
      'path',
      'steps',
      'pedestrian',
      'track',
      'busway',
      'construction',
    ]) {
      expect(wayDirections({ highway: h })).toBeUndefined();
    }
    expect(wayDirections({ highway: 'pedestrian', motor_vehicle: 'delivery' })).toBe('both');
    expect(wayDirections({ highway: 'service', access: 'private' })).toBeUndefined();
    expect(wayDirections({ highway: 'service', motorcar: 'no' })).toBeUndefined();
    expect(wayDirections({ highway: 'service', access: 'no', motor_vehicle: 'destination' })).toBe('both');
    expect(wayDirections({ highway: 'service', area: 'yes' })).toBeUndefined();
    expect(wayDirections({ building: 'yes' })).toBeUndefined();
  });
});

describe('buildRoadNetwork on a hand-made map', () => {
  // A two-way square a-b-c-d with a one-way diagonal a->c, a footway, a one-way spur c->e that
  // cannot come back (not strongly connected), and a way clipped at the extract's edge.
  const nodes = [at('a', 0, 0), at('b', 100, 0), at('c', 100, 100), at('d', 0, 100), at('e', 200, 100)];
  const ways = [
    way('sq', ['a', 'b', 'c', 'd', 'a'], { highway: 'residential', maxspeed: '40' }),
    way('diag', ['a', 'c'], { highway: 'tertiary', oneway: 'yes' }),
    way('foot', ['b', 'd'], { highway: 'footway' }),
    way('spur', ['c', 'e'], { highway: 'service', oneway: 'yes' }),
    way('clipped', ['d', 'outside'], { highway: 'residential' }),
  ];
  const net = buildRoadNetwork(nodes, ways);

  it('has both directions of two-way streets and one of one-way streets', () => {
    expect(edgeBetween(net, 'a', 'b')).toBeDefined();
    expect(edgeBetween(net, 'b', 'a')).toBeDefined();
    expect(edgeBetween(net, 'a', 'c')).toBeDefined();
    expect(edgeBetween(net, 'c', 'a')).toBeUndefined();
    expect(edgeBetween(net, 'b', 'd')).toBeUndefined(); // footway
    expect(net.edgeCount).toBe(9);
  });

  it('keeps only the largest strongly connected component', () => {
    expect(net.nodeOsmId).not.toContain('e');
    expect(net.nodeCount).toBe(4);
    expect(net.stats.components).toBe(2);
    expect(net.stats.clippedSegments).toBe(1);
  });

  it('stores geometry and limits per edge, and out-edges per node', () => {
    const ab = edgeBetween(net, 'a', 'b') ?? -1;
    expect(net.edgeLengthM[ab]).toBeCloseTo(100, 0);
    expect(net.edgeBearingDeg[ab]).toBeCloseTo(90, 0);
    expect(net.edgeSpeedLimitMs[ab]).toBeCloseTo(40 / 3.6, 6);
    expect(net.edgeSpeedLimitMs[edgeBetween(net, 'a', 'c') ?? -1]).toBeCloseTo(40 / 3.6, 6); // tertiary default
    for (let n = 0; n < net.nodeCount; n++) {
      for (let e = net.outStart[n] ?? 0; e < (net.outStart[n + 1] ?? 0); e++) expect(net.edgeFrom[e]).toBe(n);
    }
  });

  it('routes the one-way diagonal only forwards', () => {
    const a = net.nodeOsmId.indexOf('a');
    const c = net.nodeOsmId.indexOf('c');
    expect(route(net, a, c).lengthM).toBeCloseTo(141.4, 0);
    expect(route(net, c, a).lengthM).toBeCloseTo(200, 0);
  });

  it('refuses an extract with nothing drivable', () => {
    expect(() => buildRoadNetwork(nodes, [way('f', ['a', 'b'], { highway: 'footway' })])).toThrow(
      /no drivable/,
    );
  });
});

describe('the central Helsinki extract', () => {
  let net: RoadNetwork;
  beforeAll(async () => {
    const started = performance.now();
    net = await loadRoadNetwork(helsinkiExtract());
    console.log(
      `Helsinki extract: loaded in ${Math.round(performance.now() - started)} ms, ` +
        `${net.nodeCount} nodes and ${net.edgeCount} edges kept of ${net.stats.graphNodes} and ${net.stats.graphEdges} ` +
        `(${net.stats.components} components), ${net.stats.drivableWays} of ${net.stats.osmWays} ways drivable`,
    );
  });

  it('holds the drivable streets of a 1 x 1.6 km city centre', () => {
    expect(net.stats.osmNodes).toBe(24_260);
    expect(net.stats.drivableWays).toBeGreaterThan(800);
    expect(net.nodeCount).toBeGreaterThan(1_500);
    expect(net.edgeCount).toBeGreaterThan(2_400);
    const { minLat, maxLat, minLon, maxLon } = net.bounds;
    expect(minLat).toBeGreaterThan(60.16);
    expect(maxLat).toBeLessThan(60.18);
    expect(minLon).toBeGreaterThan(24.93);
    expect(maxLon).toBeLessThan(24.96);
    const classes = new Set(net.ways.map((w) => w.highway));
    for (const c of ['footway', 'cycleway', 'path', 'steps', 'track']) expect(classes.has(c)).toBe(false);
    expect(classes.has('primary') && classes.has('residential')).toBe(true);
    for (let e = 0; e < net.edgeCount; e++) {
      const limitKmh = (net.edgeSpeedLimitMs[e] ?? 0) * 3.6;
      expect(limitKmh).toBeGreaterThanOrEqual(5);
      expect(limitKmh).toBeLessThanOrEqual(100);
      expect(net.edgeLengthM[e]).toBeGreaterThan(0);
    }
  });

  it('never has the reverse of a one-way segment', () => {
    const seen = new Set<string>();
    for (let e = 0; e < net.edgeCount; e++) seen.add(`${net.edgeWay[e]}:${net.edgeFrom[e]}>${net.edgeTo[e]}`);
    let oneWayEdges = 0;
    for (let e = 0; e < net.edgeCount; e++) {
      const w = net.ways[net.edgeWay[e] ?? 0];
      if (w?.directions === 'both') continue;
      oneWayEdges += 1;
      expect(seen.has(`${net.edgeWay[e]}:${net.edgeTo[e]}>${net.edgeFrom[e]}`)).toBe(false);
    }
    expect(oneWayEdges).toBeGreaterThan(500);
  });

  it('routes every random pair, along chained edges, never against a one-way', async () => {
    // The directions the OSM tags allow, read from the file again independently of the network.
    const allowed = new Set<string>();
    const oneWayOnly = new Set<string>();
    await readOsmPbf(helsinkiExtract(), {
      way: (w) => {
        const directions = wayDirections(w.tags);
        if (directions === undefined) return;
        for (let k = 0; k + 1 < w.nodeRefs.length; k++) {
          const fwd = `${w.nodeRefs[k]}>${w.nodeRefs[k + 1]}`;
          const bwd = `${w.nodeRefs[k + 1]}>${w.nodeRefs[k]}`;
          if (directions !== 'backward') allowed.add(fwd);
          if (directions !== 'forward') allowed.add(bwd);
          if (directions !== 'both') oneWayOnly.add(directions === 'forward' ? fwd : bwd);
        }
      },
    });
    const osmPair = (e: number, reversed = false): string => {
      const from = net.nodeOsmId[net.edgeFrom[e] ?? 0];
      const to = net.nodeOsmId[net.edgeTo[e] ?? 0];
      return reversed ? `${to}>${from}` : `${from}>${to}`;
    };
    const random = mulberry32(7);
    let throughOneWay = 0;
    for (let k = 0; k < 300; k++) {
      const a = Math.floor(random() * net.nodeCount);
      const b = Math.floor(random() * net.nodeCount);
      const r = route(net, a, b);
      if (a === b) {
        expect(r.edges.length).toBe(0);
        continue;
      }
      let sum = 0;
      let node = a;
      for (const e of r.edges) {
        expect(net.edgeFrom[e]).toBe(node);
        expect(allowed.has(osmPair(e))).toBe(true);
        node = net.edgeTo[e] ?? -1;
        sum += net.edgeLengthM[e] ?? 0;
      }
      expect(node).toBe(b);
      expect(r.lengthM).toBeCloseTo(sum, 6);
      // Where the route takes a one-way segment, the route back (the reversed query) must not
      // drive that segment the other way.
      const wrongWay = [...r.edges].filter(
        (e) => oneWayOnly.has(osmPair(e)) && !allowed.has(osmPair(e, true)),
      );
      if (wrongWay.length === 0) continue;
      throughOneWay += 1;
      const back = new Set([...route(net, b, a).edges].map((e) => osmPair(e)));
      for (const e of wrongWay) expect(back.has(osmPair(e, true))).toBe(false);
    }
    expect(throughOneWay).toBeGreaterThan(50);
  });

  it('finds shortest routes (NBA* agrees with a plain Dijkstra)', () => {
    const graph = createGraph<undefined, number>();
    for (let e = 0; e < net.edgeCount; e++) {
      const link = graph.getLink(net.edgeFrom[e] ?? 0, net.edgeTo[e] ?? 0);
      if (link === undefined) graph.addLink(net.edgeFrom[e] ?? 0, net.edgeTo[e] ?? 0, e);
      else if ((net.edgeLengthM[e] ?? 0) < (net.edgeLengthM[link.data] ?? 0)) link.data = e;
    }
    const dijkstra = aStar<undefined, number>(graph, {
      oriented: true,
      distance: (_a, _b, link) => net.edgeLengthM[link.data] ?? 0,
    });
    const random = mulberry32(11);
    for (let k = 0; k < 100; k++) {
      const a = Math.floor(random() * net.nodeCount);
      const b = Math.floor(random() * net.nodeCount);
      const path = dijkstra.find(a, b);
      let length = 0;
      for (let i = path.length - 1; i > 0; i--) {
        length += net.edgeLengthM[graph.getLink(path[i]?.id ?? -1, path[i - 1]?.id ?? -1)?.data ?? -1] ?? 0;
      }
      expect(route(net, a, b).lengthM).toBeCloseTo(length, 6);
    }
  });

  it('caches routes', () => {
    const router = routerFor(net);
    const r = router.route(1, 200);
    expect(router.route(1, 200)).toBe(r);
    expect(router.cached).toBeGreaterThan(0);
  });

  it('picks well-spread sites, the same for the same seed', () => {
    const sites = pickSites(net, 10, 42);
    expect(pickSites(net, 10, 42)).toEqual(sites);
    expect(pickSites(net, 10, 43)).not.toEqual(sites);
    expect(new Set(sites).size).toBe(10);
    let closest = Number.POSITIVE_INFINITY;
    for (const a of sites) {
      for (const b of sites) {
        if (a === b) continue;
        const d = haversineM(
          net.nodeLat[a] ?? 0,
          net.nodeLon[a] ?? 0,
          net.nodeLat[b] ?? 0,
          net.nodeLon[b] ?? 0,
        );
        closest = Math.min(closest, d);
      }
    }
    // Ten sites on 1.6 km²: evenly spread they would be ~400 m apart; random picks often < 50 m.
    expect(closest).toBeGreaterThan(150);
    expect(() => pickSites(net, net.nodeCount + 1, 1)).toThrow(/eligible/);
  });

  it('rejects a file that is not an OSM PBF extract', async () => {
    await expect(loadRoadNetwork('/no/such/file.osm.pbf')).rejects.toThrow(/not readable/);
    await expect(loadRoadNetwork(new URL(import.meta.url).pathname)).rejects.toThrow(/not an OSM PBF/);
  });
});
