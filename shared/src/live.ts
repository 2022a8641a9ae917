// The live view of the fleet as the hub streams it and the console draws it: one definition of
// a vehicle's status and one typed definition of every WebSocket frame, shared by the server
// (api/src/hub) and the console, so neither writes the protocol twice. No runtime imports (types only):
// the console bundles this file, and the zod schema of client messages (hub-messages.ts) would
// add 26 kB (gzip) of validation to the browser bundle that the browser never runs.

import type { JobChange } from './jobs.ts';
import type { AlertChangeKind, AlertRecord } from './rules.ts';

/** What a device is: a tracked vehicle (GPS/OBD) or a tag on equipment. */
export type DeviceKind = 'vehicle' | 'equipment';
export const DEVICE_KINDS: readonly DeviceKind[] = ['vehicle', 'equipment'];

/** What a dispatcher sees on the map, defined once (issue "ops console", status colours). */
export type VehicleStatus = 'moving' | 'idle' | 'stopped' | 'offline';
export const VEHICLE_STATUSES: readonly VehicleStatus[] = ['moving', 'idle', 'stopped', 'offline'];

/** Below this a GPS fix is noise around a standstill, not movement (typical tracker threshold). */
export const MOVING_SPEED_KMH = 3;

export interface StatusInput {
  /** Server time of the last record received, ms; undefined when never heard from. */
  lastSeenAt: number | undefined;
  speedKmh: number | undefined;
  ignition: boolean | undefined;
}

/**
 * offline: no data for `offlineAfterMs` (a tag that connects only to report is not offline
 * between reports); moving: at walking pace or faster; idle: engine on, standing; else stopped.
 */
export function classifyStatus(input: StatusInput, now: number, offlineAfterMs: number): VehicleStatus {
  if (input.lastSeenAt === undefined || now - input.lastSeenAt > offlineAfterMs) return 'offline';
  if ((input.speedKmh ?? 0) >= MOVING_SPEED_KMH) return 'moving';
  return input.ignition === true ? 'idle' : 'stopped';
}

export type Connection = 'online' | 'offline' | 'unknown';

/** A position on the wire (hub frames and GET /fleet/latest). */
export interface LivePosition {
  deviceId: string;
  /** Device time, ms since the Unix epoch. */
  ts: number;
  lat: number;
  lon: number;
  speedKmh: number | null;
  headingDeg: number | null;
  ignition: boolean | null;
  status: VehicleStatus;
}

/** The latest state of one device, as a snapshot carries it. */
export interface LiveDevice {
  deviceId: string;
  position: LivePosition | null;
  status: VehicleStatus;
  connection: Connection;
  /** Server time of the last record, ms; null when never heard from. */
  lastSeenAt: number | null;
}

export interface LiveDeviceEvent {
  deviceId: string;
  ts: number;
  kind: string;
  lat: number | null;
  lon: number | null;
  speedKmh: number | null;
  detail: string;
}

// ---- client -> server ----

export const HUB_TOPIC = /^(positions|status|events|alerts|jobs|device:[A-Za-z0-9_-]{3,64})$/;

/**
 * A map view as the hub filters by it: [west, south, east, north] in degrees (WGS 84). A west
 * greater than east crosses the antimeridian, as GeoJSON bounding boxes do (RFC 7946 5.2).
 */
export type HubBbox = [west: number, south: number, east: number, north: number];

/** Whether the box holds the point (edges included; west > east: across the antimeridian). */
export function bboxContains(bbox: Readonly<HubBbox>, lon: number, lat: number): boolean {
  const [w, s, e, n] = bbox;
  if (lat < s || lat > n) return false;
  return w <= e ? lon >= w && lon <= e : lon >= w || lon <= e;
}

/** The deepest zoom a viewport may give (MapLibre's own maximum is 24). */
export const HUB_MAX_ZOOM = 24;

/**
 * How a client wants its `positions` frames (`format` on subscribe): `json`, an array of
 * objects (the default, DESIGN.md's contract), or `columns`, one array per field
 * (ColumnarPositionsFrame), about half the bytes of a large frame.
 */
export type HubFrameFormat = 'json' | 'columns';

/** A message a client sends; the hub validates it with `hubClientMessage` (hub-messages.ts). */
export type { HubClientMessage } from './hub-messages.ts';

// ---- server -> client ----

export type HubFrame =
  | {
      type: 'hello';
      userId: string;
      orgId: string;
      role: string;
      tickMs: number;
      serverTime: number;
      expiresAt: number;
    }
  | { type: 'subscribed'; topics: string[] }
  | { type: 'unsubscribed'; topics: string[] }
  /** Sent first for every subscription, so a fresh or reconnected client has no gap. */
  | { type: 'snapshot'; topic: string; at: number; devices: LiveDevice[] }
  | { type: 'positions'; at: number; positions: LivePosition[] }
  | { type: 'status'; deviceId: string; connection: 'online' | 'offline'; at: number; reason: string | null }
  | { type: 'event'; event: LiveDeviceEvent }
  /** On the `alerts` topic: an alert opened, changed (acknowledged, assigned, new figures) or resolved. */
  | { type: 'alert'; change: AlertChangeKind; alert: AlertRecord }
  /** On the `jobs` topic: a job moved on (by a person or by its vehicles' telemetry). */
  | { type: 'job'; change: JobChange }
  | { type: 'pong'; at: number }
  | { type: 'error'; code: HubErrorCode; message: string }
  /**
   * The answer to {"op":"viewport"}: what the client needs to redraw the new view, the latest
   * position of every device inside it (of the whole fleet when the viewport was cleared). A
   * clusters frame follows at once when a viewport is set.
   */
  | { type: 'viewport'; bbox: HubBbox | null; zoom: number | null; at: number; positions: LivePosition[] }
  /**
   * To a client with a viewport, once a second and after each viewport change: the devices
   * outside its view, counted per grid cell of its zoom (cellDeg degrees a side).
   */
  | { type: 'clusters'; at: number; zoom: number; cellDeg: number; total: number; cells: HubCluster[] };

