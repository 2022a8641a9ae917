// Plane geometry on longitude/latitude pairs for the basemap build: splitting ways where the
// extract dropped their nodes, closing polygons cut by the extract's edge, clipping Natural Earth
// shapes to a window, and the small measures (area, centroid, containment) the rest needs.
// Degrees are treated as a plane: the extract is 1-2 km across, where that is exact enough for
// orientation, containment and label placement.

/** [longitude, latitude] in degrees, as GeoJSON has it. */
export type Position = [number, number];
/** [west, south, east, north] in degrees. */
export type Bounds = [number, number, number, number];

const M_PER_DEG_LAT = 111_320;

/** Rounds to `decimals` places: 6 is about 0.1 m, well below OSM's own accuracy. */
export function roundPosition(p: Position, decimals: number): Position {
  const f = 10 ** decimals;
  return [Math.round(p[0] * f) / f, Math.round(p[1] * f) / f];
}

/** Rounds every position and drops the consecutive duplicates that rounding leaves. */
export function roundLine(line: readonly Position[], decimals: number): Position[] {
  const out: Position[] = [];
  for (const p of line) {
    const r = roundPosition(p, decimals);
    const last = out[out.length - 1];
    if (!last || last[0] !== r[0] || last[1] !== r[1]) out.push(r);
  }
  return out;
}

export function boundsOf(points: Iterable<Position>): Bounds | undefined {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const [lon, lat] of points) {
    if (lon < w) w = lon;
    if (lon > e) e = lon;
    if (lat < s) s = lat;
    if (lat > n) n = lat;
  }
  return w <= e ? [w, s, e, n] : undefined;
}

/** Shoelace area in square degrees: positive when the ring runs counter-clockwise. */
export function signedArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i] as Position;
    const b = ring[(i + 1) % ring.length] as Position;
    sum += a[0] * b[1] - b[0] * a[1];
  }
  return sum / 2;
}

/** Ray casting; points on the edge count either way. */
export function pointInRing(p: Position, ring: readonly Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as Position;
    const b = ring[j] as Position;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) {
      inside = !inside;
    }
  }
  return inside;
}

/** The area centroid of a ring, or its first point when the ring has no area. */
export function ringCentroid(ring: readonly Position[]): Position {
  let area = 0;
  let cx = 0;
  let cy = 0;
  const [ox, oy] = ring[0] as Position; // relative to the first point, for float precision
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i] as Position;
    const b = ring[(i + 1) % ring.length] as Position;
    const ax = a[0] - ox;
    const ay = a[1] - oy;
    const bx = b[0] - ox;
    const by = b[1] - oy;
    const cross = ax * by - bx * ay;
    area += cross;
    cx += (ax + bx) * cross;
    cy += (ay + by) * cross;
  }
  if (area === 0) return [ox, oy];
  return [ox + cx / (3 * area), oy + cy / (3 * area)];
}

/** Looks a node id up; undefined when the extract does not hold the node. */
export type NodeLookup = (id: string) => Position | undefined;

/**
 * The parts of an open way whose nodes the extract holds: consecutive present nodes form a run,
 * a missing node splits the way. Runs of one node are dropped (nothing to draw).
 */
export function lineRuns(
  refs: readonly string[],
  lookup: NodeLookup,
): { runs: Position[][]; missing: number } {
  const runs: Position[][] = [];
  let run: Position[] = [];
  let missing = 0;
  for (const ref of refs) {
    const p = lookup(ref);
    if (p) {
      run.push(p);
      continue;
    }
    missing++;
    if (run.length >= 2) runs.push(run);
    run = [];
  }
  if (run.length >= 2) runs.push(run);
  return { runs, missing };
}

export type RingParts =
  /** Every node present: a closed ring (first = last). */
  | { kind: 'complete'; ring: Position[] }
  /** Cut: the present stretches in ring order, each ending where a missing stretch starts. */
  | { kind: 'cut'; runs: Position[][]; missing: number };

/**
 * Resolves a ring of node ids. `closed` rings (first id = last id) wrap around; an unclosed one
 * (a multipolygon whose member ways do not all join up) is treated as cut between its last and
 * first node.
 */
