// What the rules of one organisation read besides the record: its places behind a packed
// R-tree (flatbush: thousands of places, and a record is tested against the handful whose box
// holds it), the newest fix of each of its devices with the vehicles on a grid (equipment rules
// ask "which vehicle is near this item"), its assets by device, time zone and working hours.
import type { TelemetryRecord, WorkingHours } from '@fleet/shared';
import {
  haversineM,
  type LatLon,
  METRES_PER_DEGREE,
  pointInPlace,
  segmentBBox,
  segmentMeetsPlace,
} from '@fleet/shared/geo';
import Flatbush from 'flatbush';
import type { AssetInfo, OrgContext, PlaceInfo, PlaceLookup, VehiclePositions } from './types.ts';

export class PlaceIndex implements PlaceLookup {
  readonly #places: PlaceInfo[];
  readonly #byId: Map<string, PlaceInfo>;
  readonly #index: Flatbush | undefined;

  constructor(places: readonly PlaceInfo[]) {
    this.#places = [...places];
    this.#byId = new Map(places.map((p) => [p.id, p]));
    if (places.length === 0) return;
    const index = new Flatbush(places.length);
    for (const p of places)
      index.add(p.shape.bbox.minLon, p.shape.bbox.minLat, p.shape.bbox.maxLon, p.shape.bbox.maxLat);
    index.finish();
    this.#index = index;
  }

  get size(): number {
    return this.#places.length;
  }

  get(id: string): PlaceInfo | undefined {
    return this.#byId.get(id);
  }

  containing(point: LatLon): PlaceInfo[] {
    if (!this.#index) return [];
    const out: PlaceInfo[] = [];
    for (const i of this.#index.search(point.lon, point.lat, point.lon, point.lat)) {
      const place = this.#places[i] as PlaceInfo;
      if (pointInPlace(place.shape, point)) out.push(place);
    }
    return out;
  }

  crossedBy(a: LatLon, b: LatLon): PlaceInfo[] {
    if (!this.#index) return [];
    const box = segmentBBox(a, b);
    const out: PlaceInfo[] = [];
    for (const i of this.#index.search(box.minLon, box.minLat, box.maxLon, box.maxLat)) {
      const place = this.#places[i] as PlaceInfo;
      if (segmentMeetsPlace(place.shape, a, b)) out.push(place);
    }
    return out;
  }
}

interface Fix {
  lat: number;
  lon: number;
  ts: number;
  speedKmh: number | undefined;
}

/** Grid cells of about 500 m: a "near" question reads the cells around the position only. */
const CELL_DEG = 500 / METRES_PER_DEGREE;
const cellOf = (lat: number, lon: number) => `${Math.floor(lat / CELL_DEG)}:${Math.floor(lon / CELL_DEG)}`;

/**
 * The newest fix of each vehicle, bucketed by grid cell. A dynamic grid rather than an R-tree:
 * every vehicle moves every second, and moving a point between two map entries costs less than
 * re-inserting it into a tree (rbush) or rebuilding a packed one (flatbush).
 */
export class VehicleGrid implements VehiclePositions {
  readonly #fixes = new Map<string, Fix & { cell: string }>();
  readonly #cells = new Map<string, Set<string>>();

  set(deviceId: string, fix: Fix): void {
    const cell = cellOf(fix.lat, fix.lon);
    const old = this.#fixes.get(deviceId);
    if (old && old.cell !== cell) this.#cells.get(old.cell)?.delete(deviceId);
    if (!old || old.cell !== cell) {
      let set = this.#cells.get(cell);
      if (!set) {
        set = new Set();
        this.#cells.set(cell, set);
      }
      set.add(deviceId);
    }
    this.#fixes.set(deviceId, { ...fix, cell });
  }

  delete(deviceId: string): void {
    const old = this.#fixes.get(deviceId);
    if (!old) return;
    this.#cells.get(old.cell)?.delete(deviceId);
    this.#fixes.delete(deviceId);
  }

  latest(deviceId: string): Fix | undefined {
    return this.#fixes.get(deviceId);
  }

  near(point: LatLon, radiusM: number): { deviceId: string; distanceM: number }[] {
    const span = Math.ceil(radiusM / 500);
    const lonSpan = Math.ceil(span / Math.max(0.05, Math.cos((point.lat * Math.PI) / 180)));
    const row = Math.floor(point.lat / CELL_DEG);
    const col = Math.floor(point.lon / CELL_DEG);
    const out: { deviceId: string; distanceM: number }[] = [];
    for (let r = row - span; r <= row + span; r++)
      for (let c = col - lonSpan; c <= col + lonSpan; c++) {
        const set = this.#cells.get(`${r}:${c}`);
        if (!set) continue;
        for (const deviceId of set) {
          const fix = this.#fixes.get(deviceId) as Fix;
          const distanceM = haversineM(point, fix);
          if (distanceM <= radiusM) out.push({ deviceId, distanceM });
        }
      }
    return out.sort((a, b) => a.distanceM - b.distanceM);
  }
}

export interface OrgContextInput {
  orgId: string;
  timeZone: string;
  workingHours: WorkingHours;
  places: readonly PlaceInfo[];
  /** The asset each device of the organisation is installed on now. */
  assets: ReadonlyMap<string, AssetInfo>;
}

/** An organisation's context that the engine keeps current as records arrive. */
export interface LiveOrgContext extends OrgContext {
  /** A stored record of one of the organisation's devices (newer than the one before). */
  noteRecord(record: TelemetryRecord): void;
}

export function buildOrgContext(input: OrgContextInput, previous?: LiveOrgContext): LiveOrgContext {
  const places = new PlaceIndex(input.places);
  const assets = input.assets;
  const vehicles = new VehicleGrid();
  const fixes = new Map<string, Fix>();
  // A rebuilt context (a place or asset changed) keeps the fixes the old one knew.
  if (previous)
    for (const [deviceId, asset] of assets) {
      const fix = previous.lastFix(deviceId);
      if (!fix) continue;
      const full = { ...fix, speedKmh: previous.vehicles.latest(deviceId)?.speedKmh };
      fixes.set(deviceId, full);
      if (asset.kind === 'vehicle') vehicles.set(deviceId, full);
    }
  return {
    orgId: input.orgId,
    timeZone: input.timeZone,
    workingHours: input.workingHours,
    places,
    vehicles,
    lastFix: (deviceId) => fixes.get(deviceId),
    assetOf: (deviceId) => assets.get(deviceId),
    noteRecord(record) {
      if (record.lat === undefined || record.lon === undefined) return;
      const fix = { lat: record.lat, lon: record.lon, ts: record.ts, speedKmh: record.speedKmh };
      fixes.set(record.deviceId, fix);
      if (assets.get(record.deviceId)?.kind === 'vehicle') vehicles.set(record.deviceId, fix);
    },
  };
}
