// An asset's trips and stops: the rows the device side wrote to QuestDB (ingest/src/trips) for
// each device while it was installed on the asset, without the deleted ones, by start time;
// with the places they start and end at, the driver whose card was read, and the job that booked
// the asset when the trip started.
import { TABLES } from '@fleet/ingest';
import { inTenant, placeShapeFromRow, type SqlDatabase, type StoredPlaceShape } from '@fleet/shared/db';
import { type PlaceShape, pointInPlace } from '@fleet/shared/geo';
import { jobReference } from '@fleet/shared/jobs';
import { type QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import type { DeviceWindow } from '../../history.ts';
import type { StopOut, TripOut } from './schemas.ts';

const at = (ms: number) => `${Math.trunc(ms)}000::timestamp`;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function windowsWhere(
  tenant: string,
  windows: readonly DeviceWindow[],
  range: { from: number; to: number },
): string {
  const each = windows.map(
    (w) =>
      `(device_id = ${sqlString(w.deviceId)} AND ts >= ${at(w.from)} AND ts < ${at(Math.min(w.to, range.to))})`,
  );
  return `tenant = ${sqlString(tenant)} AND ts >= ${at(range.from)} AND ts < ${at(range.to)} AND deleted = false AND (${each.join(' OR ')})`;
}

interface Place {
  id: string;
  name: string;
  shape: PlaceShape;
}

/** What trips are told with: the organisation's places, its drivers' cards, the asset's jobs. */
async function context(db: SqlDatabase, orgId: string, assetId: string, range: { from: number; to: number }) {
  return inTenant(db, orgId, async (tx) => {
    const places = await tx.query<StoredPlaceShape & { id: string; name: string }>(
      'select id::text as id, name, geometry, radius_m, min_lat, min_lon, max_lat, max_lon from places',
    );
    const drivers = await tx.query<{ id: string; name: string; driver_card_id: string }>(
      'select id::text as id, name, driver_card_id from drivers where driver_card_id is not null',
    );
    const jobs = await tx.query<{
      id: string;
      number: number;
      title: string;
      starts_at: Date | string;
      ends_at: Date | string;
    }>(
      `select j.id::text as id, j.number, j.title, j.starts_at, j.ends_at from jobs j
       join job_assets x on x.job_id = j.id
       where x.asset_id = $1::uuid and j.state <> 'cancelled' and j.starts_at < $3::timestamptz and j.ends_at > $2::timestamptz
       order by j.starts_at`,
      [assetId, new Date(range.from - 86_400_000).toISOString(), new Date(range.to).toISOString()],
    );
    return {
      places: places.map((p): Place => ({ id: p.id, name: p.name, shape: placeShapeFromRow(p) })),
      drivers: new Map(drivers.map((d) => [d.driver_card_id, { id: d.id, name: d.name }])),
      jobs: jobs.map((j) => ({
        id: j.id,
        reference: jobReference(Number(j.number)),
        title: j.title,
        from: new Date(j.starts_at).getTime(),
        to: new Date(j.ends_at).getTime(),
      })),
    };
  });
}

/** The smallest place containing a point (the visits report counts stops by it too). */
export function placeAt(places: readonly Place[], lat: number | null, lon: number | null) {
  if (lat === null || lon === null) return null;
  // The smallest containing place: a loading bay inside a client's site names the bay.
  let best: Place | undefined;
  let bestArea = Number.POSITIVE_INFINITY;
  for (const p of places) {
    if (!pointInPlace(p.shape, { lat, lon })) continue;
    const b = p.shape.bbox;
    const area = (b.maxLat - b.minLat) * (b.maxLon - b.minLon);
    if (area < bestArea) {
      best = p;
      bestArea = area;
    }
  }
  return best ? { id: best.id, name: best.name } : null;
}

/** Reads one kind of an asset's segments from its installations' windows in a range. */
export type SegmentReader<T> = (
  questdb: QuestDbHttp,
  db: SqlDatabase,
  orgId: string,
  assetId: string,
  windows: readonly DeviceWindow[],
  range: { from: number; to: number },
) => Promise<T[]>;

export async function readTrips(
  questdb: QuestDbHttp,
  db: SqlDatabase,
  orgId: string,
  assetId: string,
  windows: readonly DeviceWindow[],
  range: { from: number; to: number },
): Promise<TripOut[]> {
  if (windows.length === 0) return [];
  const [result, ctx] = await Promise.all([
    questdb.exec(
      `SELECT ts::long / 1000, end_ts::long / 1000, device_id, start_lat, start_lon, end_lat, end_lon, distance_m, duration_s,
         max_speed_kmh, avg_speed_kmh, idle_s, odometer_start_km, odometer_end_km, driver_card_id, open, after_hours_s
       FROM ${TABLES.trips} WHERE ${windowsWhere(orgId, windows, range)} ORDER BY ts LIMIT 100000`,
    ),
    context(db, orgId, assetId, range),
  ]);
  return result.dataset.map((r) => {
    const startedAt = Number(r[0]);
    const durationS = num(r[8]) ?? 0;
    const idleS = num(r[11]) ?? 0;
    const card = typeof r[14] === 'string' ? r[14] : null;
    const job = ctx.jobs.find((j) => startedAt >= j.from && startedAt < j.to);
    return {
      deviceId: String(r[2]),
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(Number(r[1])).toISOString(),
      inProgress: r[15] === true,
      start: { lat: num(r[3]) ?? 0, lon: num(r[4]) ?? 0, place: placeAt(ctx.places, num(r[3]), num(r[4])) },
      end: { lat: num(r[5]) ?? 0, lon: num(r[6]) ?? 0, place: placeAt(ctx.places, num(r[5]), num(r[6])) },
      distanceKm: round((num(r[7]) ?? 0) / 1000, 3),
      durationS,
      drivingS: Math.max(0, round(durationS - idleS, 3)),
      idleS,
      afterHoursS: num(r[16]) === null ? null : round(num(r[16]) ?? 0, 1),
      maxSpeedKmh: round(num(r[9]) ?? 0, 1),
      avgSpeedKmh: round(num(r[10]) ?? 0, 1),
      odometerStartKm: num(r[12]),
      odometerEndKm: num(r[13]),
      driver: card === null ? null : (ctx.drivers.get(card) ?? null),
      job: job ? { id: job.id, reference: job.reference, title: job.title } : null,
    };
  });
}

export async function readStops(
  questdb: QuestDbHttp,
  db: SqlDatabase,
  orgId: string,
  assetId: string,
  windows: readonly DeviceWindow[],
  range: { from: number; to: number },
): Promise<StopOut[]> {
  if (windows.length === 0) return [];
  const [result, ctx] = await Promise.all([
    questdb.exec(
      `SELECT ts::long / 1000, end_ts::long / 1000, device_id, lat, lon, duration_s, engine_on_s, open
       FROM ${TABLES.stops} WHERE ${windowsWhere(orgId, windows, range)} ORDER BY ts LIMIT 100000`,
    ),
    context(db, orgId, assetId, range),
  ]);
  return result.dataset.map((r) => ({
    deviceId: String(r[2]),
    startedAt: new Date(Number(r[0])).toISOString(),
    endedAt: new Date(Number(r[1])).toISOString(),
    inProgress: r[7] === true,
    lat: num(r[3]) ?? 0,
    lon: num(r[4]) ?? 0,
    place: placeAt(ctx.places, num(r[3]), num(r[4])),
    durationS: num(r[5]) ?? 0,
    engineOnS: num(r[6]) ?? 0,
  }));
}
