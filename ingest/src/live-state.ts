// The live state of the fleet: the latest position and values of each device. Late and
// replayed records (a tracker emptying an hour of tunnel buffer) are stored at their device
// time but never move the live position backwards: only a newer device time advances it.
import type { DeviceStatusEvent, PositionEvent, TelemetryRecord } from '@fleet/shared';

export interface LiveDeviceState {
  tenant: string;
  deviceId: string;
  /** The newest fix by device time. */
  position: PositionEvent | undefined;
  /** The newest record by device time (values may be present without a position). */
  latest: TelemetryRecord | undefined;
  /** Server time of the last record received, however old its device time. */
  lastSeenAt: number | undefined;
  status: 'online' | 'offline' | 'unknown';
  statusAt: number | undefined;
}

/**
 * One interface; the in-memory store is the embedded default. A Redis implementation (for
 * several ingest processes) keeps the same compare-by-device-time rule, atomically.
 */
export interface LiveStateStore {
  /** Applies records and returns the positions that advanced (at most one per device). */
  applyTelemetry(records: readonly TelemetryRecord[]): Promise<PositionEvent[]>;
  applyStatus(event: DeviceStatusEvent): Promise<void>;
  get(deviceId: string): Promise<LiveDeviceState | undefined>;
  list(tenant: string): Promise<LiveDeviceState[]>;
  /** Every device of every organisation (a live view in another process catching up). */
  listAll(): Promise<LiveDeviceState[]>;
}

function toPosition(r: TelemetryRecord): PositionEvent | undefined {
  if (r.lat === undefined || r.lon === undefined) return undefined;
  return {
    tenant: r.tenant,
    deviceId: r.deviceId,
    ts: r.ts,
    receivedAt: r.receivedAt,
    lat: r.lat,
    lon: r.lon,
    speedKmh: r.speedKmh,
    headingDeg: r.headingDeg,
    ignition: r.ignition,
    seq: r.seq,
  };
}

export class InMemoryLiveState implements LiveStateStore {
  readonly #devices = new Map<string, LiveDeviceState>();

  #state(tenant: string, deviceId: string): LiveDeviceState {
    let s = this.#devices.get(deviceId);
    if (!s) {
      s = {
        tenant,
        deviceId,
        position: undefined,
        latest: undefined,
        lastSeenAt: undefined,
        status: 'unknown',
        statusAt: undefined,
      };
      this.#devices.set(deviceId, s);
    }
    return s;
  }

  async applyTelemetry(records: readonly TelemetryRecord[]): Promise<PositionEvent[]> {
    const advanced = new Map<string, PositionEvent>();
    for (const r of records) {
      const s = this.#state(r.tenant, r.deviceId);
      s.lastSeenAt = Math.max(s.lastSeenAt ?? 0, r.receivedAt);
      if (!s.latest || r.ts > s.latest.ts) s.latest = r;
      const p = toPosition(r);
      if (p && (!s.position || p.ts > s.position.ts)) {
        s.position = p;
        advanced.set(r.deviceId, p);
      }
    }
    return [...advanced.values()];
  }

  async applyStatus(event: DeviceStatusEvent): Promise<void> {
    const s = this.#state(event.tenant, event.deviceId);
    if (s.statusAt !== undefined && event.at < s.statusAt) return;
    s.status = event.status;
    s.statusAt = event.at;
  }

  async get(deviceId: string): Promise<LiveDeviceState | undefined> {
    return this.#devices.get(deviceId);
  }

  async list(tenant: string): Promise<LiveDeviceState[]> {
    return [...this.#devices.values()].filter((s) => s.tenant === tenant);
  }

  async listAll(): Promise<LiveDeviceState[]> {
    return [...this.#devices.values()];
  }
}
