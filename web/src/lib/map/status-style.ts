// How each vehicle status looks on the map, in the list and on the home page, defined once (the
// statuses themselves and their classification live in @fleet/shared/live). Stylesheets read
// the colours as --status-<name>, set on the document from here by the root layout.
import { VEHICLE_STATUSES, type VehicleStatus } from '@fleet/shared/live';

export const STATUS_STYLE: Record<VehicleStatus, { color: string; label: string; description: string }> = {
  moving: { color: '#15803d', label: 'Moving', description: 'reporting and faster than walking pace' },
  idle: { color: '#b45309', label: 'Idle', description: 'ignition on, not moving' },
  stopped: { color: '#2563eb', label: 'Stopped', description: 'ignition off, reporting' },
  offline: { color: '#64748b', label: 'Offline', description: 'no data for longer than the offline time' },
};

/** The colours as CSS custom properties (--status-moving ...) on `root`. */
export function applyStatusColors(root: { style: { setProperty(name: string, value: string): void } }): void {
  for (const s of VEHICLE_STATUSES) root.style.setProperty(`--status-${s}`, STATUS_STYLE[s].color);
}

/** A MapLibre `match` expression giving a feature's colour from its `status` property. */
export function statusColorExpression(): unknown[] {
  return [
    'match',
    ['get', 'status'],
    ...VEHICLE_STATUSES.flatMap((s) => [s, STATUS_STYLE[s].color]),
    '#8c8c8c',
  ];
}