/** Devices outside a client's viewport in one grid cell: how many, and their centroid. */
export interface HubCluster {
  lat: number;
  lon: number;
  count: number;
}

// ---- compact positions frames (format "columns") ----

/** The fields of positions, one array each, all of the same length. */
export interface PositionColumns {
  deviceId: string[];
  /** Device time minus the frame's `at`, ms: a few digits instead of thirteen. */
  tsOffset: number[];
  lat: number[];
  lon: number[];
  speedKmh: (number | null)[];
  headingDeg: (number | null)[];
  /** 1 on, 0 off, null unknown. */
  ignition: (0 | 1 | null)[];
  /** Index into VEHICLE_STATUSES. */
  status: number[];
}

/** A `positions` frame in the `columns` format: the same positions as `positions: [...]`. */
export interface ColumnarPositionsFrame {
  type: 'positions';
  at: number;
  cols: PositionColumns;
}

export const POSITION_COLUMNS: readonly (keyof PositionColumns)[] = [
  'deviceId',
  'tsOffset',
  'lat',
  'lon',
  'speedKmh',
  'headingDeg',
  'ignition',
  'status',
];

/** Positions as columns (what the hub sends a client that asked for `columns`). */
export function positionsToColumns(positions: readonly LivePosition[], at: number): PositionColumns {
  const cols: PositionColumns = {
    deviceId: [],
    tsOffset: [],
    lat: [],
    lon: [],
    speedKmh: [],
    headingDeg: [],
    ignition: [],
    status: [],
  };
  for (const p of positions) {
    cols.deviceId.push(p.deviceId);
    cols.tsOffset.push(p.ts - at);
    cols.lat.push(p.lat);
    cols.lon.push(p.lon);
    cols.speedKmh.push(p.speedKmh);
    cols.headingDeg.push(p.headingDeg);
    cols.ignition.push(p.ignition === null ? null : p.ignition ? 1 : 0);
    cols.status.push(VEHICLE_STATUSES.indexOf(p.status));
  }
  return cols;
}

/**
 * Columns back to positions, or undefined when they are not columns at all (a missing column,
 * columns of different lengths). Values are taken as they come: a row with a wrong value (a
 * status index out of range, a string for a number) is left for the caller's own check of each
 * position, so one bad row costs that row only.
 */
export function columnsToPositions(cols: unknown, at: number): unknown[] | undefined {
  if (typeof cols !== 'object' || cols === null || Array.isArray(cols)) return undefined;
  const table = cols as Record<string, unknown>;
  const arrays: unknown[][] = [];
  for (const name of POSITION_COLUMNS) {
    const column = table[name];
    if (!Array.isArray(column)) return undefined;
    arrays.push(column);
  }
  const n = arrays[0]?.length ?? 0;
  if (arrays.some((a) => a.length !== n)) return undefined;
  const [deviceId, tsOffset, lat, lon, speedKmh, headingDeg, ignition, status] = arrays as [
    unknown[],
    unknown[],
    unknown[],
    unknown[],
    unknown[],
    unknown[],
    unknown[],
    unknown[],
  ];
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const offset = tsOffset[i];
    const ign = ignition[i];
    const st = status[i];
    out.push({
      deviceId: deviceId[i],
      ts: typeof offset === 'number' ? at + offset : offset,
      lat: lat[i],
      lon: lon[i],
      speedKmh: speedKmh[i],
      headingDeg: headingDeg[i],
      ignition: ign === 1 ? true : ign === 0 ? false : ign === null ? null : ign,
      status: typeof st === 'number' && Number.isInteger(st) ? VEHICLE_STATUSES[st] : st,
    });
  }
  return out;
}

/** `internal_error`: the server failed on a valid message (counted as a fault); retrying may work. */
export type HubErrorCode = 'bad_message' | 'unauthorized' | 'not_found' | 'rate_limited' | 'internal_error';

/** Close codes of the hub (4000-4999 are the application's own, RFC 6455 7.4.2). */
export const HUB_CLOSE = {
  /** No valid token within the grace period, or the token expired or was revoked. */
  unauthorized: 4001,
  /**
   * The client read too slowly: its buffer passed HUB_MAX_BUFFER_BYTES, it stayed coalesced
   * past HUB_MAX_LAG_S, or it stopped answering pings. The close frame comes after what was
   * already sent; a client that does not read that within a grace is dropped without one.
   */
  slowConsumer: 4008,
  /** The client sent far more messages than allowed. */
  flood: 4029,
  /** The server is shutting down. */
  goingAway: 1001,
  /** A message over the hub's limit of 16 KiB (RFC 6455 7.4.1: message too big). */
  messageTooBig: 1009,
  /** The server failed unexpectedly (e.g. could not check the token); reconnecting may work. */
  internalError: 1011,
} as const;
