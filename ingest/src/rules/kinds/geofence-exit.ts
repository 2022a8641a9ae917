// Left a place: one alert when a device that was inside a watched place has been outside it
// for minOutsideS (a fix bouncing over the fence is no departure). With minOutsideS 0, a place
// passed through between two sparse fixes, both outside it, is left too. Memory: the places the
// device is inside, and those it left but not yet for long enough.
import { RULE_ASSET_KINDS } from '@fleet/shared';
import type { KindResult, Occurrence, PlaceInfo, RuleKindModule } from '../types.ts';
import { fixOf, placeDetails, watchedContaining, watchedCrossed } from './watched-places.ts';

interface Memory {
  inside?: string[];
  /** Place id -> device time of the first fix outside it. */
  leaving?: Record<string, number>;
  last?: { lat: number; lon: number; ts: number };
}

const left = (place: PlaceInfo, at: number, crossed: boolean): Occurrence => ({
  key: place.id,
  at,
  title: `Left ${place.name}`,
  details: crossed ? { ...placeDetails(place), crossed: true } : placeDetails(place),
  placeId: place.id,
});

export const geofenceExit: RuleKindModule<'geofence_exit'> = {
  kind: 'geofence_exit',
  assetKinds: RULE_ASSET_KINDS.geofence_exit,
  onTelemetry({ rule, org, memory }, { record }): KindResult | undefined {
    const fix = fixOf(record);
    if (!fix) return undefined;
    const m = memory as Memory;
    const minOutsideMs = rule.params.minOutsideS * 1000;
    const now = new Set(watchedContaining(org, rule.scope, fix).map((p) => p.id));
    const leaving: Record<string, number> = {};
    const occurrences: Occurrence[] = [];
    const pending = [...(m.inside ?? []).filter((id) => !now.has(id)).map((id) => [id, record.ts] as const)];
    for (const [id, since] of Object.entries(m.leaving ?? {})) if (!now.has(id)) pending.push([id, since]);
    for (const [id, since] of pending) {
      const place = org.places.get(id);
      if (!place) continue; // deleted meanwhile
      if (record.ts - since >= minOutsideMs)
        occurrences.push({ ...left(place, since, false), position: fix });
      else leaving[id] = since;
    }
    if (minOutsideMs === 0 && m.last) {
      const last = m.last;
      for (const place of watchedCrossed(org, rule.scope, last, { ...fix, ts: record.ts }))
        occurrences.push(left(place, Math.round((last.ts + record.ts) / 2), true));
    }
    m.inside = [...now];
    if (Object.keys(leaving).length > 0) m.leaving = leaving;
    else delete m.leaving;
    m.last = { ...fix, ts: record.ts };
    return occurrences.length > 0 ? { occurrences } : undefined;
  },
};
