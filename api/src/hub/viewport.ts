// Viewports and the spatial index behind them, as pure code (no sockets, no clock): which
// positions fall inside a client's box, and how the devices outside it add up per grid cell.
//
// The index is a uniform grid of fine cells (GRID_ZOOM: 360/2^16 degrees, about 600 m of
// longitude at 60° N) holding the devices in each cell, not an R-tree (flatbush, kdbush): a
// device that moves changes cell in O(1) where a static tree is rebuilt, a query walks the cells
// the box covers or the occupied cells, whichever is fewer, and the cluster cells of every zoom
// up to GRID_ZOOM are whole groups of fine cells (powers of two), so one structure answers both
// "what is in the box" and "how many are outside, where" (docs/decisions.md).
import { bboxContains, type HubBbox, type HubCluster } from '@fleet/shared';

export interface Viewport {
  bbox: HubBbox;
  zoom: number;
}

/** The zoom of the fine cells; cluster grids of deeper zooms use these cells. */
export const GRID_ZOOM = 14;
const COLS = 2 ** (GRID_ZOOM + 2);
const ROWS = COLS / 2;
const FINE_DEG = 360 / COLS;
/** Degrees of doubt at a cell's edges (floating-point rounding of the cell a point falls in). */
const EDGE = 1e-9;

/** The cluster grid's zoom level: whole, 0..GRID_ZOOM. */
export function clusterLevel(zoom: number): number {
  return Math.max(0, Math.min(GRID_ZOOM, Math.floor(zoom)));
}

/** A cluster cell's side at a zoom, degrees: a quarter of a 256 px tile, about 64 px on screen. */
export function cellDegAt(zoom: number): number {
  return 360 / 2 ** (clusterLevel(zoom) + 2);
}

export const inBox = bboxContains;

/** The box as boxes that do not cross the antimeridian (one, or two when it does). */
export function boxParts(bbox: HubBbox): HubBbox[] {
  const [w, s, e, n] = bbox;
  return w <= e
    ? [bbox]
    : [
        [w, s, 180, n],
        [-180, s, e, n],
      ];
}

const col = (lon: number) => Math.min(COLS - 1, Math.max(0, Math.floor((lon + 180) / FINE_DEG)));
const row = (lat: number) => Math.min(ROWS - 1, Math.max(0, Math.floor((lat + 90) / FINE_DEG)));

export interface GridPoint<T> {
  id: string;
  lon: number;
  lat: number;
  cell: number;
  item: T;
}

/** Points (one per id) bucketed by fine cell. */
export class PointGrid<T> {
  readonly #byId = new Map<string, GridPoint<T>>();
  readonly #cells = new Map<number, Map<string, GridPoint<T>>>();

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): GridPoint<T> | undefined {
    return this.#byId.get(id);
  }

  set(id: string, lon: number, lat: number, item: T): void {
    const cell = row(lat) * COLS + col(lon);
    const old = this.#byId.get(id);
    if (old && old.cell !== cell) this.#removeFromCell(old);
    const point: GridPoint<T> = { id, lon, lat, cell, item };
    this.#byId.set(id, point);
    let members = this.#cells.get(cell);
    if (!members) {
      members = new Map();
      this.#cells.set(cell, members);
    }
    members.set(id, point);
  }

  delete(id: string): void {
    const old = this.#byId.get(id);
    if (!old) return;
    this.#byId.delete(id);
    this.#removeFromCell(old);
  }

  #removeFromCell(p: GridPoint<T>): void {
    const members = this.#cells.get(p.cell);
    members?.delete(p.id);
    if (members?.size === 0) this.#cells.delete(p.cell);
  }

  values(): IterableIterator<GridPoint<T>> {
    return this.#byId.values();
  }

  /** The occupied fine cells: key, and its points. */
  cells(): IterableIterator<[number, Map<string, GridPoint<T>>]> {
    return this.#cells.entries();
  }

  /** The points of one fine cell. */
  cellPoints(key: number): Iterable<GridPoint<T>> {
    return this.#cells.get(key)?.values() ?? [];
  }

  /** Calls `visit` for every point inside the box. */
  forEachIn(bbox: HubBbox, visit: (p: GridPoint<T>) => void): void {
    for (const [w, s, e, n] of boxParts(bbox)) {
      const x0 = col(w);
      const x1 = col(e);
      const y0 = row(s);
      const y1 = row(n);
      const covered = (x1 - x0 + 1) * (y1 - y0 + 1);
      const part: HubBbox = [w, s, e, n];
      if (covered <= this.#cells.size) {
        for (let y = y0; y <= y1; y++) {
          for (let x = x0; x <= x1; x++) {
            const members = this.#cells.get(y * COLS + x);
            if (members) for (const p of members.values()) if (inBox(part, p.lon, p.lat)) visit(p);
          }
        }
      } else {
        for (const [key, members] of this.#cells) {
          const x = key % COLS;
          const y = (key - x) / COLS;
          if (x < x0 || x > x1 || y < y0 || y > y1) continue;
          for (const p of members.values()) if (inBox(part, p.lon, p.lat)) visit(p);
        }
      }
    }
  }
}

