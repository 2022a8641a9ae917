// Which of the organisation's places a geofence rule watches, and where a fix is among them:
// the scope's places and every place of its categories; neither named: every place. Shared by
// the enter, exit and dwell kinds so the three agree on what "inside" means.
import type { TelemetryRecord } from '@fleet/shared';
import { type LatLon, pointInPlace } from '@fleet/shared/geo';
import type { OrgContext, PlaceInfo } from '../types.ts';

interface PlaceScope {
  placeIds: readonly string[];
  placeCategories: readonly string[];
}

type PlaceFilter = (place: PlaceInfo) => boolean;
const everyPlace: PlaceFilter = () => true;
/** Built once per scope object (the engine keeps a rule's scope while the rule is unchanged). */
const filters = new WeakMap<PlaceScope, PlaceFilter>();

function filterOf(scope: PlaceScope): PlaceFilter {
  let filter = filters.get(scope);
  if (!filter) {
    const ids = new Set(scope.placeIds);
    const categories = new Set(scope.placeCategories);
    filter =
      ids.size === 0 && categories.size === 0
        ? everyPlace
        : (place) => ids.has(place.id) || categories.has(place.category);
    filters.set(scope, filter);
  }
  return filter;
}

/** The record's fix, when it has one. */
export function fixOf(record: Pick<TelemetryRecord, 'lat' | 'lon'>): LatLon | undefined {
  return record.lat === undefined || record.lon === undefined
    ? undefined
    : { lat: record.lat, lon: record.lon };
}

/** Watched places that contain the position. */
export function watchedContaining(org: OrgContext, scope: PlaceScope, point: LatLon): PlaceInfo[] {
  const filter = filterOf(scope);
  return org.places.containing(point).filter(filter);
}

/**
 * Longest gap between two fixes across which a straight line is still a fair guess of the
 * route: a minute or two of sparse reporting, not a device that was off for an hour (whose
 * straight line would "cross" every place between two towns).
 */
export const MAX_CROSSING_GAP_MS = 5 * 60_000;

/** Watched places the stretch between two fixes passed through, neither end inside them. */
export function watchedCrossed(
  org: OrgContext,
  scope: PlaceScope,
  from: LatLon & { ts: number },
  to: LatLon & { ts: number },
): PlaceInfo[] {
  if (to.ts - from.ts > MAX_CROSSING_GAP_MS || (from.lat === to.lat && from.lon === to.lon)) return [];
  const filter = filterOf(scope);
  return org.places
    .crossedBy(from, to)
    .filter((p) => filter(p) && !pointInPlace(p.shape, from) && !pointInPlace(p.shape, to));
}

export const placeDetails = (place: PlaceInfo) => ({ placeName: place.name, category: place.category });

/** "30 min", "2 h", "45 s": a duration as a title reads it. */
export function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
