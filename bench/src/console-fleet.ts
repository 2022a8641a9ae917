// The moving fleet of `npm run bench:console`: N devices inside the offline basemap's bounds, each
// driving straight along its own heading at about 10 m/s and bouncing off the edges, each
// reporting once a second. The second is cut into slots (HUB_TICK_MS-sized by default) and a
// device always reports in the same slot, so every slot carries the same share of the fleet.
// Pure: the caller says what time it is; nothing here reads a clock or does I/O.

import { NO_MEASUREMENTS, type TelemetryRecord } from '@fleet/shared';
import { mulberry32 } from '@fleet/shared/random';

/** [west, south, east, north] of the offline basemap (vendor/basemap/manifest.json). */
export type Bounds = readonly [west: number, south: number, east: number, north: number];

export const HELSINKI_BOUNDS: Bounds = [24.935176, 60.164155, 24.953414, 60.179108];

const M_PER_DEG_LAT = 111_320;
/** A device silent for longer than this (a stalled loop) moves as if this long had passed. */
const MAX_STEP_S = 5;

export interface FleetDeviceRef {
  id: string;
  kind: 'vehicle' | 'equipment';
}

export interface MovingDevice {
  id: string;
  kind: 'vehicle' | 'equipment';
  lon: number;
  lat: number;
  /** Degrees clockwise from north. */
  headingDeg: number;
  speedMs: number;
  seq: number;
  /** Device time of its last report (ms), undefined before the first. */
  lastTs: number | undefined;
}

export interface MovingFleetOptions {
  bounds?: Bounds;
  /** Mean speed, m/s; each device gets this ±20 %. */
  speedMs?: number;
  /** Reports per device per second are 1; a second is cut into this many slots. */
  slots?: number;
  seed?: number;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same fleet. */
export const prng = mulberry32;

/** Reflects `v` into [lo, hi]; whether it was reflected. */
function reflect(v: number, lo: number, hi: number): { v: number; flipped: boolean } {
  let flipped = false;
  const span = hi - lo;
  // A step is far shorter than the bounds; the loop only matters for absurd inputs.
  for (let i = 0; i < 8 && (v < lo || v > hi); i++) {
    v = v < lo ? 2 * lo - v : 2 * hi - v;
    flipped = !flipped;
  }
  if (v < lo || v > hi) v = lo + span / 2;
  return { v, flipped };
}

/** Moves a device `dtS` seconds along its heading, bouncing off the bounds (pure). */
export function step(d: MovingDevice, dtS: number, bounds: Bounds): void {
  const [west, south, east, north] = bounds;
  const dist = d.speedMs * Math.min(Math.max(dtS, 0), MAX_STEP_S);
  const rad = (d.headingDeg * Math.PI) / 180;
  const lat = d.lat + (dist * Math.cos(rad)) / M_PER_DEG_LAT;
  const lon = d.lon + (dist * Math.sin(rad)) / (M_PER_DEG_LAT * Math.cos((d.lat * Math.PI) / 180));
  const x = reflect(lon, west, east);
  const y = reflect(lat, south, north);
  let heading = d.headingDeg;
  if (x.flipped) heading = 360 - heading; // east-west component reversed
  if (y.flipped) heading = 180 - heading; // north-south component reversed
  d.lon = x.v;
  d.lat = y.v;
  d.headingDeg = ((heading % 360) + 360) % 360;
}

/** A telemetry record as a tracker would send it, every field the bench does not set left out. */
export function telemetryRecord(
  tenant: string,
  d: MovingDevice,
  ts: number,
  receivedAt: number,
): TelemetryRecord {
  return {
    ...NO_MEASUREMENTS,
    tenant,
    deviceId: d.id,
    seq: d.seq,
    ts,
    receivedAt,
    lat: d.lat,
    lon: d.lon,
    speedKmh: d.speedMs * 3.6,
    headingDeg: d.headingDeg,
    ignition: true,
  };
}

export class MovingFleet {
  readonly devices: MovingDevice[];
  readonly slots: number;
  readonly bounds: Bounds;
  readonly #bySlot: MovingDevice[][];

  constructor(refs: readonly FleetDeviceRef[], o: MovingFleetOptions = {}) {
    this.bounds = o.bounds ?? HELSINKI_BOUNDS;
    this.slots = o.slots ?? 10;
    if (!Number.isInteger(this.slots) || this.slots < 1) throw new Error('slots must be a whole number >= 1');
    const speed = o.speedMs ?? 10;
    const random = prng(o.seed ?? 1);
    const [west, south, east, north] = this.bounds;
    this.devices = refs.map((r) => ({
      id: r.id,
      kind: r.kind,
      lon: west + random() * (east - west),
      lat: south + random() * (north - south),
      headingDeg: random() * 360,
      speedMs: speed * (0.8 + random() * 0.4),
      seq: 0,
      lastTs: undefined,
    }));
    this.#bySlot = Array.from({ length: this.slots }, () => []);
    for (const [i, d] of this.devices.entries()) this.#bySlot[i % this.slots]?.push(d);
  }

  /** The smallest bounds holding every device now. */
  extent(): Bounds {
    let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const d of this.devices) {
      west = Math.min(west, d.lon);
      east = Math.max(east, d.lon);
      south = Math.min(south, d.lat);
      north = Math.max(north, d.lat);
    }
    return [west, south, east, north];
  }

  /** The devices that report in slot `slot` (0 to slots - 1) of every second. */
  slotDevices(slot: number): readonly MovingDevice[] {
    return this.#bySlot[((slot % this.slots) + this.slots) % this.slots] ?? [];
  }

  /**
   * The reports of slot `slot` at time `now` (ms): each of its devices moves by the time since
   * its last report and reports its new position, ignition on, speed and heading set.
   */
  report(slot: number, now: number, tenant: string): TelemetryRecord[] {
    const out: TelemetryRecord[] = [];
    for (const d of this.slotDevices(slot)) {
      const ts = d.lastTs === undefined ? now : Math.max(now, d.lastTs + 1);
      if (d.lastTs !== undefined) step(d, (ts - d.lastTs) / 1000, this.bounds);
      d.lastTs = ts;
      d.seq++;
      out.push(telemetryRecord(tenant, d, ts, now));
    }
    return out;
  }
}

/** Web Mercator x and y of a point at zoom 0, in pixels of MapLibre's 512-pixel world. */
function mercatorPx(lon: number, lat: number): { x: number; y: number } {
  const y = (180 / Math.PI) * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  return { x: ((180 + lon) / 360) * 512, y: ((180 - y) / 360) * 512 };
}

/**
 * The zoom MapLibre's fitBounds gives `bounds` in a `width` x `height` map with `padding` on every
 * side (no bearing), at most `maxZoom`: the console's "Fit to fleet".
 */
export function fitZoom(
  bounds: Bounds,
  width: number,
  height: number,
  padding: number,
  maxZoom: number,
): number {
  const [west, south, east, north] = bounds;
  const a = mercatorPx(west, north);
  const b = mercatorPx(east, south);
  const dx = Math.max(Math.abs(b.x - a.x), 1e-12);
  const dy = Math.max(Math.abs(b.y - a.y), 1e-12);
  const scale = Math.min((width - 2 * padding) / dx, (height - 2 * padding) / dy);
  return Math.min(maxZoom, Math.log2(scale));
}
