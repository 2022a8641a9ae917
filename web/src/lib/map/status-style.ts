// How each vehicle status looks on the map and in the list, defined once (the statuses
// themselves and their classification live in @fleet/shared/live).
import { VEHICLE_STATUSES, type VehicleStatus } from '@fleet/shared/live';

export const STATUS_STYLE: Record<VehicleStatus, { color: string; label: string; description: string }> = {
  moving: { color: '#1a9850', label: 'Moving', description: 'reporting and faster than walking pace' },
  idle: { color: '#f59e0b', label: 'Idle', description: 'ignition on, not moving' },
  stopped: { color: '#2563eb', label: 'Stopped', description: 'ignition off, reporting' },
  offline: { color: '#8c8c8c', label: 'Offline', description: 'no data for longer than the offline time' },
};

/** A MapLibre `match` expression giving a feature's colour from its `status` property. */
export function statusColorExpression(): unknown[] {
  return [
    'match',
    ['get', 'status'],
    ...VEHICLE_STATUSES.flatMap((s) => [s, STATUS_STYLE[s].color]),
    '#8c8c8c',
  ];
}
