// Frames from the live hub, parsed and checked before anything draws them. The frame types are
// the hub's own (HubFrame in shared/src/live.ts); the shape tables below are typed against them,
// so a field added to or renamed in a frame fails the console's type check until it is listed.
// Unknown frame types are reported, not thrown: a newer platform may send frames this console
// does not know yet. A positions frame in the compact `columns` format is decoded here into the
// same `positions` frame the JSON format gives, so nothing past this file knows the difference.
import {
  columnsToPositions,
  type HubBbox,
  type HubClientMessage,
  type HubCluster,
  type HubFrame,
  type LiveDevice,
  type LivePosition,
} from '@fleet/shared/live';

export type { HubBbox, HubClientMessage, HubCluster, HubFrame, LiveDevice, LivePosition };

type Kind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'array'
  | 'array|null'
  | 'object'
  | 'string|null'
  | 'number|null'
  | 'boolean|null'
  | 'object|null';
type Shape<T> = { readonly [K in keyof T]-?: Kind };
type FrameOf<T extends HubFrame['type']> = Extract<HubFrame, { type: T }>;

const FRAME_SHAPES: { readonly [T in HubFrame['type']]: Shape<Omit<FrameOf<T>, 'type'>> } = {
  hello: {
    userId: 'string',
    orgId: 'string',
    role: 'string',
    tickMs: 'number',
    serverTime: 'number',
    expiresAt: 'number',
  },
  subscribed: { topics: 'array' },
  unsubscribed: { topics: 'array' },
  snapshot: { topic: 'string', at: 'number', devices: 'array' },
  positions: { at: 'number', positions: 'array' },
  status: { deviceId: 'string', connection: 'string', at: 'number', reason: 'string|null' },
  event: { event: 'object' },
  alert: { change: 'string', alert: 'object' },
  job: { change: 'object' },
  pong: { at: 'number' },
  error: { code: 'string', message: 'string' },
  viewport: { bbox: 'array|null', zoom: 'number|null', at: 'number', positions: 'array' },
  clusters: { at: 'number', zoom: 'number', cellDeg: 'number', total: 'number', cells: 'array' },
};

const CLUSTER_SHAPE: Shape<HubCluster> = { lat: 'number', lon: 'number', count: 'number' };

const POSITION_SHAPE: Shape<LivePosition> = {
  deviceId: 'string',
  ts: 'number',
  lat: 'number',
  lon: 'number',
  speedKmh: 'number|null',
  headingDeg: 'number|null',
  ignition: 'boolean|null',
  status: 'string',
};

const DEVICE_SHAPE: Shape<LiveDevice> = {
  deviceId: 'string',
  position: 'object|null',
  status: 'string',
  connection: 'string',
  lastSeenAt: 'number|null',
};

function hasKind(value: unknown, kind: Kind): boolean {
  const [base, nullable] = kind.split('|') as [string, string | undefined];
  if (value === null) return nullable === 'null';
  if (base === 'array') return Array.isArray(value);
  if (base === 'object') return typeof value === 'object' && !Array.isArray(value);
  if (base === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === base;
}

/** The first field of `value` that does not match `shape`, or undefined when all do. */
function mismatch(value: Record<string, unknown>, shape: Readonly<Record<string, Kind>>): string | undefined {
  for (const [key, kind] of Object.entries(shape)) if (!hasKind(value[key], kind)) return key;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isLivePosition(value: unknown): value is LivePosition {
  return isRecord(value) && mismatch(value, POSITION_SHAPE) === undefined;
}

function isCluster(value: unknown): value is HubCluster {
  return isRecord(value) && mismatch(value, CLUSTER_SHAPE) === undefined;
}

export function isLiveDevice(value: unknown): value is LiveDevice {
  return (
    isRecord(value) &&
    mismatch(value, DEVICE_SHAPE) === undefined &&
    (value.position === null || isLivePosition(value.position))
  );
}

export type ParsedFrame =
  | {
      ok: true;
      frame: HubFrame /** items dropped from the frame because they were malformed */;
      dropped: number;
    }
  | { ok: false; reason: string };

/**
 * Parses one text frame. A frame whose own fields are wrong is refused whole; malformed items in
 * a positions or snapshot frame are dropped and counted, so one bad record does not cost the
 * frame's other devices.
 */
export function parseFrame(data: unknown): ParsedFrame {
  if (typeof data !== 'string') return { ok: false, reason: 'not a text frame' };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(value)) return { ok: false, reason: 'not an object' };
  const type = value.type;
  // Compact positions (format "columns"): decoded first, then checked like any positions frame.
  if (type === 'positions' && !('positions' in value) && 'cols' in value && typeof value.at === 'number') {
    const rows = columnsToPositions(value.cols, value.at);
    if (rows === undefined) return { ok: false, reason: 'positions frame: bad cols' };
    value = { type, at: value.at, positions: rows };
    if (!isRecord(value)) return { ok: false, reason: 'not an object' };
  }
  if (typeof type !== 'string' || !Object.hasOwn(FRAME_SHAPES, type))
    return { ok: false, reason: `unknown frame type ${JSON.stringify(type)}` };
  const shape = FRAME_SHAPES[type as HubFrame['type']] as Readonly<Record<string, Kind>>;
  const bad = mismatch(value, shape);
  if (bad !== undefined) return { ok: false, reason: `${type} frame: bad ${bad}` };
  let dropped = 0;
  if (type === 'positions' || type === 'viewport') {
    const all = value.positions as unknown[];
    const good = all.filter(isLivePosition);
    dropped = all.length - good.length;
    value.positions = good;
  } else if (type === 'snapshot') {
    const all = value.devices as unknown[];
    const good = all.filter(isLiveDevice);
    dropped = all.length - good.length;
    value.devices = good;
  } else if (type === 'clusters') {
    const all = value.cells as unknown[];
    const good = all.filter(isCluster);
    dropped = all.length - good.length;
    value.cells = good;
  }
  return { ok: true, frame: value as unknown as HubFrame, dropped };
}

/** A message to the hub, typed by the hub's own schema (hubClientMessage in shared/src/live.ts). */
export function clientMessage(message: HubClientMessage): string {
  return JSON.stringify(message);
}
