// What the fleet summary reads: the assets the caller sees (row-level security and the
// department scope), their installations over the range, each device's trips and stops summed
// per day by QuestDB in the organisation's time zone (SAMPLE BY 1d ALIGN TO CALENDAR TIME ZONE),
// and the fill-ups entered. A month of 1,000 vehicles is ~31,000 device-days, never the trips
// themselves.
import { TABLES } from '@fleet/ingest';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '@fleet/shared';
import { inTenant, jsonColumn, type SqlDatabase, type SqlExecutor, type SqlParam } from '@fleet/shared/db';
import { type QuestDbHttp, sqlString } from '@fleet/shared/questdb';
import { localDay, localDayStart, nextDay, questDbTimeZone } from '@fleet/shared/time-zone';
import { departmentSubtree } from '../assets/repository.ts';
import type { DeviceDay, InstalledWindow, SummaryAsset } from './summary.ts';

const at = (ms: number) => `${Math.trunc(ms)}000::timestamp`;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export interface SummaryInput {
  timeZone: string;
  workingHours: WorkingHours;
  assets: SummaryAsset[];
  windows: InstalledWindow[];
  deviceDays: DeviceDay[];
  fuel: { assetId: string; day: string; litres: number }[];
}

/**
 * The filters every report takes on its assets, as SQL over `assets` aliased `alias` (their
 * arguments pushed onto `args`): a kind, and a department with its sub-departments. Undefined
 * when the department is not one the caller sees.
 */
export async function assetFilters(
  tx: SqlExecutor,
  q: { kind?: 'vehicle' | 'equipment' | undefined; departmentId?: string | undefined },
  alias: string,
  args: SqlParam[],
): Promise<string[] | undefined> {
  const where: string[] = [];
  if (q.kind !== undefined) {
    args.push(q.kind);
    where.push(`${alias}.kind = $${args.length}`);
  }
  if (q.departmentId !== undefined) {
    const subtree = await departmentSubtree(tx, q.departmentId);
    if (subtree.length === 0) return undefined;
    args.push(subtree);
    where.push(`${alias}.department_id = any($${args.length}::uuid[])`);
  }
  return where;
}

/** The organisation's time zone (UTC if it has none). */
export async function organisationZone(tx: SqlExecutor, orgId: string): Promise<string> {
  const org = await tx.query<{ time_zone: string }>(
    'select time_zone from organisations where id = $1::uuid',
    [orgId],
  );
  return org[0]?.time_zone ?? 'UTC';
}

/** The assets a report lists (with their department's name), by the filters' where clauses. */
export async function readReportAssets(
  tx: SqlExecutor,
  where: readonly string[],
  args: readonly SqlParam[],
): Promise<SummaryAsset[]> {
  const rows = await tx.query<{
    id: string;
    kind: 'vehicle' | 'equipment';
    name: string;
    plate: string | null;
    category: string | null;
    department_id: string | null;
    department_name: string | null;
  }>(
    `select a.id::text as id, a.kind, a.name, a.plate, a.category, a.department_id::text as department_id,
       d.name as department_name
     from assets a left join departments d on d.id = a.department_id
     ${where.length ? `where ${where.join(' and ')}` : ''}
     order by a.kind desc, lower(a.name), a.id`,
    [...args],
  );
  return rows.map((a) => ({
    id: a.id,
    kind: a.kind,
    name: a.name,
    plate: a.plate,
    category: a.category,
    departmentId: a.department_id,
    departmentName: a.department_name,
  }));
}