export function ringParts(refs: readonly string[], lookup: NodeLookup): RingParts {
  const closed = refs.length > 1 && refs[0] === refs[refs.length - 1];
  const ids = closed ? refs.slice(0, -1) : refs;
  const points = ids.map(lookup);
  const missing = points.filter((p) => p === undefined).length;
  if (closed && missing === 0) {
    const ring = points as Position[];
    return { kind: 'complete', ring: [...ring, ring[0] as Position] };
  }
  if (!closed) {
    points.push(undefined); // the break between the chain's end and its start
  }
  // Start right after a gap, so no run wraps around the array's end.
  const firstGap = points.indexOf(undefined);
  const cyclic = [...points.slice(firstGap + 1), ...points.slice(0, firstGap + 1)];
  const runs: Position[][] = [];
  let run: Position[] = [];
  for (const p of cyclic) {
    if (p) {
      run.push(p);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  return { kind: 'cut', runs, missing };
}

/** Distance in metres from a point to the nearest edge of the bounds, and that edge point. */
export function nearestEdgePoint(p: Position, b: Bounds): { point: Position; distanceM: number } {
  const [w, s, e, n] = b;
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((((s + n) / 2) * Math.PI) / 180);
  const x = Math.min(Math.max(p[0], w), e);
  const y = Math.min(Math.max(p[1], s), n);
  const candidates: { point: Position; distanceM: number }[] = [
    { point: [w, y], distanceM: Math.abs(p[0] - w) * mPerDegLon },
    { point: [e, y], distanceM: Math.abs(e - p[0]) * mPerDegLon },
    { point: [x, s], distanceM: Math.abs(p[1] - s) * M_PER_DEG_LAT },
    { point: [x, n], distanceM: Math.abs(n - p[1]) * M_PER_DEG_LAT },
  ];
  return candidates.reduce((best, c) => (c.distanceM < best.distanceM ? c : best));
}

// Position along the boundary, clockwise from the south-west corner: up the west edge, east
// along the north edge, down the east edge, west along the south edge.
function perimeterPosition(p: Position, b: Bounds): number {
  const [w, s, e, n] = b;
  const width = e - w;
  const height = n - s;
  if (p[0] === w && p[1] > s) return p[1] - s;
  if (p[1] === n) return height + (p[0] - w);
  if (p[0] === e) return height + width + (n - p[1]);
  return 2 * height + width + (e - p[0]);
}

function corners(b: Bounds): { at: number; point: Position }[] {
  const [w, s, e, n] = b;
  const width = e - w;
  const height = n - s;
  return [
    { at: height, point: [w, n] },
    { at: height + width, point: [e, n] },
    { at: 2 * height + width, point: [e, s] },
    { at: 2 * height + 2 * width, point: [w, s] },
  ];
}

/**
 * Closes polygon pieces cut by the edge of the extract along that edge (the clip box): the
 * classic coastline method. Each run is a stretch of the polygon's boundary inside the box with
 * the polygon's interior on its right (as OSM draws coastlines, water on the right). From a run's
 * exit the boundary is followed clockwise to the nearest run entry, whose run is followed in
 * turn, until the ring closes; several rings can come out. Run ends are snapped to the nearest
 * edge, so each must lie within `toleranceM` of it (a node missing in the middle of the extract
 * is broken data, not a cut). Returns undefined when a run end is too far from the edge or the
 * runs cross each other's order.
 */
export function closeAlongBounds(
  runs: readonly (readonly Position[])[],
  b: Bounds,
  toleranceM: number,
): Position[][] | undefined {
  const ends: { entry: Position; entryAt: number; exit: Position; exitAt: number }[] = [];
  for (const run of runs) {
    const first = run[0];
    const last = run[run.length - 1];
    if (!first || !last) return undefined;
    const entry = nearestEdgePoint(first, b);
    const exit = nearestEdgePoint(last, b);
    if (entry.distanceM > toleranceM || exit.distanceM > toleranceM) return undefined;
    ends.push({
      entry: entry.point,
      entryAt: perimeterPosition(entry.point, b),
      exit: exit.point,
      exitAt: perimeterPosition(exit.point, b),
    });
  }
  const perimeter = 2 * (b[2] - b[0] + (b[3] - b[1]));
  const boxCorners = corners(b);
  const used = runs.map(() => false);
  const rings: Position[][] = [];
  for (let start = 0; start < runs.length; start++) {
    if (used[start]) continue;
    const ring: Position[] = [];
    let current = start;
    for (let steps = 0; ; steps++) {
      if (steps > runs.length) return undefined;
      used[current] = true;
      ring.push(...(runs[current] as Position[]));
      const from = (ends[current] as (typeof ends)[number]).exitAt;
      let next = -1;
      let nextDistance = Infinity;
      for (let j = 0; j < runs.length; j++) {
        // A run whose entry and exit snap to one edge point comes back to itself only last.
        const d =
          mod((ends[j] as (typeof ends)[number]).entryAt - from, perimeter) ||
          (j === current ? perimeter : 0);
        if (d < nextDistance) {
          nextDistance = d;
          next = j;
        }
      }
      if (next !== start && used[next]) return undefined;
      ring.push((ends[current] as (typeof ends)[number]).exit);
      for (const c of boxCorners
        .map((c) => ({ ...c, d: mod(c.at - from, perimeter) }))
        .sort((x, y) => x.d - y.d)) {
        if (c.d > 0 && c.d < nextDistance) ring.push(c.point);
      }
      ring.push((ends[next] as (typeof ends)[number]).entry);
      if (next === start) break;
      current = next;
    }
    ring.push(ring[0] as Position);
    rings.push(dropRepeats(ring));
  }
  return rings;
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

function dropRepeats(ring: Position[]): Position[] {
  return ring.filter((p, i) => {
    const prev = ring[i - 1];
    return !prev || prev[0] !== p[0] || prev[1] !== p[1];
  });
}

/**
 * Closes a polygon cut by the box edge whose winding is unknown (OSM areas have no agreed
 * direction): of the two ways to close it along the edge, the one with the smaller area wins. A
 * cut building or park is the piece between its present nodes and the nearby edge; joining the
 * stretches by chords to judge the winding fails on exactly those (a wall running along the edge
 * encloses almost nothing). The one area that routinely covers most of the box, the sea, takes its
 * side from the coastline's direction instead. Undefined when neither way closes.
 */
export function closeCutRing(
  runs: readonly (readonly Position[])[],
  b: Bounds,
  toleranceM: number,
): Position[][] | undefined {
  const reversed = runs.map((r) => [...r].reverse()).reverse();
  const candidates = [
    closeAlongBounds(runs, b, toleranceM),
    closeAlongBounds(reversed, b, toleranceM),
  ].filter((c): c is Position[][] => c !== undefined);
  const area = (rings: Position[][]) => rings.reduce((sum, r) => sum + Math.abs(signedArea(r)), 0);
  return candidates.sort((x, y) => area(x) - area(y))[0];
}

/** Sutherland-Hodgman clipping of a ring to the bounds; undefined when nothing is left. */
export function clipRing(ring: readonly Position[], b: Bounds): Position[] | undefined {
  const [w, s, e, n] = b;
  const edges: [(p: Position) => boolean, (a: Position, c: Position) => Position][] = [
    [(p) => p[0] >= w, (a, c) => atX(a, c, w)],
    [(p) => p[0] <= e, (a, c) => atX(a, c, e)],
    [(p) => p[1] >= s, (a, c) => atY(a, c, s)],
    [(p) => p[1] <= n, (a, c) => atY(a, c, n)],
  ];
  let points: Position[] = ring.slice(0, -1);
  for (const [inside, cross] of edges) {
    const input = points;
    points = [];
    for (let i = 0; i < input.length; i++) {
      const current = input[i] as Position;
      const previous = input[(i + input.length - 1) % input.length] as Position;
      if (inside(current)) {
        if (!inside(previous)) points.push(cross(previous, current));
        points.push(current);
      } else if (inside(previous)) {
        points.push(cross(previous, current));
      }
    }
    if (points.length === 0) return undefined;
  }
  if (points.length < 3) return undefined;
  return [...points, points[0] as Position];
}

/** The parts of a line inside the bounds (each segment clipped, Liang-Barsky). */
export function clipLine(line: readonly Position[], b: Bounds): Position[][] {
  const parts: Position[][] = [];
  let part: Position[] = [];
  for (let i = 1; i < line.length; i++) {
    const seg = clipSegment(line[i - 1] as Position, line[i] as Position, b);
    if (!seg) {
      if (part.length >= 2) parts.push(part);
      part = [];
      continue;
    }
    const [a, c] = seg;
    const last = part[part.length - 1];
    if (!last || last[0] !== a[0] || last[1] !== a[1]) {
      if (part.length >= 2) parts.push(part);
      part = [a];
    }
    part.push(c);
  }
  if (part.length >= 2) parts.push(part);
  return parts;
}

function clipSegment(a: Position, c: Position, b: Bounds): [Position, Position] | undefined {
  const dx = c[0] - a[0];
  const dy = c[1] - a[1];
  let t0 = 0;
  let t1 = 1;
  const checks: [number, number][] = [
    [-dx, a[0] - b[0]],
    [dx, b[2] - a[0]],
    [-dy, a[1] - b[1]],
    [dy, b[3] - a[1]],
  ];
  for (const [p, q] of checks) {
    if (p === 0) {
      if (q < 0) return undefined;
      continue;
    }
    const t = q / p;
    if (p < 0) {
      if (t > t1) return undefined;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return undefined;
      if (t < t1) t1 = t;
    }
  }
  const start: Position = t0 === 0 ? a : [a[0] + t0 * dx, a[1] + t0 * dy];
  const end: Position = t1 === 1 ? c : [a[0] + t1 * dx, a[1] + t1 * dy];
  return [start, end];
}

function atX(a: Position, c: Position, x: number): Position {
  return [x, a[1] + ((c[1] - a[1]) * (x - a[0])) / (c[0] - a[0])];
}

function atY(a: Position, c: Position, y: number): Position {
  return [a[0] + ((c[0] - a[0]) * (y - a[1])) / (c[1] - a[1]), y];
}
