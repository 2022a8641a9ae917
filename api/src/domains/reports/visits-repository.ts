// What the visits report reads: the organisation's time zone, the assets the caller sees (row-level
// security and the department scope; the kind, department and asset filters) with their
// installations over the range, every place, and the organisation's stored stops of the range in
// one QuestDB query (not one per asset: a month of a fleet is one scan of its partitions), kept to
// the box around the places.
import { TABLES } from '@fleet/ingest';
import {
  inTenant,
  placeShapeFromRow,
  type SqlDatabase,
  type SqlParam,
  type StoredPlaceShape,
} from '@fleet/shared/db';
import { type QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import { localDayStart, nextDay } from '@fleet/shared/time-zone';
import { assetFilters, organisationZone, readInstalledWindows, readReportAssets } from './repository.ts';
import type { InstalledWindow, SummaryAsset } from './summary.ts';
import type { StoredStop, VisitPlace } from './visits.ts';

/** The most stops one report reads (a month of 1,000 vehicles stopping ten times a day is 310,000). */
export const VISITS_MAX_STOPS = 500_000;

const at = (ms: number) => `${Math.trunc(ms)}000::timestamp`;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export interface ReportFilters {
  from: string;
  to: string;
  kind?: 'vehicle' | 'equipment' | undefined;
  departmentId?: string | undefined;
  assetId?: string | undefined;
  placeId?: string | undefined;
}

/** A filter naming something the caller cannot see: the route answers 400 naming the field. */
export interface UnknownFilter {
  unknown: 'departmentId' | 'assetId' | 'placeId';
}

export interface VisitsInput {
  timeZone: string;
  assets: SummaryAsset[];
  windows: InstalledWindow[];
  places: VisitPlace[];
  stops: StoredStop[];
}

export async function readVisitsInput(
  db: SqlDatabase,
  questdb: QuestDbHttp,
  orgId: string,
  q: ReportFilters,
): Promise<VisitsInput | UnknownFilter> {
  const pg = await inTenant(db, orgId, async (tx) => {
    const timeZone = await organisationZone(tx, orgId);
    const fromMs = localDayStart(q.from, timeZone);
    const toMs = localDayStart(nextDay(q.to), timeZone);
    const args: SqlParam[] = [];
    const where = await assetFilters(tx, q, 'a', args);
    if (!where) return { unknown: 'departmentId' } as const;
    if (q.assetId !== undefined) {
      const seen = await tx.query('select 1 from assets where id = $1::uuid', [q.assetId]);
      if (seen.length === 0) return { unknown: 'assetId' } as const;
      args.push(q.assetId);
      where.push(`a.id = $${args.length}::uuid`);
    }
    const places = await tx.query<StoredPlaceShape & { id: string; name: string; category: string }>(
      'select id::text as id, name, category, geometry, radius_m, min_lat, min_lon, max_lat, max_lon from places',
    );
    if (q.placeId !== undefined && !places.some((p) => p.id === q.placeId))
      return { unknown: 'placeId' } as const;
    // Retired assets too: their visits in the range happened.
    const assets = await readReportAssets(tx, where, args);
    const windows = await readInstalledWindows(
      tx,
      assets.map((a) => a.id),
      fromMs,
      toMs,
    );
    return {
      timeZone,
      fromMs,
      toMs,
      assets,
      windows,
      places: places.map(
        (p): VisitPlace => ({ id: p.id, name: p.name, category: p.category, shape: placeShapeFromRow(p) }),
      ),
    };
  });
  if (pg.unknown !== undefined) return { unknown: pg.unknown };
  const { fromMs, toMs, unknown: _, ...rest } = pg;
  if (rest.windows.length === 0 || rest.places.length === 0) return { ...rest, stops: [] };
  // The box around every place: stops far from all of them are never read (QuestDB's BETWEEN
  // takes timestamps only).
  const box = rest.places.reduce(
    (b, p) => ({
      minLat: Math.min(b.minLat, p.shape.bbox.minLat),
      maxLat: Math.max(b.maxLat, p.shape.bbox.maxLat),
      minLon: Math.min(b.minLon, p.shape.bbox.minLon),
      maxLon: Math.max(b.maxLon, p.shape.bbox.maxLon),
    }),
    { minLat: 90, maxLat: -90, minLon: 180, maxLon: -180 },
  );
  const result = await questdb.exec(
    `SELECT ts::long / 1000, device_id, lat, lon, duration_s FROM ${TABLES.stops}
     WHERE tenant = ${sqlString(orgId)} AND ts >= ${at(fromMs)} AND ts < ${at(toMs)} AND deleted = false
       AND lat >= ${box.minLat} AND lat <= ${box.maxLat} AND lon >= ${box.minLon} AND lon <= ${box.maxLon}
     LIMIT ${VISITS_MAX_STOPS}`,
  );
  return {
    ...rest,
    stops: result.dataset.map((r) => ({
      startedAt: num(r[0]),
      deviceId: String(r[1]),
      lat: num(r[2]),
      lon: num(r[3]),
      durationS: num(r[4]),
    })),
  };
}
