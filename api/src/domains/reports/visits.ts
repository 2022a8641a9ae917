// Geofence visits as arithmetic: each stored stop of a device, given to the asset the device was
// installed on when the stop began and to the smallest place containing it (a loading bay
// inside a client's site is the bay's visit, as the trips report names it), summed per place or
// per place and asset. Pure: visits-repository.ts reads.
import type { PlaceShape } from '@fleet/shared/geo';
import type { z } from 'zod';
import { placeAt } from '../trips/repository.ts';
import type { VISIT_GROUPS, visitsReportSchema } from './schemas.ts';
import type { InstalledWindow, SummaryAsset } from './summary.ts';

type VisitsReport = z.input<typeof visitsReportSchema>;
export type VisitsRow = VisitsReport['rows'][number];

export interface VisitPlace {
  id: string;
  name: string;
  category: string;
  shape: PlaceShape;
}

export interface StoredStop {
  deviceId: string;
  startedAt: number;
  lat: number;
  lon: number;
  durationS: number;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** The asset a device was on at an instant, if the caller sees it. */
function assetAt(windows: readonly InstalledWindow[] | undefined, at: number): string | undefined {
  return windows?.find((w) => w.from <= at && w.to > at)?.assetId;
}

export function visitsOf(input: {
  by: (typeof VISIT_GROUPS)[number];
  assets: readonly SummaryAsset[];
  windows: readonly InstalledWindow[];
  places: readonly VisitPlace[];
  stops: readonly StoredStop[];
  /** Only this place's visits (after the smallest place is chosen). */
  placeId?: string | undefined;
}): { rows: VisitsRow[]; totals: VisitsReport['totals'] } {
  const assets = new Map(input.assets.map((a) => [a.id, a]));
  const places = new Map(input.places.map((p) => [p.id, p]));
  const windowsOf = new Map<string, InstalledWindow[]>();
  for (const w of input.windows) {
    const list = windowsOf.get(w.deviceId);
    if (list) list.push(w);
    else windowsOf.set(w.deviceId, [w]);
  }
  interface Acc {
    place: VisitPlace;
    asset: SummaryAsset | undefined;
    assets: Set<string>;
    visits: number;
    totalS: number;
    longestS: number;
    first: number;
    last: number;
  }
  const acc = new Map<string, Acc>();
  for (const s of input.stops) {
    const assetId = assetAt(windowsOf.get(s.deviceId), s.startedAt);
    const asset = assetId === undefined ? undefined : assets.get(assetId);
    if (!asset) continue;
    const found = placeAt(input.places, s.lat, s.lon);
    const place = found ? places.get(found.id) : undefined;
    if (!place || (input.placeId !== undefined && place.id !== input.placeId)) continue;
    const key = input.by === 'asset' ? `${place.id}\n${asset.id}` : place.id;
    let a = acc.get(key);
    if (!a) {
      a = {
        place,
        asset: input.by === 'asset' ? asset : undefined,
        assets: new Set(),
        visits: 0,
        totalS: 0,
        longestS: 0,
        first: s.startedAt,
        last: s.startedAt,
      };
      acc.set(key, a);
    }
    a.assets.add(asset.id);
    a.visits += 1;
    a.totalS += s.durationS;
    a.longestS = Math.max(a.longestS, s.durationS);
    a.first = Math.min(a.first, s.startedAt);
    a.last = Math.max(a.last, s.startedAt);
  }
  const rows: VisitsRow[] = [...acc.values()]
    // Most time first: where the fleet spends its days.
    .sort(
      (a, b) =>
        b.totalS - a.totalS ||
        a.place.name.localeCompare(b.place.name, 'en') ||
        (a.asset?.name ?? '').localeCompare(b.asset?.name ?? '', 'en'),
    )
    .map((a) => ({
      place: { id: a.place.id, name: a.place.name, category: a.place.category },
      ...(a.asset ? { asset: a.asset } : {}),
      visits: a.visits,
      assets: a.assets.size,
      totalS: round(a.totalS),
      averageS: round(a.totalS / a.visits),
      longestS: round(a.longestS),
      firstAt: new Date(a.first).toISOString(),
      lastAt: new Date(a.last).toISOString(),
    }));
  return {
    rows,
    totals: {
      visits: rows.reduce((s, r) => s + r.visits, 0),
      totalS: round(rows.reduce((s, r) => s + r.totalS, 0)),
    },
  };
}
