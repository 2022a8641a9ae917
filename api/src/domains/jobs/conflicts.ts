// What stands in the way of a job: the same vehicle, item or person booked by another unfinished
// job in an overlapping window, a vehicle in the workshop or overdue for service, a driver
// whose licence has expired by the job's last day or lacks the vehicle's class, a person no
// longer active. Pure: the repository loads the facts, this decides. Planned jobs may carry
// conflicts (a dispatcher drafts the week); dispatching over them needs an explicit override.

export const CONFLICT_KINDS = [
  'asset_double_booked',
  'driver_double_booked',
  'asset_in_workshop',
  'service_overdue',
  'licence_expired',
  'licence_class_missing',
  'driver_inactive',
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

export interface JobConflict {
  kind: ConflictKind;
  /** The booked asset or driver it is about. */
  assetId: string | null;
  driverId: string | null;
  /** The other job, for a double booking. */
  otherJob: { id: string; reference: string; title: string; startsAt: string; endsAt: string } | null;
  message: string;
}

export interface BookedAsset {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  status: 'active' | 'in_workshop' | 'retired' | 'lost';
  /** The licence class needed to drive it (vehicles; none: a car licence, B). */
  licenceClass: string | null;
  /** Plans on which it is overdue, by name. */
  overduePlans: readonly string[];
}

export interface BookedPerson {
  driverId: string;
  name: string;
  status: 'active' | 'inactive';
  licenceClasses: readonly string[];
  /** YYYY-MM-DD, the last day it is valid. */
  licenceExpiry: string | null;
  role: 'driver' | 'crew';
  vehicleId: string | null;
}

export interface OverlappingBooking {
  resource: 'asset' | 'driver';
  id: string;
  otherJob: { id: string; reference: string; title: string; startsAt: string; endsAt: string };
}

export interface JobBooking {
  /** The organisation's calendar day the job ends on (licences are valid to the end of a day). */
  lastDay: string;
  assets: readonly BookedAsset[];
  crew: readonly BookedPerson[];
  overlaps: readonly OverlappingBooking[];
}

/**
 * What each class also lets one drive (Directive 2006/126/EC, art. 6): a C licence covers C1,
 * CE covers C1E, BE and more. A driver holding any class that covers the vehicle's may drive it.
 */
const COVERS: Readonly<Record<string, readonly string[]>> = {
  AM: [],
  A1: ['AM'],
  A2: ['A1', 'AM'],
  A: ['A2', 'A1', 'AM'],
  B: ['AM'],
  BE: ['B', 'AM'],
  C1: ['B', 'AM'],
  C1E: ['C1', 'BE', 'B', 'AM'],
  C: ['C1', 'B', 'AM'],
  CE: ['C', 'C1', 'C1E', 'BE', 'B', 'AM'],
  D1: ['B', 'AM'],
  D1E: ['D1', 'BE', 'B', 'AM'],
  D: ['D1', 'B', 'AM'],
  DE: ['D', 'D1', 'D1E', 'BE', 'B', 'AM'],
};

export function licenceCovers(held: readonly string[], needed: string): boolean {
  return held.some((c) => c === needed || (COVERS[c] ?? []).includes(needed));
}

/** The class a vehicle needs when its record names none: a car licence. */
export const DEFAULT_VEHICLE_LICENCE_CLASS = 'B';

export function jobConflicts(b: JobBooking): JobConflict[] {
  const out: JobConflict[] = [];
  const assetName = new Map(b.assets.map((a) => [a.id, a.name]));
  const personName = new Map(b.crew.map((p) => [p.driverId, p.name]));
  for (const o of b.overlaps) {
    const asset = o.resource === 'asset';
    const who = asset ? (assetName.get(o.id) ?? 'an asset') : (personName.get(o.id) ?? 'a person');
    out.push({
      kind: asset ? 'asset_double_booked' : 'driver_double_booked',
      assetId: asset ? o.id : null,
      driverId: asset ? null : o.id,
      otherJob: o.otherJob,
      message: `${who} is booked on ${o.otherJob.reference} (${o.otherJob.title}) in an overlapping window`,
    });
  }
  for (const a of b.assets) {
    if (a.status === 'in_workshop')
      out.push({
        kind: 'asset_in_workshop',
        assetId: a.id,
        driverId: null,
        otherJob: null,
        message: `${a.name} is in the workshop`,
      });
    if (a.overduePlans.length > 0)
      out.push({
        kind: 'service_overdue',
        assetId: a.id,
        driverId: null,
        otherJob: null,
        message: `${a.name} is overdue for service (${a.overduePlans.join(', ')})`,
      });
  }
  const vehicles = new Map(b.assets.map((a) => [a.id, a]));
  for (const p of b.crew) {
    if (p.status !== 'active')
      out.push({
        kind: 'driver_inactive',
        assetId: null,
        driverId: p.driverId,
        otherJob: null,
        message: `${p.name} is not an active driver or crew member`,
      });
    if (p.role !== 'driver') continue;
    if (p.licenceExpiry !== null && p.licenceExpiry < b.lastDay)
      out.push({
        kind: 'licence_expired',
        assetId: p.vehicleId,
        driverId: p.driverId,
        otherJob: null,
        message: `${p.name}'s licence expires on ${p.licenceExpiry}, before the job ends`,
      });
    const vehicle = p.vehicleId === null ? undefined : vehicles.get(p.vehicleId);
    const needed = vehicle?.licenceClass ?? DEFAULT_VEHICLE_LICENCE_CLASS;
    if (!licenceCovers(p.licenceClasses, needed))
      out.push({
        kind: 'licence_class_missing',
        assetId: p.vehicleId,
        driverId: p.driverId,
        otherJob: null,
        message: `${p.name} holds no class ${needed} licence for ${vehicle?.name ?? 'the vehicle'}`,
      });
  }
  return out;
}