/** Which device was installed on which of the assets, and when, over a range. */
export async function readInstalledWindows(
  tx: SqlExecutor,
  assetIds: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<InstalledWindow[]> {
  const rows = await tx.query<{
    device_id: string;
    asset_id: string;
    installed_at: Date | string;
    removed_at: Date | string | null;
  }>(
    `select device_id, asset_id::text as asset_id, installed_at, removed_at from installations
     where asset_id = any($1::uuid[]) and installed_at < $3::timestamptz and (removed_at is null or removed_at > $2::timestamptz)`,
    [[...assetIds], new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return rows.map((i) => ({
    deviceId: i.device_id,
    assetId: i.asset_id,
    from: new Date(i.installed_at).getTime(),
    to: i.removed_at === null ? Number.POSITIVE_INFINITY : new Date(i.removed_at).getTime(),
  }));
}

export async function readSummaryInput(
  db: SqlDatabase,
  questdb: QuestDbHttp,
  orgId: string,
  q: {
    from: string;
    to: string;
    kind?: 'vehicle' | 'equipment' | undefined;
    departmentId?: string | undefined;
  },
): Promise<SummaryInput | undefined> {
  const pg = await inTenant(db, orgId, async (tx) => {
    const org = await tx.query<{ time_zone: string; working_hours: WorkingHours | string }>(
      'select time_zone, working_hours from organisations where id = $1::uuid',
      [orgId],
    );
    const timeZone = org[0]?.time_zone ?? 'UTC';
    const from = localDayStart(q.from, timeZone);
    const to = localDayStart(nextDay(q.to), timeZone);
    const args: SqlParam[] = [];
    const where = await assetFilters(tx, q, 'a', args);
    if (!where) return undefined;
    const assets = await readReportAssets(tx, ["a.status <> 'retired'", ...where], args);
    const ids = assets.map((a) => a.id);
    const windows = await readInstalledWindows(tx, ids, from, to);
    const fuel = await tx.query<{ asset_id: string; filled_at: Date | string; litres: string | number }>(
      `select asset_id::text as asset_id, filled_at, litres from fuel_entries
       where asset_id = any($1::uuid[]) and filled_at >= $2::timestamptz and filled_at < $3::timestamptz`,
      [ids, new Date(from).toISOString(), new Date(to).toISOString()],
    );
    return {
      timeZone,
      workingHours: jsonColumn<WorkingHours>(org[0]?.working_hours ?? DEFAULT_WORKING_HOURS),
      fromMs: from,
      toMs: to,
      assets,
      windows,
      fuel: fuel.map((f) => ({
        assetId: f.asset_id,
        day: localDay(new Date(f.filled_at).getTime(), timeZone),
        litres: Number(f.litres),
      })),
    };
  });
  if (!pg) return undefined;
  const devices = [...new Set(pg.windows.map((w) => w.deviceId))];
  if (devices.length === 0) return { ...pg, deviceDays: [] };
  // By the organisation alone: devices on no asset asked for drop out in summarise (a list of a
  // thousand ids in the filter would be compared on every row).
  const where = `tenant = ${sqlString(orgId)} AND ts >= ${at(pg.fromMs)} AND ts < ${at(pg.toMs)} AND deleted = false`;
  const zone = sqlString(questDbTimeZone(pg.timeZone));
  const [trips, stops] = await Promise.all([
    questdb.exec(
      `SELECT ts::long / 1000, device_id, count(), sum(distance_m), sum(duration_s), sum(idle_s), sum(after_hours_s) FROM ${TABLES.trips} ` +
        `WHERE ${where} SAMPLE BY 1d ALIGN TO CALENDAR TIME ZONE ${zone}`,
    ),
    questdb.exec(
      `SELECT ts::long / 1000, device_id, sum(engine_on_s) FROM ${TABLES.stops} ` +
        `WHERE ${where} SAMPLE BY 1d ALIGN TO CALENDAR TIME ZONE ${zone}`,
    ),
  ]);
  const key = (deviceId: string, day: string) => `${deviceId}\n${day}`;
  const days = new Map<string, DeviceDay>();
  // The bucket is the local midnight (in UTC): its calendar day, read a little after it.
  // Memoised: 31 buckets, and a date format per row cost 5 s for a month of 1,000 vehicles.
  const bucketDays = new Map<number, string>();
  const dayOf = (bucket: unknown) => {
    const b = num(bucket);
    let day = bucketDays.get(b);
    if (day === undefined) {
      day = localDay(b + 3_600_000, pg.timeZone);
      bucketDays.set(b, day);
    }
    return day;
  };
  for (const r of trips.dataset) {
    const d: DeviceDay = {
      deviceId: String(r[1]),
      day: dayOf(r[0]),
      trips: num(r[2]),
      distanceM: num(r[3]),
      durationS: num(r[4]),
      idleS: num(r[5]),
      stopEngineOnS: 0,
      afterHoursS: num(r[6]),
    };
    days.set(key(d.deviceId, d.day), d);
  }
  for (const r of stops.dataset) {
    const deviceId = String(r[1]);
    const day = dayOf(r[0]);
    const d = days.get(key(deviceId, day));
    if (d) d.stopEngineOnS = num(r[2]);
    else
      days.set(key(deviceId, day), {
        deviceId,
        day,
        trips: 0,
        distanceM: 0,
        durationS: 0,
        idleS: 0,
        stopEngineOnS: num(r[2]),
        afterHoursS: 0,
      });
  }
  return { ...pg, deviceDays: [...days.values()] };
}
