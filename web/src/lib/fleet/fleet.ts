// The fleet as the console holds it: GET /fleet/latest (names, kinds, the latest state) kept
// current by the hub's frames, and the counts per vehicle status the home page shows.
// Plain functions over plain maps; fleet.svelte.ts makes them reactive.
import type { FleetDevice, FleetLatest, VehicleStatus } from '@fleet/api/contract';
import { type HubFrame, VEHICLE_STATUSES } from '@fleet/shared/live';

export type DeviceKind = FleetDevice['kind'];
export type Fleet = Map<string, FleetDevice>;

export function fleetFromLatest(latest: FleetLatest): Fleet {
  return new Map(latest.devices.map((d) => [d.deviceId, d]));
}

/**
 * Applies a hub frame; returns whether anything changed. Devices the list does not know yet
 * (provisioned after it was loaded) are left to the next reload of the list.
 */
export function applyFrame(fleet: Fleet, frame: HubFrame): boolean {
  let changed = false;
  if (frame.type === 'positions') {
    for (const p of frame.positions) {
      const d = fleet.get(p.deviceId);
      // Late or replayed records (device time older than what we show) never move it back.
      if (!d || (d.position !== null && d.position.ts > p.ts)) continue;
      fleet.set(p.deviceId, {
        ...d,
        position: p,
        status: p.status,
        lastSeenAt: Math.max(d.lastSeenAt ?? 0, frame.at),
      });
      changed = true;
    }
  } else if (frame.type === 'snapshot') {
    for (const s of frame.devices) {
      const d = fleet.get(s.deviceId);
      if (!d) continue;
      fleet.set(s.deviceId, {
        ...d,
        position: s.position,
        status: s.status,
        connection: s.connection,
        lastSeenAt: s.lastSeenAt,
      });
      changed = true;
    }
  } else if (frame.type === 'status') {
    const d = fleet.get(frame.deviceId);
    if (d && d.connection !== frame.connection) {
      fleet.set(frame.deviceId, { ...d, connection: frame.connection });
      changed = true;
    }
  }
  return changed;
}

export type StatusCounts = Record<VehicleStatus, number> & { total: number; disabled: number };

/** Devices per status (disabled devices are counted apart: they report nothing). */
export function countByStatus(devices: Iterable<FleetDevice>, kind?: DeviceKind): StatusCounts {
  const counts = { total: 0, disabled: 0 } as StatusCounts;
  for (const s of VEHICLE_STATUSES) counts[s] = 0;
  for (const d of devices) {
    if (kind !== undefined && d.kind !== kind) continue;
    counts.total++;
    if (d.disabled) counts.disabled++;
    else counts[d.status]++;
  }
  return counts;
}

export { VEHICLE_STATUSES };

/** `?kind=` of the home page: a device kind, or undefined for the whole fleet. */
export function parseKind(value: string | null): DeviceKind | undefined {
  return value === 'vehicle' || value === 'equipment' ? value : undefined;
}