interface CoarseCell {
  /** West, south corner of the cell, degrees. */
  lon0: number;
  lat0: number;
  count: number;
  sumLat: number;
  sumLon: number;
  fine: number[];
}

/**
 * The fleet counted per cluster cell of one zoom level: built once per cluster tick and zoom
 * level, then cut by each client's box (clustersOutside).
 */
export class ClusterLevel<T> {
  readonly level: number;
  readonly cellDeg: number;
  readonly #cells = new Map<number, CoarseCell>();
  readonly #grid: PointGrid<T>;

  constructor(grid: PointGrid<T>, zoom: number) {
    this.#grid = grid;
    this.level = clusterLevel(zoom);
    this.cellDeg = cellDegAt(zoom);
    const shift = 2 ** (GRID_ZOOM - this.level);
    for (const [key, members] of grid.cells()) {
      const x = key % COLS;
      const y = (key - x) / COLS;
      const cx = Math.floor(x / shift);
      const cy = Math.floor(y / shift);
      const coarseKey = cy * (COLS / shift) + cx;
      let cell = this.#cells.get(coarseKey);
      if (!cell) {
        cell = {
          lon0: cx * this.cellDeg - 180,
          lat0: cy * this.cellDeg - 90,
          count: 0,
          sumLat: 0,
          sumLon: 0,
          fine: [],
        };
        this.#cells.set(coarseKey, cell);
      }
      cell.fine.push(key);
      for (const p of members.values()) {
        cell.count++;
        cell.sumLat += p.lat;
        cell.sumLon += p.lon;
      }
    }
  }

  /** The devices outside the box, per cell of this level; cells that straddle the box are counted point by point. */
  outside(bbox: HubBbox): HubCluster[] {
    const parts = boxParts(bbox);
    const out: HubCluster[] = [];
    const d = this.cellDeg;
    for (const cell of this.#cells.values()) {
      const lon1 = cell.lon0 + d;
      const lat1 = cell.lat0 + d;
      // With a margin: a point on a cell's edge may have been rounded into the cell beside it.
      const inside = parts.some(
        ([w, s, e, n]) => cell.lon0 - EDGE > w && lon1 + EDGE < e && cell.lat0 - EDGE > s && lat1 + EDGE < n,
      );
      if (inside) continue;
      const touches = parts.some(
        ([w, s, e, n]) =>
          cell.lon0 - EDGE <= e && lon1 + EDGE >= w && cell.lat0 - EDGE <= n && lat1 + EDGE >= s,
      );
      if (!touches) {
        out.push(cluster(cell.sumLat, cell.sumLon, cell.count));
        continue;
      }
      let count = 0;
      let sumLat = 0;
      let sumLon = 0;
      for (const key of cell.fine) {
        for (const p of this.#grid.cellPoints(key)) {
          if (inBox(bbox, p.lon, p.lat)) continue;
          count++;
          sumLat += p.lat;
          sumLon += p.lon;
        }
      }
      if (count > 0) out.push(cluster(sumLat, sumLon, count));
    }
    return out;
  }
}

/**
 * Cluster cells of the devices outside the box for which `accept` holds, computed point by point
 * (a scoped user's own subset: the shared ClusterLevel counts every device of the organisation).
 */
export function clustersOutside<T>(
  grid: PointGrid<T>,
  viewport: Viewport,
  accept: (id: string) => boolean,
): HubCluster[] {
  const d = cellDegAt(viewport.zoom);
  const cells = new Map<number, { count: number; sumLat: number; sumLon: number }>();
  const cols = Math.round(360 / d);
  for (const p of grid.values()) {
    if (!accept(p.id) || inBox(viewport.bbox, p.lon, p.lat)) continue;
    const x = Math.min(cols - 1, Math.floor((p.lon + 180) / d));
    const y = Math.floor((p.lat + 90) / d);
    const key = y * cols + x;
    let c = cells.get(key);
    if (!c) {
      c = { count: 0, sumLat: 0, sumLon: 0 };
      cells.set(key, c);
    }
    c.count++;
    c.sumLat += p.lat;
    c.sumLon += p.lon;
  }
  return [...cells.values()].map((c) => cluster(c.sumLat, c.sumLon, c.count));
}

/** Centroids rounded to 1e-5° (about 1 m): a bubble needs no more, and the frame stays short. */
function cluster(sumLat: number, sumLon: number, count: number): HubCluster {
  return {
    lat: Math.round((sumLat / count) * 1e5) / 1e5,
    lon: Math.round((sumLon / count) * 1e5) / 1e5,
    count,
  };
}
