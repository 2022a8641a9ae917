// The fleet as the console holds it: GET /fleet/latest (names, kinds, the asset each device is
// on, the latest state) kept current by the hub's frames, and the counts per vehicle status the
// home page shows. Plain functions over plain maps; fleet.svelte.ts makes them reactive.
import type { FleetDevice, FleetLatest, VehicleStatus } from '@fleet/api/contract';
import { type HubFrame, VEHICLE_STATUSES } from '@fleet/shared/live';

/** The vehicle or equipment item a device is installed on now, as /fleet/latest sends it. */
export type AssetRef = NonNullable<FleetDevice['asset']>;
export type { FleetDevice };
export type DeviceKind = FleetDevice['kind'];
export type Fleet = Map<string, FleetDevice>;
/** The departments shown: one and every department below it; undefined: the whole fleet. */
export type DepartmentSet = ReadonlySet<string> | undefined;

export function fleetFromLatest(latest: FleetLatest): Fleet {
  return new Map(latest.devices.map((d) => [d.deviceId, d]));
}

/**
 * The fleet after a reload of /fleet/latest: names, assets and the set of devices as loaded, but
 * a device whose held position is newer (a hub frame that came while the answer was on its way)
 * keeps it, so a reload never moves a marker back.
 */
export function reloadedFleet(fleet: Fleet, latest: FleetLatest): Fleet {
  const next = fleetFromLatest(latest);
  for (const [id, d] of next) {
    const was = fleet.get(id);
    const kept = was?.position;
    if (!was || !kept || (d.position !== null && d.position.ts >= kept.ts)) continue;
    const lastSeenAt = was.lastSeenAt === null ? d.lastSeenAt : Math.max(was.lastSeenAt, d.lastSeenAt ?? 0);
    next.set(id, { ...d, position: kept, status: was.status, lastSeenAt });
  }
  return next;
}

/** Whether the device is on an asset of those departments (a device on no asset is in none). */
export function inDepartments(d: FleetDevice, departments: DepartmentSet): boolean {
  if (departments === undefined) return true;
  const id = d.asset?.departmentId;
  return id != null && departments.has(id);
}

/** The devices on assets of those departments, in the order given. */
export function* devicesIn(
  devices: Iterable<FleetDevice>,
  departments: DepartmentSet,
): Generator<FleetDevice> {
  for (const d of devices) if (inDepartments(d, departments)) yield d;
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

/**
 * Devices per status (disabled devices are counted apart: they report nothing), of one kind
 * and on assets of some departments when given.
 */
export function countByStatus(
  devices: Iterable<FleetDevice>,
  kind?: DeviceKind,
  departments?: DepartmentSet,
): StatusCounts {
  const counts = { total: 0, disabled: 0 } as StatusCounts;
  for (const s of VEHICLE_STATUSES) counts[s] = 0;
  for (const d of devices) {
    if (kind !== undefined && d.kind !== kind) continue;
    if (!inDepartments(d, departments)) continue;
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
