// What a project costs: the costs entered against it, and its share of the running costs of the
// vehicles and items its jobs booked (allocation.ts): each asset's fuel and maintenance over the
// calendar months of the project's jobs, split by the distance and engine time driven for its
// jobs (trips that started between the job's departure, or its window's start, and its
// completion, or its window's end) over all driven in those months.
import { TABLES } from '@fleet/ingest';
import { inTenant, type SqlDatabase } from '@fleet/shared/db';
import { formatMoney } from '@fleet/shared/money';
import type { QuestDbHttp } from '@fleet/shared/questdb';
import { localDay, localDayStart, previousDay } from '@fleet/shared/time-zone';
import type { DeviceWindow } from '../../history.ts';
import { windowsWhere } from '../trips/repository.ts';
import { type AssetUse, allocate } from './allocation.ts';
import type { ProjectCosts } from './schemas.ts';

const at = (ms: number) => `${Math.trunc(ms)}000::timestamp`;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
function nextMonthStart(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

interface BookedAsset {
  id: string;
  kind: 'vehicle' | 'equipment';
  name: string;
  plate: string | null;
  /** The windows of the project's jobs that booked it. */
  jobs: { from: number; to: number }[];
  devices: DeviceWindow[];
}

export async function readProjectCosts(
  db: SqlDatabase,
  questdb: QuestDbHttp,
  orgId: string,
  projectId: string,
): Promise<ProjectCosts | undefined> {
  const pg = await inTenant(db, orgId, async (tx) => {
    const project = await tx.query<{ budget_minor: string | null; currency: string; time_zone: string }>(
      `select p.budget_minor::text as budget_minor, p.currency, o.time_zone
         from projects p join organisations o on o.id = p.org_id where p.id = $1::uuid`,
      [projectId],
    );
    const head = project[0];
    if (!head) return undefined;
    const direct = await tx.query<{ category: string; minor: string }>(
      `select category, sum(amount_minor)::text as minor from cost_entries where project_id = $1::uuid
        group by category order by category`,
      [projectId],
    );
    const booked = await tx.query<{
      asset_id: string;
      kind: 'vehicle' | 'equipment';
      name: string;
      plate: string | null;
      from_at: Date | string;
      to_at: Date | string;
    }>(
      `select a.id::text as asset_id, a.kind, a.name, a.plate,
          least(j.starts_at, coalesce(j.en_route_at, j.starts_at)) as from_at,
          greatest(j.ends_at, coalesce(j.completed_at, j.ends_at)) as to_at
         from jobs j join job_assets x on x.job_id = j.id join assets a on a.id = x.asset_id
        where j.project_id = $1::uuid and j.state <> 'cancelled'
        order by lower(a.name), a.id`,
      [projectId],
    );
    const assets = new Map<string, BookedAsset>();
    for (const b of booked) {
      const asset = assets.get(b.asset_id) ?? {
        id: b.asset_id,
        kind: b.kind,
        name: b.name,
        plate: b.plate,
        jobs: [],
        devices: [],
      };
      asset.jobs.push({ from: new Date(b.from_at).getTime(), to: new Date(b.to_at).getTime() });
      assets.set(b.asset_id, asset);
    }
    const spans = [...assets.values()].flatMap((a) => a.jobs);
    const timeZone = head.time_zone;
    // The calendar months the jobs touch, in the organisation's zone.
    const fromDay =
      spans.length === 0 ? null : monthStart(localDay(Math.min(...spans.map((s) => s.from)), timeZone));
    const toDay =
      spans.length === 0 ? null : nextMonthStart(localDay(Math.max(...spans.map((s) => s.to)), timeZone));
    const period =
      fromDay === null || toDay === null
        ? null
        : { from: localDayStart(fromDay, timeZone), to: localDayStart(toDay, timeZone), fromDay, toDay };
    const ids = [...assets.keys()];
    if (period && ids.length > 0) {
      const range = [new Date(period.from).toISOString(), new Date(period.to).toISOString()];
      const installations = await tx.query<{
        asset_id: string;
        device_id: string;
        installed_at: Date | string;
        removed_at: Date | string | null;
      }>(
        `select asset_id::text as asset_id, device_id, installed_at, removed_at from installations
          where asset_id = any($1::uuid[]) and installed_at < $3::timestamptz and (removed_at is null or removed_at > $2::timestamptz)`,
        [ids, ...range],
      );
      for (const i of installations)
        assets.get(i.asset_id)?.devices.push({
          deviceId: i.device_id,
          from: new Date(i.installed_at).getTime(),
          to: i.removed_at === null ? Number.POSITIVE_INFINITY : new Date(i.removed_at).getTime(),
        });
    }
    const money =
      period && ids.length > 0
        ? await tx.query<{ asset_id: string; fuel: string; maintenance: string }>(
            `select a.id::text as asset_id,
                coalesce((select sum(f.total_minor) from fuel_entries f where f.asset_id = a.id
                  and f.filled_at >= $2::timestamptz and f.filled_at < $3::timestamptz), 0)::text as fuel,
                coalesce((select sum(round(l.quantity * l.unit_cost_minor)) from work_orders w
                  join work_order_lines l on l.work_order_id = w.id
                  where w.asset_id = a.id and w.state = 'completed'
                    and w.completed_at >= $2::timestamptz and w.completed_at < $3::timestamptz), 0)::text as maintenance
               from assets a where a.id = any($1::uuid[])`,
            [ids, new Date(period.from).toISOString(), new Date(period.to).toISOString()],
          )
        : [];
    return { head, direct, assets: [...assets.values()], period, money, timeZone };
  });
  if (!pg) return undefined;
  const { head, period } = pg;
  const moneyOf = new Map(pg.money.map((m) => [m.asset_id, m]));
  const uses = await Promise.all(
    pg.assets.map(async (asset): Promise<AssetUse> => {
      const base = {
        assetId: asset.id,
        fuelMinor: BigInt(moneyOf.get(asset.id)?.fuel ?? '0'),
        maintenanceMinor: BigInt(moneyOf.get(asset.id)?.maintenance ?? '0'),
      };
      if (!period || asset.devices.length === 0)
        return { ...base, projectKm: 0, projectEngineS: 0, periodKm: 0, periodEngineS: 0 };
      const where = windowsWhere(orgId, asset.devices, period);
      const jobsWhere = asset.jobs.map((j) => `(ts >= ${at(j.from)} AND ts < ${at(j.to)})`).join(' OR ');
      // Trips' time is engine time; idling at stops counts too (stops.engine_on_s), as the summary's.
      const [all, forJobs, allStops, jobStops] = await Promise.all([
        questdb.exec(`SELECT sum(distance_m), sum(duration_s) FROM ${TABLES.trips} WHERE ${where}`),
        questdb.exec(
          `SELECT sum(distance_m), sum(duration_s) FROM ${TABLES.trips} WHERE ${where} AND (${jobsWhere})`,
        ),
        questdb.exec(`SELECT sum(engine_on_s) FROM ${TABLES.stops} WHERE ${where}`),
        questdb.exec(`SELECT sum(engine_on_s) FROM ${TABLES.stops} WHERE ${where} AND (${jobsWhere})`),
      ]);
      return {
        ...base,
        projectKm: num(forJobs.dataset[0]?.[0]) / 1000,
        projectEngineS: num(forJobs.dataset[0]?.[1]) + num(jobStops.dataset[0]?.[0]),
        periodKm: num(all.dataset[0]?.[0]) / 1000,
        periodEngineS: num(all.dataset[0]?.[1]) + num(allStops.dataset[0]?.[0]),
      };
    }),
  );
  const currency = head.currency;
  const fmt = (minor: bigint) => formatMoney(minor, currency);
  const allocations = uses.map(allocate);
  let directMinor = 0n;
  for (const d of pg.direct) directMinor += BigInt(d.minor);
  let fuelMinor = 0n;
  let maintenanceMinor = 0n;
  for (const a of allocations) {
    fuelMinor += a.fuelAllocatedMinor;
    maintenanceMinor += a.maintenanceAllocatedMinor;
  }
  const totalMinor = directMinor + fuelMinor + maintenanceMinor;
  const budgetMinor = head.budget_minor === null ? null : BigInt(head.budget_minor);
  return {
    projectId,
    currency,
    timeZone: pg.timeZone,
    period: period ? { from: period.fromDay, to: previousDay(period.toDay) } : null,
    direct: {
      total: fmt(directMinor),
      byCategory: pg.direct.map((d) => ({ category: d.category, amount: fmt(BigInt(d.minor)) })),
    },
    allocated: {
      fuel: fmt(fuelMinor),
      maintenance: fmt(maintenanceMinor),
      total: fmt(fuelMinor + maintenanceMinor),
    },
    assets: allocations.map((a, i) => {
      const asset = pg.assets[i] as BookedAsset;
      return {
        asset: { id: asset.id, kind: asset.kind, name: asset.name, plate: asset.plate },
        projectKm: round(a.projectKm, 3),
        projectEngineH: round(a.projectEngineS / 3600, 2),
        periodKm: round(a.periodKm, 3),
        periodEngineH: round(a.periodEngineS / 3600, 2),
        fuelCost: fmt(a.fuelMinor),
        maintenanceCost: fmt(a.maintenanceMinor),
        fuelAllocated: fmt(a.fuelAllocatedMinor),
        maintenanceAllocated: fmt(a.maintenanceAllocatedMinor),
      };
    }),
    total: fmt(totalMinor),
    budget: budgetMinor === null ? null : fmt(budgetMinor),
    budgetUsed:
      budgetMinor === null || budgetMinor === 0n
        ? null
        : round(Number((totalMinor * 10_000n) / budgetMinor) / 10_000, 4),
  };
}
