// Entered a place: one alert per visit, once the device has been inside for minInsideS (a van
// cutting across a corner of a site is no visit). With minInsideS 0, a place passed through
// between two sparse fixes, both outside it, is a visit too (Traccar's geofence handler misses
// those). Memory: the watched places the device is inside, since when, and whether raised.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, Occurrence, RuleKindModule } from '../types.ts';
import { fixOf, placeDetails, watchedContaining, watchedCrossed } from './watched-places.ts';

interface Memory {
  inside?: Record<string, { since: number; raised: boolean }>;
  last?: { lat: number; lon: number; ts: number };
}

export const geofenceEnter: RuleKindModule<'geofence_enter'> = {
  kind: 'geofence_enter',
  assetKinds: RULE_ASSET_KINDS.geofence_enter,
  onTelemetry({ rule, org, memory }, { record }): KindResult | undefined {
    const fix = fixOf(record);
    if (!fix) return undefined;
    const m = memory as Memory;
    const minInsideMs = rule.params.minInsideS * 1000;
    const before = m.inside ?? {};
    const inside: NonNullable<Memory['inside']> = {};
    const occurrences: Occurrence[] = [];
    for (const place of watchedContaining(org, rule.scope, fix)) {
      const visit = before[place.id] ?? { since: record.ts, raised: false };
      if (!visit.raised && record.ts - visit.since >= minInsideMs) {
        visit.raised = true;
        occurrences.push({
          key: place.id,
          at: visit.since,
          title: `Entered ${place.name}`,
          details: placeDetails(place),
          placeId: place.id,
          position: fix,
        });
      }
      inside[place.id] = visit;
    }
    if (minInsideMs === 0 && m.last) {
      const last = m.last;
      for (const place of watchedCrossed(org, rule.scope, last, { ...fix, ts: record.ts }))
        occurrences.push({
          key: place.id,
          // Between the two fixes: the best guess of when it passed through.
          at: Math.round((last.ts + record.ts) / 2),
          title: `Entered ${place.name}`,
          details: { ...placeDetails(place), crossed: true },
          placeId: place.id,
        });
    }
    m.inside = inside;
    m.last = { ...fix, ts: record.ts };
    return occurrences.length > 0 ? { occurrences } : undefined;
  },
};
