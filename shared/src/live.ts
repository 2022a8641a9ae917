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
  | { type: 'error'; code: HubErrorCode; message: string };

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
