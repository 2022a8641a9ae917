// Stayed at a place too long: a condition per watched place (key = place id) that holds while
// the device is inside it; the engine opens the alert once it has held for minDwellS and
// resolves it when the device leaves. Memory: the places the device was inside at its last fix.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, Observation, RuleKindModule } from '../types.ts';
import { durationText, fixOf, placeDetails, watchedContaining } from './watched-places.ts';

interface Memory {
  inside?: string[];
}

export const geofenceDwell: RuleKindModule<'geofence_dwell'> = {
  kind: 'geofence_dwell',
  assetKinds: RULE_ASSET_KINDS.geofence_dwell,
  onTelemetry({ rule, org, memory }, { record }): KindResult | undefined {
    const fix = fixOf(record);
    if (!fix) return undefined;
    const m = memory as Memory;
    const { minDwellS } = rule.params;
    const places = watchedContaining(org, rule.scope, fix);
    const now = new Set(places.map((p) => p.id));
    const observations: Observation[] = places.map((place) => ({
      key: place.id,
      active: true,
      at: record.ts,
      onsetMs: minDwellS * 1000,
      // Where a device is stays true while it is quiet: a parked tag reports every 15 min.
      holdsWhileQuiet: true,
      title: `At ${place.name} for over ${durationText(minDwellS)}`,
      details: placeDetails(place),
      placeId: place.id,
      position: fix,
    }));
    for (const id of m.inside ?? [])
      if (!now.has(id)) observations.push({ key: id, active: false, at: record.ts, placeId: id });
    if (now.size > 0) m.inside = [...now];
    else delete m.inside;
    return observations.length > 0 ? { observations } : undefined;
  },
};
